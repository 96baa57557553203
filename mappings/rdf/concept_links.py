"""Concept links in an RDF-native record (``crm-rdf``, ``linked-art``): the same graph shape as the
declarative engine's ``mappings.declarative.concept_links``, read from triples instead of from a rule.

- a museum term the object points at as material (``P45``), type (``P2``), or its production's place
  (``P7``) or technique (``P32``) is matched to the shared thesaurus (``ontology.reconcile``: its own URI,
  an AAT/TGN/Wikidata URI the thesaurus knows, then its labels); the term gains ``skos:exactMatch``
  (in the shared triples) unless the thesaurus already states that URI, and the object or production
  gains the same predicate to the concept, so one pattern finds every museum's silk;
- a production or other event whose time-span label names a period gains ``crm:P10_falls_within``;
- what matches nothing is returned as (kind, label, language) for the unmatched-terms review.

Pure; used by ``mappings.rdf.model_profile`` only.
"""

from __future__ import annotations

import pyoxigraph as ox

from ontology.namespaces import SKOS
from ontology.ntriples import iri
from ontology.reconcile import find_period, is_known_uri, reconcile

from .description import LABEL_PREDICATES, Term, crm
from .record_nodes import RecordNodes

EXACT_MATCH = iri(SKOS.exactMatch)
P10 = iri(crm("P10_falls_within").value)
P4 = crm("P4_has_time-span")
# (predicate, which subject holds it, thesaurus kind)
_LINKS = (
    (crm("P45_consists_of"), "object", "material"),
    (crm("P2_has_type"), "object", "type"),
    (crm("P7_took_place_at"), "production", "place"),
    (crm("P32_used_general_technique"), "production", "technique"),
)
_PRODUCTION = crm("P108i_was_produced_by")
_EVENTS = (crm("P108i_was_produced_by"), crm("P12i_was_present_at"), crm("P94i_was_created_by"))


def link_concepts(
    nodes: RecordNodes, span_labels: dict[Term, list[ox.Literal]], lifted: dict[Term, list[tuple[ox.NamedNode, Term]]]
) -> list[tuple[str, str, str | None]]:
    """Add the shared concepts to the record's output; returns the unmatched terms. ``lifted``: the
    places and techniques a production got from its parts."""
    s, desc = nodes, nodes.desc
    unmatched: list[tuple[str, str, str | None]] = []
    productions = [n for p, n in desc.by_subject.get(s.obj, ()) if p == _PRODUCTION and n in s.names]
    holders: dict[str, list[Term]] = {"object": [s.obj], "production": productions}
    for predicate, holder, kind in _LINKS:
        for subject in holders[holder]:
            for p, term in [*desc.by_subject.get(subject, ()), *lifted.get(subject, ())]:
                if p != predicate or term in s.names or isinstance(term, ox.Literal):
                    continue
                _link(s, subject, predicate, term, kind, unmatched)
    for p, event in desc.by_subject.get(s.obj, ()):
        if p not in _EVENTS or event not in s.names:
            continue
        for q, span in desc.by_subject.get(event, ()):
            if q != P4:
                continue
            labels = span_labels.get(span, [])
            period = next((c for label in labels if (c := find_period(label.value)) is not None), None)
            if period is not None:
                s.add(s.term(event), P10, iri(period.iri))
            elif labels and not any(ch.isdigit() for ch in labels[0].value):
                unmatched.append(("period", labels[0].value, labels[0].language or None))
    return unmatched


def _link(s: RecordNodes, subject: Term, predicate: ox.NamedNode, term: Term, kind: str, unmatched: list) -> None:
    own_uri = term.value if isinstance(term, ox.NamedNode) else None
    labels = tuple(
        (o.value, o.language or None)
        for p, o in s.desc.by_subject.get(term, ())
        if p in LABEL_PREDICATES and isinstance(o, ox.Literal) and o.value.strip()
    )
    concept = reconcile(kind, own_uri, labels)
    if concept is None:
        if labels:
            unmatched.append((kind, labels[0][0], labels[0][1]))
        elif own_uri:
            unmatched.append((kind, own_uri, None))
        return
    target = iri(concept.iri)
    term_nt = s.term(term)
    if target == term_nt:
        return  # the museum already uses the shared concept itself
    if own_uri is None or not is_known_uri(own_uri):
        s.add_shared(term_nt, EXACT_MATCH, target)
    s.add(s.term(subject), iri(predicate.value), target)
