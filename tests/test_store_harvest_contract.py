"""The store contract for what the harvest adds: ``load_graphs`` (bulk path for new record graphs) and
``graph_states`` (which graphs exist, with a provenance value), run against every backend of
``tests/support/stores.py`` (pyoxigraph in memory and on disk, a real ``oxigraph serve``)."""

from __future__ import annotations

import pytest

from ontology.ntriples import iri, literal, triple
from store import RecordGraph, SparqlProtocolStore, Store
from store.base import build_nquads
from tests.support.stores import BASE, PROV, graph, labels, obj, provenance, record, server, snapshot, store

__all__ = ["server", "store"]  # fixtures used by this module's tests
HASH = "https://w3id.org/srom/ns#contentHash"


def hashed(n: int, title: str, digest: str) -> RecordGraph:
    r = record(n, title)
    r.provenance += triple(iri(graph(n)), iri(HASH), literal(digest))
    return r


def test_load_graphs_adds_records_provenance_and_additions(store: Store) -> None:
    shared = RecordGraph(f"{BASE}/graph/vocabulary/m1", triple(iri(f"{BASE}/id/term/silk"), iri(f"{BASE}/ns#label"),
                                                                literal("silk", "en")))
    store.load_graphs([record(1, "Silk robe"), record(2, 'A "quoted" title .\nwith a dot')], additions=[shared])
    assert labels(store) == {obj(1): "Silk robe", obj(2): 'A "quoted" title .\nwith a dot'}
    assert set(provenance(store)) == {graph(1), graph(2)}
    assert f"{BASE}/graph/vocabulary/m1" in store.graph_names()
    # The same graphs replaced through the transactional path end with exactly the new content.
    store.replace_graphs([record(1, "Silk robe (restored)", "2")])
    assert labels(store)[obj(1)] == "Silk robe (restored)"
    assert provenance(store)[graph(1)] == "2"


def test_load_graphs_equals_replace_graphs(store: Store, tmp_path) -> None:
    from store.embedded import EmbeddedStore

    records = [record(i, f"Object {i}") for i in range(20)]
    store.load_graphs(records)
    reference = EmbeddedStore(None, PROV)
    try:
        reference.replace_graphs([record(i, f"Object {i}") for i in range(20)])
        if not isinstance(store, SparqlProtocolStore):
            assert snapshot(store) == snapshot(reference)
        else:
            assert labels(store) == labels(reference) and provenance(store) == provenance(reference)
    finally:
        reference.close()


def test_graph_states_tells_existing_graphs_and_their_hash(store: Store) -> None:
    store.replace_graphs([hashed(1, "One", "aaa"), record(2, "Two without hash")])
    states = store.graph_states([graph(1), graph(2), graph(3), graph(1)], HASH)
    assert states == {graph(1): "aaa", graph(2): None}
    assert store.graph_states([], HASH) == {}
    store.drop_graphs([graph(1)])
    assert store.graph_states([graph(1)], HASH) == {}


def test_graph_states_refuses_iris_that_would_break_the_query(store: Store) -> None:
    with pytest.raises(ValueError):
        store.graph_states(["http://x/> } DROP ALL ; { <http://y"], HASH)


@pytest.mark.parametrize("text", ['<http://s>  <http://p> "x" .\n<http://s> <http://p> "y"  .',
                                  '<http://s> <http://p> "x".\n<http://s> <http://p> "y" .\n'])
def test_build_nquads_handles_other_serialisers_spacing(text: str) -> None:
    import pyoxigraph as ox

    data = build_nquads([RecordGraph("http://g/1", text)], PROV)
    quads = {(q.object.value, q.graph_name.value) for q in ox.parse(data.encode(), format=ox.RdfFormat.N_QUADS)}
    assert quads == {("x", "http://g/1"), ("y", "http://g/1")}


def test_a_museum_without_record_graphs_is_told_apart(store: Store) -> None:
    from harvesters.pipeline import _has_graphs

    assert not _has_graphs(store, f"{BASE}/graph/m1/")
    store.load_graphs([record(1, "One")])
    assert _has_graphs(store, f"{BASE}/graph/m1/") and not _has_graphs(store, f"{BASE}/graph/m2/")


def test_a_large_load_goes_through_a_file_and_leaves_none_behind(tmp_path, monkeypatch) -> None:
    import store.embedded as embedded
    from store.embedded import EmbeddedStore

    monkeypatch.setattr(embedded, "SPOOL_RECORDS", 10)
    spooled: list[str] = []
    real_bulk_load = embedded.ox.Store.bulk_load

    def bulk_load(self, *args, **kwargs):  # records where the data came from
        spooled.append(str(kwargs.get("path")))
        return real_bulk_load(self, *args, **kwargs)

    monkeypatch.setattr(embedded.ox.Store, "bulk_load", bulk_load)
    (tmp_path / ".srom-load-disk-stale.nq").write_text("left by a killed load")
    disk = EmbeddedStore(tmp_path / "disk", PROV)
    try:
        assert not list(tmp_path.glob(".srom-load-*"))  # a killed load's file is removed when the store opens
        records = [record(i, f"Object {i}") for i in range(12)]
        disk.load_graphs(records, additions=[RecordGraph(f"{BASE}/graph/vocabulary/m1",
                                                         triple(iri(f"{BASE}/id/term/silk"), iri(f"{BASE}/ns#label"),
                                                                literal("silk", "en")))])
        assert spooled and spooled[0].endswith(".nq") and "/.srom-load-disk-" in spooled[0]
        assert not list(tmp_path.glob(".srom-load-*"))
        reference = EmbeddedStore(None, PROV)
        try:
            reference.replace_graphs([record(i, f"Object {i}") for i in range(12)])
            assert labels(disk) == labels(reference) and provenance(disk) == provenance(reference)
        finally:
            reference.close()
        assert f"{BASE}/graph/vocabulary/m1" in disk.graph_names()
    finally:
        disk.close()
