"""What the text index holds about an object: one document per object IRI, built from its record graph.

From the object of a record graph (``?o a crm:E22_Human-Made_Object``): its titles (``rdfs:label`` and its
E33_E41 names), identifiers, descriptions (``P67i`` texts, not rights statements or credit lines), and the
terms it points at — materials and object types (``P45``, ``P2``), production places, techniques, periods
and makers (``P108i`` → ``P7``, ``P32``, ``P10``, ``P14``), the production time-span's label, subjects
(``P65`` → ``P129``). A museum's own term brings its own labels (the museum's vocabulary graph); a shared
concept of the thesaurus (``https://w3id.org/srom/concept/...``) brings its preferred and alternative
labels in every language and script, and the labels of the concepts it is narrower than go to a
low-weight field. That is how "silk" finds an object whose museum wrote "Seide" or "絲綢": both are
reconciled to the concept that is also labelled "silk".

Two ways in, one builder (:func:`build_documents`), so an index kept in step by the harvest and one
rebuilt from the store hold the same documents:

- the harvest hands over the N-Triples it has just written (``documents_from_ntriples``): parsing them
  again is ~20x cheaper than reading them back from the store (measured at 20,000 objects: a query for
  500 record graphs' triples took 0.7 s, reading the same documents through one SPARQL query with a
  ``GRAPH ?g`` per field did not finish in 20 s for 20 graphs on Oxigraph);
- ``srom index rebuild`` reads record graphs from the store in chunks (:func:`read_documents`).

Every text is folded and cut into words by ``ontology.folding.index_words`` (case, diacritics,
traditional Chinese; Han and kana one word per character), the cut the search applies to its words too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import pyoxigraph as ox

from ontology.folding import index_words
from ontology.namespaces import CRM, RDF, RDFS
from ontology.thesaurus import get_thesaurus
from store.base import Store
from store.values import iri_values

#: the fields of a document that are searched, with their weight in the score
FIELDS = {"title": 3.0, "terms": 2.0, "body": 1.0, "context": 0.5}
#: descriptions that are not about the object: rights statements and credit lines (ontology/MODEL.md)
_NOT_DESCRIPTIONS = {"http://vocab.getty.edu/aat/300435434", "http://vocab.getty.edu/aat/300026687"}

_TYPE, _LABEL = RDF.type, RDFS.label
_OBJECT = CRM.term("E22_Human-Made_Object")
_NAME, _IDENTIFIER = CRM.E33_E41_Linguistic_Appellation, CRM.E42_Identifier
_P1, _P190, _P2 = CRM.P1_is_identified_by, CRM.P190_has_symbolic_content, CRM.P2_has_type
_P67I, _P45, _P108I = CRM.P67i_is_referred_to_by, CRM.P45_consists_of, CRM.P108i_was_produced_by
_P4, _P65, _P129, _P50 = (CRM.term("P4_has_time-span"), CRM.P65_shows_visual_item, CRM.P129_is_about,
                          CRM.P50_has_current_keeper)
_PRODUCTION_TERMS = (CRM.P7_took_place_at, CRM.P32_used_general_technique, CRM.P10_falls_within,
                     CRM.P14_carried_out_by)
_TERM_PREDICATES = {_P45, _P2, _P129, *_PRODUCTION_TERMS}
#: the predicates a document is built from
_USED = {_TYPE, _LABEL, _P1, _P190, _P2, _P67I, _P45, _P108I, _P4, _P65, _P129, _P50, *_PRODUCTION_TERMS}
_USED_WRITTEN = {f"<{p}>" for p in _USED}

Triple = tuple[str, str, "str | ox.Literal"]  # subject IRI, predicate IRI, object IRI (str) or literal


@dataclass
class TextDocument:
    """One object as the index holds it; every text already folded into words (see the module doc)."""

    iri: str
    graph: str
    museum: str = ""
    title: list[str] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    context: list[str] = field(default_factory=list)

    def add(self, name: str, text: str, *, label: bool = False) -> None:
        """Add ``text`` to field ``name``; ``label``: a short text many objects share (its folding is cached)."""
        words = _label_words(text) if label else index_words(text)
        if words:
            self._seen.setdefault(name, {})[words] = None

    def extend(self, name: str, words: Iterable[str]) -> None:
        self._seen.setdefault(name, {}).update(dict.fromkeys(words))

    def finish(self) -> TextDocument:
        """Each field's words in a fixed order: the same document whatever order the triples came in."""
        for name in FIELDS:
            setattr(self, name, sorted(self._seen.get(name, ())))
        return self

    _seen: dict[str, dict[str, None]] = field(default_factory=dict, repr=False, compare=False)


_label_words = lru_cache(maxsize=1 << 16)(index_words)


@lru_cache(maxsize=4096)
def _concept_words(iri: str) -> tuple[str, ...]:
    """The words of a thesaurus concept's preferred and alternative labels, every language."""
    known = get_thesaurus().concepts.get(iri)
    labels = (known.pref_labels + known.alt_labels) if known else ()
    return tuple(w for w in dict.fromkeys(index_words(text) for text, _ in labels) if w)


