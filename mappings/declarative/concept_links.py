"""Concept links in a mapped XML record: museum terms gain the shared concept, events gain their period.

The declarative engine's side of reconciliation (the matching itself is ``ontology.reconcile``; the
RDF-native mappings' side is ``mappings.rdf.concept_links``). Called by ``terms.write_term`` (each term,
right after it is written) and ``engine`` (once per record, for periods). The graph shape
(ontology/MODEL.md, "Reconciliation"):

- the museum's term keeps its IRI and labels and gains ``skos:exactMatch <concept>``; being about a
  shared term, that triple goes to the museum's vocabulary graph (``MappedRecord.shared_ntriples``);
- the object (or production, or visual item) links to the concept with the same predicate as to the
  museum's term: ``{obj} crm:P45_consists_of <concept>``, ``{obj} crm:P2_has_type <concept>``,
  ``{production} crm:P7_took_place_at <concept>``, ``{production} crm:P32_used_general_technique
  <concept>``, so that one triple pattern finds every museum's objects;
- an event whose time-span label names a period gains ``{event} crm:P10_falls_within <period>``
  (Linked Art's ``during``); the span's bounds come from ontology/dates.py, which reads periods too.

Concept labels are never written here: they live in the thesaurus graph only. Terms that match nothing
are noted on the State (kind, label, language) for the unmatched-terms review. Pure: no I/O.
"""

from __future__ import annotations

from functools import lru_cache

from ontology.dates import parse_date_text
from ontology.namespaces import CRM, SKOS
from ontology.ntriples import iri, literal_text
from ontology.reconcile import find_period, is_known_uri, reconcile

from .emit import State, Term

EXACT_MATCH = iri(SKOS.exactMatch)
P10 = iri(CRM.P10_falls_within)
_MATERIAL = iri(CRM.E57_Material)
_PLACE = iri(CRM.E53_Place)
_TYPE = iri(CRM.E55_Type)
_P2 = iri(CRM.P2_has_type)
_P32 = iri(CRM.P32_used_general_technique)
_P129 = iri(CRM.P129_is_about)
TIMESPAN_SUFFIX = "/timespan>"

concept_term = lru_cache(maxsize=4096)(iri)


def term_kind(st: State, cls: str, link: tuple[str, str, str] | None) -> str | None:
    """Which thesaurus kind a term written with class ``cls`` (and pointed at by ``link``) belongs to."""
    if cls == _MATERIAL:
        return "material"
    if cls == _PLACE:
        return "place"
    if cls == _TYPE and link is not None:
        if link[1] == _P32:
            return "technique"
        if link[1] == _P2 and link[0] == st.obj.term:
            return "type"  # object types and classifications; not event or dimension types
    return None


# Dublin Core's DCMI Type words say what kind of resource a record is, not what the object is.
_DCMI_TYPES = frozenset(
    "collection dataset event image interactiveresource movingimage physicalobject service software sound "
    "stillimage text".split()
)


def worth_reviewing(kind: str, label: str) -> bool:
    """False for text that is no term at all: DCMI types, measurements read as materials ("H. 17 cm")."""
    if label.replace(" ", "").casefold() in _DCMI_TYPES:
        return False
    return not (kind in ("material", "technique") and any(ch.isdigit() for ch in label))


def link_term(st: State, term: Term, cls: str, link: tuple[str, str, str] | None) -> None:
    """Reconcile one written term; add the exactMatch and the direct link, or note it as unmatched."""
    kind = term_kind(st, cls, link)
    if kind is None:
        return
    node = term.node
    own_uri = None if node.iri.startswith(st.ctx.minter.base + "/id/term/") else node.iri
    labels = tuple((v.text, v.lang) for v in term.labels)
    concept = reconcile(kind, own_uri, labels)
    if concept is None:
        if labels and worth_reviewing(kind, labels[0][0]):
            st.unmatched.append((kind, labels[0][0], labels[0][1]))
        elif not labels and own_uri:
            st.unmatched.append((kind, own_uri, None))
        return
    target = concept_term(concept.iri)
    if target == node.term:
        return  # the museum already uses the shared concept itself
    if own_uri is None or not is_known_uri(own_uri):
        # The thesaurus already says aat:... exactMatch <concept>; a museum's own URI or local term does not.
        st.add(node.term, EXACT_MATCH, target)
    if link is not None and link[2] == node.term:
        st.add(link[0], link[1], target)


def link_periods(st: State) -> None:
    """``{event} crm:P10_falls_within <period>`` for each event whose time-span label names a period."""
    done: set[str] = set()
    for span, label in st.timespan_labels:
        event = span[: -len(TIMESPAN_SUFFIX)] + ">"
        if event in done:
            continue
        text, lang = literal_text(label)
        period = find_period(text)
        if period is not None:
            done.add(event)
            st.add(event, P10, concept_term(period.iri))
    for span, label in st.timespan_labels:  # a named period the thesaurus lacks goes to the review
        event = span[: -len(TIMESPAN_SUFFIX)] + ">"
        text, lang = literal_text(label)
        if event not in done and parse_date_text(text) is None:
            st.unmatched.append(("period", text, lang))
            done.add(event)
