"""The ``srom`` command: serve the hub, run the demo, register museums, harvest, map and query.

Every command works on the instance folder ``$SROM_HOME`` (default ``./instance``). Commands that touch
the store use the running hub's managed Oxigraph server when there is one (so they work while
``srom serve`` runs) and open the store directory themselves when there is not.
"""

from __future__ import annotations

import json
import sys

import click

from harvesters.registry import FORMATS, PROTOCOLS, Museum, RegistryError
from web.hub import Hub
from web.settings import instance_path, web_port


def _hub(**overrides: object) -> Hub:
    from web.settings import load_settings

    instance = instance_path()
    try:
        settings = load_settings(instance, overrides=overrides or None)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    return Hub(instance, settings)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """SROM Hub: the Silk Road Online Museum's linked-open-data hub."""


# --- serve / demo --------------------------------------------------------------------------------
@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=int, default=None, help="Web port (default: $PORT or 5000).")
def serve(host: str, port: int | None) -> None:
    """Serve the hub (starts and supervises the managed Oxigraph server)."""
    from web.serving import serve_hub

    serve_hub(_hub(), host, port or web_port())


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=None, help="Web port (default: $PORT or 5000).")
@click.option("--no-serve", is_flag=True, help="Harvest the demo museums, then exit instead of serving.")
def demo(host: str, port: int | None, no_serve: bool) -> None:
    """Start the bundled demo museums' feeds, harvest them for real, and serve the hub."""
    from web.demo_command import run_demo

    run_demo(host, port or web_port(), serve=not no_serve)


# --- museums ---------------------------------------------------------------------------------------
@main.group()
def museums() -> None:
    """Register and list partner museums and their feeds."""


@museums.command("add")
@click.argument("museum_id")
@click.option("--name", required=True, help="The museum's name.")
@click.option("--feed", "feed_url", required=True, help="Base URL of the museum's feed.")
@click.option("--format", "metadata_format", type=click.Choice(FORMATS), required=True)
@click.option("--protocol", type=click.Choice(PROTOCOLS), default="oai-pmh", show_default=True)
@click.option("--set", "set_spec", default=None, help="Harvest only this OAI-PMH set.")
@click.option("--homepage", default=None)
@click.option("--city", default=None)
@click.option("--country", default=None)
def museums_add(museum_id: str, name: str, feed_url: str, metadata_format: str, protocol: str,
                set_spec: str | None, homepage: str | None, city: str | None, country: str | None) -> None:
    """Register (or update) museum MUSEUM_ID and its feed."""
    from harvesters.guard import FeedUrlRefused
    from ontology.iris import check_museum_id

    hub = _hub()
    try:
        check_museum_id(museum_id)
        hub.guard.check(feed_url)
        museum = hub.registry.save_museum(
            Museum(id=museum_id, name=name, names={"en": name}, feed_url=feed_url, format=metadata_format,
                   protocol=protocol, set_spec=set_spec, homepage=homepage, city=city, country=country)
        )
    except (FeedUrlRefused, RegistryError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"registered {museum.id}: {museum.name} <{museum.feed_url}> ({museum.protocol}, {museum.format})")


@museums.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def museums_list(as_json: bool) -> None:
    """List registered museums."""
    rows = [m.as_json() for m in _hub().registry.museums()]
    if as_json:
        click.echo(json.dumps({"ok": True, "museums": rows}, ensure_ascii=False, indent=2))
        return
    for m in rows:
        click.echo(f"{m['id']:<16} {m['format']:<7} {m['feed_url']}  {m['name']}")


# --- harvest ---------------------------------------------------------------------------------------
@main.command()
@click.argument("museum_ids", nargs=-1)
@click.option("--full", is_flag=True, help="Ask for every record, not only what changed since the last run.")
def harvest(museum_ids: tuple[str, ...], full: bool) -> None:
    """Harvest the given museums (default: all). Exits non-zero if a run failed."""
    from web.serving import harvest_all

    hub = _hub()
    try:
        failed = harvest_all(hub, list(museum_ids) or None, full=full)
    finally:
        hub.close()
    if failed:
        raise click.ClickException(f"harvest failed for {', '.join(failed)}")


@main.command()
@click.argument("museum_id")
@click.option("--json", "as_json", is_flag=True)
def runs(museum_id: str, as_json: bool) -> None:
    """List a museum's harvest runs with outcome and counts."""
    rows = [r.as_json() for r in _hub().registry.runs(museum_id)]
    if as_json:
        click.echo(json.dumps({"ok": True, "runs": rows}, indent=2))
        return
    for r in rows:
        click.echo(
            f"#{r['id']:<4} {r['started']}  {r['outcome']:<7} new {r['new']}  updated {r['updated']}  "
            f"deleted {r['deleted']}  quarantined {r['quarantined']}  unchanged {r['unchanged']}"
            + (f"  error: {r['error']}" if r["error"] else "")
        )


# --- map ---------------------------------------------------------------------------------------------
@main.command("map")
@click.option("--format", "metadata_format", type=click.Choice(FORMATS), required=True)
@click.option("--to", "output", type=click.Choice(["nquads", "turtle"]), default="nquads", show_default=True)
@click.option("--museum", default="local", show_default=True, help="Museum id used in the minted IRIs.")
@click.argument("source", type=click.File("rb"), default="-")
def map_command(metadata_format: str, output: str, museum: str, source) -> None:  # noqa: ANN001
    """Map LIDO or oai_dc records from SOURCE (a file or - for stdin) and print their triples.

    One error line per unmappable record goes to stderr; exit status 0 if at least one record mapped.
    """
    from mappings import MappingContext, RecordError, map_stream
    from ontology.namespaces import PREFIXES

    hub = _hub()
    context = MappingContext(minter=hub.minter, museum=museum)
    vocabulary = hub.minter.vocabulary_graph(museum)
    mapped = failed = 0
    out = sys.stdout
    turtle_lines: list[str] = []
    for item in map_stream(source, metadata_format, context):
        if isinstance(item, RecordError):
            failed += 1
            click.echo(f"error: record {item.source_id or '?'}: {item.reason}", err=True)
            continue
        mapped += 1
        if output == "turtle":
            turtle_lines += [item.ntriples, item.shared_ntriples]
            continue
        for text, graph_iri in ((item.ntriples, item.graph_iri), (item.shared_ntriples, vocabulary)):
            graph = f" <{graph_iri}> ."
            out.write("".join(line[:-2] + graph + "\n" for line in text.splitlines() if line))
    if output == "turtle" and turtle_lines:
        import pyoxigraph as ox

        lines = dict.fromkeys(line for text in turtle_lines for line in text.splitlines(keepends=True))
        triples = ox.parse("".join(lines).encode(), format=ox.RdfFormat.N_TRIPLES)
        sys.stdout.flush()
        sys.stdout.buffer.write(ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES))
    click.echo(f"{mapped} records mapped, {failed} failed", err=True)
    if mapped == 0:
        sys.exit(1)


# --- query ---------------------------------------------------------------------------------------------
@main.command()
@click.argument("sparql")
@click.option("--format", "result_format", type=click.Choice(["json", "xml", "csv", "tsv", "turtle", "ntriples"]),
              default=None, help="Results format (default: json for SELECT/ASK, turtle for graphs).")
def query(sparql: str, result_format: str | None) -> None:
    """Run a SPARQL query over the hub's graph and print the W3C results format."""
    from ontology.namespaces import PREFIXES
    from sparql_endpoint.results import serialize_result
    from store.base import GraphResult, StoreError

    hub = _hub()
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
    finally:
        hub.close()


if __name__ == "__main__":
    main()
