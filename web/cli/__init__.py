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
    from web.cli.serving import serve_hub

    serve_hub(_hub(), host, port or web_port())


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=None, help="Web port (default: $PORT or 5000).")
@click.option("--no-serve", is_flag=True, help="Harvest the demo museums, then exit instead of serving.")
def demo(host: str, port: int | None, no_serve: bool) -> None:
    """Start the bundled demo museums' feeds, harvest them for real, and serve the hub."""
    from web.cli.demo import run_demo

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
@click.option("--schedule", default=None, help="Harvest on this cron schedule (5 fields, UTC), e.g. '0 3 * * *'.")
@click.option("--option", "options", multiple=True, metavar="KEY=VALUE", help="A protocol option (repeatable).")
def museums_add(museum_id: str, name: str, feed_url: str, metadata_format: str, protocol: str,
                set_spec: str | None, homepage: str | None, city: str | None, country: str | None,
                schedule: str | None = None, options: tuple[str, ...] = ()) -> None:
    """Register (or update) museum MUSEUM_ID and its feed."""
    from harvesters.guard import FeedUrlRefused
    from ontology.iris import check_museum_id

    hub = _hub()
    pairs = [o.partition("=") for o in options]
    if any(not sep or not key.strip() for key, sep, _ in pairs):
        raise click.BadParameter("write each option as KEY=VALUE", param_hint="--option")
    try:
        check_museum_id(museum_id)
        hub.guard.check(feed_url)
        museum = hub.registry.save_museum(
            Museum(id=museum_id, name=name, names={"en": name}, feed_url=feed_url, format=metadata_format,
                   protocol=protocol, set_spec=set_spec, homepage=homepage, city=city, country=country,
                   schedule=schedule, options={k.strip(): v for k, _, v in pairs})
        )
    except (FeedUrlRefused, RegistryError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"registered {museum.id}: {museum.name} <{museum.feed_url}> ({museum.protocol}, {museum.format})"
               + (f", schedule {museum.schedule!r}" if museum.schedule else ""))


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
@click.option("--full", is_flag=True, help="List every record, then remove those the source no longer has.")
@click.option("--restart", is_flag=True, help="Start a new run instead of resuming an interrupted one.")
@click.option("--confirm-removal", is_flag=True,
              help="Apply the removal a full harvest held back (mass-drop guard) instead of harvesting.")
def harvest(museum_ids: tuple[str, ...], full: bool, restart: bool, confirm_removal: bool) -> None:
    """Harvest the given museums (default: all). Exits non-zero if a run failed.

    A run that was interrupted (killed, crashed, or failed on a fault) is resumed from its checkpoint.
    """
    from web.cli.serving import harvest_all

    hub = _hub()
    try:
        if confirm_removal:
            for museum_id in museum_ids or [m.id for m in hub.registry.museums()]:
                _confirm_removal(hub, museum_id)
            return
        failed = harvest_all(hub, list(museum_ids) or None, full=full, restart=restart)
    finally:
        hub.close()
    if failed:
        raise click.ClickException(f"harvest failed for {', '.join(failed)}")


def _confirm_removal(hub: Hub, museum_id: str, by: str = "admin (cli)") -> None:
    from web.cli.serving import make_harvester

    pending = hub.registry.pending_removal(museum_id)
    if pending is None:
        click.echo(f"{museum_id}: no removal is waiting for confirmation")
        return
    removed = make_harvester(hub).confirm_removal(museum_id, by=by)
    if removed is None:
        click.echo(f"{museum_id}: confirmed; a harvest is running, the next harvest applies the removal")
    else:
        click.echo(f"{museum_id}: removed {removed} records")


@main.command()
@click.argument("museum_id")
@click.option("--json", "as_json", is_flag=True)
def runs(museum_id: str, as_json: bool) -> None:
    """List a museum's harvest runs with outcome and counts."""
    rows = [r.as_json() for r in _hub().registry.runs(museum_id)]
    if as_json:
        click.echo(json.dumps({"ok": True, "runs": rows}, indent=2, ensure_ascii=False))
        return
    for r in rows:
        click.echo(
            f"#{r['id']:<4} {r['started']}  {r['outcome']:<9} new {r['new']}  updated {r['updated']}  "
            f"deleted {r['deleted']}  quarantined {r['quarantined']}  unchanged {r['unchanged']}"
            + (f"  held {r['held']}" if r.get("held") else "")
            + (f"  attempts {r['attempts']}" if (r.get("attempts") or 1) > 1 else "")
            + (f"  error: {r['error']}" if r["error"] else "")
        )


@main.command()
@click.argument("museum_id")
@click.option("--json", "as_json", is_flag=True)
def quarantine(museum_id: str, as_json: bool) -> None:
    """List a museum's quarantined records (those that could not be mapped) with their reasons."""
    rows = _hub().registry.quarantined(museum_id)
    if as_json:
        click.echo(json.dumps({"ok": True, "museum": museum_id, "quarantined": rows}, indent=2, ensure_ascii=False))
        return
    for q in rows:
        click.echo(f"{q['source_id']}  (run #{q['run_id']}, {q['recorded']}): {q['reason']}")
    click.echo(f"{len(rows)} quarantined", err=True)


