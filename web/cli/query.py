"""``srom query``: run a SPARQL query over the hub's graph and print a W3C results format."""

from __future__ import annotations

import sys

import click

from ontology.namespaces import PREFIXES
from sparql_endpoint.results import serialize_result
from store.base import GraphResult, StoreError
from web.cli.context import pass_hub
from web.hub import Hub


@click.command()
@click.argument("sparql")
@click.option("--format", "result_format", type=click.Choice(["json", "xml", "csv", "tsv", "turtle", "ntriples"]),
              default=None, help="Results format (default: json for SELECT/ASK, turtle for graphs).")
@pass_hub
def query(hub: Hub, sparql: str, result_format: str | None) -> None:
    """Run a SPARQL query over the hub's graph and print the W3C results format."""
    try:
        if sparql == "-":
            sparql = sys.stdin.read()
        result = hub.store().query(sparql)
        default = "turtle" if isinstance(result, GraphResult) else "json"
        for chunk in serialize_result(result, result_format or default, prefixes=PREFIXES):
            sys.stdout.buffer.write(chunk)
        sys.stdout.flush()
    except StoreError as exc:
        raise click.ClickException(f"{type(exc).__name__}: {exc}") from exc
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
