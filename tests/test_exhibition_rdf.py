"""The exhibition itself as RDF: JSON-LD and Turtle that parse and round-trip, and its named graph in the
store, written on first view (or by ``publish_graph`` on publish), found by SPARQL, dropped on unpublish."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
import rdflib
import rdflib.compare
from flask.testing import FlaskClient

from ontology.namespaces import sparql_prologue
from tests.support.engines import ENGINES
from tests.support.exhibition_dataset import Dataset, dataset_on
from web.app import create_app
from web.exhibitions.rdf import drop_graph, exhibition_graph, exhibition_ntriples, plain_text, publish_graph

pytestmark = pytest.mark.slow

FIND = """SELECT ?exhibition ?title ?version (COUNT(DISTINCT ?object) AS ?objects) WHERE {
  GRAPH ?g { ?exhibition a schema:ExhibitionEvent, crm:E7_Activity ; rdfs:label ?title ; schema:version ?version ;
             crm:P16_used_specific_object ?set . ?set la:has_member ?object } FILTER(LANG(?title) = "en")
} GROUP BY ?exhibition ?title ?version ORDER BY ?exhibition"""


@pytest.fixture(scope="module", params=ENGINES)
def data(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dataset]:
    dataset = dataset_on(request, tmp_path_factory, "rdf")
    try:
        yield dataset
    finally:
        dataset.close()


@pytest.fixture(scope="module")
def client(data: Dataset) -> FlaskClient:
    return create_app(hub=data.hub).test_client()


def _triples(body: bytes, fmt: ox.RdfFormat) -> set[ox.Triple]:
    return {q.triple for q in ox.parse(body, format=fmt)}


def test_jsonld_and_turtle_parse_and_round_trip(client: FlaskClient, data: Dataset) -> None:
    ttl = client.get("/exhibitions/silk-road-tour.ttl")
    jsonld = client.get("/exhibitions/silk-road-tour.jsonld")
    assert ttl.status_code == jsonld.status_code == 200
    assert ttl.headers["Content-Type"].startswith("text/turtle")
    assert jsonld.headers["Content-Type"].startswith("application/ld+json")
    from_ttl = _triples(ttl.data, ox.RdfFormat.TURTLE)
    from_jsonld = _triples(jsonld.data, ox.RdfFormat.JSON_LD)
    assert from_ttl == from_jsonld and len(from_ttl) > 50
    # rdflib reads the same JSON-LD into an isomorphic graph (a second, independent parser)
    with warnings.catch_warnings():
        # rdflib's own JSON-LD parser builds a ConjunctiveGraph internally and warns about itself
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        g_json = rdflib.Graph().parse(data=jsonld.data, format="json-ld")
    g_ttl = rdflib.Graph().parse(data=ttl.data, format="turtle")
    assert rdflib.compare.isomorphic(g_json, g_ttl)
    # serialising what was parsed and parsing it again gives the same triples
    again = ox.serialize(list(from_jsonld), format=ox.RdfFormat.TURTLE)
    assert _triples(again, ox.RdfFormat.TURTLE) == from_ttl
    ex = ox.NamedNode(data.hub.minter.exhibition("silk-road-tour"))
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    assert ox.Triple(ex, label, ox.Literal("丝绸之路行", language="zh")) in from_ttl


def test_content_negotiation_on_the_page_and_the_iri(client: FlaskClient, data: Dataset) -> None:
    page = client.get("/exhibitions/silk-road-tour", headers={"Accept": "text/turtle"})
    assert page.headers["Content-Type"].startswith("text/turtle")
    iri_path = "/id/exhibition/silk-road-tour"
    assert client.get(iri_path, headers={"Accept": "application/ld+json"}).headers["Content-Type"].startswith(
        "application/ld+json")
    html = client.get(iri_path, headers={"Accept": "text/html"})
    assert html.status_code == 303 and html.headers["Location"].endswith("/exhibitions/silk-road-tour")
    assert client.get("/id/exhibition/secret-draft").status_code == 404
    assert client.get("/exhibitions/secret-draft.ttl").status_code == 404


def test_the_exhibition_is_in_its_graph_and_sparql_finds_it(client: FlaskClient, data: Dataset) -> None:
    store = data.hub.store()
    assert client.get("/exhibitions/silk-road-tour").status_code == 200
    graph = exhibition_graph(data.hub.minter, "silk-road-tour")
    assert graph == f"{data.hub.minter.base}/graph/exhibition/silk-road-tour"
    rows = store.query(sparql_prologue() + FIND).dicts()
    found = {r["exhibition"].value: r for r in rows}
    ex = data.hub.minter.exhibition("silk-road-tour")
    assert found[ex]["title"].value == "Along the Silk Road" and found[ex]["version"].value == "1"
    members = client.get("/exhibitions/silk-road-tour.json").get_json()["exhibition"]["sections"]
    assert int(found[ex]["objects"].value) == len({i for s in members for i in s["members"]})
    # through the public SPARQL endpoint as well, with the graph named
    ask = sparql_prologue() + f"ASK {{ GRAPH <{graph}> {{ <{ex}> a schema:ExhibitionEvent }} }}"
    answer = client.post("/sparql", data={"query": ask}, headers={"Accept": "application/sparql-results+json"})
    assert answer.get_json()["boolean"] is True
    # only triples about the exhibition (nodes minted under its IRI) are in its graph
    subjects = store.query(f"SELECT DISTINCT ?s WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}").dicts()
    assert subjects and all(r["s"].value.startswith(ex) for r in subjects)
    # and the draft is nowhere in the graph
    assert not store.query(sparql_prologue() + 'ASK { ?e schema:name "Secret draft"@en }').value


def test_publish_replaces_and_unpublish_drops_the_graph(data: Dataset) -> None:
    store, minter = data.hub.store(), data.hub.minter
    doc = data.repo.get("live-glass")
    publish_graph(store, minter, doc, 1, {"glass": ["http://example.org/o/1"]})
    doc.title = {"en": "Glass, republished"}
    publish_graph(store, minter, doc, 2, {"glass": ["http://example.org/o/2"]})
    graph = exhibition_graph(minter, "live-glass")
    members = store.query(f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ ?s <https://linked.art/ns/terms/has_member> ?o }} }}")
    assert {r["o"].value for r in members.dicts()} == {"http://example.org/o/2"}
    drop_graph(store, minter, "live-glass")
    assert graph not in store.graph_names(prefix=f"{minter.base}/graph/exhibition/")
    data.hub.exhibitions.publish("live-glass", 1)  # as it was, for the module's other tests


def test_curator_html_becomes_plain_text_in_the_graph(data: Dataset) -> None:
    doc = data.repo.get("markup")
    text = exhibition_ntriples(data.hub.minter, doc, 1, {"all": []})
    assert "<p" not in text and "onclick" not in text
    assert plain_text('<p>Silk &amp; <b>gold</b></p>\n<p>two</p>') == "Silk & gold two"
    # a title with quotes and markup is a literal, nothing more
    triples = list(ox.parse(text.encode(), format=ox.RdfFormat.N_TRIPLES))
    titles = [q.object.value for q in triples if q.predicate.value.endswith("rdf-schema#label")]
    assert '<script>alert("x")</script><b>Silk & "quotes"</b>' in titles


def test_an_unpublished_exhibition_leaves_the_graph(client: FlaskClient, data: Dataset) -> None:
    assert client.get("/exhibitions/live-glass").status_code == 200
    graph = exhibition_graph(data.hub.minter, "live-glass")
    names = f"{data.hub.minter.base}/graph/exhibition/"
    assert graph in data.hub.store().graph_names(prefix=names)
    data.hub.exhibitions.unpublish("live-glass")
    try:
        assert graph not in data.hub.store().graph_names(prefix=names)
        assert client.get("/exhibitions/live-glass").status_code == 404
    finally:
        data.hub.exhibitions.publish("live-glass", 1)
    assert graph in data.hub.store().graph_names(prefix=names)


@pytest.mark.parametrize("suffix", [".jsonld", ".ttl", ".json", "/manifest.json"])
def test_exhibition_data_is_open_to_any_origin(client: FlaskClient, suffix: str) -> None:
    r = client.get(f"/exhibitions/silk-road-tour{suffix}", headers={"Origin": "https://notebook.example"})
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Origin" not in client.get("/exhibitions/silk-road-tour").headers  # the page
