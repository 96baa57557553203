"""The crm-rdf mapping: CIDOC-CRM RDF in the Erlangen namespace (British Museum style) and in the official
one maps to the shapes of ontology/MODEL.md, checked with SPARQL ASK over the mapped record."""

from __future__ import annotations

import random
from pathlib import Path

import pyoxigraph as ox
import pytest

from mappings import MappingContext, RecordError, get_mapping
from ontology.iris import IriMinter
from ontology.validation import validate_record
from tests.support.rdf_helpers import ask, subjects

FIXTURE = Path(__file__).resolve().parent / "data" / "crm_rdf" / "samarkand-erlangen.ttl"
MINTER = IriMinter("https://hub.example.org")
CTX = MappingContext(minter=MINTER, museum="sam-test")
BASE = "http://collection.example-samarkand.org/id/object/"


def dump_text(rename_blank_nodes: bool = False) -> str:
    """The whole fixture as N-Triples: the mapping picks its object and that object's nodes out of it."""
    quads = ox.parse(path=str(FIXTURE), rename_blank_nodes=rename_blank_nodes)
    return "".join(f"{q.subject} {q.predicate} {q.object} .\n" for q in quads)


def mapped(key: str, text: str | None = None):
    return get_mapping("crm-rdf").map_record(text or dump_text(), CTX, source_id=BASE + key)


def test_erlangen_is_normalised_to_crm_and_the_object_reminted() -> None:
    rec = mapped("SAM-0001")
    assert "erlangen-crm.org" not in rec.ntriples + rec.shared_ntriples
    assert "Man-Made" not in rec.ntriples
    assert rec.object_iri == MINTER.object("sam-test", BASE + "SAM-0001")
    assert ask(rec, f"?o a crm:E22_Human-Made_Object ; owl:sameAs <{BASE}SAM-0001>")
    assert ask(rec, f"?o crm:P50_has_current_keeper <{CTX.museum_iri}>")
    assert ask(rec, "?o crm:P49_has_former_or_current_keeper "
                    "<http://collection.example-samarkand.org/id/department/metalwork>")
    # the source's own properties stay, on the hub's IRI
    assert ask(rec, "?o <http://collection.example-samarkand.org/ontology/PX_physical_description> ?d")


def test_titles_and_identifiers_in_the_model_shape() -> None:
    rec = mapped("SAM-0001")
    assert ask(rec, '?o rdfs:label "Silver bowl with a royal hunting scene"@en, '
                    '"Серебряная чаша со сценой царской охоты"@ru')
    assert ask(rec, """?o crm:P1_is_identified_by ?t . ?t a crm:E35_Title ; crm:P2_has_type aat:300404670 ;
                       crm:P190_has_symbolic_content "Silver bowl with a royal hunting scene"@en""")
    # identifiers written as rdfs:label gain P190; the preferred identifier (P48) is an identifier too
    assert ask(rec, '?o crm:P1_is_identified_by ?i . ?i a crm:E42_Identifier ; '
                    'crm:P190_has_symbolic_content "SAM.2003.41"')
    assert ask(rec, '?o crm:P1_is_identified_by ?i . ?i crm:P190_has_symbolic_content "SAM-0001"')
    # a label on the object itself, without names, becomes its title
    coin = mapped("SAM-0002")
    assert ask(coin, """?o rdfs:label "Gold dinar of Kanishka I"@en ; crm:P1_is_identified_by ?n .
                        ?n a crm:E33_E41_Linguistic_Appellation ; crm:P2_has_type aat:300404670 ;
                           crm:P190_has_symbolic_content "Gold dinar of Kanishka I"@en""")


