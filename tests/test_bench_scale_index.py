"""The scale bench's text index, built from its N-Quads file (``bench/scale_index.py``), is the index
``srom index rebuild`` makes from a store loaded with the same file: the same documents, the same
objects, the same answers. Real data (the bench's own 300 objects over 4 museums), a real embedded
store, real index folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.scale_data import BASE, dataset
from bench.scale_index import graphs_of, index_nquads, record_batches
from ontology.iris import IriMinter
from store.embedded import EmbeddedStore
from store.text_documents import documents_from_ntriples, read_documents
from store.text_index import TextIndex

pytestmark = pytest.mark.slow

#: concept labels, museum-only term labels (actors, subjects: only in the vocabulary graphs), titles,
#: descriptions, identifiers, Chinese, a broader concept ("vessel": context)
WORDS = ("silk", "samarkand", "tang", "textile", "atelier", "persian", "caravan", "phoenix", "workshop",
         "catalogue", "turfan", "织物", "铜镜", "钱币", "b0000042", "vessel")


def test_the_index_built_from_the_file_is_the_index_rebuilt_from_the_store(tmp_path: Path) -> None:
    data = dataset(300, 4, tmp_path / "cache", log=lambda _: None)
    minter = IriMinter(BASE)
    store = EmbeddedStore(None, minter.provenance_graph())
    try:
        store.bulk_load(data.path.read_bytes())
        graphs = [g for g in store.graph_names() if g != store.provenance_graph]

        from_file = [doc for records, labels in record_batches(data.path, BASE, batch=64)
                     for doc in documents_from_ntriples(records, labels)]
        from_store = read_documents(store, graphs)
        assert len(from_file) == 300
        assert sorted(from_file, key=lambda d: d.iri) == sorted(from_store, key=lambda d: d.iri)
        def words(texts: list[str]) -> set[str]:
            return {w for text in texts for w in text.split()}

        atelier = [d for d in from_file if "atelier" in words(d.terms)]  # a label only a vocabulary graph holds
        assert atelier and all("atelier" not in words(d.body + d.title) for d in atelier)

        built = TextIndex(tmp_path / "from-file")
        read = index_nquads(built, data.path, BASE, batch=64)
        rebuilt = TextIndex(tmp_path / "rebuilt")
        rebuilt.rebuild(store, graphs, chunk=64)
    finally:
        store.close()
    assert read == len([g for g in graphs if not g.startswith(minter.shared_vocabulary_graph())])
    assert built.count() == rebuilt.count() == 300
    assert built.indexed_graphs() == rebuilt.indexed_graphs()
    for word in WORDS:  # (objects of equal score come in the order they were added: compared as sets)
        hits = {(h.iri, round(h.score, 4)) for h in built.search(word, limit=400)}
        assert hits == {(h.iri, round(h.score, 4)) for h in rebuilt.search(word, limit=400)}, word
        assert hits, word  # every word finds something: the comparison is not between two empty answers


def test_a_graph_whose_quads_are_not_consecutive_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "split.nq"
    path.write_text('<http://x.org/s> <http://x.org/p> "1" <http://x.org/g1> .\n'
                    '<http://x.org/s> <http://x.org/p> "a b" <http://x.org/g2> .\n'
                    '<http://x.org/s> <http://x.org/p> <http://x.org/o> <http://x.org/g1> .\n')
    with pytest.raises(ValueError, match="g1> are not consecutive"):
        list(graphs_of(path))
    assert [g for g, _ in graphs_of(path, skip=lambda g: g.endswith("g1"))] == ["http://x.org/g2"]
    assert next(graphs_of(path)) == ("http://x.org/g1", '<http://x.org/s> <http://x.org/p> "1" .\n')
