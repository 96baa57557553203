"""The SPARQL 1.1 Protocol endpoint: request forms, limits and errors, through the Flask test client and
through one real HTTP server on 127.0.0.1 queried with SPARQLWrapper. Everything runs against a real
in-memory ``store.embedded.EmbeddedStore`` (tests/support/sparql_dataset.py). Serialisers and
negotiation: tests/test_sparql_results.py.
"""

from __future__ import annotations

import csv
import io
import json
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox
import pytest
import rdflib
import rdflib.compare
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

from store.base import GraphResult, SolutionsResult, Store, StoreUnavailable
from store.embedded import EmbeddedStore
from tests.support.sparql_dataset import (
    ALL_QUADS,
    ASK_SILK,
    BROWSER_ACCEPT,
    CONSTRUCT_ALL,
    DESCRIBE_ROBE,
    ENCODED_LOOKING,
    INSERT,
    LABELS,
    NOTE_WITH_NEWLINES,
    PROV_GRAPH,
    H,
    app,
    body,
    client,
    dump,
    live_url,
    make_app,
    rdflib_internal_deprecation_ignored,
    store,
)

__all__ = ["app", "client", "live_url", "store"]  # fixtures used by this module's tests


# --- the protocol through the Flask test client ------------------------------------------------------
def value_of(response_body: bytes) -> list[str]:
    """The first variable's values in a SPARQL JSON answer."""
    doc = json.loads(response_body)
    var = doc["head"]["vars"][0]
    return [b[var]["value"] for b in doc["results"]["bindings"] if var in b]


def test_get_query(client: FlaskClient) -> None:
    r = client.get("/sparql", query_string={"query": ASK_SILK})
    assert r.status_code == 200
    assert r.mimetype == "application/sparql-results+json"
    assert r.json == {"head": {}, "boolean": True}
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "Accept" in r.headers["Vary"]
    assert "X-SROM-Truncated" not in r.headers


def test_post_form_query(client: FlaskClient) -> None:
    r = client.post("/sparql", data={"query": LABELS}, headers={"Accept": "text/csv"})
    assert r.status_code == 200 and r.content_type == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True), newline="")))
    assert rows[0] == ["object", "label", "note"]
    assert ["丝绸长袍"] == [x[1] for x in rows if x[1] == "丝绸长袍"]


@pytest.mark.parametrize("charset", [None, "utf-8", "UTF-8", "utf8"])
def test_post_direct_query_in_utf8(client: FlaskClient, charset: str | None) -> None:
    query = 'SELECT ?c WHERE { ?c <http://www.w3.org/2004/02/skos/core#prefLabel> "шёлк"@ru }'
    content_type = "application/sparql-query" + (f"; charset={charset}" if charset else "")
    r = client.post("/sparql", data=query.encode("utf-8"), content_type=content_type)
    assert r.status_code == 200, r.data
    assert value_of(r.data) == [f"{H}/concept/silk"]


@pytest.mark.parametrize("content_type", ["application/sparql-query; charset=UTF-16",
                                          "application/x-www-form-urlencoded; charset=iso-8859-1"])
def test_a_body_in_another_charset_is_refused(client: FlaskClient, content_type: str) -> None:
    """The protocol's bodies are UTF-8 (W3C protocol test bad_query_non_utf8): never decoded otherwise."""
    query = 'ASK { ?c <http://www.w3.org/2004/02/skos/core#prefLabel> "шёлк"@ru }'
    data = query.encode("utf-16") if "16" in content_type else urllib.parse.urlencode({"query": query}).encode()
    r = client.post("/sparql", data=data, content_type=content_type)
    assert r.status_code == 415
    assert b"UTF-8" in r.data and b"charset" in r.data


def test_post_direct_query_in_bad_encoding_is_400(client: FlaskClient) -> None:
    query = b'SELECT * WHERE { ?s ?p "\xff" }'
    r = client.post("/sparql", data=query, content_type="application/sparql-query")
    assert r.status_code == 400 and b"UTF-8" in r.data


