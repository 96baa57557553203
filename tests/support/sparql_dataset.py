"""The SPARQL endpoint tests' dataset and app: quads with awkward literals in a real store (in memory, and
on the session's Virtuoso: the ``store`` fixture is built once per engine of ``tests.support.engines``), the
endpoint blueprint on a Flask app (``app`` -> ``client``), and one real HTTP server on 127.0.0.1
(``live_url``). Test modules import the fixtures they use.
"""

from __future__ import annotations

import contextlib
import io
import json
import threading
import warnings
from collections.abc import Callable, Iterator

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from sparql_endpoint import bp, serialize_result
from store.base import SolutionsResult, Store
from tests.support.engines import ENGINES, engine_store

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
  <{H}/graph/hz/robe-1> dct:source "oai:hz:robe-1" ;
    prov:generatedAtTime "2025-01-02T03:04:05Z"^^xsd:dateTime .
  <{H}/graph/sm/coin-7> dct:source "oai:sm:coin-7" ;
    prov:generatedAtTime "2025-01-02T03:04:06Z"^^xsd:dateTime .
  <{H}/graph/kn/bowl-2> dct:source "oai:kn:bowl-2" ;
    prov:generatedAtTime "2025-01-02T03:04:07Z"^^xsd:dateTime .
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
@pytest.fixture(scope="module", params=ENGINES)
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    s = engine_store(request, PROV_GRAPH)
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
def app(store: Store) -> Flask:
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
def all_quads(store: Store) -> SolutionsResult:
    result = store.query(ALL_QUADS)
    assert isinstance(result, SolutionsResult) and len(result.rows) >= 30
    return result


@contextlib.contextmanager
def rdflib_internal_deprecation_ignored() -> Iterator[None]:
    # rdflib 7's own JSON-LD parser, and SPARQLWrapper 2.0's RDF converters, build a ConjunctiveGraph,
    # which rdflib itself deprecates; that warning is about them, not about our output.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        yield


def body(result: object, fmt: str) -> bytes:
    return b"".join(serialize_result(result, fmt))  # type: ignore[arg-type]
