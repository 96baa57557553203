"""The SPARQL 1.1 Protocol endpoint: serialisers, negotiation, request forms, limits and errors.

Everything runs against a real in-memory ``store.embedded.EmbeddedStore``, through the Flask test
client and through one real HTTP server on 127.0.0.1 queried with SPARQLWrapper.
"""

from __future__ import annotations

import csv
import io
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
import warnings
from collections.abc import Callable, Iterator

import pyoxigraph as ox
import pytest
import rdflib
import rdflib.compare
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree
from SPARQLWrapper import (
    ASK,
    CSV,
    JSON,
    JSONLD,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TSV,
    TURTLE,
    XML,
    SPARQLWrapper,
)
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed
from werkzeug.serving import make_server

from sparql_endpoint import FORMATS, bp, serialize_result
from sparql_endpoint.negotiation import NegotiationError, choose_format, parse_accept, prefers_html
from sparql_endpoint.results import find_format
from store.base import BooleanResult, GraphResult, SolutionsResult, Store, StoreUnavailable
from store.embedded import EmbeddedStore

H = "http://hub.example"
PROV_GRAPH = f"{H}/graph/provenance"
XSD = "http://www.w3.org/2001/XMLSchema#"
TITLE_WITH_QUOTES = 'Silk robe with "cloud" pattern, Tang'
NOTE_WITH_NEWLINES = 'Line one\nLine two, with a comma\tand a tab\r\nand "quotes"'
ENCODED_LOOKING = "100%20 silk+gold"  # must never be decoded a second time

DATA = f"""
@prefix crm: <http://www.cidoc-crm.org/cidoc-crm/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <{XSD}> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dct: <http://purl.org/dc/terms/> .

<{H}/graph/hz/robe-1> {{
  <{H}/id/object/hz/robe-1> a crm:E22_Human-Made_Object ;
    rdfs:label {json.dumps(TITLE_WITH_QUOTES)}@en, "丝绸长袍"@zh, "Шёлковый халат"@ru ;
    crm:P3_has_note {json.dumps(NOTE_WITH_NEWLINES)} ;
    crm:P45_consists_of <{H}/concept/silk> ;
    crm:P57_has_number_of_parts 3 ;
    crm:P108i_was_produced_by [ a crm:E12_Production ;
                                crm:P82a_begin_of_the_begin "0618-01-01"^^xsd:date ] .
}}
<{H}/graph/sm/coin-7> {{
  <{H}/id/object/sm/coin-7> a crm:E22_Human-Made_Object ;
    rdfs:label "Sogdian coin"@en, "Согдийская монета"@ru ;
    crm:P3_has_note "{ENCODED_LOOKING}" ;
    crm:P45_consists_of <{H}/concept/silver> ;
    crm:P43_has_dimension "3.9"^^xsd:decimal .
}}
<{H}/graph/kn/bowl-2> {{
  <{H}/id/object/kn/bowl-2> a crm:E22_Human-Made_Object ;
    rdfs:label "Glass bowl"@en-GB, "Glasschale"@de ;
    crm:P45_consists_of <{H}/concept/glass> ;
    crm:P43_has_dimension "7.5e0"^^xsd:double ;
    crm:P50_has_current_keeper <https://example.org/museum/köln> .
}}
<{H}/graph/thesaurus> {{
  <{H}/concept/silk> skos:prefLabel "silk"@en, "丝绸"@zh, "шёлк"@ru, "Seide"@de, "soie"@fr .
  <{H}/concept/silver> skos:prefLabel "silver"@en .
  <{H}/concept/glass> skos:prefLabel "glass"@en, "玻璃"@zh .
}}
<{PROV_GRAPH}> {{
  <{H}/graph/hz/robe-1> dct:source "oai:hz:robe-1" ; prov:generatedAtTime "2025-01-02T03:04:05Z"^^xsd:dateTime .
  <{H}/graph/sm/coin-7> dct:source "oai:sm:coin-7" ; prov:generatedAtTime "2025-01-02T03:04:06Z"^^xsd:dateTime .
  <{H}/graph/kn/bowl-2> dct:source "oai:kn:bowl-2" ; prov:generatedAtTime "2025-01-02T03:04:07Z"^^xsd:dateTime .
}}
"""

