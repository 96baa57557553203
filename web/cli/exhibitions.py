"""``srom exhibitions list|import|publish``: the exhibition repository from the command line.

Listing, importing and publishing touch only the instance's SQLite file, so they work while ``srom
serve`` runs. Only ``publish --snapshot`` opens the store (to pin the results now; otherwise the snapshot
is taken on the first visit), which an embedded store allows only while the server is stopped.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from web.settings import instance_path


def _repo():  # noqa: ANN202
    from web.hub import Hub

    return Hub(instance_path()).exhibitions


@click.group()
def exhibitions() -> None:
    """Exhibitions: list, import TOML files, publish revisions."""


@exhibitions.command("list")
@click.option("--all", "everything", is_flag=True, help="Drafts too (the latest revision of each).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--search", default=None, help="Only exhibitions whose titles or texts contain this.")
def list_command(everything: bool, as_json: bool, search: str | None) -> None:
    """List exhibitions (published ones unless --all)."""
    items = _repo().list(published_only=not everything, search=search)
    if as_json:
        click.echo(json.dumps(items, ensure_ascii=False, indent=2))
        return
    for item in items:
        state = f"published r{item['published_revision']}" if item["published"] else "draft"
        title = item["title"].get("en") or next(iter(item["title"].values()), "")
        click.echo(f"{item['slug']:<32} r{item['latest_revision']:<4} {state:<16} {item['created_by']:<12} {title}")


@exhibitions.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--author", default="admin", show_default=True, help="Account name recorded as the curator.")
@click.option("--publish/--no-publish", default=True, show_default=True, help="Publish what is imported.")
def import_command(paths: tuple[Path, ...], author: str, publish: bool) -> None:
    """Import exhibition TOML files (the file name is the address); existing exhibitions are left alone."""
    from web.exhibitions.queries import ExhibitionError, doc_from_toml

    repo = _repo()
    for path in paths:
        try:
            doc = doc_from_toml(path)
            if repo.exists(doc.slug):
                click.echo(f"{doc.slug}: exists already, left as it is", err=True)
                continue
            revision = repo.create(doc, author)
            if publish:
                repo.publish(doc.slug, revision)
        except ExhibitionError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"{doc.slug}: imported{' and published' if publish else ' as a draft'}")


@exhibitions.command("publish")
@click.argument("slug")
@click.option("--revision", type=int, default=None, help="Revision number (default: the latest).")
@click.option("--snapshot", is_flag=True, help="Pin the results now (opens the store; stop `srom serve` first).")
@click.option("--unpublish", is_flag=True, help="Make the exhibition a private draft again.")
def publish_command(slug: str, revision: int | None, snapshot: bool, unpublish: bool) -> None:
    """Publish a revision of an exhibition (or unpublish it)."""
    from store.base import StoreError
    from web.exhibitions.queries import ExhibitionError, take_snapshot

    repo = _repo()
    listed = repo.revisions(slug)
    if not listed:
        raise click.ClickException(f"no exhibition {slug!r}")
    if unpublish:
        repo.unpublish(slug)
        click.echo(f"{slug}: unpublished")
        return
    number = revision or listed[0]["number"]
    try:
        if snapshot:
            from web.cli import _hub

            hub = _hub()
            try:
                pinned = take_snapshot(repo, hub.store(), slug, number)
            finally:
                hub.close()
            click.echo(f"{slug}: {sum(len(v) for v in pinned.values())} objects pinned")
        repo.publish(slug, number)
    except (ExhibitionError, ValueError, StoreError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{slug}: revision {number} published at /exhibitions/{slug}")
