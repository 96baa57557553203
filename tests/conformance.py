"""What the conformance tests share: where the third-party samples are and what they measure per record."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from mappings import MappedRecord
from ontology.namespaces import sparql_prologue

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"

# The shares each conformance report prints: a title, a machine-readable date span, a keeper.
SHAPE_CHECKS = {
    "title": "?o rdfs:label ?l",
    "date span": "?o crm:P108i_was_produced_by/crm:P4_has_time-span/crm:P82a_begin_of_the_begin ?b",
    "keeper": "?o crm:P50_has_current_keeper ?k",
}


def shape_counts(rec: MappedRecord) -> dict[str, bool]:
    """Which of SHAPE_CHECKS the record meets (its triples loaded once, one ASK per check)."""
    store = ox.Store()
    store.load((rec.ntriples + rec.shared_ntriples).encode(), format=ox.RdfFormat.N_TRIPLES)
    bind = f"BIND(<{rec.object_iri}> AS ?o)"
    return {
        name: bool(store.query(sparql_prologue() + f"ASK {{ {bind} {where} }}"))
        for name, where in SHAPE_CHECKS.items()
    }
