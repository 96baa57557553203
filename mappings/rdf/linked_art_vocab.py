"""The Linked Art JSON-LD vocabulary as the hub reads it: compact keys and class names -> RDF terms.

Written for the hub from the CIDOC-CRM 7.1 and Linked Art model documentation (not copied from a published
context), covering what Linked Art uses to describe objects. It is the one source of truth for
``mappings.rdf.linked_art`` (which walks the compact JSON with these tables, so no context is ever fetched)
and for :func:`jsonld_context`, the context the RDF-dump harvester substitutes for the published Linked
Art context URLs (``https://linked.art/ns/v1/linked-art.json``, the Getty's ``v1.1.0`` copy) before
pyoxigraph parses a JSON-LD dump: pyoxigraph refuses remote contexts, and the hub never fetches one.

Both Linked Art generations are covered: the older model (``ManMadeObject``, ``label``, ``value`` for
text content) and the current one (``HumanMadeObject``, ``_label``, ``content``).
"""

from __future__ import annotations

from typing import Any

from ontology.namespaces import CRM, DC, DCTERMS, LA, OWL, RDFS, SKOS

# Context URLs of the published Linked Art contexts (the hub reads their documents without them).
CONTEXT_URLS = frozenset(
    {
        "https://linked.art/ns/v1/linked-art.json",
        "http://linked.art/ns/v1/linked-art.json",
        "https://static.getty.edu/contexts/linked.art/ns/v1.1.0/linked-art.json",
    }
)

DIG = "http://www.ics.forth.gr/isl/CRMdig/"
SCI = "http://www.ics.forth.gr/isl/CRMsci/"
# Prefixes of compact IRIs found in Linked Art documents. The vocabulary prefixes (aat:, tgn:...) were
# declared by early contexts and are still written by museums whose current context lacks them.
PREFIXES: dict[str, str] = {
    "crm": str(CRM),
    "la": str(LA),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": str(RDFS),
    "skos": str(SKOS),
    "owl": str(OWL),
    "dc": str(DC),
    "dcterms": str(DCTERMS),
    "schema": "http://schema.org/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dig": DIG,
    "sci": SCI,
    "ore": "http://www.openarchives.org/ore/terms/",
    "aat": "http://vocab.getty.edu/aat/",
    "tgn": "http://vocab.getty.edu/tgn/",
    "ulan": "http://vocab.getty.edu/ulan/",
    "nm": "http://nomisma.org/id/",
    "wd": "http://www.wikidata.org/entity/",
    "relators": "http://id.loc.gov/vocabulary/relators/",
}
# Getty's human-readable pages stand for the concepts themselves ("page/aat/300041340").
PAGE_PREFIXES = {
    "http://vocab.getty.edu/page/aat/": "http://vocab.getty.edu/aat/",
    "http://vocab.getty.edu/page/tgn/": "http://vocab.getty.edu/tgn/",
    "http://vocab.getty.edu/page/ulan/": "http://vocab.getty.edu/ulan/",
}

_C = str(CRM)
CLASSES: dict[str, str] = {
    "HumanMadeObject": _C + "E22_Human-Made_Object",
    "ManMadeObject": _C + "E22_Human-Made_Object",
    "PhysicalHumanMadeThing": _C + "E24_Physical_Human-Made_Thing",
    "HumanMadeFeature": _C + "E25_Human-Made_Feature",
    "PhysicalObject": _C + "E19_Physical_Object",
    "PhysicalThing": _C + "E18_Physical_Thing",
    "Name": _C + "E33_E41_Linguistic_Appellation",
    "Appellation": _C + "E41_Appellation",
    "Identifier": _C + "E42_Identifier",
    "Title": _C + "E35_Title",
    "LinguisticObject": _C + "E33_Linguistic_Object",
    "Inscription": _C + "E34_Inscription",
    "VisualItem": _C + "E36_Visual_Item",
    "InformationObject": _C + "E73_Information_Object",
    "Mark": _C + "E37_Mark",
    "Type": _C + "E55_Type",
    "Material": _C + "E57_Material",
    "Language": _C + "E56_Language",
    "MeasurementUnit": _C + "E58_Measurement_Unit",
    "Currency": _C + "E98_Currency",
    "Place": _C + "E53_Place",
    "Actor": _C + "E39_Actor",
    "Person": _C + "E21_Person",
    "Group": _C + "E74_Group",
    "TimeSpan": _C + "E52_Time-Span",
    "Period": _C + "E4_Period",
    "Event": _C + "E5_Event",
    "Activity": _C + "E7_Activity",
    "Production": _C + "E12_Production",
    "Creation": _C + "E65_Creation",
    "Acquisition": _C + "E8_Acquisition",
    "Move": _C + "E9_Move",
    "TransferOfCustody": _C + "E10_Transfer_of_Custody",
    "Modification": _C + "E11_Modification",
    "Destruction": _C + "E6_Destruction",
    "AttributeAssignment": _C + "E13_Attribute_Assignment",
    "Dimension": _C + "E54_Dimension",
    "MonetaryAmount": _C + "E97_Monetary_Amount",
    "Right": _C + "E30_Right",
    "CuratedHolding": _C + "E78_Curated_Holding",
    "PropositionalObject": _C + "E89_Propositional_Object",
    "DigitalObject": DIG + "D1_Digital_Object",
    "DigitalService": LA.DigitalService,
    "Set": LA.Set,
    "Encounter": SCI + "S19_Encounter_Event",
}

