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
from typing import TYPE_CHECKING, Any

import click

from harvesters.run import HarvestProgress
from web.hub import Hub

if TYPE_CHECKING:
    from harvesters.run import Harvester


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
    with managed_store(hub), harvest_scheduler(hub):
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


def make_harvester(hub: Hub) -> Harvester:
    """The hub's harvester with every HARVEST_* setting applied (retries, backoff, mass-drop guard)."""
    return hub.harvester()


@contextlib.contextmanager
def harvest_scheduler(hub: Hub) -> Iterator[None]:
    """Run the feeds' cron schedules in a thread for the duration (unless HARVEST_SCHEDULER is off)."""
    if not hub.settings.get("HARVEST_SCHEDULER", True):
        yield
        return
    from harvesters.schedule import Scheduler

    scheduler = Scheduler(hub.registry, lambda museum_id: make_harvester(hub).harvest(museum_id)).start()
    try:
        yield
    finally:
        scheduler.stop()


class ProgressBar:
    """A harvest's progress on stderr: ``click.progressbar`` once the list size is known, else a line."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._shown = 0

    def __call__(self, state: HarvestProgress) -> None:
        total = state.complete_list_size
        if not total:
            print_progress(state)
            return
        if self._bar is None:
            self._bar = click.progressbar(length=max(total, state.records), label=f"  {state.museum:<16}",
                                          file=sys.stderr, show_pos=True, show_percent=True,
                                          item_show_func=lambda _: _counts(state))
            self._bar.__enter__()
        self._bar.length = max(total, state.records, self._bar.length or 0)
        self._bar.update(max(0, state.records - self._shown), current_item=state)
        self._shown = max(self._shown, state.records)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


def _counts(state: HarvestProgress | None) -> str:
    if state is None:
        return ""
    return (f"new {state.new} updated {state.updated} unchanged {state.unchanged} deleted {state.deleted} "
            f"quarantined {state.quarantined}")


def harvest_all(hub: Hub, museum_ids: list[str] | None, *, full: bool = False, restart: bool = False) -> list[str]:
    """Harvest museums one after the other with a progress bar each; returns the ids that failed.

    A museum whose interrupted run can be resumed is resumed (``restart`` starts a new run instead).
    """
    from harvesters.errors import HarvestBusy

    ids = museum_ids or [m.id for m in hub.registry.museums()]
    unknown = [i for i in ids if hub.registry.get_museum(i) is None]
    if unknown:
        raise click.ClickException(f"not registered: {', '.join(unknown)} (see `srom museums list`)")
    harvester = make_harvester(hub)
    failed = []
    for museum_id in ids:
        bar = ProgressBar()
        try:
            run = harvester.harvest(museum_id, full=full, restart=restart, progress=bar)
        except HarvestBusy as exc:
            failed.append(museum_id)
            click.echo(f"  {museum_id}: not harvested — {exc}", err=True)
            continue
        finally:
            bar.close()
            sys.stderr.write("\n")
        resumed = f" (resumed, attempt {run.attempts})" if run.attempts > 1 else ""
        if run.outcome == "ok":
            click.echo(
                f"  {museum_id}: ok{resumed} — new {run.new}, updated {run.updated}, deleted {run.deleted}, "
                f"quarantined {run.quarantined}, unchanged {run.unchanged}",
                err=True,
            )
            if run.held:
                click.echo(f"  {museum_id}: {run.held} records are gone from the source; their removal waits for "
                           f"confirmation: srom removals {museum_id} --confirm", err=True)
        else:
            failed.append(museum_id)
            click.echo(f"  {museum_id}: FAILED{resumed} — {run.error} (the next `srom harvest {museum_id}` "
                       "resumes from the last checkpoint)", err=True)
    return failed
