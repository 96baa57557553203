"""CIDOC-CRM in other namespaces, and which nodes of an RDF description belong to one object.

Shared by the RDF-native mappings (``crm_rdf``, ``linked_art``) and the RDF sources (``harvesters.rdf_dump``,
``harvesters.sparql_source``), so that the source splitting a dump into records and the mapping shaping
one record agree on the same two rules:

- **Normalisation**: CRM terms written in another namespace (Erlangen CRM ``http://erlangen-crm.org/current/``
  or a dated release, the RDFS files' ``.../rdfs/...#`` forms, ``purl.org/NET/cidoc-crm/core#``, versioned
  or ``https`` forms of the official one) become ``http://www.cidoc-crm.org/cidoc-crm/`` terms, and terms
  CRM renamed or merged (``E22_Man-Made_Object``, ``E78_Collection``, the appellation subclasses of
  CRM 6, ``P131_is_identified_by``...) get their CRM 7.1 names.
- **Ownership**: a node belongs to an object's record when it is a blank node, an IRI minted under the
  object's IRI (``{obj}/...`` or ``{obj}#...``), or an IRI of a *dependent* class (a production, a
  time-span, a name, an identifier, a dimension...) reached from a node the object owns. Anything else
  (types, materials, places, actors, other objects) is a shared term: the record points at it.

Pure: terms in, terms out. No I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Set
from functools import lru_cache
from typing import overload

import pyoxigraph as ox

from ontology.namespaces import CRM, LA, RDF, RDFS, SKOS

Term = ox.NamedNode | ox.BlankNode | ox.Literal
#: a term as a store's quads hold it: RDF 1.2 triple terms too (the mapping reads none)
StoredTerm = Term | ox.Triple
Triple = tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, Term]

CRM_NS = str(CRM)
ERLANGEN_CRM = "http://erlangen-crm.org/current/"
# Namespaces CRM has been published in; each is rewritten to the official one.
_CRM_NAMESPACES = re.compile(
    r"^(?:https?://erlangen-crm\.org/(?:current|\d{6})/"
    r"|https?://(?:www\.)?cidoc-crm\.org/cidoc-crm/(?:\d+(?:\.\d+)*/)?"
    r"|https?://(?:www\.)?cidoc-crm\.org/rdfs/[^#]*#"
    r"|http://purl\.org/NET/cidoc-crm/core#)"
)
# Local names CRM changed between releases (Man-Made -> Human-Made in 7.0; the appellation subclasses and
# their identification properties were merged into E41 / P1 in 6.x; E84 was merged into E22 in 7.0).
_RENAMED = {
    "E22_Man-Made_Object": "E22_Human-Made_Object",
    "E24_Physical_Man-Made_Thing": "E24_Physical_Human-Made_Thing",
    "E25_Man-Made_Feature": "E25_Human-Made_Feature",
    "E71_Man-Made_Thing": "E71_Human-Made_Thing",
    "E78_Collection": "E78_Curated_Holding",
    "E84_Information_Carrier": "E22_Human-Made_Object",
    "E44_Place_Appellation": "E41_Appellation",
    "E45_Address": "E41_Appellation",
    "E46_Section_Definition": "E41_Appellation",
    "E47_Spatial_Coordinates": "E41_Appellation",
    "E48_Place_Name": "E41_Appellation",
    "E49_Time_Appellation": "E41_Appellation",
    "E50_Date": "E41_Appellation",
    "E51_Contact_Point": "E41_Appellation",
    "E75_Conceptual_Object_Appellation": "E41_Appellation",
    "E82_Actor_Appellation": "E41_Appellation",
    "P78_is_identified_by": "P1_is_identified_by",
    "P78i_identifies": "P1i_identifies",
    "P87_is_identified_by": "P1_is_identified_by",
    "P87i_identifies": "P1i_identifies",
    "P131_is_identified_by": "P1_is_identified_by",
    "P131i_identifies": "P1i_identifies",
}

RDF_TYPE = ox.NamedNode(RDF.type)
RDFS_LABEL = ox.NamedNode(RDFS.label)
SKOS_PREF_LABEL = ox.NamedNode(SKOS.prefLabel)
LABEL_PREDICATES = frozenset({RDFS_LABEL, SKOS_PREF_LABEL})
DIG_DIGITAL_OBJECT = "http://www.ics.forth.gr/isl/CRMdig/D1_Digital_Object"


def crm(name: str) -> ox.NamedNode:
    """The official CRM term ``name`` (unchecked: source data may use any CRM term)."""
    return ox.NamedNode(CRM_NS + name)


E22 = crm("E22_Human-Made_Object")
E24 = crm("E24_Physical_Human-Made_Thing")

# Classes whose instances describe one object only and travel with it (Linked Art mints them under the
# object; other sources give them IRIs of their own).
DEPENDENT_CLASSES = frozenset(
    crm(n)
    for n in (
        "E12_Production E52_Time-Span E41_Appellation E42_Identifier E33_E41_Linguistic_Appellation E35_Title "
        "E54_Dimension E13_Attribute_Assignment E16_Measurement E17_Type_Assignment E15_Identifier_Assignment "
        "E34_Inscription E37_Mark E14_Condition_Assessment E3_Condition_State E11_Modification E80_Part_Removal "
        "E79_Part_Addition E97_Monetary_Amount"
    ).split()
) | {ox.NamedNode(LA.DigitalObject), ox.NamedNode(DIG_DIGITAL_OBJECT)}
# Classes of shared terms: a blank node of one of these with a label becomes a museum term IRI.
TERM_CLASSES: dict[str, str] = {
    "E55_Type": "type",
    "E57_Material": "material",
    "E53_Place": "place",
    "E39_Actor": "actor",
    "E21_Person": "actor",
    "E74_Group": "actor",
    "E56_Language": "language",
    "E58_Measurement_Unit": "unit",
    "E98_Currency": "unit",
    "E4_Period": "period",
}


@lru_cache(maxsize=1 << 16)
def normalise_iri(value: str) -> str:
    """``value`` with a CRM namespace rewritten to the official one and a renamed term renamed."""
    match = _CRM_NAMESPACES.match(value)
    if match is None:
        return value
    local = value[match.end() :]
    return CRM_NS + _RENAMED.get(local, local)


@overload
def normalise(term: Term) -> Term: ...
@overload
def normalise(term: StoredTerm) -> StoredTerm: ...
def normalise(term: StoredTerm) -> StoredTerm:
    if isinstance(term, ox.NamedNode):
        value = normalise_iri(term.value)
        return term if value == term.value else ox.NamedNode(value)
    return term


def normalise_triples(triples: Iterable[tuple[Term, Term, Term]]) -> list[Triple]:
    """Predicates and classes in the official CRM namespace (objects of other properties are kept)."""
    out: list[Triple] = []
    for s, p, o in triples:
        p = normalise(p)
        if p == RDF_TYPE:
            o = normalise(o)
        out.append((s, p, o))  # type: ignore[arg-type]
    return out


def is_under(node: str, object_iri: str) -> bool:
    """True for an IRI minted under ``object_iri`` (``{obj}/...`` or ``{obj}#...``)."""
    return len(node) > len(object_iri) + 1 and node.startswith(object_iri) and node[len(object_iri)] in "/#"


class Description:
    """An index of triples by subject, with each node's (normalised) classes."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        self.by_subject: dict[Term, list[tuple[ox.NamedNode, Term]]] = {}
        self.types: dict[Term, set[ox.NamedNode]] = {}
        for s, p, o in triples:
            self.by_subject.setdefault(s, []).append((p, o))
            if p == RDF_TYPE and isinstance(o, ox.NamedNode):
                self.types.setdefault(s, set()).add(o)

    def objects(self) -> list[ox.NamedNode]:
        """Subjects typed E22 (any CRM namespace) that are not minted under another such subject."""
        return top_objects(s for s, t in self.types.items() if E22 in t and isinstance(s, ox.NamedNode))

    def owned(self, obj: ox.NamedNode) -> list[Term]:
        """The object and the nodes that belong to its record, in breadth-first order."""
        order: list[Term] = [obj]
        seen: set[Term] = {obj}
        i = 0
        while i < len(order):
            for _p, o in self.by_subject.get(order[i], ()):
                if o not in seen and self.belongs(o, obj):
                    seen.add(o)
                    order.append(o)
            i += 1
        return order

    def belongs(self, node: Term, obj: ox.NamedNode) -> bool:
        return belongs(node, obj, self.types.get(node, set()))


def belongs(node: StoredTerm, obj: ox.NamedNode, types: Set[StoredTerm]) -> bool:
    """Whether ``node``, reached from a node ``obj`` owns, belongs to ``obj``'s record (``types``: its
    normalised classes; only asked for IRIs not minted under the object)."""
    if isinstance(node, ox.BlankNode):
        return True
    if not isinstance(node, ox.NamedNode):
        return False
    if is_under(node.value, obj.value):
        return True
    return bool(types) and E22 not in types and types <= DEPENDENT_CLASSES


def top_objects(candidates: Iterable[ox.NamedNode]) -> list[ox.NamedNode]:
    """The candidates (E22 subjects) sorted by IRI, without those minted under another candidate."""
    found = sorted(set(candidates), key=lambda n: n.value)
    iris = {s.value for s in found}
    return [s for s in found if not any(_parents(s.value, iris))]


def _parents(iri: str, iris: set[str]) -> Iterable[str]:
    for i, ch in enumerate(iri):
        if ch in "/#" and iri[:i] in iris:
            yield iri[:i]


def ntriples_line(s: StoredTerm, p: Term, o: StoredTerm) -> str:
    """One N-Triples line written by pyoxigraph (its ``str()`` of a term is the N-Triples form)."""
    return f"{s} {p} {o} .\n"


def parse_ntriples(text: str | bytes) -> list[Triple]:
    """N-Triples (or N-Quads, graphs ignored) parsed with pyoxigraph; raises SyntaxError when malformed."""
    fmt = ox.RdfFormat.N_QUADS  # N-Triples is a subset of N-Quads; a source may hand either
    return [(q.subject, q.predicate, q.object) for q in ox.parse(text, format=fmt)]
