"""The hub's managed store server (``oxigraph serve``, or Virtuoso with ``store = "virtuoso"``) for the
duration of a command.

``srom serve`` and ``srom demo`` run it for as long as they serve; a one-shot command (``srom harvest``,
``srom query``...) that needs a managed Virtuoso which is not running starts one for its own duration
only: it does not outlive the command. (A managed Oxigraph that is not running is opened embedded by a
one-shot command instead.) Either way a server already running for the instance folder is used, never
a second one. The server is on loopback, supervised by a watchdog, and stopped cleanly (its state file
``<store dir>.server.json`` is removed; ``kill`` the pid written there to stop a server whose owner died).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import click

from store.oxigraph_server import ManagedOxigraphServer, find_running_server
from store.virtuoso_server import ManagedVirtuosoServer, find_running_virtuoso
from web.hub import Hub


def _managed_server(hub: Hub) -> ManagedOxigraphServer | ManagedVirtuosoServer | None:
    """The hub's managed store server, not started; None when another process runs it already."""
    settings = hub.settings
    if hub.managed_engine == "virtuoso":
        if find_running_virtuoso(hub.store_location):
            return None
        return ManagedVirtuosoServer(hub.store_location, port=settings["STORE_PORT"],
                                     sql_port=settings["VIRTUOSO_SQL_PORT"], timeout_s=settings["SPARQL_TIMEOUT"],
                                     memory_mb=settings["VIRTUOSO_MEMORY_MB"])
    if find_running_server(hub.store_location):
        return None  # another `srom serve` owns the store already: use it instead of fighting for the lock
    return ManagedOxigraphServer(hub.store_location, port=settings["STORE_PORT"],
                                 timeout_s=settings["SPARQL_TIMEOUT"])


@contextlib.contextmanager
def managed_store(hub: Hub) -> Iterator[None]:
    """Run the hub's managed store server (Oxigraph or Virtuoso, if that is its store) for the duration."""
    server = _managed_server(hub) if hub.managed_engine else None
    if server is None:
        yield
        return
    # The watchdog restarts the server if it dies; the hub keeps the same URL, so clients just retry.
    server.start(watchdog_interval=5.0)
    click.echo(f"store: {hub.managed_engine} server on {server.url} ({hub.store_location})", err=True)
    try:
        hub.use_store(server.store(hub.minter.provenance_graph()))
        yield
    finally:
        hub.close()
        server.stop()
