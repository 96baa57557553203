"""``srom demo``: the bundled demo museums, harvested through the real pipeline, then served.

The demo museums' OAI-PMH feeds run on loopback (the PyPI ``oaipmh`` server over the bundled records),
are registered like any museum, harvested in full through HTTP, mapping and the store, and the hub is
served. The feeds keep running while the hub serves, since they also serve the objects' images.
"""

from __future__ import annotations

from importlib import resources

import click

from harvesters.registry import Museum
from web.hub import Hub
from web.serving import harvest_all, harvest_scheduler, managed_store, stop_on_sigterm
from web.settings import instance_path, load_settings

LOOPBACK = "127.0.0.0/8"


def install_demo_exhibitions(hub: Hub) -> list[str]:
    """Import the bundled exhibitions into the repository and publish them (never touching existing ones).

    Their pinned snapshots are taken on first view, once the harvest has filled the store.
    """
    from web.exhibitions import import_toml

    repo = hub.exhibitions
    installed = []
    for entry in sorted(resources.files("demo").joinpath("exhibitions").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml") and not repo.exists(entry.name.removesuffix(".toml")):
            with resources.as_file(entry) as source:
                installed.append(import_toml(source, author="demo", repo=repo))
    return installed


def run_demo(host: str, port: int, *, serve: bool = True) -> None:
    from demo.feeds import DemoFeedServer, load_demo_museums

    stop_on_sigterm()
    instance = instance_path()
    settings = load_settings(instance)
    # The demo feeds live on loopback, which the feed guard refuses unless allowed: the demo allows it.
    if LOOPBACK not in settings["ALLOWED_FEED_NETWORKS"]:
        settings["ALLOWED_FEED_NETWORKS"] = [*settings["ALLOWED_FEED_NETWORKS"], LOOPBACK]
    hub = Hub(instance, settings)
    museums = load_demo_museums()
    feeds = DemoFeedServer(museums, host="127.0.0.1", port=0)
    feeds.start()
    try:
        click.echo(f"demo: {len(museums)} museum feeds (OAI-PMH) on {feeds.base_url}", err=True)
        for m in museums:
            hub.registry.save_museum(
                Museum(
                    id=m.id, name=m.names.get("en") or next(iter(m.names.values())), names=dict(m.names),
                    feed_url=feeds.feed_url(m.id), format=m.metadata_format, homepage=m.homepage,
                    city=m.city, country=m.country, lat=m.lat, lon=m.lon, licence=m.licence,
                    attribution=m.attribution,
                )
            )
            click.echo(f"  registered {m.id} ({m.metadata_format}) <{feeds.feed_url(m.id)}>", err=True)
        installed = install_demo_exhibitions(hub)
        if installed:
            click.echo(f"demo: exhibitions installed: {', '.join(installed)}", err=True)
        with managed_store(hub), harvest_scheduler(hub):
            click.echo("demo: harvesting (full) ...", err=True)
            failed = harvest_all(hub, [m.id for m in museums], full=True)
            if failed:
                raise click.ClickException(f"demo harvest failed for {', '.join(failed)}")
            if not serve:
                return
            from waitress import serve as waitress_serve

            from web.app import create_app

            app = create_app(hub=hub)
            url = f"http://{host}:{port}"
            click.echo(f"\nSROM Hub demo ready: {url}/   (SPARQL: {url}/sparql)", err=True)
            waitress_serve(app, host=host, port=port, threads=hub.settings["WEB_THREADS"], ident="srom-hub")
    finally:
        feeds.stop()
