"""Where term descriptions go (harvesters.shared_terms): external terms in one shared graph, the museum's own
terms in its vocabulary graph, so no triple is stored twice (the default graph is a set; the harvested
demo museums are checked in test_cross_museum.py)."""

from __future__ import annotations

import pyoxigraph as ox

from harvesters.shared_terms import move_external_terms, split_shared
from ontology.iris import IriMinter
from store.base import SolutionsResult
from store.embedded import EmbeddedStore

MINTER = IriMinter("https://hub.example.org")
AAT_GLASS = '<http://vocab.getty.edu/aat/300010797> <http://www.w3.org/2000/01/rdf-schema#label> "glass"@en .\n'
OWN = ('<https://hub.example.org/id/term/m1/material/glas> <http://www.w3.org/2000/01/rdf-schema#label> '
       '"Glas"@de .\n')
BLANK = '<http://vocab.getty.edu/aat/300010797> <http://example.org/p> _:b1 .\n'


def test_split_keeps_own_terms_and_blank_nodes_with_the_museum() -> None:
    own, external = split_shared(AAT_GLASS + OWN + BLANK, MINTER.base)
    assert external == AAT_GLASS
    assert own == OWN + BLANK


def graph_of(store: EmbeddedStore, triple_text: str) -> list[str]:
    triple = next(iter(ox.parse(triple_text.encode(), format=ox.RdfFormat.N_TRIPLES)))
    result = store.query("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                         substitutions={"s": triple.subject, "p": triple.predicate, "o": triple.object})
    assert isinstance(result, SolutionsResult)
    return sorted(str(r[0].value) for r in result.rows if r[0] is not None)


def test_descriptions_an_older_hub_wrote_per_museum_are_moved_once() -> None:
    store = EmbeddedStore(None, MINTER.provenance_graph())
    for museum in ("m1", "m2"):
        quads = "".join(line.replace(" .\n", f" <{MINTER.vocabulary_graph(museum)}> .\n") for line in (AAT_GLASS, OWN))
        store.bulk_load(quads.encode())
    assert len(graph_of(store, AAT_GLASS)) == 2
    assert move_external_terms(store, MINTER, "m1") and move_external_terms(store, MINTER, "m2")
    assert graph_of(store, AAT_GLASS) == [MINTER.shared_vocabulary_graph()]
    assert graph_of(store, OWN) == [MINTER.vocabulary_graph("m1"), MINTER.vocabulary_graph("m2")]
    assert not move_external_terms(store, MINTER, "m1")  # nothing left to move
