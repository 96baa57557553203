"""The scale bench's full-text index, built from the N-Quads file the engines were loaded from.

Reading 400,000 record graphs back out of a store (``TextIndex.rebuild``, what ``srom index rebuild``
does) ran 25 minutes on Virtuoso before one read timed out; the bench already holds every quad in its
file, so it indexes them the way a harvest does (``TextIndex.index_records``, documents made by
``store.text_documents.documents_from_ntriples``), which gives the same index as a rebuild
(tests/test_bench_scale_index.py):

1. one pass collects the museums' vocabulary graphs (the labels of their own terms, at the file's end);
2. a second pass cuts the file into record graphs (a graph's quads are consecutive: ``iter_nquads``
   writes one graph at a time) and indexes them a batch at a time: memory is one batch, whatever N.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from ontology.iris import IriMinter
from store.text_documents import term_labels
from store.text_index import TextIndex

#: record graphs per index commit
BATCH = 2000


def _graph(line: str) -> str | None:
    """The graph IRI of an N-Quads line written by ``iter_nquads`` (None: a triple of the default graph)."""
    head, graph, _ = line.rsplit(" ", 2)
    named = graph.startswith("<") and graph.endswith(">") and head.count(" ") >= 2  # 3 terms before it
    return graph[1:-1] if named else None


def graphs_of(path: Path, *, skip: Callable[[str], bool] = lambda graph: False) -> Iterator[tuple[str, str]]:
    """``(graph IRI, its N-Triples)`` for each named graph of the file in turn, but those ``skip`` says.

    Raises ``ValueError`` when a graph's quads are not consecutive (it would be indexed in two halves).
    """
    seen: set[str] = set()
    current: str | None = None
    suffix, lines, keep = "", list[str](), False

    def flush() -> Iterator[tuple[str, str]]:
        if current is not None and keep:
            yield current, "".join(lines).replace(suffix, " .\n")

    with path.open(encoding="utf-8") as f:
        for line in f:
            if current is not None and line.endswith(suffix):
                if keep:
                    lines.append(line)
                continue
            graph = _graph(line)
            if graph is None:
                continue
            yield from flush()
            keep = not skip(graph)
            if keep and graph in seen:
                raise ValueError(f"{path}: the quads of graph <{graph}> are not consecutive")
            seen.add(graph)
            current, suffix, lines = graph, f" <{graph}> .\n", [line]
    yield from flush()


Records = list[tuple[str, str, str]]


def record_batches(path: Path, base: str, batch: int = BATCH) -> Iterator[tuple[Records, dict[str, list[str]]]]:
    """The record graphs of the N-Quads file ``path`` (minted under ``base``), ``batch`` at a time, as
    ``TextIndex.index_records`` takes them: ``(graph, N-Triples, "")``, and the museum terms' labels."""
    minter = IriMinter(base)
    vocabularies = minter.shared_vocabulary_graph()  # the museums' ones are under it
    in_vocabulary = lambda graph: graph == vocabularies or graph.startswith(vocabularies + "/")  # noqa: E731
    labels = term_labels("".join(text for _, text in graphs_of(path, skip=lambda g: not in_vocabulary(g))))
    provenance = minter.provenance_graph()
    records: Records = []
    for graph, ntriples in graphs_of(path, skip=lambda g: g == provenance or in_vocabulary(g)):
        records.append((graph, ntriples, ""))
        if len(records) >= batch:
            yield records, labels
            records = []
    if records:
        yield records, labels


def index_nquads(index: TextIndex, path: Path, base: str, *, batch: int = BATCH,
                 progress: Callable[[int], None] | None = None) -> int:
    """Index every object of the N-Quads file ``path`` (minted under ``base``) into ``index``, one commit
    per ``batch`` graphs; returns the graphs read. ``progress(graphs read)`` after each commit."""
    done = 0
    for records, labels in record_batches(path, base, batch):
        index.index_records(records, labels=labels)
        done += len(records)
        if progress:
            progress(done)
    return done


def bench_text_index(data_file: Path, base: str, *, log: Callable[[str], None] = print) -> TextIndex:
    """The hub's full-text index of the dataset in ``data_file``, kept beside it (keyed like it)."""
    index = TextIndex(data_file.with_suffix(".textindex"))
    if not index.usable():
        shutil.rmtree(index.path, ignore_errors=True)
        log(f"  building the text index from {data_file.name} ...")
        started = time.perf_counter()

        def progress(done: int) -> None:
            if done % (50 * BATCH) == 0:
                log(f"    {done:,} graphs read ({time.perf_counter() - started:.0f} s)")

        graphs = index_nquads(index, data_file, base, progress=progress)
        log(f"  text index built in {time.perf_counter() - started:.0f} s ({graphs:,} graphs, "
            f"{index.count():,} objects)")
    return index