def test_no_double_decoding_in_any_request_form(client: FlaskClient) -> None:
    query = f'SELECT ?x ?o WHERE {{ BIND("a%20b+c d%2B" AS ?x) ?s ?p ?o FILTER(?o = "{ENCODED_LOOKING}") }}'
    expected_x = ["a%20b+c d%2B"]
    url = "/sparql?query=" + urllib.parse.quote(query, safe="")
    by_hand = client.get(url)
    by_client = client.get("/sparql", query_string={"query": query})
    form = client.post("/sparql", data={"query": query})
    direct = client.post("/sparql", data=query.encode(), content_type="application/sparql-query")
    for r in (by_hand, by_client, form, direct):
        assert r.status_code == 200, r.data
        assert value_of(r.data) == expected_x
        assert json.loads(r.data)["results"]["bindings"][0]["o"]["value"] == ENCODED_LOOKING


def test_format_parameter_and_accept_with_q_values(client: FlaskClient) -> None:
    accept = "application/sparql-results+json;q=0.3, application/sparql-results+xml; charset=utf-8; q=0.9"
    r = client.get("/sparql", query_string={"query": LABELS}, headers={"Accept": accept})
    assert r.mimetype == "application/sparql-results+xml"
    etree.fromstring(r.data)
    r = client.get("/sparql", query_string={"query": LABELS, "format": "tsv"}, headers={"Accept": accept})
    assert r.mimetype == "text/tab-separated-values"
    assert r.data.startswith(b"?object\t?label\t?note\n")
    r = client.post("/sparql", data={"query": CONSTRUCT_ALL, "format": "ntriples"})
    assert r.mimetype == "application/n-triples"
    assert len(list(ox.parse(r.data, format=ox.RdfFormat.N_TRIPLES))) > 30
    r = client.get("/sparql", query_string={"query": CONSTRUCT_ALL, "format": "csv"})
    assert r.status_code == 406
    r = client.get("/sparql", query_string={"query": LABELS, "format": "excel"})
    assert r.status_code == 400


@pytest.mark.parametrize("accept,media_type,rdf_format", [
    (None, "text/turtle", ox.RdfFormat.TURTLE),
    ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
])
def test_construct_and_describe_negotiate_rdf(
    client: FlaskClient, store: EmbeddedStore, accept: str | None, media_type: str, rdf_format: ox.RdfFormat
) -> None:
    for query in (CONSTRUCT_ALL, DESCRIBE_ROBE):
        expected = store.query(query)
        assert isinstance(expected, GraphResult)
        r = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept} if accept else {})
        assert r.status_code == 200 and r.mimetype == media_type
        assert len(list(ox.parse(r.data, format=rdf_format))) == len(expected.triples)


@pytest.mark.parametrize("form", ["get", "form", "direct"])
@pytest.mark.parametrize("update", [INSERT, f"DROP GRAPH <{H}/graph/hz/robe-1>", "CLEAR ALL", "DROP ALL",
                                    f"LOAD <{H}/dump.nq>", f"CREATE GRAPH <{H}/g>",
                                    "DELETE WHERE { GRAPH ?g { ?s ?p ?o } }"])
def test_update_sent_as_query_is_a_syntax_error_and_changes_nothing(
    client: FlaskClient, store: EmbeddedStore, form: str, update: str
) -> None:
    before = dump(store)
    if form == "get":
        r = client.get("/sparql", query_string={"query": update})
    elif form == "form":
        r = client.post("/sparql", data={"query": update})
    else:
        r = client.post("/sparql", data=update, content_type="application/sparql-query")
    assert r.status_code == 400 and r.mimetype == "text/plain"
    assert r.get_data(as_text=True).startswith("SPARQL syntax error")
    assert dump(store) == before


def test_updates_are_refused_with_403(client: FlaskClient, store: EmbeddedStore) -> None:
    before = dump(store)
    responses = [
        client.post("/sparql", data={"update": INSERT}),
        client.post("/sparql", data=INSERT, content_type="application/sparql-update"),
        client.post("/sparql", data=INSERT.encode(), content_type="application/sparql-update; charset=utf-8"),
        client.get("/sparql", query_string={"update": INSERT}),
    ]
    for r in responses:
        assert r.status_code == 403 and b"read-only" in r.data
        assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert dump(store) == before


