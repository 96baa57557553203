"""oai_dc mapping: output shapes (SPARQL ASK over the record's triples), languages, dates, images,
broken records and determinism."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from mappings import MappedRecord, MappingContext, RecordError, get_mapping, map_stream, parse_bytes
from ontology.iris import IriMinter
from ontology.namespaces import sparql_prologue

DATA = Path(__file__).parent / "data" / "oai_dc"
BASE = "https://hub.example.org"


@pytest.fixture(scope="module")
def ctx() -> MappingContext:
    return MappingContext(minter=IriMinter(BASE), museum="xa-museum")


def records(name: str, ctx: MappingContext) -> list[MappedRecord | RecordError]:
    with (DATA / name).open("rb") as fh:
        return list(map_stream(fh, "oai_dc", ctx))


def ask(rec: MappedRecord, where: str) -> bool:
    store = ox.Store()
    store.load((rec.ntriples + rec.shared_ntriples).encode(), format=ox.RdfFormat.N_TRIPLES)
    return bool(store.query(sparql_prologue() + f"ASK {{ BIND(<{rec.object_iri}> AS ?o) {where} }}"))


@pytest.fixture(scope="module")
def camel(ctx) -> MappedRecord:
    rec = records("listrecords-silk-road.xml", ctx)[0]
    assert isinstance(rec, MappedRecord)
    return rec


def test_stream_yields_records_and_errors(ctx):
    recs = records("listrecords-silk-road.xml", ctx)
    assert [type(r).__name__ for r in recs] == ["MappedRecord"] * 3 + ["RecordError"]
    assert [r.source_id for r in recs[:3]] == ["HZ.2020.017", "NUM-0002", "NISA-R-9"]
    assert recs[3].source_id == "record #4"
    mapping = get_mapping("oai_dc")
    assert mapping.format_name == "oai_dc"
    assert mapping.root_tags == ("{http://www.openarchives.org/OAI/2.0/oai_dc/}dc",)
    assert all(r.mapping_version == "oai_dc/1" for r in recs[:3])


@pytest.mark.parametrize(
    "where",
    [
        "?o a crm:E22_Human-Made_Object ; rdfs:label 'Sancai-glazed camel with a Sogdian rider'@en,"
        " '三彩骆驼载乐俑'@zh",
        "?o crm:P1_is_identified_by ?n . ?n crm:P190_has_symbolic_content '三彩骆驼载乐俑'@zh ;"
        " crm:P2_has_type aat:300404670",
        "?o crm:P1_is_identified_by ?i . ?i a crm:E42_Identifier ; crm:P190_has_symbolic_content"
        " 'HZ.2020.017' ;"
        " crm:P2_has_type aat:300312355",
        # a URL identifier is not an inventory number; an image URL becomes an image, a page URL nothing
        "FILTER NOT EXISTS { ?i crm:P190_has_symbolic_content ?v . FILTER(STRSTARTS(?v, 'http')) }",
        "?o crm:P65_shows_visual_item/la:digitally_shown_by ?img . ?img a la:DigitalObject ;"
        " la:access_point <https://images.example.org/hz/HZ.2020.017.jpg>",
        "FILTER NOT EXISTS { ?x la:access_point <https://museum.example.org/objects/HZ.2020.017> }",
        "?o crm:P2_has_type ?t . ?t a crm:E55_Type ; rdfs:label 'figurine'@en",
        # dc:format: words are materials, MIME types are not
        "?o crm:P45_consists_of ?m . ?m a crm:E57_Material ; rdfs:label 'earthenware'@en",
        "FILTER NOT EXISTS { ?m rdfs:label 'image/jpeg' }",
        "?o crm:P108i_was_produced_by ?p . ?p a crm:E12_Production ; crm:P14_carried_out_by ?a ."
        " ?a a crm:E39_Actor ; rdfs:label 'Unknown potter, Luoyang workshops'",
        "?o crm:P108i_was_produced_by/crm:P4_has_time-span ?t . ?t rdfs:label 'Tang dynasty (618–907)' ;"
        " crm:P82a_begin_of_the_begin '0618-01-01T00:00:00'^^xsd:dateTime ;"
        " crm:P82b_end_of_the_end '0907-12-31T23:59:59'^^xsd:dateTime",
        "?o crm:P108i_was_produced_by/crm:P7_took_place_at ?pl . ?pl a crm:E53_Place ; rdfs:label"
        " 'Luoyang'@en",
        "?o crm:P67i_is_referred_to_by ?d . ?d crm:P2_has_type aat:300435416 ;"
        " crm:P190_has_symbolic_content ?txt ."
        " FILTER(LANG(?txt) = 'en')",
        "?o crm:P65_shows_visual_item/crm:P129_is_about ?s . ?s a crm:E55_Type ; rdfs:label 'camels'@en",
        "?o crm:P65_shows_visual_item/crm:P129_is_about ?s . ?s rdfs:label 'trade'@en",
        "?o crm:P67i_is_referred_to_by ?r . ?r crm:P2_has_type aat:300435434 ;"
        " crm:P190_has_symbolic_content 'CC BY 4.0'",
        f"?o crm:P50_has_current_keeper <{BASE}/id/museum/xa-museum>",
    ],
)
def test_oai_dc_shapes(camel, where):
    assert ask(camel, where), where


def test_dcterms_and_bce_dates(ctx):
    recs = records("listrecords-silk-road.xml", ctx)
    dinar, rhyton = recs[1], recs[2]
    assert ask(dinar, "?o crm:P45_consists_of ?m . ?m rdfs:label 'gold'@en")
    assert ask(dinar, "?o crm:P108i_was_produced_by/crm:P7_took_place_at ?p . ?p rdfs:label 'Bactria'@en")
    assert ask(dinar, "?o crm:P108i_was_produced_by/crm:P4_has_time-span ?t ."
                      " ?t crm:P82a_begin_of_the_begin '0101-01-01T00:00:00'^^xsd:dateTime")
    assert ask(rhyton, "?o crm:P108i_was_produced_by/crm:P4_has_time-span ?t ."
                       " ?t crm:P82a_begin_of_the_begin '-0200-01-01T00:00:00'^^xsd:dateTime ;"
                       " crm:P82b_end_of_the_end '-0101-12-31T23:59:59'^^xsd:dateTime")


def test_single_dc_document_first_date_wins(ctx):
    root = parse_bytes((DATA / "single-dc.xml").read_bytes())
    rec = get_mapping("oai_dc").map_record(root, ctx, source_id="oai:dh:42")
    assert rec.source_id == "oai:dh:42" and rec.label == "Buddhist banner painting from Cave 17"
    assert ask(rec, "?o rdfs:label 'Buddhist banner painting from Cave 17'")
    assert ask(rec, "?o crm:P108i_was_produced_by/crm:P4_has_time-span ?t . ?t rdfs:label 'c. 850' ;"
                    " crm:P82a_begin_of_the_begin '0850-01-01T00:00:00'^^xsd:dateTime")
    assert not ask(rec, "?t rdfs:label '1907'")
    assert ask(rec, "?r crm:P190_has_symbolic_content 'https://rightsstatements.org/vocab/NoC-NC/1.0/'")


def test_context_default_language(ctx):
    zh = MappingContext(minter=IriMinter(BASE), museum="xa-museum", default_language="en")
    root = parse_bytes((DATA / "single-dc.xml").read_bytes())
    rec = get_mapping("oai_dc").map_record(root, zh)
    assert ask(rec, "?o rdfs:label 'Buddhist banner painting from Cave 17'@en")


def test_record_without_title_or_identifier_is_an_error(ctx):
    root = parse_bytes(
        b'<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"'
        b' xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:subject>silk</dc:subject></oai_dc:dc>'
    )
    with pytest.raises(RecordError) as info:
        get_mapping("oai_dc").map_record(root, ctx, source_id="oai:x:1")
    assert info.value.source_id == "oai:x:1"


def test_deterministic(ctx):
    assert [getattr(r, "ntriples", None) for r in records("listrecords-silk-road.xml", ctx)] == [
        getattr(r, "ntriples", None) for r in records("listrecords-silk-road.xml", ctx)
    ]


# --- issue 13, point 13: DCMI Point / Box, DCMI Type and measurements are read as what they are ----------
DEMO_DC = Path(__file__).parent.parent / "demo" / "museums" / "koeln-glass" / "records.xml"


def dc_record(*elements: str, ctx: MappingContext) -> MappedRecord:
    body = "".join(elements)
    root = parse_bytes(
        '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/">'
        f'<dc:title xml:lang="en">Bowl</dc:title><dc:identifier>XA-1</dc:identifier>{body}</oai_dc:dc>'.encode()
    )
    return get_mapping("oai_dc").map_record(root, ctx)


PLACE = "?o crm:P108i_was_produced_by/crm:P7_took_place_at ?pl . ?pl a crm:E53_Place ; rdfs:label "


def test_a_dcmi_point_is_a_place_with_its_name_and_coordinates(ctx):
    rec = dc_record("<dc:coverage>name=Samarkand; east=66.9597; north=39.6542</dc:coverage>", ctx=ctx)
    assert ask(rec, PLACE + "'Samarkand' ; crm:P168_place_is_defined_by"
                            " 'POINT(66.9597 39.6542)'^^<http://www.opengis.net/ont/geosparql#wktLiteral>")
    assert not ask(rec, "?x rdfs:label ?l . FILTER(CONTAINS(?l, 'east='))")
    assert ask(rec, "?o crm:P108i_was_produced_by/crm:P7_took_place_at <https://w3id.org/srom/concept/place/samarkand>")
    assert rec.warnings == ()


def test_a_dcmi_box_is_a_place_at_its_centre(ctx):
    rec = dc_record("<dcterms:spatial xml:lang='en'>name=Sogdiana; northlimit=40.5; southlimit=38.5;"
                    " westlimit=65; eastlimit=69</dcterms:spatial>", ctx=ctx)
    assert ask(rec, PLACE + "'Sogdiana'@en ; crm:P168_place_is_defined_by"
                            " 'POINT(67 39.5)'^^<http://www.opengis.net/ont/geosparql#wktLiteral>")


@pytest.mark.parametrize(
    ("encoding", "reason"),
    [
        ("name=Samarkand; east=66.9597", "no north"),
        ("name=Samarkand; east=266.9; north=39.6", "east=266.9 is out of range"),
        ("name=Samarkand; east=66.9; north=-91", "north=-91 is out of range"),
        ("name=Samarkand; east=sixty-six; north=39.6", "is not a number"),
        ("name=Samarkand; east=nan; north=inf", "is not a number"),
        ("name=Samarkand; east=500000; north=4390000; projection=UTM zone 42N", "not WGS84"),
        ("name=Samarkand;;; =; east=; north=39.6", "no east"),
        ("name=Samarkand; southlimit=40; northlimit=38; westlimit=65; eastlimit=69", "southlimit is north"),
    ],
)
def test_a_broken_encoding_keeps_the_name_drops_the_coordinates_and_says_so(ctx, encoding, reason):
    rec = dc_record(f"<dc:coverage>{encoding}</dc:coverage>", ctx=ctx)
    assert ask(rec, PLACE + "'Samarkand'")
    assert not ask(rec, "?pl crm:P168_place_is_defined_by ?wkt")
    assert len(rec.warnings) == 1 and reason in rec.warnings[0] and "dropped the coordinates" in rec.warnings[0]


def test_plain_place_names_stay_as_they_were(ctx):
    rec = dc_record("<dc:coverage>Luoyang; Henan</dc:coverage><dc:coverage>x = y</dc:coverage>", ctx=ctx)
    assert ask(rec, PLACE + "'Luoyang; Henan'") and ask(rec, PLACE + "'x = y'")
    assert rec.warnings == ()


def test_dcmi_types_are_resource_types_not_object_types(ctx):
    rec = dc_record("<dc:type>PhysicalObject</dc:type><dc:type>Still Image</dc:type>"
                    "<dc:type>http://purl.org/dc/dcmitype/Text</dc:type><dc:type xml:lang='en'>bowl</dc:type>",
                    ctx=ctx)
    for term in ("PhysicalObject", "StillImage", "Text"):
        assert ask(rec, f"?o dcterms:type <http://purl.org/dc/dcmitype/{term}>"), term
    assert ask(rec, "?o crm:P2_has_type ?t . ?t rdfs:label 'bowl'@en")
    assert not ask(rec, "?o crm:P2_has_type ?t . ?t rdfs:label ?l . FILTER(?l != 'bowl'@en)")


@pytest.mark.parametrize(
    ("statement", "dimensions"),
    [
        ("H. 22 cm", [("300055644", "22", "300379098")]),
        ("H. 17 cm, Diam. 9,5 cm", [("300055644", "17", "300379098"), ("300055624", "9.5", "300379098")]),
        ("22 x 15 cm", [("300055644", "22", "300379098"), ("300055647", "15", "300379098")]),
        ("Höhe: 3 mm; Gewicht 4.20 g", [("300055644", "3", "300379097"), ("300056240", "4.2", "300379225")]),
    ],
)
def test_measurements_in_dc_format_are_dimensions_not_materials(ctx, statement, dimensions):
    rec = dc_record(f"<dc:format xml:lang='de'>Bronze</dc:format><dc:format>{statement}</dc:format>", ctx=ctx)
    assert ask(rec, "?o crm:P45_consists_of ?m . ?m rdfs:label 'Bronze'@de")
    assert not ask(rec, "?o crm:P45_consists_of ?m . ?m rdfs:label ?l . FILTER(?l != 'Bronze'@de)")
    for kind, value, unit in dimensions:
        assert ask(rec, f"?o crm:P43_has_dimension ?d . ?d a crm:E54_Dimension ; crm:P2_has_type aat:{kind} ;"
                        f" crm:P90_has_value '{value}'^^xsd:decimal ; crm:P91_has_unit aat:{unit}"), (kind, value)
    assert rec.warnings == ()


def test_a_statement_that_is_not_understood_is_neither_material_nor_dimension(ctx):
    rec = dc_record("<dc:format>2 pieces</dc:format><dc:format>image/jpeg</dc:format>", ctx=ctx)
    assert not ask(rec, "?o crm:P45_consists_of ?m") and not ask(rec, "?o crm:P43_has_dimension ?d")
    assert rec.warnings == ("measurements: '2 pieces' is not read as measurements (unknown unit 'pieces')",)


def test_the_demo_dublin_core_museum_maps_without_leftovers(ctx):
    with DEMO_DC.open("rb") as fh:
        recs = list(map_stream(fh, "oai_dc", ctx))
    assert len(recs) >= 10 and all(isinstance(r, MappedRecord) for r in recs)
    for rec in recs:
        assert isinstance(rec, MappedRecord)
        where = rec.source_id
        assert not ask(rec, "?o crm:P45_consists_of ?m . ?m rdfs:label ?l . FILTER(REGEX(?l, '[0-9]'))"), where
        assert not ask(rec, "?o crm:P2_has_type ?t . ?t rdfs:label ?l ."
                            " FILTER(REGEX(?l, 'physical ?object', 'i'))"), where
        assert not ask(rec, "?x rdfs:label ?l . FILTER(CONTAINS(?l, 'east=') || CONTAINS(?l, 'north='))"), where
        assert ask(rec, "?o dcterms:type <http://purl.org/dc/dcmitype/PhysicalObject>"), where
        assert ask(rec, "?o crm:P108i_was_produced_by/crm:P7_took_place_at/crm:P168_place_is_defined_by ?wkt"), where
        assert ask(rec, "?o crm:P43_has_dimension/crm:P91_has_unit ?u"), where
        assert rec.warnings == (), (where, rec.warnings)
