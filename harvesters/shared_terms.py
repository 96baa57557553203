"""Where the descriptions of terms go: each museum's own terms in its vocabulary graph, external terms in one
shared graph, so that no triple is stored in two graphs.

A museum's records point at terms: its own (minted under the hub, ``{base}/id/term/{museum}/...``) and
external ones (AAT, Wikidata, TGN... IRIs), and describe them (class, labels, links to the thesaurus). Three
museums using AAT "glass" each write ``aat:300010797 rdfs:label "glass"@en``; kept in each museum's
vocabulary graph, that triple would be stored three times, and the union default graph, which the engines
compute as a bag (Oxigraph and Virtuoso alike), would give it three times: counts inflate. Kept in one
graph (``IriMinter.shared_vocabulary_graph()``), where adding a triple twice is a no-op, it is stored once,
and the union is the RDF merge the protocol promises. The harvest only adds to that graph (a museum
removed leaves the descriptions of external terms there: they are about the external vocabulary, not about
the museum).

A description line goes to the shared graph when its subject is an IRI outside the hub's base and no
blank node appears in it (a blank node stays with the museum's other lines, so its triples stay together).
Pure functions plus one store update (:func:`move_external_terms`, which moves what earlier versions wrote
into the museums' graphs); no registry.
"""

from __future__ import annotations

import pyoxigraph as ox

from ontology.iris import IriMinter
from store.base import Store, check_graph_iri


def split_shared(ntriples: str, base: str) -> tuple[str, str]:
    """``(museum's own lines, external lines)`` of a record's shared-term N-Triples."""
    own: list[str] = []
    external: list[str] = []
    hub = f"<{base.rstrip('/')}/"
    for line in ntriples.splitlines(keepends=True):
        if line.startswith("<") and not line.startswith(hub) and "_:" not in line:
            external.append(line)
        else:
            own.append(line)
    return "".join(own), "".join(external)


_WHERE = "GRAPH {vocabulary} {{ ?s ?p ?o FILTER(isIRI(?s) && !STRSTARTS(STR(?s), {hub}) && !isBlank(?o)) }}"


def move_external_terms(store: Store, minter: IriMinter, museum_id: str) -> bool:
    """Move external-term descriptions an older hub wrote into the museum's vocabulary graph to the
    shared graph; True when there were any. One ASK when there is nothing to move."""
    # Minted graph IRIs (checked when written) and the base as an escaped literal: no caller text here.
    vocabulary = str(ox.NamedNode(check_graph_iri(minter.vocabulary_graph(museum_id))))
    shared = str(ox.NamedNode(check_graph_iri(minter.shared_vocabulary_graph())))
    where = _WHERE.format(vocabulary=vocabulary, hub=ox.Literal(f"{minter.base}/"))
    found = store.query(f"ASK {{ {where} }}")
    if not getattr(found, "value", False):
        return False
    store.update(f"DELETE {{ GRAPH {vocabulary} {{ ?s ?p ?o }} }} INSERT {{ GRAPH {shared} {{ ?s ?p ?o }} }} "
                 f"WHERE {{ {where} }}")
    return True