def test_dataset_parameters_choose_the_graphs_in_every_request_form(client: FlaskClient) -> None:
    robe, coin = f"{H}/graph/hz/robe-1", f"{H}/graph/sm/coin-7"
    objects = "SELECT DISTINCT ?object WHERE { ?object a <http://www.cidoc-crm.org/cidoc-crm/E22_Human-Made_Object> }"
    for r in (
        client.get("/sparql", query_string=[("query", objects), ("default-graph-uri", robe)]),
        client.post("/sparql", data=urllib.parse.urlencode([("query", objects), ("default-graph-uri", robe)]),
                    content_type="application/x-www-form-urlencoded"),
        client.post("/sparql?" + urllib.parse.urlencode({"default-graph-uri": robe}), data=objects,
                    content_type="application/sparql-query"),
    ):
        assert r.status_code == 200, r.data
        assert value_of(r.data) == [f"{H}/id/object/hz/robe-1"]
    both = client.get("/sparql", query_string=[("query", objects), ("default-graph-uri", robe),
                                               ("default-graph-uri", coin)])
    assert sorted(value_of(both.data)) == [f"{H}/id/object/hz/robe-1", f"{H}/id/object/sm/coin-7"]
    named = "SELECT ?g WHERE { GRAPH ?g { ?o a ?t } } ORDER BY ?g"
    r = client.get("/sparql", query_string=[("query", named), ("named-graph-uri", coin)])
    assert sorted(set(value_of(r.data))) == [coin]
    # only named graphs: the default graph is empty
    r = client.get("/sparql", query_string=[("query", objects), ("named-graph-uri", coin)])
    assert value_of(r.data) == []
    # no dataset: the union of every graph
    r = client.get("/sparql", query_string={"query": objects})
    assert len(value_of(r.data)) == 3


def test_dataset_parameters_must_be_absolute_iris(client: FlaskClient) -> None:
    r = client.get("/sparql", query_string=[("query", "ASK {}"), ("default-graph-uri", "relative/graph")])
    assert r.status_code == 400 and b"absolute IRIs" in r.data


def test_service_description_for_rdf_clients(client: FlaskClient) -> None:
    from sparql_endpoint.service_description import STATISTICS_EXTENSION

    client.application.extensions[STATISTICS_EXTENSION] = lambda: {
        "triples": 42, "void": "http://hub.example/.well-known/void",
        "dumps": ["http://hub.example/dumps/hub.nq.gz"]}
    sd = "http://www.w3.org/ns/sparql-service-description#"
    for accept, fmt in (("text/turtle", ox.RdfFormat.TURTLE), ("application/rdf+xml", ox.RdfFormat.RDF_XML),
                        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
                        ("application/ld+json", ox.RdfFormat.JSON_LD),
                        ("text/turtle;q=0.9, application/rdf+xml;q=0.5", ox.RdfFormat.TURTLE)):
        r = client.get("/sparql", headers={"Accept": accept})
        assert r.status_code == 200, (accept, r.data)
        assert r.headers["Access-Control-Allow-Origin"] == "*"
        graph = list(ox.parse(r.data, format=fmt))
        endpoint = [t for t in graph if t.predicate.value == sd + "endpoint"]
        assert [t.object.value for t in endpoint] == ["http://localhost/sparql"]  # has-endpoint-triple
        service = endpoint[0].subject
        values = {t.predicate.value: t.object for t in graph if t.subject == service}
        assert values[sd + "supportedLanguage"].value == sd + "SPARQL11Query"
        formats = {t.object.value for t in graph if t.predicate.value == sd + "resultFormat"}
        assert "http://www.w3.org/ns/formats/SPARQL_Results_JSON" in formats
        assert "http://www.w3.org/ns/formats/Turtle" in formats
        assert values["https://w3id.org/srom/ns#rowLimit"].value == "10000"
        assert values["https://w3id.org/srom/ns#queryTimeoutSeconds"].value == "10"
        assert "60 s of query time" in values["http://www.w3.org/2000/01/rdf-schema#comment"].value
        triples = [t.object.value for t in graph if t.predicate.value == "http://rdfs.org/ns/void#triples"]
        assert triples == ["42"]
        dumps = [t.object.value for t in graph if t.predicate.value == "http://rdfs.org/ns/void#dataDump"]
        assert dumps == ["http://hub.example/dumps/hub.nq.gz"]
    # a client naming no RDF syntax still hears that the query is missing; a browser gets the page
    assert client.get("/sparql", headers={"Accept": "*/*"}).status_code == 400
    assert client.get("/sparql", headers={"Accept": BROWSER_ACCEPT}).mimetype == "text/html"


