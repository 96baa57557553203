"""``srom map`` and ``srom mappings show|set|remove|list``: mapping records, mapping files and museums'
mapping overrides from the terminal.

Overrides are files in ``$SROM_HOME/mappings/<museum>.toml`` (``harvesters.mapping_overrides``); the
next harvest of the museum merges its file onto the base mapping. These commands touch only the
instance folder (never the store), so they work while ``srom serve`` runs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from harvesters.feed_database import FORMATS, FeedDatabase
from harvesters.mapping_overrides import MappingOverrides
from ontology.iris import IriMinter
from web.hub import database_path
from web.settings import instance_path, load_settings


def _overrides() -> MappingOverrides:
    return MappingOverrides.beside(database_path(instance_path()))


def _museum_format(museum_id: str) -> str:
    museum = FeedDatabase(database_path(instance_path())).get_museum(museum_id)
    if museum is None:
        raise click.ClickException(f"no museum {museum_id!r} is registered")
    return museum.format


@click.group()
def mappings() -> None:
    """Mapping files (one per metadata format) and each museum's overrides."""


@mappings.command("list")
def list_command() -> None:
    """The metadata formats the hub maps, and the museums that have overrides."""
    from mappings import available_formats, mapping_file

    for name in available_formats():
        path = mapping_file(name)
        click.echo(f"{name:<12} {path.name if path else '(code mapping, no overrides)'}")
    for museum in _overrides().museums():
        click.echo(f"override     {museum}  ({_overrides().path(museum)})")


@mappings.command("show")
@click.argument("metadata_format")
@click.option("--museum", default=None, help="Show this museum's override instead of the base file.")
def show(metadata_format: str, museum: str | None) -> None:
    """Print the mapping file of METADATA_FORMAT (lido, oai_dc, edm...), or a museum's override of it."""
    from mappings import MappingError, mapping_file

    try:
        path = mapping_file(metadata_format)
    except MappingError as exc:
        raise click.ClickException(str(exc)) from exc
    if museum is None:
        if path is None:
            raise click.ClickException(f"{metadata_format!r} is a code mapping: it has no mapping file")
        click.echo(path.read_text(encoding="utf-8"), nl=False)
        return
    text = _overrides().text(museum)
    if text is None:
        raise click.ClickException(f"{museum} has no mapping override ({_overrides().path(museum)})")
    click.echo(f"# {_overrides().path(museum)} (merged onto {metadata_format}.toml when {museum} is harvested)")
    click.echo(text, nl=False)


@mappings.command("set")
@click.argument("museum_id")
@click.argument("source", type=click.File("r", encoding="utf-8"), default="-")
def set_command(museum_id: str, source) -> None:
    """Store SOURCE (a TOML file, or - for stdin) as MUSEUM_ID's override, after checking it compiles."""
    from harvesters.mapping_overrides import OverrideError

    metadata_format = _museum_format(museum_id)
    try:
        path = _overrides().save(museum_id, source.read(), metadata_format)
    except OverrideError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"saved {path}; the next harvest of {museum_id} uses it (a full harvest re-maps every record)")


@mappings.command("remove")
@click.argument("museum_id")
def remove(museum_id: str) -> None:
    """Delete MUSEUM_ID's override: its next harvest uses the base mapping again."""
    if not _overrides().remove(museum_id):
        click.echo(f"{museum_id} had no override", err=True)
        sys.exit(1)
    click.echo(f"removed the override of {museum_id}")


@click.command("map")
@click.option("--format", "metadata_format", type=click.Choice(FORMATS), required=True)
@click.option("--to", "output", type=click.Choice(["nquads", "turtle"]), default="nquads", show_default=True)
@click.option("--museum", default="local", show_default=True, help="Museum id used in the minted IRIs.")
@click.option("--override", "override_file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="A mapping override (TOML) merged onto the format's mapping; default: the museum's stored one.")
@click.argument("source", type=click.File("rb"), default="-")
def map_command(metadata_format: str, output: str, museum: str, source,
                override_file: str | None = None) -> None:
    """Map records from SOURCE (a file or - for stdin) and print their triples.

    XML formats (lido, oai_dc, edm) take a document of records; linked-art a JSON-LD object or a JSON
    array of them; crm-rdf an RDF file (format from its extension; Turtle for stdin), one record per object.
    One error line per unmappable record goes to stderr; exit status 0 if at least one record mapped.
    """
    from mappings import MappingContext, RecordError
    from ontology.namespaces import PREFIXES

    minter = IriMinter(load_settings(instance_path())["BASE_IRI"])
    context = MappingContext(minter=minter, museum=museum)
    vocabulary = minter.vocabulary_graph(museum)
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
        for warning in item.warnings:  # what the mapping read but could not use (bad coordinates...)
            click.echo(f"warning: record {item.source_id}: {warning}", err=True)
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
        turtle = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
        assert turtle is not None  # no output given: the serialisation is returned
        sys.stdout.flush()
        sys.stdout.buffer.write(turtle)
    click.echo(f"{mapped} records mapped, {failed} failed", err=True)
    if mapped == 0:
        sys.exit(1)


def _mapped_records(source, mapping, context):
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
        from harvesters.rdf_load import RdfDumpError

        store = ox.Store()
        name = getattr(source, "name", "-")
        fmt = rdf_format(name, None) if name not in ("-", "<stdin>") else ox.RdfFormat.TURTLE
        try:
            load_dump(store, source, fmt)
        except (SyntaxError, ValueError, OSError, RdfDumpError) as exc:
            yield RecordError(None, f"not readable as {fmt.name}: {exc}")
            return
        pairs = [(obj.value, describe(store, obj)) for obj in list_objects(store)]
    for source_id, payload in pairs:
        try:
            yield mapping.map_record(payload, context, source_id=source_id)
        except RecordError as exc:
            yield exc


def _mapping_for(museum: str, metadata_format: str, override_file: str | None):
    """``srom map``'s mapping: the --override file, else the museum's stored override, else the base."""
    from harvesters.mapping_overrides import OverrideError, compile_override

    try:
        if override_file:
            return compile_override(Path(override_file).read_text(encoding="utf-8"), metadata_format, museum)
        return _overrides().mapping(museum, metadata_format)
    except (OverrideError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