def test_production_parts_lifted_and_bounds_as_datetimes() -> None:
    rec = mapped("SAM-0001")
    obj = rec.object_iri
    assert ask(rec, f"""?o crm:P108i_was_produced_by <{obj}/production> .
        <{obj}/production> crm:P4_has_time-span ?t ; crm:P9_consists_of <{obj}/production/1> .
        ?t crm:P82a_begin_of_the_begin "0601-01-01T00:00:00"^^xsd:dateTime ;
           crm:P82b_end_of_the_end "0800-12-31T23:59:59"^^xsd:dateTime""")
    assert not ask(rec, '?t crm:P82a_begin_of_the_begin "0601-01-01"^^xsd:date')
    assert ask(rec, f"<{obj}/production> crm:P7_took_place_at <http://collection.example-samarkand.org/id/place/samarkand>,"
                    " <https://w3id.org/srom/concept/place/samarkand>")
    assert ask(rec, "?o crm:P45_consists_of <https://w3id.org/srom/concept/material/silver>")
    # gYear bounds, a blank production and a blank place (which becomes the museum's term)
    coin = mapped("SAM-0002")
    assert ask(coin, """?o crm:P108i_was_produced_by/crm:P4_has_time-span ?t .
        ?t crm:P82a_begin_of_the_begin "0127-01-01T00:00:00"^^xsd:dateTime ;
           crm:P82b_end_of_the_end "0150-12-31T23:59:59"^^xsd:dateTime""")
    bactria = MINTER.local_term("sam-test", "place", "Bactria")
    assert ask(coin, f'?o crm:P108i_was_produced_by/crm:P7_took_place_at <{bactria}> . '
                     f'GRAPH sh: {{ <{bactria}> a crm:E53_Place ; rdfs:label "Bactria"@en }}')
    assert ("place", "Bactria", "en") in coin.unmatched
    # a span given only as a named period gets the period's years and the period itself
    mirror = mapped("SAM-0003")
    assert ask(mirror, """?o crm:P108i_was_produced_by ?p .
        ?p crm:P10_falls_within <https://w3id.org/srom/concept/period/tang> ; crm:P4_has_time-span ?t .
        ?t crm:P82a_begin_of_the_begin "0618-01-01T00:00:00"^^xsd:dateTime""")


def test_blank_nodes_parts_and_measurements() -> None:
    rec = mapped("SAM-0001")
    obj = rec.object_iri
    assert ask(rec, f"""?o crm:P43_has_dimension ?d . ?d a crm:E54_Dimension ; crm:P90_has_value "14.2"^^xsd:decimal .
                        FILTER(STRSTARTS(STR(?d), "{obj}/dimension/"))""")
    assert ask(rec, f"?o crm:P46_is_composed_of <{obj}/part/1> . <{obj}/part/1> a crm:E24_Physical_Human-Made_Thing")
    assert not ask(rec, f"<{obj}/part/1> a crm:E22_Human-Made_Object")


def test_record_holds_its_own_nodes_only() -> None:
    rec = mapped("SAM-0001")
    assert all(s == rec.object_iri or s.startswith(rec.object_iri + "/") for s in subjects(rec.ntriples))
    assert "SAM-0002" not in rec.ntriples + rec.shared_ntriples
    # of a shared term, only its class and labels travel (not the group's residence)
    group = "http://collection.example-samarkand.org/id/person/sogdian-silversmiths"
    assert ask(rec, f'GRAPH sh: {{ <{group}> a crm:E74_Group ; rdfs:label "Sogdian silversmiths"@en }}')
    assert not ask(rec, f"<{group}> crm:P74_has_current_or_former_residence ?x")
    assert not any(s.startswith(rec.object_iri) for s in subjects(rec.shared_ntriples))


@pytest.mark.parametrize("key", ["SAM-0001", "SAM-0002", "SAM-0003"])
def test_same_description_same_triples(key: str) -> None:
    first = mapped(key)
    lines = dump_text(rename_blank_nodes=True).splitlines(keepends=True)
    random.Random(3).shuffle(lines)
    again = mapped(key, "".join(lines))
    assert "_:" not in first.ntriples
    assert first.ntriples == again.ntriples and first.shared_ntriples == again.shared_ntriples
    report = validate_record(first.ntriples, first.shared_ntriples)
    assert report.conforms, report.reason()


def test_takes_pyoxigraph_triples_too() -> None:
    triples = [q.triple for q in ox.parse(path=str(FIXTURE))]
    rec = get_mapping("crm-rdf").map_record(triples, CTX, source_id=BASE + "SAM-0003")
    assert rec.ntriples == mapped("SAM-0003").ntriples


def test_unmappable_records_are_record_errors() -> None:
    mapping = get_mapping("crm-rdf")
    assert mapping.root_tags == () and mapping.format_name == "crm-rdf"
    with pytest.raises(RecordError, match="no triples"):
        mapping.map_record("", CTX, source_id="x")
    with pytest.raises(RecordError, match="not valid N-Triples"):
        mapping.map_record("<a> <b> .", CTX, source_id="x")
    with pytest.raises(RecordError, match="no crm:E22"):
        mapping.map_record('<http://x.org/p> <http://www.w3.org/2000/01/rdf-schema#label> "a person" .', CTX)
    with pytest.raises(RecordError, match="3 objects in one record"):
        mapping.map_record(dump_text(), CTX, source_id="http://elsewhere.org/1")
    untitled = (f'<{BASE}X> a <http://erlangen-crm.org/current/E22_Man-Made_Object> .\n')
    with pytest.raises(RecordError, match="neither a title nor an identifier"):
        mapping.map_record(untitled.replace(" a ", " <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "), CTX)
