"""``srom index rebuild`` when the store cannot answer a chunk in time: the chunk is read again in halves
(and the next ones grow back), and a graph that cannot be read even alone is named at the end, with every
other graph indexed. Real reads past a real time limit in a real embedded store: the bench's 1,200
synthetic objects read with a limit of 0.15 s (all of them take ~1 s to read, one of them ~2 ms), and a
record graph of 150,000 triples (~2 s to read alone) among 60 objects read with a limit of 0.3 s.

(The embedded store cannot stop a query past its limit: it runs on in the background. Hence few such
reads of the big graph: chunks of 4.)"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from click.testing import CliRunner

from bench.scale_data import BASE, Dataset, dataset
from ontology.iris import IriMinter
from store.embedded import EmbeddedStore
from store.text_index import TextIndex

pytestmark = pytest.mark.slow

MINTER = IriMinter(BASE)
LIMIT = 0.15
OBJECTS = 1200
BIG = MINTER.record_graph("m01", "oai:scale:big")
WORDS = ("silk", "samarkand", "atelier", "织物", "vessel", "b0000042")


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture
def data(cache: Path) -> Dataset:
    return dataset(OBJECTS, 4, cache, log=lambda _: None)


def record_graphs(store: EmbeddedStore) -> list[str]:
    return [g for g in store.graph_names() if MINTER.object_of_record_graph(g)]


def test_a_chunk_read_past_the_time_limit_is_read_again_in_halves(data, tmp_path, caplog) -> None:
    store = EmbeddedStore(None, MINTER.provenance_graph())
    try:
        store.bulk_load(data.path.read_bytes())
        graphs = record_graphs(store)
        steps: list[tuple[int, int]] = []
        index = TextIndex(tmp_path / "halved")
        with caplog.at_level(logging.WARNING, logger="store.text_index"):
            written = index.rebuild(store, graphs, chunk=len(graphs), timeout=LIMIT,
                                    progress=lambda done, total: steps.append((done, total)))
        reference = TextIndex(tmp_path / "reference")
        reference.rebuild(store, graphs, chunk=len(graphs))  # no time limit: one read
    finally:
        store.close()
    assert f"reading {len(graphs)} record graphs took too long" in caplog.text
    assert f"reading {len(graphs) // 2} at a time" in caplog.text
    assert len(steps) > 1 and steps[-1] == (len(graphs), len(graphs))
    assert [done for done, _ in steps] == sorted({done for done, _ in steps})  # forward only, never twice
    assert written == index.count() == reference.count() == OBJECTS
    assert index.indexed_graphs() == reference.indexed_graphs()
    for word in WORDS:
        found = {h.iri for h in index.search(word, limit=OBJECTS)}
        assert found and found == {h.iri for h in reference.search(word, limit=OBJECTS)}, word


def test_a_graph_too_big_to_read_in_time_is_named_and_the_others_are_indexed(cache, tmp_path, monkeypatch) -> None:
    from web.cli import main

    data = dataset(60, 4, cache, log=lambda _: None)
    instance = tmp_path / "instance"
    store = EmbeddedStore(instance / "store", MINTER.provenance_graph())
    try:
        store.bulk_load(data.path.read_bytes())
        store.bulk_load("".join(f'<{MINTER.object("m01", "oai:scale:big")}> '
                                f'<http://www.w3.org/2000/01/rdf-schema#label> "label {i}" <{BIG}> .\n'
                                for i in range(150_000)))
        graphs = record_graphs(store)
    finally:
        store.close()
    monkeypatch.setenv("SROM_HOME", str(instance))
    monkeypatch.setenv("SROM_STORE", "embedded")
    monkeypatch.setenv("SROM_BASE_IRI", BASE)
    result = CliRunner().invoke(main, ["index", "rebuild", "--chunk", "4", "--timeout", "0.3"])
    assert result.exit_code == 1, result.output
    assert f"1 of {len(graphs)} record graphs could not be read" in result.output
    assert f"<{BIG}>" in result.output and "try a longer --timeout" in result.output
    index = TextIndex(instance / "text-index")
    assert index.count() == 60  # every other graph was read, in time, and indexed
    assert BIG not in index.indexed_graphs()