def test_service_description_names_the_public_endpoint(store: EmbeddedStore) -> None:
    client = make_app(lambda: store, BASE_IRI="https://hub.example.org/").test_client()
    r = client.get("/sparql", headers={"Accept": "text/turtle"}, base_url="http://127.0.0.1:9999")
    graph = list(ox.parse(r.data, format=ox.RdfFormat.TURTLE))
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert [t.object.value for t in graph if t.predicate.value == sd + "endpoint"] == ["https://hub.example.org/sparql"]


def test_missing_query_and_bad_requests(client: FlaskClient) -> None:
    for r in (client.get("/sparql"), client.post("/sparql", data={"format": "json"}),
              client.post("/sparql", data=b"  ", content_type="application/sparql-query")):
        assert r.status_code == 400
        assert b"missing SPARQL query" in r.data and b"application/sparql-query" in r.data
    r = client.get("/sparql?query=ASK{}&query=ASK{}")
    assert r.status_code == 400 and b"exactly one" in r.data
    r = client.post("/sparql", data=ASK_SILK, content_type="text/plain")
    assert r.status_code == 415


def test_syntax_error_is_plain_text_or_json_envelope(client: FlaskClient) -> None:
    r = client.get("/sparql", query_string={"query": "SELECT ?x WHERE { ?x"})
    assert r.status_code == 400 and r.content_type == "text/plain; charset=utf-8"
    assert "SPARQL syntax error" in r.get_data(as_text=True)
    json_accept = {"Accept": "application/json"}
    r = client.get("/sparql", query_string={"query": "SELECT ?x WHERE { ?x"}, headers=json_accept)
    assert r.status_code == 400 and r.mimetype == "application/json"
    assert r.json is not None and r.json["ok"] is False and r.json["status"] == 400
    assert r.json["error"].startswith("SPARQL syntax error")


def test_browser_without_query_gets_a_self_contained_form(client: FlaskClient) -> None:
    r = client.get("/sparql", headers={"Accept": BROWSER_ACCEPT})
    assert r.status_code == 200 and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    assert "<textarea" in html and 'name="query"' in html and 'name="format"' in html
    assert "&lt;http://www.cidoc-crm.org/cidoc-crm/&gt;" in html  # autoescaped example query
    assert "<script" not in html and "http-equiv" not in html and "<link" not in html
    assert "10 s per query" in html and "10000 rows" in html
    # with a query, a browser gets the default JSON answer, not the page
    r = client.get("/sparql", query_string={"query": LABELS}, headers={"Accept": BROWSER_ACCEPT})
    assert r.mimetype == "application/sparql-results+json"


