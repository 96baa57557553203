"""``srom mappings show|set|remove|list``: mapping files and museums' mapping overrides from the terminal.

Overrides are files in ``$SROM_HOME/mappings/<museum>.toml`` (``harvesters.mapping_overrides``); the
next harvest of the museum merges its file onto the base mapping. These commands touch only the
instance folder (never the store), so they work while ``srom serve`` runs.
"""

from __future__ import annotations

import sys

import click

from web.settings import instance_path


def _overrides():  # noqa: ANN202
    from harvesters.mapping_overrides import MappingOverrides

    return MappingOverrides.beside(instance_path() / "hub.sqlite")


def _museum_format(museum_id: str) -> str:
    from harvesters.registry import Registry

    museum = Registry(instance_path() / "hub.sqlite").get_museum(museum_id)
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
def set_command(museum_id: str, source) -> None:  # noqa: ANN001
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
