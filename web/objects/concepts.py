"""One concept, shown once: a museum's own term, the shared concept it was reconciled to and the AAT term
they both match are three IRIs on an object (ontology/MODEL.md, "Reconciliation") but one idea to a reader.

The terms an object carries for one field (its types, materials, places...) are grouped by their
``skos:exactMatch`` links, either way round (a museum's term matches a concept; a concept matches an AAT
term). Each group is one :class:`Term`: the museum's own wording first, the shared concept as a link, and
an AAT label only when nothing else names the group. It decides what a page shows, never what the graph says.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from ontology.namespaces import AAT, sparql_prologue
from ontology.thesaurus import CONCEPT_BASE
from store.base import SolutionsResult, Store

# Every exactMatch link touching a term the object carries in one of the fields a page shows.
MATCHES_QUERY = """
SELECT DISTINCT ?term ?match WHERE {
  { ?object crm:P2_has_type|crm:P45_consists_of ?term }
  UNION { ?object crm:P108i_was_produced_by ?production .
          ?production crm:P7_took_place_at|crm:P32_used_general_technique|crm:P14_carried_out_by ?term }
  UNION { ?object crm:P65_shows_visual_item ?visual . ?visual crm:P129_is_about ?term }
  ?term skos:exactMatch|^skos:exactMatch ?match .
  FILTER(isIRI(?match))
}
"""


@dataclass
class Term:
    """One concept as a page shows it: ``label`` in the museum's words (or the concept's, when the museum
    gave none); ``shared`` the shared concept's IRI, ``shared_label`` its name when it says something else."""

    iri: str
    label: str
    shared: str | None = None
    shared_label: str | None = None


def exact_matches(store: Store, object_iri: str, timeout: float | None = None) -> list[tuple[str, str]]:
    """(term, match) pairs for the terms of ``object_iri`` (from the vocabulary and thesaurus graphs)."""
    result = store.query(sparql_prologue() + MATCHES_QUERY, substitutions={"object": ox.NamedNode(object_iri)},
                         timeout=timeout)
    assert isinstance(result, SolutionsResult)
    return [(row["term"].value, row["match"].value) for row in result.dicts()]


def one_per_concept(iris: Iterable[str], labels: Mapping[str, str], matches: Iterable[tuple[str, str]]) -> list[Term]:
    """The terms ``iris`` (in the record's order) grouped by ``matches``; ``labels`` names each IRI in the
    visitor's language."""
    ordered = list(dict.fromkeys(iris))
    parent = {iri: iri for iri in ordered}

    def root(node: str) -> str:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for a, b in matches:  # a link through a term the object does not carry still joins two that it does
        for node in (a, b):
            parent.setdefault(node, node)
        parent[root(a)] = root(b)
    groups: dict[str, list[str]] = {}
    for iri in ordered:
        groups.setdefault(root(iri), []).append(iri)
    return [_term(members, labels) for members in groups.values()]


def _term(members: list[str], labels: Mapping[str, str]) -> Term:
    shared = next((m for m in members if m.startswith(CONCEPT_BASE)), None)
    own = [m for m in members if not m.startswith((CONCEPT_BASE, str(AAT)))]
    outside = [m for m in members if m.startswith(str(AAT))]
    words: list[str] = []
    for member in own or ([] if shared else outside):
        text = labels.get(member) or member.rstrip("/").rsplit("/", 1)[-1]
        if text.casefold() not in {w.casefold() for w in words}:
            words.append(text)
    shared_label = labels.get(shared) if shared else None
    if not words:
        return Term(shared or members[0], shared_label or labels.get(members[0]) or members[0], shared, None)
    if shared_label and shared_label.casefold() in {w.casefold() for w in words}:
        shared_label = None  # the museum's word is the concept's name: the word itself is the link
    return Term((own or outside)[0], " / ".join(words), shared, shared_label)
