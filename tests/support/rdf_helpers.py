"""Helpers for the tests of the RDF-native mappings and sources: a mapped record as a queryable store.

A record's own triples go to the default graph and its shared term descriptions to a named graph, so an
ASK can tell where a triple landed (``GRAPH <shared> { ... }``) or look at both (the union).
"""

from __future__ import annotations

import pyoxigraph as ox

from mappings import MappedRecord
from ontology.namespaces import sparql_prologue

SHARED = ox.NamedNode("urn:test:shared")


def record_store(rec: MappedRecord) -> ox.Store:
    store = ox.Store()
    store.load(rec.ntriples.encode(), format=ox.RdfFormat.N_TRIPLES)
    store.load(rec.shared_ntriples.encode(), format=ox.RdfFormat.N_TRIPLES, to_graph=SHARED)
    return store


def ask(rec_or_store: MappedRecord | ox.Store, where: str, *, union: bool = True) -> bool:
    """ASK ``where`` with ``?o`` bound to the record's object (over record + shared by default)."""
    store = rec_or_store if isinstance(rec_or_store, ox.Store) else record_store(rec_or_store)
    bind = ""
    if isinstance(rec_or_store, MappedRecord):
        bind = f"VALUES ?o {{ {ox.NamedNode(rec_or_store.object_iri)} }}\n"
    query = sparql_prologue() + f"PREFIX sh: <{SHARED.value}>\nASK {{ {bind}{where} }}"
    return bool(store.query(query, use_default_graph_as_union=union))


def subjects(ntriples: str) -> set[str]:
    return {t.subject.value for t in ox.parse(ntriples.encode(), format=ox.RdfFormat.N_TRIPLES)}