ALL_QUADS = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g ?s ?p ?o"
LABELS = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
SELECT ?object ?label ?note WHERE {
  ?object rdfs:label ?label . OPTIONAL { ?object crm:P3_has_note ?note }
} ORDER BY ?object ?label"""
CONSTRUCT_ALL = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
DESCRIBE_ROBE = f"DESCRIBE <{H}/id/object/hz/robe-1>"
ASK_SILK = 'ASK { ?c <http://www.w3.org/2004/02/skos/core#prefLabel> "丝绸"@zh }'
INSERT = f'INSERT DATA {{ GRAPH <{H}/graph/evil> {{ <{H}/x> <{H}/p> "pwned" }} }}'
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


# --- fixtures -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def store() -> Iterator[EmbeddedStore]:
    s = EmbeddedStore(None, PROV_GRAPH)
    dataset = ox.Dataset(ox.parse(DATA, format=ox.RdfFormat.TRIG))
    s.bulk_load(ox.serialize(dataset, format=ox.RdfFormat.N_QUADS))
    yield s
    s.close()


def dump(store: Store) -> bytes:
    out = io.BytesIO()
    store.dump(out)
    return b"".join(sorted(out.getvalue().splitlines(keepends=True)))


def make_app(store_factory: Callable[[], Store], **config: object) -> Flask:
    app = Flask(__name__)
    app.config.update(TESTING=True, **config)
    app.register_blueprint(bp)
    app.extensions["srom_store"] = store_factory
    return app


@pytest.fixture(scope="module")
def app(store: EmbeddedStore) -> Flask:
    return make_app(lambda: store)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="module")
def live_url(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, name="sparql-test-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/sparql"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def all_quads(store: EmbeddedStore) -> SolutionsResult:
    result = store.query(ALL_QUADS)
    assert isinstance(result, SolutionsResult) and len(result.rows) >= 30
    return result


# --- results: every format parses back to the same terms ----------------------------------------------
def body(result: object, fmt: str) -> bytes:
    return b"".join(serialize_result(result, fmt))  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["json", "xml", "tsv"])
def test_results_round_trip_exactly_through_pyoxigraph(all_quads: SolutionsResult, name: str) -> None:
    results_format = ox.QueryResultsFormat.from_media_type(FORMATS[name].media_type)
    parsed = ox.parse_query_results(body(all_quads, name), results_format)
    assert isinstance(parsed, ox.QuerySolutions)
    assert [v.value for v in parsed.variables] == all_quads.variables
    assert [tuple(s) for s in parsed] == all_quads.rows


def test_json_bindings_follow_the_spec(store: EmbeddedStore) -> None:
    doc = json.loads(body(store.query(LABELS), "json"))
    assert doc["head"]["vars"] == ["object", "label", "note"]
    bindings = doc["results"]["bindings"]
    zh = next(b for b in bindings if b["label"].get("xml:lang") == "zh")
    assert zh["label"] == {"type": "literal", "value": "丝绸长袍", "xml:lang": "zh"}
    assert zh["object"] == {"type": "uri", "value": f"{H}/id/object/hz/robe-1"}
    assert zh["note"] == {"type": "literal", "value": NOTE_WITH_NEWLINES}  # xsd:string: no datatype
    assert all("note" not in b for b in bindings if "coin" not in b["object"]["value"]
               and "robe" not in b["object"]["value"])  # unbound: left out
    typed = json.loads(body(store.query(
        "SELECT ?d ?b WHERE { ?x <http://www.cidoc-crm.org/cidoc-crm/P43_has_dimension> ?d . "
        "?y <http://www.cidoc-crm.org/cidoc-crm/P108i_was_produced_by> ?b } ORDER BY ?d"), "json"))
    first = typed["results"]["bindings"][0]
    assert first["d"] == {"type": "literal", "value": "3.9", "datatype": f"{XSD}decimal"}
    assert first["b"]["type"] == "bnode"
    assert json.loads(body(BooleanResult(True), "json")) == {"head": {}, "boolean": True}


def test_xml_is_valid_and_uses_xml_lang_and_datatype(store: EmbeddedStore) -> None:
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    root = etree.fromstring(body(store.query(LABELS), "xml"))
    assert [v.get("name") for v in root.findall("r:head/r:variable", ns)] == ["object", "label", "note"]
    ru = root.xpath("//r:literal[@xml:lang='ru']", namespaces=ns)
    assert {e.text for e in ru} == {"Шёлковый халат", "Согдийская монета"}
    notes = root.xpath("//r:binding[@name='note']/r:literal", namespaces=ns)
    assert NOTE_WITH_NEWLINES in {e.text for e in notes} and all(e.get("datatype") is None for e in notes)
    typed = etree.fromstring(body(store.query("SELECT ?n WHERE { ?x ?p ?n FILTER(isNumeric(?n)) }"), "xml"))
    assert {e.get("datatype") for e in typed.iter("{*}literal")} == {
        f"{XSD}integer", f"{XSD}decimal", f"{XSD}double"}
    ask = etree.fromstring(body(BooleanResult(False), "xml"))
    assert ask.find("r:boolean", ns).text == "false"


def test_csv_is_rfc4180_with_plain_values(all_quads: SolutionsResult) -> None:
    text = body(all_quads, "csv").decode("utf-8")
    assert text.startswith("s,p,o,g\r\n") and text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == all_quads.variables
    expected = [[t.value if isinstance(t, ox.NamedNode | ox.Literal) else str(t) for t in row]
                for row in all_quads.rows]
    assert rows[1:] == expected
    values = {v for row in rows for v in row}
    assert {NOTE_WITH_NEWLINES, TITLE_WITH_QUOTES, "丝绸", "шёлк", "3"} <= values


def test_tsv_has_question_mark_header_and_one_line_per_row(all_quads: SolutionsResult) -> None:
    text = body(all_quads, "tsv").decode("utf-8")
    lines = text.split("\n")
    assert lines[0] == "?s\t?p\t?o\t?g" and lines[-1] == ""
    assert len(lines) == len(all_quads.rows) + 2  # escapes keep literal newlines and tabs out
    rows = list(csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE))
    assert all(len(r) == 4 for r in rows)
    assert '"丝绸"@zh' in {r[2] for r in rows}
    assert f'"3"^^<{XSD}integer>' in {r[2] for r in rows}


def test_ask_in_csv_and_tsv_is_a_bare_boolean() -> None:
    assert body(BooleanResult(True), "csv") == b"true"
    assert ox.parse_query_results(body(BooleanResult(False), "tsv"), ox.QueryResultsFormat.TSV) == \
        ox.parse_query_results("false", ox.QueryResultsFormat.TSV)


@pytest.mark.parametrize("name,rdflib_format", [
    ("turtle", "turtle"), ("ntriples", "nt"), ("jsonld", "json-ld"), ("rdfxml", "xml")])
def test_graph_formats_parse_back_isomorphic(store: EmbeddedStore, name: str, rdflib_format: str) -> None:
    result = store.query(CONSTRUCT_ALL)
    assert isinstance(result, GraphResult)
    data = body(result, name)
    expected = rdflib.Graph().parse(data=body(result, "ntriples").decode(), format="nt")
    got = rdflib.Graph().parse(data=data.decode("utf-8"), format=rdflib_format)
    assert len(got) == len(result.triples) and rdflib.compare.isomorphic(expected, got)
    triples = list(ox.parse(data, format=ox.RdfFormat.from_media_type(FORMATS[name].media_type)))
    assert len(triples) == len(result.triples)


def test_serialisation_streams_in_chunks() -> None:
    rows = [(ox.NamedNode(f"{H}/id/{i}"), ox.Literal(f"丝绸 № {i}", language="zh")) for i in range(10_000)]
    result = SolutionsResult(["s", "label"], rows)  # type: ignore[arg-type]
    for name in ("json", "xml", "csv", "tsv"):
        chunks = serialize_result(result, FORMATS[name])
        assert iter(chunks) is chunks  # a generator, not a prebuilt list
        pieces = list(chunks)
        assert len(pieces) > 5 and max(map(len, pieces)) < 512 * 1024
    triples = [ox.Triple(r[0], ox.NamedNode(f"{H}/p"), r[1]) for r in rows]
    assert len(list(serialize_result(GraphResult(triples), "ntriples"))) > 1


def test_format_lookup_and_kind_mismatch() -> None:
    assert find_format("application/sparql-results+json; charset=utf-8", "results") is FORMATS["json"]
    assert find_format("json", "graph") is FORMATS["jsonld"]
    assert find_format("xml", "graph") is FORMATS["rdfxml"]
    assert find_format("text/turtle", "results") is None
    assert {(f.name, f.extension) for f in FORMATS.values()} >= {("csv", "csv"), ("turtle", "ttl")}
    with pytest.raises(ValueError):
        list(serialize_result(BooleanResult(True), "turtle"))
