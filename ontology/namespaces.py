"""RDF namespaces used by the hub.

CRM and Linked Art are *closed* namespaces: asking for a term that does not exist raises
``AttributeError`` at import or mapping-compile time, so a typo such as ``CRM.P108_was_produced`` fails
loudly instead of writing a silent, wrong predicate into forty museums' data.
"""

from __future__ import annotations


class Namespace(str):
    """An open namespace: any local name is accepted (``DCTERMS.title``)."""

    def __getattr__(self, name: str) -> str:
        if name.startswith("__"):
            raise AttributeError(name)
        return self + name

    def term(self, name: str) -> str:
        return self + name


class ClosedNamespace(Namespace):
    """A namespace whose local names are fixed; unknown names raise ``AttributeError``."""

    _terms: frozenset[str]

    def __new__(cls, iri: str, terms: str) -> ClosedNamespace:
        ns = super().__new__(cls, iri)
        ns._terms = frozenset(terms.split())
        return ns

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        return self.term(name)

    def term(self, name: str) -> str:
        if name not in self._terms:
            raise AttributeError(f"{name!r} is not a term of the closed namespace <{str(self)}>")
        return str.__add__(self, name)

    def __contains__(self, name: object) -> bool:
        return name in self._terms


# CIDOC-CRM 7.1, the classes and properties the hub writes or reads (Linked Art's profile of CRM).
CRM = ClosedNamespace(
    "http://www.cidoc-crm.org/cidoc-crm/",
    """
    E1_CRM_Entity E4_Period E33_E41_Linguistic_Appellation E5_Event E7_Activity E8_Acquisition E12_Production
    E13_Attribute_Assignment
    E16_Measurement E21_Person E22_Human-Made_Object E24_Physical_Human-Made_Thing E33_Linguistic_Object
    E35_Title E36_Visual_Item E39_Actor E41_Appellation E42_Identifier E52_Time-Span E53_Place
    E54_Dimension E55_Type E57_Material E58_Measurement_Unit E63_Beginning_of_Existence E67_Birth
    E69_Death E73_Information_Object E74_Group E78_Curated_Holding E89_Propositional_Object
    E12_Production E6_Destruction E9_Move E10_Transfer_of_Custody E11_Modification E13_Attribute_Assignment
    E7_Activity E17_Type_Assignment
    P1_is_identified_by P1i_identifies P2_has_type P3_has_note P4_has_time-span P7_took_place_at
    P10_falls_within P10i_contains
    P9_consists_of P14_carried_out_by P16_used_specific_object P32_used_general_technique
    P43_has_dimension P45_consists_of P46_is_composed_of P50_has_current_keeper P50i_is_current_keeper_of
    P52_has_current_owner P55_has_current_location P62_depicts P65_shows_visual_item P67_refers_to
    P67i_is_referred_to_by P72_has_language P74_has_current_or_former_residence P82_at_some_time_within
    P82a_begin_of_the_begin P82b_end_of_the_end P89_falls_within P90_has_value P91_has_unit
    P94i_was_created_by P102_has_title P104_is_subject_to P106_is_composed_of P108_has_produced
    P108i_was_produced_by P127_has_broader_term P128_carries P129_is_about P138_represents
    P138i_has_representation P168_place_is_defined_by P190_has_symbolic_content P12i_was_present_at
    P12_occurred_in_the_presence_of P11_had_participant P13i_was_destroyed_by P31i_was_modified_by
    P33_used_specific_technique P126_employed P25i_moved_by P24i_changed_ownership_through
    P30i_custody_transferred_through
    """,
)

# Linked Art extensions (https://linked.art/ns/terms/).
LA = ClosedNamespace(
    "https://linked.art/ns/terms/",
    """
    digitally_shown_by digitally_carried_by access_point DigitalObject DigitalService equivalent
    member_of Set has_member
    """,
)

RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
DC = Namespace("http://purl.org/dc/elements/1.1/")
PROV = Namespace("http://www.w3.org/ns/prov#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
VOID = Namespace("http://rdfs.org/ns/void#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
SCHEMA = Namespace("http://schema.org/")
WGS84 = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
# Getty AAT, used for Linked Art's standard classifications (primary title, accession number, ...).
AAT = Namespace("http://vocab.getty.edu/aat/")
# The hub's own small vocabulary (harvest runs, record graphs): kept minimal, everything else is CRM/PROV.
SROM = Namespace("https://w3id.org/srom/ns#")

# The Erlangen CRM namespace some museums (the British Museum among them) publish; normalised to CRM.
ERLANGEN_CRM = "http://erlangen-crm.org/current/"

PREFIXES: dict[str, str] = {
    "crm": str(CRM),
    "la": str(LA),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "owl": str(OWL),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "dc": str(DC),
    "prov": str(PROV),
    "dcat": str(DCAT),
    "void": str(VOID),
    "foaf": str(FOAF),
    "schema": str(SCHEMA),
    "wgs": str(WGS84),
    "aat": str(AAT),
    "srom": str(SROM),
}


def sparql_prologue(names: tuple[str, ...] | None = None) -> str:
    """PREFIX declarations for the hub's namespaces (all, or the ``names`` given), for stored queries."""
    chosen = names or tuple(PREFIXES)
    return "".join(f"PREFIX {n}: <{PREFIXES[n]}>\n" for n in chosen)