# Property keys -> (IRI, value kind). Kinds: "ref" (a node or IRI), "text" (a string literal, language
# from the node's "language"), "date" (xsd:dateTime), "number" (a decimal), "literal" (a plain string).
PROPERTIES: dict[str, tuple[str, str]] = {
    "_label": (RDFS.label, "text"),
    "label": (RDFS.label, "text"),
    "content": (_C + "P190_has_symbolic_content", "text"),
    "identified_by": (_C + "P1_is_identified_by", "ref"),
    "classified_as": (_C + "P2_has_type", "ref"),
    "referred_to_by": (_C + "P67i_is_referred_to_by", "ref"),
    "refers_to": (_C + "P67_refers_to", "ref"),
    "about": (_C + "P129_is_about", "ref"),
    "subject_of": (_C + "P129i_is_subject_of", "ref"),
    "produced_by": (_C + "P108i_was_produced_by", "ref"),
    "created_by": (_C + "P94i_was_created_by", "ref"),
    "destroyed_by": (_C + "P13i_was_destroyed_by", "ref"),
    "modified_by": (_C + "P31i_was_modified_by", "ref"),
    "timespan": (_C + "P4_has_time-span", "ref"),
    "took_place_at": (_C + "P7_took_place_at", "ref"),
    "carried_out_by": (_C + "P14_carried_out_by", "ref"),
    "participant": (_C + "P11_had_participant", "ref"),
    "technique": (_C + "P32_used_general_technique", "ref"),
    "used_specific_object": (_C + "P16_used_specific_object", "ref"),
    "influenced_by": (_C + "P15_was_influenced_by", "ref"),
    "motivated_by": (_C + "P17_was_motivated_by", "ref"),
    "caused_by": (SCI + "O13i_is_triggered_by", "ref"),
    "made_of": (_C + "P45_consists_of", "ref"),
    "dimension": (_C + "P43_has_dimension", "ref"),
    "value": (_C + "P90_has_value", "number"),
    "lower_value_limit": (_C + "P90a_has_lower_value_limit", "number"),
    "upper_value_limit": (_C + "P90b_has_upper_value_limit", "number"),
    "unit": (_C + "P91_has_unit", "ref"),
    "currency": (_C + "P180_has_currency", "ref"),
    "shows": (_C + "P65_shows_visual_item", "ref"),
    "represents": (_C + "P138_represents", "ref"),
    "represents_instance_of_type": (_C + "P199_represents_instance_of_type", "ref"),
    "depicts": (_C + "P62_depicts", "ref"),
    "representation": (_C + "P138i_has_representation", "ref"),
    "carries": (_C + "P128_carries", "ref"),
    "current_keeper": (_C + "P50_has_current_keeper", "ref"),
    "current_owner": (_C + "P52_has_current_owner", "ref"),
    "current_location": (_C + "P55_has_current_location", "ref"),
    "current_permanent_location": (_C + "P54_has_current_permanent_location", "ref"),
    "changed_ownership_through": (_C + "P24i_changed_ownership_through", "ref"),
    "custody_transferred_through": (_C + "P30i_custody_transferred_through", "ref"),
    "moved_by": (_C + "P25i_moved_by", "ref"),
    "subject_to": (_C + "P104_is_subject_to", "ref"),
    "attributed_by": (_C + "P140i_was_attributed_by", "ref"),
    "assigned_by": (_C + "P141i_was_assigned_by", "ref"),
    "assigned": (_C + "P141_assigned", "ref"),
    "assigned_to": (_C + "P140_assigned_attribute_to", "ref"),
    "language": (_C + "P72_has_language", "ref"),
    "note": (_C + "P3_has_note", "literal"),
    "defined_by": (_C + "P168_place_is_defined_by", "literal"),
    "during": (_C + "P10_falls_within", "ref"),
    "begin_of_the_begin": (_C + "P82a_begin_of_the_begin", "date"),
    "end_of_the_end": (_C + "P82b_end_of_the_end", "date"),
    "end_of_the_begin": (_C + "P81a_end_of_the_begin", "date"),
    "begin_of_the_end": (_C + "P81b_begin_of_the_end", "date"),
    "digitally_shown_by": (LA.digitally_shown_by, "ref"),
    "digitally_carried_by": (LA.digitally_carried_by, "ref"),
    "access_point": (LA.access_point, "ref"),
    "digitally_available_via": (str(LA) + "digitally_available_via", "ref"),
    "equivalent": (LA.equivalent, "ref"),
    "exact_match": (SKOS.exactMatch, "ref"),
    "close_match": (SKOS.closeMatch, "ref"),
    "conforms_to": (DCTERMS.conformsTo, "ref"),
    "format": (DC.term("format"), "literal"),
    "related": (DCTERMS.relation, "ref"),
}