@main.command()
@click.argument("museum_id")
@click.option("--confirm", is_flag=True, help="Confirm the held removal and apply it.")
@click.option("--discard", is_flag=True, help="Drop the held removal: the records stay.")
@click.option("--json", "as_json", is_flag=True)
def removals(museum_id: str, confirm: bool, discard: bool, as_json: bool) -> None:
    """Show (or confirm, or discard) the removal a full harvest held back for confirmation."""
    hub = _hub()
    try:
        if confirm and discard:
            raise click.UsageError("--confirm or --discard, not both")
        if confirm:
            _confirm_removal(hub, museum_id)
            return
        if discard:
            click.echo(f"{museum_id}: " + ("held removal discarded" if hub.registry.discard_removal(museum_id)
                                            else "no removal is waiting for confirmation"))
            return
        pending = hub.registry.pending_removal(museum_id)
        sample = hub.registry.removal_graphs(museum_id, limit=20) if pending else []
        if as_json:
            click.echo(json.dumps({"ok": True, "museum": museum_id, "pending": pending, "sample": sample}, indent=2))
            return
        if pending is None:
            click.echo(f"{museum_id}: no removal is waiting for confirmation")
            return
        click.echo(f"{museum_id}: run #{pending['run_id']} found {pending['count']} of {pending['total']} records "
                   f"({pending['share']:.0%}) gone from the source; confirm with "
                   f"`srom removals {museum_id} --confirm`")
        for graph in sample:
            click.echo(f"  {graph}")
    finally:
        hub.close()


# --- map ---------------------------------------------------------------------------------------------
@main.command("map")
@click.option("--format", "metadata_format", type=click.Choice(FORMATS), required=True)
@click.option("--to", "output", type=click.Choice(["nquads", "turtle"]), default="nquads", show_default=True)
@click.option("--museum", default="local", show_default=True, help="Museum id used in the minted IRIs.")
@click.option("--override", "override_file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="A mapping override (TOML) merged onto the format's mapping; default: the museum's stored one.")
@click.argument("source", type=click.File("rb"), default="-")
def map_command(metadata_format: str, output: str, museum: str, source,  # noqa: ANN001
                override_file: str | None = None) -> None:
    """Map records from SOURCE (a file or - for stdin) and print their triples.

    XML formats (lido, oai_dc, edm) take a document of records; linked-art a JSON-LD object or a JSON
    array of them; crm-rdf an RDF file (format from its extension; Turtle for stdin), one record per object.
    One error line per unmappable record goes to stderr; exit status 0 if at least one record mapped.
    """
    from mappings import MappingContext, RecordError
    from ontology.namespaces import PREFIXES

    hub = _hub()
    context = MappingContext(minter=hub.minter, museum=museum)
    vocabulary = hub.minter.vocabulary_graph(museum)
    mapped = failed = 0
    out = sys.stdout
    turtle_lines: list[str] = []
    mapping = _mapping_for(museum, metadata_format, override_file)  # issue 4: per-museum overrides
    for item in _mapped_records(source, mapping, context):
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


def _mapped_records(source, mapping, context):  # noqa: ANN001, ANN202
    """MappedRecord or RecordError for every record of ``source``, whatever the mapping's input is."""
    from mappings import RecordError, map_stream

    if mapping.root_tags:  # an XML format
        yield from map_stream(source, mapping, context)
        return
    if mapping.format_name == "linked-art":
        try:
            data = json.load(source)
        except ValueError as exc:
            yield RecordError(None, f"not JSON: {exc}")
            return
        documents = data if isinstance(data, list) else [data]
        pairs = [(d.get("id") or d.get("@id") if isinstance(d, dict) else None, d) for d in documents]
    else:  # RDF input, split into one record per object as the RDF dump harvester does
        import pyoxigraph as ox

        from harvesters.rdf_dump import describe, list_objects, load_dump, rdf_format

        store = ox.Store()
        name = getattr(source, "name", "-")
        fmt = rdf_format(name, None) if name not in ("-", "<stdin>") else ox.RdfFormat.TURTLE
        try:
            load_dump(store, source, fmt)
        except (SyntaxError, ValueError, OSError) as exc:
            yield RecordError(None, f"not readable as {fmt.name}: {exc}")
            return
        pairs = [(obj.value, describe(store, obj)) for obj in list_objects(store)]
    for source_id, payload in pairs:
        try:
            yield mapping.map_record(payload, context, source_id=source_id)
        except RecordError as exc:
            yield exc


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


# --- accounts, tokens, probe (web/cli/accounts.py) -------------------------------------------------------
def _add_account_commands() -> None:
    from web.cli.accounts import accounts, museums_probe, tokens

    main.add_command(accounts)
    main.add_command(tokens)
    museums.add_command(museums_probe)


_add_account_commands()


# --- exhibitions (web/cli/exhibitions.py) ----------------------------------------------------------------
def _add_exhibition_commands() -> None:
    from web.cli.exhibitions import exhibitions

    main.add_command(exhibitions)


_add_exhibition_commands()


# --- mappings and their per-museum overrides (web/cli/mappings.py) ----------------------------------------
def _add_mapping_commands() -> None:
    from web.cli.mappings import mappings

    main.add_command(mappings)


def _mapping_for(museum: str, metadata_format: str, override_file: str | None):  # noqa: ANN202
    """``srom map``'s mapping: the --override file, else the museum's stored override, else the base."""
    from pathlib import Path

    from harvesters.mapping_overrides import MappingOverrides, OverrideError, compile_override

    try:
        if override_file:
            return compile_override(Path(override_file).read_text(encoding="utf-8"), metadata_format, museum)
        return MappingOverrides.beside(instance_path() / "hub.sqlite").mapping(museum, metadata_format)
    except (OverrideError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc


_add_mapping_commands()


if __name__ == "__main__":
    main()
