"""``srom demo``: the bundled demo museums, harvested through the real pipeline, then served.

The demo museums' OAI-PMH feeds run on loopback (the PyPI ``oaipmh`` server over the bundled records),
are registered like any museum, harvested in full through HTTP, mapping and the store; then the bundled
exhibitions are imported and published through the exhibition service (their snapshots pinned from
the harvested objects), and the hub is served. The feeds keep running while the hub serves, since they
also serve the objects' images.
"""

from __future__ import annotations

from importlib import resources

import click

from web.cli.context import hub_context
from web.cli.managed_store import managed_store
from web.cli.museums import harvest_museums
from web.cli.serving import harvest_scheduler, serve_app, stop_on_sigterm, use_port
from web.hub import Hub
from web.settings import instance_path, load_settings

LOOPBACK = "127.0.0.0/8"


def install_demo_exhibitions(hub: Hub, *, pin: bool = True) -> list[str]:
    """Import the bundled exhibitions and publish them (never touching existing ones).

    ``pin``: take the pinned snapshots now (the store holds the demo's objects); else on first view.
    """
    installed = []
    for entry in sorted(resources.files("demo").joinpath("exhibitions").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            with resources.as_file(entry) as source:
                slug, imported = hub.exhibitions.import_toml(source, author="demo", pin=pin)
            if imported:
                installed.append(slug)
    return installed


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=None, callback=lambda ctx, param, value: use_port(value),
              help="Web port (default: $PORT or 5000).")
@click.option("--no-serve", is_flag=True, help="Harvest the demo museums, then exit instead of serving.")
def demo(host: str, port: int, no_serve: bool) -> None:
    """Start the bundled demo museums' feeds, harvest them for real, and serve the hub."""
    # The demo feeds live on loopback, which the feed guard refuses unless allowed: the demo allows it.
    context = hub_context()
    allowed = load_settings(instance_path(), port=port)["ALLOWED_FEED_NETWORKS"]
    if LOOPBACK not in allowed:
        context.overrides["ALLOWED_FEED_NETWORKS"] = [*allowed, LOOPBACK]
    run_demo(context.hub, host, port, serve=not no_serve)


def run_demo(hub: Hub, host: str, port: int, *, serve: bool = True) -> None:
    from demo.feeds import DemoFeedServer, load_demo_museums

    stop_on_sigterm()
    museums = load_demo_museums()
    feeds = DemoFeedServer(museums, host="127.0.0.1", port=0)
    feeds.start()
    try:
        click.echo(f"demo: {len(museums)} museum feeds (OAI-PMH) on {feeds.base_url}", err=True)
        for m in museums:
            hub.museums.register_or_update(m.id, {
                "name": m.names.get("en") or next(iter(m.names.values())), "names": dict(m.names),
                "feed_url": feeds.feed_url(m.id), "format": m.metadata_format, "homepage": m.homepage,
                "city": m.city, "country": m.country, "lat": m.lat, "lon": m.lon, "licence": m.licence,
                "attribution": m.attribution,
            }, probe=False)
            click.echo(f"  registered {m.id} ({m.metadata_format}) <{feeds.feed_url(m.id)}>", err=True)
        with managed_store(hub), harvest_scheduler(hub):
            click.echo("demo: harvesting (full) ...", err=True)
            _runs, failed = harvest_museums(hub, [m.id for m in museums], full=True)
            if failed:
                raise click.ClickException(f"demo harvest failed for {', '.join(failed)}")
            installed = install_demo_exhibitions(hub)
            if installed:
                click.echo(f"demo: exhibitions installed: {', '.join(installed)}", err=True)
            if not serve:
                return
            url = f"http://{host}:{port}"
            serve_app(hub, host, port, f"\nSROM Hub demo ready: {url}/   (SPARQL: {url}/sparql)")
    finally:
        feeds.stop()