# "part", "part_of", "member", "member_of" mean different CRM properties depending on the class.
_PHYSICAL = ("E22_Human-Made_Object", "E24_Physical_Human-Made_Thing", "E25_Human-Made_Feature",
             "E19_Physical_Object", "E18_Physical_Thing")
_ACTIVITY = ("E5_Event", "E7_Activity", "E12_Production", "E65_Creation", "E8_Acquisition", "E9_Move",
             "E10_Transfer_of_Custody", "E11_Modification", "E6_Destruction", "E13_Attribute_Assignment",
             "E4_Period")
_SYMBOLIC = ("E33_Linguistic_Object", "E34_Inscription", "E36_Visual_Item", "E73_Information_Object",
             "E33_E41_Linguistic_Appellation", "E41_Appellation", "E42_Identifier", "E35_Title", "E37_Mark")
_TERMS = ("E55_Type", "E57_Material", "E56_Language", "E58_Measurement_Unit", "E98_Currency")
_ACTORS = ("E39_Actor", "E21_Person", "E74_Group")
SCOPED: dict[str, dict[str, str]] = {
    "part": {
        **{c: "P46_is_composed_of" for c in _PHYSICAL},
        **{c: "P9_consists_of" for c in _ACTIVITY},
        **{c: "P106_is_composed_of" for c in _SYMBOLIC},
        "E52_Time-Span": "P86i_contains",
        "E53_Place": "P89i_contains",
    },
    "part_of": {
        **{c: "P46i_forms_part_of" for c in _PHYSICAL},
        **{c: "P9i_forms_part_of" for c in _ACTIVITY},
        **{c: "P106i_forms_part_of" for c in _SYMBOLIC},
        "E52_Time-Span": "P86_falls_within",
        "E53_Place": "P89_falls_within",
    },
    "member_of": {c: "P107i_is_current_or_former_member_of" for c in _ACTORS},
    "member": {c: "P107_has_current_or_former_member" for c in _ACTORS},
}
# Outside the classes above: Linked Art's set membership, SKOS hierarchy for terms.
SCOPED_DEFAULT = {
    "part": None,
    "part_of": None,
    "member_of": LA.member_of,
    "member": LA.has_member,
}
_TERM_HIERARCHY = {"part": SKOS.narrower, "part_of": SKOS.broader}


def scoped_property(key: str, class_iris: list[str]) -> str | None:
    """The IRI ``key`` stands for on a node of the given classes (None: not mapped)."""
    table = SCOPED[key]
    for cls in class_iris:
        local = cls.rsplit("/", 1)[-1]
        if local in table:
            return _C + table[local]
        if local in _TERMS and key in _TERM_HIERARCHY:
            return _TERM_HIERARCHY[key]
    return SCOPED_DEFAULT[key]


# Getty AAT language concepts -> BCP 47 tags (Linked Art gives a text's language as an AAT concept).
LANGUAGES: dict[str, str] = {
    "300388277": "en", "300388113": "zh", "300388127": "zh", "300388306": "fr", "300388344": "de",
    "300389168": "ru", "300387843": "ar", "300388633": "ko", "300389470": "tr", "300389510": "uz",
    "300389511": "uz", "300388474": "it", "300389311": "es", "300388256": "nl", "300388693": "la",
    "300388296": "fa", "300388208": "fa", "300389350": "tg", "300388568": "kk", "300388668": "ky",
    "300389509": "ug", "300389410": "bo", "300388900": "mn", "300389205": "sa", "300389502": "ur",
    "300388401": "he", "300388343": "ka", "300389115": "pt", "300389337": "syc", "300389473": "tk",
    "300389109": "pl", "300388412": "hi", "300389070": "ps",
}


def jsonld_context() -> dict[str, Any]:
    """A JSON-LD 1.1 context equivalent to what the hub reads, for parsing Linked Art as RDF."""
    ctx: dict[str, Any] = {"@version": 1.1, "id": "@id", "type": "@type", **PREFIXES}
    for key, (prop, kind) in PROPERTIES.items():
        entry: dict[str, Any] = {"@id": prop}
        if kind == "ref":
            entry["@type"] = "@id"
        elif kind == "date":
            entry["@type"] = PREFIXES["xsd"] + "dateTime"
        ctx[key] = entry
    ctx["value"] = {"@id": _C + "P90_has_value"}  # a JSON number stays a typed literal
    for name, cls in CLASSES.items():
        scoped: dict[str, Any] = {}
        local = cls.rsplit("/", 1)[-1]
        for key in SCOPED:
            scoped_iri = scoped_property(key, [cls])
            if scoped_iri:
                scoped[key] = {"@id": scoped_iri, "@type": "@id"}
        ctx[name] = {"@id": cls, "@context": scoped} if scoped else {"@id": cls}
        if local in _SYMBOLIC:  # the older model wrote a name's text as "value"
            ctx[name].setdefault("@context", {})["value"] = {"@id": _C + "P190_has_symbolic_content"}
    return ctx
