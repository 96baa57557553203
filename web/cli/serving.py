"""``srom serve``, and running the hub as a process: the web server and the feeds' schedules.

``srom serve`` starts the managed store server (``web.cli.managed_store``), runs the feeds' cron
schedules in a thread and serves the Flask app with waitress (a threaded production WSGI server; the
Flask development server is the slowest option measured on these machines). SIGTERM stops all of it
cleanly.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator

import click

from web.cli.context import hub_context, pass_hub
from web.cli.managed_store import managed_store
from web.hub import Hub
from web.settings import web_port


def stop_on_sigterm() -> None:
    """Turn SIGTERM into a clean exit, so the managed store server is stopped and not orphaned."""

    def handler(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)


@contextlib.contextmanager
def harvest_scheduler(hub: Hub) -> Iterator[None]:
    """Run the feeds' cron schedules in a thread for the duration (unless HARVEST_SCHEDULER is off)."""
    if not hub.settings.get("HARVEST_SCHEDULER", True):
        yield
        return
    from harvesters.schedule import Scheduler

    scheduler = Scheduler(hub.feeds, lambda museum_id: hub.museums.harvester().harvest(museum_id)).start()
    try:
        yield
    finally:
        scheduler.stop()


def serve_app(hub: Hub, host: str, port: int, banner: str) -> None:
    """Serve the hub's web app with waitress until stopped."""
    from waitress import serve

    from web.app import create_app

    app = create_app(hub=hub)
    click.echo(banner, err=True)
    serve(app, host=host, port=port, threads=hub.settings["WEB_THREADS"], ident="srom-hub")


def use_port(port: int | None) -> int:
    """The web port (``--port``, else ``$PORT``, else 5000); IRIs are minted under it unless BASE_IRI is set."""
    port = port or web_port()
    hub_context().port = port
    return port


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=int, default=None, callback=lambda ctx, param, value: use_port(value),
              help="Web port (default: $PORT or 5000).")
@pass_hub
def serve(hub: Hub, host: str, port: int) -> None:
    """Serve the hub (starts and supervises the managed Oxigraph server)."""
    stop_on_sigterm()
    with managed_store(hub), harvest_scheduler(hub):
        serve_app(hub, host, port, f"SROM Hub serving on http://{host}:{port}/  (Ctrl-C to stop)")
