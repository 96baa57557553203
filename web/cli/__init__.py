"""The ``srom`` command: serve the hub, run the demo, register museums, harvest, map, query, curate.

Every command works on the instance folder ``$SROM_HOME`` (default ``./instance``) through the hub's
services (``web.cli.context.pass_hub``), one module per command group. Commands that touch the store
use the running hub's managed Oxigraph server when there is one (so they work while ``srom serve``
runs) and open the store directory themselves when there is not.
"""

from __future__ import annotations

import click

from web.cli.accounts import accounts, tokens
from web.cli.demo import demo
from web.cli.exhibitions import exhibitions
from web.cli.index import index
from web.cli.mappings import map_command, mappings
from web.cli.museums import harvest, museums, quarantine, removals, runs
from web.cli.query import query
from web.cli.serving import serve


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """SROM Hub: the Silk Road Online Museum's linked-open-data hub."""


for command in (serve, demo, museums, harvest, runs, quarantine, removals, map_command, query, exhibitions,
                accounts, tokens, mappings, index):
    main.add_command(command)
