"""``srom exhibitions list|import|publish|option-lists``: the exhibition service from the command line.

Publishing, unpublishing and importing go through ``web.exhibitions.service`` exactly as the curator's
editor does, so the exhibition's graph in the store is written and dropped the same way. Those commands
open the store (the running server's, or the store directory when ``srom serve`` is not running);
``list`` reads only the hub's database; ``option-lists`` counts what the pages' pickers offer (as a harvest does).
"""

from __future__ import annotations

from pathlib import Path

import click

from web.cli.context import echo_json, pass_hub
from web.hub import Hub


@click.group()
def exhibitions() -> None:
    """Exhibitions: list, import TOML files, publish revisions."""


@exhibitions.command("list")
@click.option("--all", "everything", is_flag=True, help="Drafts too (the latest revision of each).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--search", default=None, help="Only exhibitions whose titles or texts contain this.")
@pass_hub
def list_command(hub: Hub, everything: bool, as_json: bool, search: str | None) -> None:
    """List exhibitions (published ones unless --all)."""
    items = hub.exhibitions.repository.list(published_only=not everything, search=search)
    if as_json:
        echo_json(exhibitions=items, count=len(items))
        return
    for item in items:
        state = f"published r{item['published_revision']}" if item["published"] else "draft"
        title = item["title"].get("en") or next(iter(item["title"].values()), "")
        click.echo(f"{item['slug']:<32} r{item['latest_revision']:<4} {state:<16} {item['created_by']:<12} {title}")


@exhibitions.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--author", default="admin", show_default=True, help="Account name recorded as the curator.")
@click.option("--publish/--no-publish", default=True, show_default=True, help="Publish what is imported.")
@click.option("--snapshot/--no-snapshot", default=True, show_default=True,
              help="Pin a pinned exhibition's results now (else on the first visit, e.g. before a harvest).")
@pass_hub
def import_command(hub: Hub, paths: tuple[Path, ...], author: str, publish: bool, snapshot: bool) -> None:
    """Import exhibition TOML files (the file name is the address); existing exhibitions are left alone."""
    for path in paths:
        slug, imported = hub.exhibitions.import_toml(path, author, publish=publish, pin=snapshot)
        if not imported:
            click.echo(f"{slug}: exists already, left as it is", err=True)
            continue
        click.echo(f"{slug}: imported{' and published' if publish else ' as a draft'}")


@exhibitions.command("publish")
@click.argument("slug")
@click.option("--revision", type=int, default=None, help="Revision number (default: the latest).")
@click.option("--snapshot/--no-snapshot", default=True, show_default=True,
              help="Pin a pinned exhibition's results now (else on the first visit).")
@click.option("--unpublish", is_flag=True, help="Make the exhibition a private draft again.")
@pass_hub
def publish_command(hub: Hub, slug: str, revision: int | None, snapshot: bool, unpublish: bool) -> None:
    """Publish a revision of an exhibition (or unpublish it)."""
    if unpublish:
        hub.exhibitions.unpublish(slug)
        click.echo(f"{slug}: unpublished")
        return
    published = hub.exhibitions.publish(slug, revision, pin=snapshot)
    if published.sections:
        click.echo(f"{slug}: {published.objects} objects pinned")
    click.echo(f"{slug}: revision {published.revision} published at /exhibitions/{slug}")


@exhibitions.command("option-lists")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_hub
def option_lists_command(hub: Hub, as_json: bool) -> None:
    """Count the facet option lists the exhibition pages' pickers offer, and keep them.

    A harvest that changed records does this itself; run it after filling the store otherwise (a restored
    dump, a store loaded by hand) or when `srom` was upgraded, so that no page counts them live.
    """
    counted = hub.exhibitions.count_option_lists()
    if as_json:
        echo_json(**counted.as_json())
    else:
        for facet, size in counted.options.items():
            click.echo(f"{facet:<10} {size} options")
        for facet, error in counted.failed.items():
            click.echo(f"{facet:<10} not counted (pages count it live): {error}", err=True)
    if counted.failed:
        raise SystemExit(1)
