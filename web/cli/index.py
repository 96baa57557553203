"""``srom index``: the full-text index of objects (keyword facets, search): rebuild it, see it, try it.

The harvest keeps the index in step with the record graphs; ``rebuild`` is for an instance whose store
was filled otherwise (a restored dump, a store loaded by hand, an instance older than the index) and
for recovery. It reads every graph of the store that holds an object, chunk by chunk, while the hub may
keep serving and harvesting (see ``store.text_index``).
"""

from __future__ import annotations

import sys

import click

from store.text_index import UnreadableGraphs
from web.cli.context import echo_json, pass_hub
from web.hub import Hub


@click.group("index")
def index() -> None:
    """The full-text index of objects (keyword facets and search)."""


@index.command("rebuild")
@click.option("--chunk", type=click.IntRange(1, 5000), default=500, show_default=True,
              help="Record graphs read from the store per index commit.")
@click.option("--timeout", type=click.FloatRange(0.1), default=None,
              help="Seconds per read of a chunk (default: the store's query timeout); a chunk read past it "
                   "is read again in halves.")
@pass_hub
def index_rebuild(hub: Hub, chunk: int, timeout: float | None) -> None:
    """Index every object of the store anew (and drop documents of graphs the store no longer has)."""
    store = hub.store()
    # not the hub's own graphs that never hold an object (thesaurus, museums, vocabularies, provenance:
    # reading them is time spent for nothing); graphs of another layout (a store loaded by hand) are read
    own = f"{hub.minter.base}/graph/"
    graphs = [g for g in store.graph_names() if g != store.provenance_graph
              and (hub.minter.object_of_record_graph(g) is not None or not g.startswith(own))]
    text_index = hub.text_index()
    with click.progressbar(length=max(len(graphs), 1), label="  indexing graphs", file=sys.stderr,
                           show_pos=True, show_percent=True) as bar:
        shown = 0

        def progress(done: int, total: int) -> None:
            nonlocal shown
            bar.update(done - shown)
            shown = done

        try:
            written = text_index.rebuild(store, graphs, chunk=chunk, progress=progress, timeout=timeout)
        except UnreadableGraphs as exc:
            raise click.ClickException(f"{exc} (try a longer --timeout)") from exc
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
