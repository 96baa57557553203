"""``srom index``: the full-text index of objects (keyword facets, search): rebuild it, see it, try it.

The harvest keeps the index in step with the record graphs; ``rebuild`` is for an instance whose store
was filled otherwise (a restored dump, a store loaded by hand, an instance older than the index) and
for recovery. It reads every graph of the store that holds an object, chunk by chunk, while the hub may
keep serving and harvesting (see ``store.text_index``).
"""

from __future__ import annotations

import sys

import click

from web.cli.context import echo_json, pass_hub
from web.hub import Hub


@click.group("index")
def index() -> None:
    """The full-text index of objects (keyword facets and search)."""


@index.command("rebuild")
@click.option("--chunk", type=click.IntRange(1, 5000), default=500, show_default=True,
              help="Record graphs read from the store per index commit.")
@pass_hub
def index_rebuild(hub: Hub, chunk: int) -> None:
    """Index every object of the store anew (and drop documents of graphs the store no longer has)."""
    store = hub.store()
    graphs = [g for g in store.graph_names() if g != store.provenance_graph]
    text_index = hub.text_index()
    with click.progressbar(length=max(len(graphs), 1), label="  indexing graphs", file=sys.stderr,
                           show_pos=True, show_percent=True) as bar:
        shown = 0

        def progress(done: int, total: int) -> None:
            nonlocal shown
            bar.update(done - shown)
            shown = done

        written = text_index.rebuild(store, graphs, chunk=chunk, progress=progress)
    click.echo(f"indexed {written} objects from {len(graphs)} graphs into {text_index.path}")


@index.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_hub
def index_status(hub: Hub, as_json: bool) -> None:
    """Where the index is and how many objects it holds."""
    text_index = hub.text_index()
    exists, documents = text_index.exists(), text_index.count()
    if as_json:
        echo_json(path=str(text_index.path), exists=exists, documents=documents)
        return
    click.echo(f"{text_index.path}: {documents} objects" if exists else
               f"{text_index.path}: no index (keyword facets fall back to CONTAINS; run `srom index rebuild`)")


@index.command("search")
@click.argument("text")
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True)
@click.option("--lang", "language", default=None, help="The searcher's language.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_hub
def index_search(hub: Hub, text: str, limit: int, language: str | None, as_json: bool) -> None:
    """Objects matching every word of TEXT, best first (plain words, any language or script)."""
    hits = hub.text_index().search(text, language, limit)
    if as_json:
        echo_json(hits=[{"iri": h.iri, "score": round(h.score, 4), "museum": h.museum} for h in hits])
        return
    for hit in hits:
        click.echo(f"{hit.score:8.3f}  {hit.iri}")
