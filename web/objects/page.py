"""What an object page shows, read from the object's record graph.

The record graph (one CONSTRUCT) is indexed in memory and walked along the Linked Art shape of
ontology/MODEL.md; the labels are chosen for the visitor's language. RDF serialisations of an object
use the same CONSTRUCT, so the page and the data never disagree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from ontology.dates import year_of
from ontology.namespaces import AAT, CRM, LA, RDFS, SKOS, SROM, sparql_prologue
from store.base import GraphResult, SolutionsResult, Store
from web.i18n import best_literal
from web.objects.concepts import Term, exact_matches, one_per_concept

# The record graph, plus what the shared graphs say of the terms it points at (class, labels, point),
# so a page or an RDF download of one object is complete on its own.
RECORD_QUERY = """
CONSTRUCT { ?s ?p ?o . ?term ?tp ?to } WHERE {
  { GRAPH ?g { ?object a crm:E22_Human-Made_Object . ?s ?p ?o } }
  UNION
  { GRAPH ?g { ?object a crm:E22_Human-Made_Object . ?x ?y ?term } FILTER(isIRI(?term))
    ?term ?tp ?to . FILTER(?tp IN (rdf:type, rdfs:label, crm:P168_place_is_defined_by, skos:prefLabel)) }
}
"""
CONTEXT_QUERY = """
SELECT ?g ?museum ?museumName ?sourceId ?datestamp ?homepage ?licence ?attribution WHERE {
  GRAPH ?prov { ?g srom:object ?object ; srom:museum ?museum .
                OPTIONAL { ?g srom:sourceIdentifier ?sourceId } OPTIONAL { ?g srom:datestamp ?datestamp } }
  OPTIONAL { ?museum rdfs:label ?museumName }
  OPTIONAL { ?museum <http://xmlns.com/foaf/0.1/homepage> ?homepage }
  OPTIONAL { ?museum dcterms:license ?licence }
  OPTIONAL { ?museum srom:attribution ?attribution }
}
"""

PRIMARY_NAME = AAT + "300404670"
#: statement types of a record's rights statement and credit line (ontology/MODEL.md, descriptions)
RIGHTS_STATEMENT, CREDIT_LINE = AAT + "300435434", AAT + "300026687"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


class Index:
    def __init__(self, triples: list[ox.Triple]) -> None:
        self.out: dict[str, dict[str, list[ox.NamedNode | ox.Literal | ox.BlankNode | ox.Triple]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for t in triples:
            # pyoxigraph's stubs allow a triple as subject, which pyoxigraph 0.5 refuses
            assert not isinstance(t.subject, ox.Triple)
            self.out[t.subject.value][t.predicate.value].append(t.object)

    def objects(self, subject: str, predicate: str) -> list:
        return self.out.get(subject, {}).get(predicate, [])

    def nodes(self, subject: str, predicate: str) -> list[str]:
        return [o.value for o in self.objects(subject, predicate) if isinstance(o, ox.NamedNode)]

    def literals(self, subject: str, predicate: str) -> list[ox.Literal]:
        return [o for o in self.objects(subject, predicate) if isinstance(o, ox.Literal)]


@dataclass
class ObjectView:
    iri: str
    title: str
    titles: list[tuple[str, str]] = field(default_factory=list)  # (text, language)
    identifiers: list[str] = field(default_factory=list)
    types: list[Term] = field(default_factory=list)
    materials: list[Term] = field(default_factory=list)
    techniques: list[Term] = field(default_factory=list)
    date: str | None = None
    begin_year: int | None = None
    end_year: int | None = None
    places: list[Term] = field(default_factory=list)
    actors: list[Term] = field(default_factory=list)
    descriptions: list[tuple[str, str]] = field(default_factory=list)
    dimensions: list[str] = field(default_factory=list)
    subjects: list[Term] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    museum: str | None = None
    museum_name: str | None = None
    museum_homepage: str | None = None
    source_id: str | None = None
    datestamp: str | None = None
    licence: str | None = None  # the museum's licence for its records (registry: dcterms:license)
    licence_url: str | None = None  # where the licence is written, when the record names it by URL
    attribution: str | None = None  # the credit line the museum asks for
    rights: list[str] = field(default_factory=list)  # the record's own rights lines that say something else


def record_graph(store: Store, object_iri: str) -> GraphResult:
    result = store.query(sparql_prologue() + RECORD_QUERY, substitutions={"object": ox.NamedNode(object_iri)})
    assert isinstance(result, GraphResult)
    return result


def build_view(store: Store, object_iri: str, triples: list[ox.Triple], lang: str) -> ObjectView:
    idx = Index(triples)

    def label(node: str) -> str:
        # a shared concept is named by its skos:prefLabel in every language (thesaurus graph)
        return (best_literal(idx.literals(node, SKOS.prefLabel), lang)
                or best_literal(idx.literals(node, RDFS.label), lang) or node.rsplit("/", 1)[-1])

    term_labels: dict[str, str] = {}

    def terms(subject: str, predicate: str) -> list[Term]:
        found = [Term(n, label(n)) for n in idx.nodes(subject, predicate)]
        term_labels.update((t.iri, t.label) for t in found)
        return found

    view = ObjectView(iri=object_iri, title=best_literal(idx.literals(object_iri, RDFS.label), lang) or "")
    for name in idx.nodes(object_iri, CRM.P1_is_identified_by):
        types = idx.nodes(name, CRM.P2_has_type)
        content = idx.literals(name, CRM.P190_has_symbolic_content)
        if CRM.term("E42_Identifier") in idx.nodes(name, RDF_TYPE):
            view.identifiers += [c.value for c in content]
        else:
            view.titles += [(c.value, c.language or "") for c in content]
            if PRIMARY_NAME in types and not view.title:
                view.title = best_literal(content, lang) or ""
    view.types = terms(object_iri, CRM.P2_has_type)
    view.materials = terms(object_iri, CRM.P45_consists_of)
    for production in idx.nodes(object_iri, CRM.P108i_was_produced_by):
        for span in idx.nodes(production, CRM.term("P4_has_time-span")):
            view.date = best_literal(idx.literals(span, RDFS.label), lang)
            begins = idx.literals(span, CRM.P82a_begin_of_the_begin)
            ends = idx.literals(span, CRM.P82b_end_of_the_end)
            view.begin_year = year_of(begins[0].value) if begins else None
            view.end_year = year_of(ends[0].value) if ends else None
        view.places += terms(production, CRM.P7_took_place_at)
        view.actors += terms(production, CRM.P14_carried_out_by)
        view.techniques += terms(production, CRM.P32_used_general_technique)
    record_rights: list[tuple[str, str]] = []  # (statement type, text)
    for text in idx.nodes(object_iri, CRM.P67i_is_referred_to_by):
        contents = idx.literals(text, CRM.P190_has_symbolic_content)
        rights_kinds = {RIGHTS_STATEMENT, CREDIT_LINE} & set(idx.nodes(text, CRM.P2_has_type))
        if rights_kinds:
            record_rights += [(min(rights_kinds), c.value.strip()) for c in contents if c.value.strip()]
        else:
            view.descriptions += [(c.value, c.language or "") for c in contents]
    for dim in idx.nodes(object_iri, CRM.P43_has_dimension):
        shown = best_literal(idx.literals(dim, RDFS.label), lang)
        if not shown:
            values = idx.literals(dim, CRM.P90_has_value)
            unit = [label(u) for u in idx.nodes(dim, CRM.P91_has_unit)]
            shown = " ".join([values[0].value if values else "", *unit]).strip()
        if shown:
            view.dimensions.append(shown)
    for visual in idx.nodes(object_iri, CRM.P65_shows_visual_item):
        view.subjects += terms(visual, CRM.P129_is_about)
        for image in idx.nodes(visual, LA.digitally_shown_by):
            view.images += idx.nodes(image, LA.access_point)
    for event in idx.nodes(object_iri, CRM.P12i_was_present_at):
        shown = best_literal(idx.literals(event, RDFS.label), lang)
        kinds = [label(t) for t in idx.nodes(event, CRM.P2_has_type)]
        view.events.append(" — ".join(x for x in (", ".join(kinds), shown) if x))
    if not view.title:
        view.title = view.titles[0][0] if view.titles else object_iri.rsplit("/", 1)[-1]

    context = store.query(sparql_prologue() + CONTEXT_QUERY, substitutions={"object": ox.NamedNode(object_iri)})
    assert isinstance(context, SolutionsResult)
    rows = context.dicts()
    if rows:
        view.museum = rows[0]["museum"].value
        view.museum_name = best_literal([r["museumName"] for r in rows if "museumName" in r], lang)
        view.museum_homepage = rows[0]["homepage"].value if "homepage" in rows[0] else None
        view.source_id = rows[0]["sourceId"].value if "sourceId" in rows[0] else None
        view.datestamp = rows[0]["datestamp"].value if "datestamp" in rows[0] else None
        view.licence = best_literal([r["licence"] for r in rows if "licence" in r], lang)
        view.attribution = best_literal([r["attribution"] for r in rows if "attribution" in r], lang)
    _rights_once(view, record_rights)
    matches = exact_matches(store, object_iri)
    for name in ("types", "materials", "techniques", "places", "actors", "subjects"):
        setattr(view, name, one_per_concept([t.iri for t in getattr(view, name)], term_labels, matches))
    return view


def _rights_once(view: ObjectView, record_lines: list[tuple[str, str]]) -> None:
    """The licence and the credit line once each: the museum's registered ones first, the record's own
    lines only where they add something (a licence named by its URL becomes the licence's link)."""
    for kind, line in record_lines:
        if line.startswith(("http://", "https://")) and " " not in line:
            view.licence_url = view.licence_url or line
        elif kind == RIGHTS_STATEMENT and view.licence is None:
            view.licence = line
        elif kind == CREDIT_LINE and view.attribution is None:
            view.attribution = line
    said = {x.casefold() for x in (view.licence, view.attribution, view.licence_url) if x}
    view.rights = [x for x in dict.fromkeys(line for _, line in record_lines) if x.casefold() not in said]


__all__ = ["ObjectView", "Term", "build_view", "record_graph", "SROM"]