def test_head_and_options(client: FlaskClient) -> None:
    r = client.head("/sparql", query_string={"query": LABELS, "format": "csv"})
    assert r.status_code == 200 and r.mimetype == "text/csv" and r.data == b""
    r = client.options("/sparql", headers={
        "Origin": "https://notebook.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert r.status_code == 204
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
    assert r.headers["Access-Control-Allow-Headers"] == "content-type"
    assert r.status_code == 204 and "GET" in r.headers["Allow"]


# --- limits and store errors --------------------------------------------------------------------------
def test_row_limit_truncates_and_says_so(store: EmbeddedStore) -> None:
    client = make_app(lambda: store, SPARQL_ROW_LIMIT=5).test_client()
    r = client.get("/sparql", query_string={"query": ALL_QUADS})
    assert r.status_code == 200
    assert len(value_of(r.data)) == 5
    assert r.headers["X-SROM-Truncated"] == "true" and r.headers["X-SROM-Row-Limit"] == "5"
    assert "X-SROM-Truncated" in r.headers["Access-Control-Expose-Headers"]
    r = client.get("/sparql", query_string={"query": CONSTRUCT_ALL, "format": "ntriples"})
    assert len(r.data.splitlines()) == 5 and r.headers["X-SROM-Truncated"] == "true"
    r = client.get("/sparql", query_string={"query": f"SELECT * WHERE {{ <{H}/concept/silk> ?p ?o }}"})
    assert len(value_of(r.data)) == 5 and "X-SROM-Truncated" not in r.headers  # exactly 5: not cut


def test_timeout_is_503_and_never_a_partial_result() -> None:
    slow_store = EmbeddedStore(None, PROV_GRAPH)
    slow_store.bulk_load("".join(f'<{H}/s{i}> <{H}/p> "{i}" <{H}/g> .\n' for i in range(2000)).encode())
    client = make_app(lambda: slow_store, SPARQL_TIMEOUT=0.05).test_client()
    # a 4-million-row cartesian product: well over 50 ms, well under a second on these machines
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d }"
    r = client.get("/sparql", query_string={"query": query})
    assert r.status_code == 503 and b"0.05 s" in r.data and b"results" not in r.data
    r = client.get("/sparql", query_string={"query": query}, headers={"Accept": "application/json"})
    assert r.status_code == 503 and r.json is not None and r.json["ok"] is False and r.json["status"] == 503
    assert client.get("/sparql", query_string={"query": ASK_SILK}).status_code == 200  # fast ones pass
    slow_store.close()


def test_store_unavailable_is_503() -> None:
    def unavailable() -> Store:
        raise StoreUnavailable("the store directory is locked by another process")

    r = make_app(unavailable).test_client().get("/sparql", query_string={"query": ASK_SILK})
    assert r.status_code == 503 and b"locked by another process" in r.data


@pytest.mark.parametrize("form", ["get", "form", "direct"])
def test_oversized_query_is_413(store: EmbeddedStore, form: str) -> None:
    client = make_app(lambda: store, SPARQL_MAX_QUERY_BYTES=1000).test_client()

    def send(query: str):  # type: ignore[no-untyped-def]
        if form == "get":
            return client.get("/sparql", query_string={"query": query})
        if form == "form":
            return client.post("/sparql", data={"query": query})
        return client.post("/sparql", data=query.encode(), content_type="application/sparql-query")

    head = ASK_SILK + "\n# "
    fits = head + "x" * (1000 - len(head.encode()))
    assert len(fits.encode()) == 1000 and send(fits).status_code == 200
    too_big = head + "丝" * 400  # 3 bytes each: counted in bytes, not characters
    r = send(too_big)
    assert r.status_code == 413 and b"1000 bytes" in r.data
    if form != "get":  # a huge body is refused from its Content-Length, before it is read
        assert send(head + "x" * 50_000).status_code == 413


# --- a real HTTP server and a real SPARQL client ------------------------------------------------------
def run(sw: SPARQLWrapper) -> object:
    result = sw.query()
    try:
        with rdflib_internal_deprecation_ignored():
            return result.convert()
    finally:
        result.response.close()


def wrapper(url: str, query: str, fmt: str, method: str | None = None) -> SPARQLWrapper:
    sw = SPARQLWrapper(url)
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    if method == POSTDIRECTLY:
        sw.setMethod(POST)
        sw.setRequestMethod(POSTDIRECTLY)
    elif method is not None:
        sw.setMethod(method)
    return sw


@pytest.mark.parametrize("method", [None, POST, POSTDIRECTLY])
def test_sparqlwrapper_select_json_in_every_request_form(live_url: str, method: str | None) -> None:
    query = LABELS.replace("SELECT ?object", 'SELECT ("a%20b+c" AS ?raw) ?object')
    doc = run(wrapper(live_url, query, JSON, method))
    assert isinstance(doc, dict) and doc["head"]["vars"] == ["raw", "object", "label", "note"]
    bindings = doc["results"]["bindings"]
    assert {b["raw"]["value"] for b in bindings} == {"a%20b+c"}
    assert {"type": "literal", "value": "Glass bowl", "xml:lang": "en-gb"} in [b["label"] for b in bindings]


def test_sparqlwrapper_select_xml_csv_tsv(live_url: str, store: EmbeddedStore) -> None:
    expected = store.query(LABELS)
    assert isinstance(expected, SolutionsResult)
    dom = run(wrapper(live_url, LABELS, XML))
    assert len(dom.getElementsByTagName("result")) == len(expected.rows)  # type: ignore[attr-defined]
    langs = {e.getAttribute("xml:lang") for e in dom.getElementsByTagName("literal")}  # type: ignore[attr-defined]
    assert {"zh", "ru", "de", "en"} <= langs
    text = run(wrapper(live_url, LABELS, CSV))
    assert isinstance(text, bytes)
    rows = list(csv.reader(io.StringIO(text.decode("utf-8"), newline="")))
    assert len(rows) == len(expected.rows) + 1 and NOTE_WITH_NEWLINES in {r[2] for r in rows}
    tsv = run(wrapper(live_url, LABELS, TSV))
    assert isinstance(tsv, bytes)
    parsed = ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV)
    assert [tuple(s) for s in parsed] == expected.rows  # type: ignore[union-attr]