def build_documents(graph: str, triples: Iterable[Triple], labels: Mapping[str, Sequence[str]]) -> list[TextDocument]:
    """The document of the object in record graph ``graph`` (none if it has no object).

    ``labels`` are the museum terms' labels (term IRI → texts); thesaurus concepts need none.
    """
    about: dict[str, list[tuple[str, str | ox.Literal]]] = defaultdict(list)
    for s, p, o in triples:
        about[s].append((p, o))

    def values(subject: str, *predicates: str) -> list[str | ox.Literal]:
        return [o for p, o in about.get(subject, ()) if p in predicates]

    def iris(subject: str, *predicates: str) -> list[str]:
        return [o for o in values(subject, *predicates) if isinstance(o, str)]

    def texts(subject: str, *predicates: str) -> list[str]:
        return [o.value for o in values(subject, *predicates) if isinstance(o, ox.Literal)]

    thesaurus = get_thesaurus()
    docs = []
    for obj in sorted(s for s, pos in about.items() if (_TYPE, _OBJECT) in pos):
        doc = TextDocument(obj, graph, museum=next(iter(sorted(iris(obj, _P50))), ""))
        for text in texts(obj, _LABEL):
            doc.add("title", text)
        for node in iris(obj, _P1):
            kinds = iris(node, _TYPE)
            target = "title" if _NAME in kinds else "body" if _IDENTIFIER in kinds else None
            if target is None:
                continue
            for text in texts(node, _P190):
                doc.add(target, text)
        for note in iris(obj, _P67I):
            if not _NOT_DESCRIPTIONS.intersection(iris(note, _P2)):
                for text in texts(note, _P190):
                    doc.add("body", text)
        terms = iris(obj, _P45, _P2)
        for production in iris(obj, _P108I):
            terms += iris(production, *_PRODUCTION_TERMS)
            for span in iris(production, _P4):
                for text in texts(span, _LABEL):
                    doc.add("terms", text, label=True)
        for visual in iris(obj, _P65):
            terms += iris(visual, _P129)
        concepts = {t for t in terms if t in thesaurus.concepts}
        for term in sorted(set(terms) - concepts):
            for text in labels.get(term, ()):
                doc.add("terms", text, label=True)
        for concept in concepts:
            doc.extend("terms", _concept_words(concept))
        for ancestor in set().union(*(thesaurus.ancestors(c) for c in concepts)) - concepts:
            doc.extend("context", _concept_words(ancestor))
        docs.append(doc.finish())
    return docs


def _term(term: object) -> str | ox.Literal | None:
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.Literal):
        return term
    return None  # blank nodes: the hub's mappings mint none


def term_labels(ntriples: str) -> dict[str, list[str]]:
    """The ``rdfs:label`` texts of each subject of ``ntriples`` (the shared-term lines a harvest writes to a
    museum's vocabulary graph): term IRI → texts."""
    labels: dict[str, list[str]] = defaultdict(list)
    if ntriples:
        for t in ox.parse(ntriples.encode(), format=ox.RdfFormat.N_TRIPLES):
            if t.predicate.value == _LABEL and isinstance(t.object, ox.Literal):
                labels[_term(t.subject)].append(t.object.value)  # type: ignore[index]
    return labels


def documents_from_ntriples(records: Iterable[tuple[str, str, str]],
                            labels: Mapping[str, Sequence[str]] | None = None) -> list[TextDocument]:
    """Documents of freshly mapped records: ``(graph IRI, record N-Triples, its shared-term N-Triples)``.

    ``labels``: museum terms' labels known beforehand (term IRI → texts, e.g. :func:`term_labels` of whole
    vocabulary graphs), used with each record's own shared-term lines (which may then be empty).
    """
    docs: list[TextDocument] = []
    for graph, ntriples, shared in records:
        triples = []
        # only the lines a document is built from (a third of them): parsing is most of the cost
        wanted = "".join(line for line in ntriples.splitlines(keepends=True)
                         if line.split(" ", 2)[1:2] and line.split(" ", 2)[1] in _USED_WRITTEN)
        for t in ox.parse(wanted.encode(), format=ox.RdfFormat.N_TRIPLES):
            s, o = _term(t.subject), _term(t.object)
            if isinstance(s, str) and o is not None:
                triples.append((s, t.predicate.value, o))
        own: Mapping[str, Sequence[str]] = term_labels(shared)
        if labels is not None:
            own = {**labels, **{t: [*labels.get(t, ()), *texts] for t, texts in own.items()}} if own else labels
        docs += build_documents(graph, triples, own)
    return docs


def read_documents(store: Store, graphs: Sequence[str], *, timeout: float | None = None) -> list[TextDocument]:
    """The documents of the objects in ``graphs`` as the store has them now (absent graphs give none).

    Two simple queries, whatever the number of graphs: their triples, then the labels of the museum
    terms they point at (from any graph: the vocabulary graphs).
    """
    if not graphs:
        return []
    # (a VALUES ?p for the predicates made Oxigraph scan: 47 s instead of 0.7 s for 500 graphs)
    query = f"SELECT ?g ?s ?p ?o WHERE {{ {iri_values('g', graphs)} GRAPH ?g {{ ?s ?p ?o }} }}"
    result = store.query(query, timeout=timeout)
    by_graph: dict[str, list[Triple]] = defaultdict(list)
    for g, s, p, o in getattr(result, "rows", []):
        subject, value = _term(s), _term(o)
        if (isinstance(g, ox.NamedNode) and isinstance(subject, str) and isinstance(p, ox.NamedNode)
                and p.value in _USED and value is not None):
            by_graph[g.value].append((subject, p.value, value))
    thesaurus = get_thesaurus()
    terms = sorted({o for triples in by_graph.values() for _, p, o in triples
                    if p in _TERM_PREDICATES and isinstance(o, str) and o not in thesaurus.concepts})
    labels: dict[str, list[str]] = defaultdict(list)
    for start in range(0, len(terms), 1000):
        found = store.query(f"SELECT ?t ?l WHERE {{ {iri_values('t', terms[start:start + 1000])} "
                            f"?t <{_LABEL}> ?l }}", timeout=timeout)
        for t, label in getattr(found, "rows", []):
            if isinstance(t, ox.NamedNode) and isinstance(label, ox.Literal):
                labels[t.value].append(label.value)
    return [doc for graph in graphs for doc in build_documents(graph, by_graph.get(graph, ()), labels)]
