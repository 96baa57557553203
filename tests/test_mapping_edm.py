"""EDM mapping: output shapes (SPARQL ASK over the record's triples) for EDM external and internal
records, contextual entities followed through rdf:resource, images, and the engine's ``resolve``."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from mappings import MappedRecord, MappingContext, MappingError, RecordError, load_mapping, map_stream
from ontology.iris import IriMinter
from ontology.namespaces import sparql_prologue

DATA = Path(__file__).parent / "data" / "edm"
BASE = "https://hub.example.org"
TERM = f"{BASE}/id/term/sam-afrosiab"


@pytest.fixture(scope="module")
def ctx() -> MappingContext:
    return MappingContext(minter=IriMinter(BASE), museum="sam-afrosiab")


def records(name: str, ctx: MappingContext, mapping: object = "edm") -> list[MappedRecord | RecordError]:
    with (DATA / name).open("rb") as fh:
        return list(map_stream(fh, mapping, ctx))


def one(name: str, ctx: MappingContext) -> MappedRecord:
    (rec,) = records(name, ctx)
    assert isinstance(rec, MappedRecord), rec
    return rec


def ask(rec: MappedRecord, where: str) -> bool:
    store = ox.Store()
    store.load((rec.ntriples + rec.shared_ntriples).encode(), format=ox.RdfFormat.N_TRIPLES)
    return bool(store.query(sparql_prologue() + f"ASK {{ BIND(<{rec.object_iri}> AS ?o) {where} }}"))


# --- EDM external: properties on edm:ProvidedCHO --------------------------------------------------------


@pytest.fixture(scope="module")
def samite(ctx) -> MappedRecord:
    return one("external-zandaniji-silk.xml", ctx)


def test_external_record_identity(samite):
    assert samite.source_id == "https://collections.example.org/sam-afrosiab/object/SA.2019.7"
    assert samite.mapping_version == "edm/1"
    assert samite.label == "Samite fragment with paired rams in pearl roundels"
    assert "_:" not in samite.ntriples


@pytest.mark.parametrize(
    "where",
    [
        "?o a crm:E22_Human-Made_Object ; rdfs:label 'Samite fragment with paired rams in pearl roundels'@en,"
        " 'Фрагмент самита с парными баранами в жемчужных медальонах'@ru",
        # the alternative title is a name, not a label
        "?o crm:P1_is_identified_by ?n . ?n crm:P190_has_symbolic_content 'Zandaniji silk'@en ;"
        " crm:P2_has_type aat:300417227",
        "FILTER NOT EXISTS { ?o rdfs:label 'Zandaniji silk'@en }",
        # inventory number; the URL in dc:identifier is not one
        "?o crm:P1_is_identified_by ?i . ?i a crm:E42_Identifier ; crm:P190_has_symbolic_content 'SA.2019.7' ;"
        " crm:P2_has_type aat:300312355",
        "FILTER NOT EXISTS { ?o crm:P1_is_identified_by ?i . ?i crm:P2_has_type aat:300312355 ;"
        " crm:P190_has_symbolic_content ?v . FILTER(STRSTARTS(?v, 'http')) }",
        # dc:type -> the skos:Concept it refers to, with that entity's labels
        "?o crm:P2_has_type <https://data.example.org/concept/textile-fragment> ."
        " <https://data.example.org/concept/textile-fragment> a crm:E55_Type ;"
        " rdfs:label 'textile fragment'@en, '织物残片'@zh",
        # dcterms:medium -> the concept, named by its AAT exactMatch (preferred vocabulary)
        "?o crm:P45_consists_of aat:300243428 . aat:300243428 a crm:E57_Material ;"
        " rdfs:label 'silk'@en, 'шёлк'@ru, '丝绸'@zh",
        # dc:format words are materials, extents are not
        f"?o crm:P45_consists_of <{TERM}/material/samite>",
        "FILTER NOT EXISTS { ?o crm:P45_consists_of ?m . ?m rdfs:label ?l . FILTER(CONTAINS(?l, 'cm')) }",
        # dcterms:created -> edm:TimeSpan with edm:begin / edm:end
        "?o crm:P108i_was_produced_by/crm:P4_has_time-span ?t . ?t rdfs:label '7th–8th century'@en ;"
        " crm:P82a_begin_of_the_begin '0601-01-01T00:00:00'^^xsd:dateTime ;"
        " crm:P82b_end_of_the_end '0800-12-31T23:59:59'^^xsd:dateTime",
        # dcterms:spatial -> edm:Place with WGS84 coordinates as WKT (lon lat)
        "?o crm:P108i_was_produced_by/crm:P7_took_place_at <https://data.example.org/place/sogdiana> ."
        " <https://data.example.org/place/sogdiana> a crm:E53_Place ; rdfs:label 'Sogdiana'@en, '粟特'@zh ;"
        " crm:P168_place_is_defined_by 'POINT(66.97 39.65)'^^<http://www.opengis.net/ont/geosparql#wktLiteral>",
        # subjects: a literal and a referenced concept
        f"?o crm:P65_shows_visual_item/crm:P129_is_about <{TERM}/subject/rams>",
        "?o crm:P65_shows_visual_item/crm:P129_is_about ?s . ?s rdfs:label 'pearl roundel'@en",
        # the image is edm:isShownBy (not the edm:object thumbnail)
        "?o crm:P65_shows_visual_item/la:digitally_shown_by ?img . ?img a la:DigitalObject ;"
        " la:access_point <https://images.example.org/sam-afrosiab/SA.2019.7.jpg>",
        "FILTER NOT EXISTS { ?o crm:P65_shows_visual_item/la:digitally_shown_by/la:access_point"
        " <https://images.example.org/sam-afrosiab/thumbs/SA.2019.7.jpg> }",
        # rights (edm:rights URI as text), data provider as credit line, the hub museum as keeper
        "?o crm:P67i_is_referred_to_by ?r . ?r crm:P2_has_type aat:300435434 ;"
        " crm:P190_has_symbolic_content 'http://creativecommons.org/licenses/by/4.0/'",
        "?o crm:P67i_is_referred_to_by ?c . ?c crm:P2_has_type aat:300026687 ;"
        " crm:P190_has_symbolic_content 'Afrasiab Museum of Samarkand'@en",
        f"?o crm:P50_has_current_keeper <{BASE}/id/museum/sam-afrosiab>",
        "?o crm:P67i_is_referred_to_by ?d . ?d crm:P2_has_type aat:300435416 ; crm:P190_has_symbolic_content ?x ."
        " FILTER(STRSTARTS(?x, 'Weft-faced compound twill'))",
    ],
)
def test_external_shapes(samite, where):
    assert ask(samite, where), where


def test_shared_terms_go_to_the_vocabulary_side(samite):
    # Labels of concepts and places describe shared terms: never in the record graph itself.
    assert '"Sogdiana"@en' not in samite.ntriples and '"Sogdiana"@en' in samite.shared_ntriples
    assert "<http://vocab.getty.edu/aat/300243428> <http://www.w3.org/2000/01/rdf-schema#label>" in (
        samite.shared_ntriples
    )


# --- EDM internal: empty ProvidedCHO, provider proxy + Europeana proxy --------------------------------------


@pytest.fixture(scope="module")
def sutra(ctx) -> MappedRecord:
    return one("internal-dunhuang-sutra.xml", ctx)


@pytest.mark.parametrize(
    "where",
    [
        "?o rdfs:label '金刚般若波罗蜜经 残卷'@zh, 'Diamond Sutra, fragment of a scroll'@en",
        # Europeana's own proxy is enrichment, not the museum's title
        "FILTER NOT EXISTS { ?o crm:P1_is_identified_by/crm:P190_has_symbolic_content ?t ."
        " FILTER(CONTAINS(?t, 'Enrichment')) }",
        "?o crm:P1_is_identified_by/crm:P190_has_symbolic_content 'DH.0413'",
        f"?o crm:P2_has_type <{BASE}/id/term/sam-afrosiab/type/manuscript>",
        f"?o crm:P45_consists_of <{BASE}/id/term/sam-afrosiab/material/paper>",
        "FILTER NOT EXISTS { ?o crm:P45_consists_of ?m . ?m rdfs:label 'ink on paper, 26 x 48 cm'@en }",
        # dc:creator -> edm:Agent
        "?o crm:P108i_was_produced_by/crm:P14_carried_out_by <https://data.example.org/agent/dunhuang-scriptorium> ."
        " <https://data.example.org/agent/dunhuang-scriptorium> a crm:E39_Actor ;"
        " rdfs:label 'Dunhuang monastery scriptorium'@en, '敦煌寺院写经坊'@zh",
        # Europeana's enrichment: a time-span with Java-style dates, a place (WGS84 namespace without '#')
        "?o crm:P108i_was_produced_by/crm:P4_has_time-span ?t . ?t rdfs:label '9th century'@en ;"
        " crm:P82a_begin_of_the_begin '0801-01-01T00:00:00'^^xsd:dateTime ;"
        " crm:P82b_end_of_the_end '0900-12-31T23:59:59'^^xsd:dateTime",
        "?o crm:P108i_was_produced_by/crm:P7_took_place_at ?p . ?p rdfs:label 'Dunhuang'@en ;"
        " crm:P168_place_is_defined_by 'POINT(94.66 40.14)'^^<http://www.opengis.net/ont/geosparql#wktLiteral>",
        # isShownBy is a PDF: the thumbnail is the image
        "?o crm:P65_shows_visual_item/la:digitally_shown_by/la:access_point"
        " <https://images.example.org/dunhuang/DH.0413-thumb.jpg>",
        "FILTER NOT EXISTS { ?o crm:P65_shows_visual_item/la:digitally_shown_by/la:access_point"
        " <https://images.example.org/dunhuang/DH.0413.pdf> }",
        # the data provider is a foaf:Organization entity: its names
        "?o crm:P67i_is_referred_to_by ?c . ?c crm:P2_has_type aat:300026687 ;"
        " crm:P190_has_symbolic_content 'Dunhuang Academy'@en",
    ],
)
def test_internal_shapes(sutra, where):
    assert ask(sutra, where), where


# --- OAI-PMH ListRecords with metadataPrefix=edm ----------------------------------------------------------


@pytest.fixture(scope="module")
def listed(ctx) -> dict[str, MappedRecord]:
    recs = records("oai-listrecords-edm.xml", ctx)
    assert all(isinstance(r, MappedRecord) for r in recs), recs
    return {r.source_id.rsplit("/", 1)[-1]: r for r in recs}


def test_oai_envelope_records(listed):
    # the deleted header carries no rdf:RDF: three records, in document order
    assert list(listed) == ["XA.1959.8", "XA.2001.133", "XA.1988.41"]


@pytest.mark.parametrize(
    ("key", "where"),
    [
        ("XA.1959.8", "?o rdfs:label '三彩骆驼'@zh, 'Sancai-glazed Bactrian camel'@en"),
        ("XA.1959.8", "?o crm:P108i_was_produced_by/crm:P4_has_time-span ?t . ?t rdfs:label"
                      " 'Tang dynasty, 8th century'@en ;"
                      " crm:P82a_begin_of_the_begin '0701-01-01T00:00:00'^^xsd:dateTime"),
        ("XA.1959.8", "?o crm:P108i_was_produced_by/crm:P7_took_place_at ?p . ?p rdfs:label \"Chang'an\"@en,"
                      " '长安'@zh ; crm:P168_place_is_defined_by ?wkt . FILTER(STR(?wkt) = 'POINT(108.94 34.26)')"),
        # isShownBy and hasView: two images
        ("XA.1959.8", "?o crm:P65_shows_visual_item ?v . ?v la:digitally_shown_by ?a, ?b ."
                      " ?a la:access_point <https://images.example.org/xa/XA.1959.8.jpg> ."
                      " ?b la:access_point <https://images.example.org/xa/XA.1959.8-side.jpg>"),
        # the museum's AAT URI and its own word for the type
        ("XA.2001.133", "?o crm:P2_has_type aat:300037222, ?local . ?local rdfs:label 'coin'@en"),
        ("XA.2001.133", "?o crm:P45_consists_of ?g, ?j . ?g rdfs:label 'gold'@en . ?j rdfs:label '金'@zh"),
        ("XA.2001.133", "?o crm:P108i_was_produced_by/crm:P4_has_time-span ?t ."
                        " ?t crm:P82a_begin_of_the_begin '0527-01-01T00:00:00'^^xsd:dateTime ;"
                        " crm:P82b_end_of_the_end '0565-12-31T23:59:59'^^xsd:dateTime"),
        # the WebResource says application/pdf: the thumbnail is the image
        ("XA.2001.133", "?o crm:P65_shows_visual_item/la:digitally_shown_by/la:access_point"
                        " <https://images.example.org/xa/XA.2001.133-thumb.jpg>"),
        ("XA.2001.133", "FILTER NOT EXISTS { ?o crm:P65_shows_visual_item/la:digitally_shown_by/la:access_point ?pdf ."
                        " FILTER(CONTAINS(STR(?pdf), '.pdf')) }"),
        # an identifier and a material but no title: it maps (validation, not mapping, rejects it)
        ("XA.1988.41", "?o crm:P1_is_identified_by/crm:P190_has_symbolic_content 'XA.1988.41' ."
                       " FILTER NOT EXISTS { ?o rdfs:label ?l }"),
    ],
)
def test_listrecords_shapes(listed, key, where):
    assert ask(listed[key], where), where


def test_deterministic(ctx):
    first = [r.ntriples + r.shared_ntriples for r in records("oai-listrecords-edm.xml", ctx)]
    second = [r.ntriples + r.shared_ntriples for r in records("oai-listrecords-edm.xml", ctx)]
    assert first == second


# --- the engine extension: resolve ---------------------------------------------------------------------------


def test_resolve_keeps_unresolvable_references(ctx):
    # dcterms:spatial pointing at a GeoNames URI with no edm:Place in the record: the URI is the place.
    xml = b"""<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
      xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"
      xmlns:edm="http://www.europeana.eu/schemas/edm/">
      <edm:ProvidedCHO rdf:about="urn:x:1"><dc:title>Bowl</dc:title>
        <dcterms:spatial rdf:resource="http://sws.geonames.org/1216265/"/></edm:ProvidedCHO></rdf:RDF>"""
    (rec,) = list(map_stream(xml, "edm", ctx))
    assert ask(rec, "?o crm:P108i_was_produced_by/crm:P7_took_place_at <http://sws.geonames.org/1216265/>")


def test_resolve_needs_entities():
    with pytest.raises(MappingError, match="entities"):
        load_mapping("edm", {"mapping": {"entities": ""}})


def test_override_switches_enrichment_off(ctx):
    mapping = load_mapping("edm", {"mapping": {"version": "edm/1+no-enrichment"},
                                   "rules": {"place_enrichment": {"enabled": False}}})
    (rec,) = records("internal-dunhuang-sutra.xml", ctx, mapping)
    assert rec.mapping_version == "edm/1+no-enrichment"
    assert not ask(rec, "?o crm:P108i_was_produced_by/crm:P7_took_place_at ?p")