def test_sparqlwrapper_ask(live_url: str) -> None:
    sw = wrapper(live_url, ASK_SILK, JSON)
    assert sw.queryType == ASK
    assert run(sw) == {"head": {}, "boolean": True}
    dom = run(wrapper(live_url, ASK_SILK.replace("丝绸", "不存在"), XML))
    assert dom.getElementsByTagName("boolean")[0].firstChild.data == "false"  # type: ignore[attr-defined]


@pytest.mark.parametrize("fmt", [TURTLE, JSONLD, RDFXML, XML])
def test_sparqlwrapper_construct(live_url: str, store: EmbeddedStore, fmt: str) -> None:
    expected_result = store.query(CONSTRUCT_ALL)
    assert isinstance(expected_result, GraphResult)
    expected = rdflib.Graph().parse(data=body(expected_result, "ntriples").decode(), format="nt")
    converted = run(wrapper(live_url, CONSTRUCT_ALL, fmt))
    if fmt == TURTLE:
        assert isinstance(converted, bytes)
        got = rdflib.Graph().parse(data=converted.decode("utf-8"), format="turtle")
    else:  # SPARQLWrapper hands back an rdflib graph (a ConjunctiveGraph) for RDF/XML and JSON-LD
        got = rdflib.Graph()
        for triple in converted:  # type: ignore[attr-defined]
            got.add(triple)
    assert rdflib.compare.isomorphic(expected, got)


def test_sparqlwrapper_updates_are_refused_and_change_nothing(live_url: str, store: EmbeddedStore) -> None:
    before = dump(store)
    for method in (POST, POSTDIRECTLY):
        sw = wrapper(live_url, INSERT, JSON, method)
        assert sw.isSparqlUpdateRequest()
        with pytest.raises(urllib.error.HTTPError) as refused:
            sw.query()
        assert refused.value.code == 403 and b"read-only" in refused.value.read()
        refused.value.close()
    assert dump(store) == before


def test_sparqlwrapper_sees_syntax_errors(live_url: str) -> None:
    with pytest.raises(QueryBadFormed) as bad:
        run(wrapper(live_url, "SELECT ?x WHERE { ?x", JSON))
    assert "SPARQL syntax error" in str(bad.value)


def test_raw_http_direct_post_and_cors(live_url: str) -> None:
    query = f'SELECT ?o WHERE {{ ?s ?p ?o FILTER(?o = "{ENCODED_LOOKING}") }}'
    request = urllib.request.Request(
        live_url + "?format=csv", data=query.encode("utf-8"), method="POST",
        headers={"Content-Type": "application/sparql-query; charset=UTF-8", "Origin": "https://x.example"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert response.read().decode("utf-8") == f"o\r\n{ENCODED_LOOKING}\r\n"


def test_federated_query_is_refused_with_400(client) -> None:
    query = "SELECT * WHERE { SERVICE <http://10.0.0.1/> { ?s ?p ?o } }"
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 400
    assert b"SERVICE" in response.data
