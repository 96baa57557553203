"""Running the hub as a process: the managed store server, the web server, and harvests with progress.

``srom serve`` starts ``oxigraph serve`` on a loopback port (when the store is the managed server),
supervises it, and serves the Flask app with waitress (a threaded production WSGI server; the Flask
development server is the slowest option measured on these machines).
"""

from __future__ import annotations

import contextlib
import signal
import sys
from collections.abc import Iterator

import click

from harvesters.run import HarvestProgress
from web.hub import Hub


def stop_on_sigterm() -> None:
    """Turn SIGTERM into a clean exit, so the managed store server is stopped and not orphaned."""

    def handler(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)


@contextlib.contextmanager
def managed_store(hub: Hub) -> Iterator[None]:
    """Start the managed Oxigraph server for ``hub`` (if that is its store) for the duration."""
    if hub.settings["STORE"] != "oxigraph-server":
        yield
        return
    from store.oxigraph_server import ManagedOxigraphServer, find_running_server

    if find_running_server(hub.store_location):
        # Another `srom serve` owns the store already; use it instead of fighting for the lock.
        yield
        return
    server = ManagedOxigraphServer(
        hub.store_location, port=hub.settings["STORE_PORT"], timeout_s=hub.settings["SPARQL_TIMEOUT"]
    )
    # The watchdog restarts the server if it dies; the hub keeps the same URL, so clients just retry.
    server.start(watchdog_interval=5.0)
    click.echo(f"store: Oxigraph server on {server.url} ({hub.store_location})", err=True)
    try:
        hub.use_store(server.store(hub.minter.provenance_graph()))
        yield
    finally:
        hub.close()
        server.stop()


def serve_hub(hub: Hub, host: str, port: int) -> None:
    from waitress import serve

    from web.app import create_app

    stop_on_sigterm()
    with managed_store(hub):
        app = create_app(hub=hub)
        click.echo(f"SROM Hub serving on http://{host}:{port}/  (Ctrl-C to stop)", err=True)
        serve(app, host=host, port=port, threads=hub.settings["WEB_THREADS"], ident="srom-hub")


def print_progress(state: HarvestProgress) -> None:
    total = state.complete_list_size
    done = state.records
    if total:
        width = 24
        filled = min(width, int(width * done / max(total, 1)))
        bar = f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
    else:
        bar = f"{done} records, {state.pages} pages"
    sys.stderr.write(
        f"\r  {state.museum:<16} {bar}  new {state.new} updated {state.updated} "
        f"deleted {state.deleted} quarantined {state.quarantined}   "
    )
    sys.stderr.flush()


def harvest_all(hub: Hub, museum_ids: list[str] | None, *, full: bool = False) -> list[str]:
    """Harvest museums one after the other with a progress line each; returns the ids that failed."""
    ids = museum_ids or [m.id for m in hub.registry.museums()]
    unknown = [i for i in ids if hub.registry.get_museum(i) is None]
    if unknown:
        raise click.ClickException(f"not registered: {', '.join(unknown)} (see `srom museums list`)")
    harvester = hub.harvester()
    failed = []
    for museum_id in ids:
        run = harvester.harvest(museum_id, full=full, progress=print_progress)
        sys.stderr.write("\n")
        if run.outcome == "ok":
            click.echo(
                f"  {museum_id}: ok — new {run.new}, updated {run.updated}, deleted {run.deleted}, "
                f"quarantined {run.quarantined}, unchanged {run.unchanged}",
                err=True,
            )
        else:
            failed.append(museum_id)
            click.echo(f"  {museum_id}: FAILED — {run.error}", err=True)
    return failed
