"""Cross-museum queries over the four demo museums, harvested through the real pipeline.

The demo feeds (LIDO 1.1 in Chinese and English, LIDO 1.0, namespace-less LIDO in Russian and Uzbek,
Dublin Core in German) are served by the real OAI-PMH server of ``demo.feeds`` on loopback and
harvested by ``harvesters.run.Harvester`` into an in-memory pyoxigraph store. One SPARQL query per shared
concept (silk, Samarkand, the Tang dynasty) must return exactly the objects the demo facts table says
have it, from every museum that has them, whatever language each museum catalogued in. The review list
of unmatched terms is checked here too, in the registry and through the web views.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from demo.facts import MUSEUM_OBJECTS, Obj
from demo.feeds import DemoFeedServer, DemoMuseum, load_demo_museums
from harvesters.feed_database import FeedDatabase, Museum
from harvesters.guard import FeedGuard
from harvesters.run import Harvester
from harvesters.unmatched import UnmatchedTerms, sync_thesaurus
from ontology.iris import IriMinter
from ontology.namespaces import sparql_prologue
from ontology.thesaurus import CONCEPT_BASE, get_thesaurus, thesaurus_graph
from store.base import BooleanResult, SolutionsResult
from store.embedded import EmbeddedStore
from web.hub import database_path

MINTER = IriMinter("https://hub.example.org")
SILK = CONCEPT_BASE + "material/silk"
SAMARKAND = CONCEPT_BASE + "place/samarkand"
TANG = CONCEPT_BASE + "period/tang"
PASSWORD = "correct horse battery"


@dataclass
class Harvested:
    store: EmbeddedStore
    registry: FeedDatabase
    instance: Path
    museums: list[DemoMuseum]


@pytest.fixture(scope="module")
def harvested(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harvested]:
    instance = tmp_path_factory.mktemp("cross-museum") / "instance"
    instance.mkdir()
    registry = FeedDatabase(database_path(instance))
    store = EmbeddedStore(None, MINTER.provenance_graph())
    museums = load_demo_museums()
    feeds = DemoFeedServer(museums, host="127.0.0.1", port=0)
    feeds.start()
    try:
        harvester = Harvester(store, registry, MINTER, FeedGuard(["127.0.0.0/8"]), batch_size=50, http_timeout=10)
        for m in museums:
            registry.save_museum(Museum(id=m.id, name=m.names["en"], names=dict(m.names),
                                        feed_url=feeds.feed_url(m.id), format=m.metadata_format))
            run = harvester.harvest(m.id)
            assert run.outcome == "ok", run.error
            assert run.quarantined == 0, registry.quarantined(m.id)
        yield Harvested(store, registry, instance, museums)
    finally:
        feeds.stop()
        store.close()


def expected(harvested: Harvested, wanted: Callable[[Obj], bool]) -> dict[str, set[str]]:
    """Object IRIs per museum, from the demo facts table (the source of the generated feeds)."""
    out: dict[str, set[str]] = {}
    for museum in harvested.museums:
        prefix = museum.config["record_prefix"]
        for n, obj in enumerate(MUSEUM_OBJECTS[museum.id], start=1):
            identifier = f"{museum.oai_identifier_prefix}{prefix}-{n:04d}"
            if identifier not in museum.deleted and wanted(obj):
                out.setdefault(museum.id, set()).add(MINTER.object(museum.id, identifier))
    return out


def select(store: EmbeddedStore, query: str, **bindings: str) -> list[dict[str, ox.NamedNode | ox.Literal]]:
    result = store.query(sparql_prologue() + query, substitutions={k: ox.NamedNode(v) for k, v in bindings.items()})
    assert isinstance(result, SolutionsResult)
    return result.dicts()  # type: ignore[return-value]


def by_museum(objects: set[str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for o in objects:
        out.setdefault(o.split("/id/object/")[1].split("/")[0], set()).add(o)
    return out


# One triple pattern per concept: the same query text whatever the museum's language or local term.
SILK_QUERY = "SELECT DISTINCT ?object WHERE { ?object crm:P45_consists_of ?concept }"
PLACE_QUERY = """SELECT DISTINCT ?object WHERE {
  ?object crm:P108i_was_produced_by/crm:P7_took_place_at/skos:broader* ?concept }"""
PERIOD_QUERY = """SELECT DISTINCT ?object WHERE {
  ?object crm:P108i_was_produced_by/crm:P10_falls_within/skos:broader* ?concept }"""


def test_one_query_finds_the_silk_of_every_museum(harvested: Harvested) -> None:
    found = {row["object"].value for row in select(harvested.store, SILK_QUERY, concept=SILK)}
    want = expected(harvested, lambda o: "silk" in o.mats.split("|"))
    assert len(want) == 4  # every demo museum has silk
    assert by_museum(found) == want


def test_silk_was_catalogued_in_many_languages(harvested: Harvested) -> None:
    # The museums' own material terms behind the shared concept: linked by skos:exactMatch (a local term,
    # in the museum's vocabulary graph) or the thesaurus's own exactMatch to the AAT URI a museum gave.
    rows = select(harvested.store, """SELECT DISTINCT ?label WHERE {
      ?object crm:P45_consists_of ?concept, ?local .
      ?local (skos:exactMatch|^skos:exactMatch) ?concept ; rdfs:label ?label }""", concept=SILK)
    labels = {(r["label"].value, r["label"].language) for r in rows}
    assert {("丝绸", "zh"), ("шёлк", "ru"), ("Seide", "de"), ("silk", "en")} <= labels, labels


def test_one_query_finds_samarkand_in_every_museum_that_has_it(harvested: Harvested) -> None:
    found = {row["object"].value for row in select(harvested.store, PLACE_QUERY, concept=SAMARKAND)}
    want = expected(harvested, lambda o: o.place in ("samarkand", "afrasiyab"))  # Afrasiyab is in Samarkand
    assert len(want) >= 3
    assert by_museum(found) == want


def test_one_query_finds_the_tang_objects_of_every_museum_that_has_them(harvested: Harvested) -> None:
    found = {row["object"].value for row in select(harvested.store, PERIOD_QUERY, concept=TANG)}
    want = expected(harvested, lambda o: o.date[1].startswith("Tang"))
    assert len(want) >= 3
    assert by_museum(found) == want


def test_place_concepts_give_coordinates_and_periods_give_spans_from_the_thesaurus_graph(harvested: Harvested) -> None:
    rows = select(harvested.store, """SELECT ?lat ?long ?wkt WHERE {
      GRAPH ?g { ?place wgs:lat ?lat ; wgs:long ?long ; crm:P168_place_is_defined_by ?wkt } }""",
                  place=SAMARKAND, g=thesaurus_graph(MINTER.base))
    assert len(rows) == 1 and abs(float(rows[0]["lat"].value) - 39.65) < 0.05
    rows = select(harvested.store, "SELECT ?b ?e WHERE { ?tang srom:beginYear ?b ; srom:endYear ?e }", tang=TANG)
    assert [(int(r["b"].value), int(r["e"].value)) for r in rows] == [(618, 907)]


def test_concept_labels_live_in_the_thesaurus_graph_only(harvested: Harvested) -> None:
    graph = thesaurus_graph(MINTER.base)
    result = harvested.store.query(
        sparql_prologue() + "ASK { GRAPH ?g { ?c skos:prefLabel ?l } FILTER(?g != ?thesaurus) }",
        substitutions={"thesaurus": ox.NamedNode(graph)},
    )
    assert isinstance(result, BooleanResult) and result.value is False
    result = harvested.store.query(
        sparql_prologue() + "ASK { GRAPH ?g { ?g owl:versionInfo ?v } }",
        substitutions={"g": ox.NamedNode(graph), "v": ox.Literal(get_thesaurus().version)},
    )
    assert isinstance(result, BooleanResult) and result.value is True
    assert sync_thesaurus(harvested.store, MINTER.base) is False  # same version: not loaded again


def test_record_graphs_keep_the_museums_own_terms(harvested: Harvested) -> None:
    # The museum's term is still there, with its label, next to the shared concept.
    rows = select(harvested.store, """SELECT ?local ?label WHERE {
      ?object crm:P45_consists_of ?concept, ?local . ?local skos:exactMatch ?concept ; rdfs:label ?label }""",
                  concept=SILK)
    assert any(r["label"].value == "Seide" and "/id/term/koeln-glass/material/" in r["local"].value for r in rows)


def test_unmatched_terms_are_collected_per_feed(harvested: Harvested) -> None:
    terms = UnmatchedTerms(harvested.registry.path).terms()
    assert terms, "the demo feeds use terms the thesaurus does not know (a cage cup, a Kaiyuan era...)"
    museums = {t["museum"] for t in terms}
    assert museums <= {m.id for m in harvested.museums}
    cage = [t for t in terms if t["label"] == "cage cup (diatretum)"]
    assert cage and cage[0]["kind"] == "type" and cage[0]["museum"] == "koeln-glass" and cage[0]["records"] >= 1
    # Matched terms never appear; every listed term really matches nothing.
    assert not any(t["label"] in ("silk", "Seide", "шёлк", "丝绸") for t in terms)


def test_unmatched_review_pages_for_the_admin_and_the_museum(harvested: Harvested) -> None:
    from web.app import create_app

    app = create_app({"INSTANCE": harvested.instance, "STORE": "memory"})
    try:
        accounts = app.extensions["srom_accounts"]
        accounts.create("root", PASSWORD, "admin")
        accounts.create("koeln", PASSWORD, "museum", museum_id="koeln-glass")
        accounts.create("hz", PASSWORD, "museum", museum_id="hz-silk")
        assert app.test_client().get("/admin/unmatched").status_code == 302  # anonymous: to the login page

        def login(username: str) -> FlaskClient:
            client = app.test_client()
            html = client.get("/login").get_data(as_text=True)
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
            assert client.post("/login", data={"username": username, "password": PASSWORD,
                                               "csrf_token": csrf}).status_code == 302
            return client

        client = login("root")
        data = client.get("/admin/unmatched.json?kind=type").get_json()
        assert data["ok"] is True and data["count"] == len(data["terms"]) > 0
        assert all(t["kind"] == "type" for t in data["terms"])
        assert any(t["label"] == "cage cup (diatretum)" for t in data["terms"])
        html = client.get("/admin/unmatched?museum=koeln-glass").get_data(as_text=True)
        assert "cage cup (diatretum)" in html and 'skos:altLabel &#34;cage cup (diatretum)&#34;@en' in html
        assert client.get("/admin/unmatched.json?kind=nonsense").status_code == 400

        client = login("koeln")
        own = client.get("/museums/koeln-glass/unmatched.json").get_json()
        assert own["ok"] is True and {t["museum"] for t in own["terms"]} == {"koeln-glass"}
        assert client.get("/museums/xa-history/unmatched.json").status_code == 403
        assert client.get("/admin/unmatched.json").status_code == 403
    finally:
        app.extensions["srom"].close()


@pytest.mark.parametrize("slug", ["silk-across-the-road", "glass-from-the-west", "coins-of-the-silk-road"])
def test_demo_exhibitions_query_the_shared_concepts(harvested: Harvested, slug: str) -> None:
    import tomllib

    exhibition = tomllib.loads((Path(__file__).resolve().parents[1] / "demo/exhibitions" / f"{slug}.toml")
                               .read_text(encoding="utf-8"))
    assert "REGEX" not in exhibition["query"] and "w3id.org/srom/concept/" in exhibition["query"]
    rows = select(harvested.store, exhibition["query"])
    museums = {row["object"].value.split("/id/object/")[1].split("/")[0] for row in rows}
    assert len(museums) >= 2, (slug, museums)


def test_the_default_graph_is_a_set(harvested: Harvested) -> None:
    """No triple is stored in two graphs (issue 12, 2), so the union default graph, which the engines
    compute as a bag, is the RDF merge: `SELECT * { ?s ?p ?o }` gives each triple once. The shared
    descriptions of external terms (an AAT material several museums use) live in one graph,
    ``IriMinter.shared_vocabulary_graph()``; each museum's own terms in its vocabulary graph."""
    store = harvested.store
    duplicated = select(store, "SELECT ?s ?p ?o (COUNT(?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } "
                               "GROUP BY ?s ?p ?o HAVING (COUNT(?g) > 1) LIMIT 5")
    assert duplicated == []
    total = select(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"].value
    distinct = select(store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }")[0]["n"]
    assert total == distinct.value
    shared = select(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                    g=MINTER.shared_vocabulary_graph())[0]["n"]
    assert int(shared.value) > 0  # the demo museums do share external terms
    own = f"{MINTER.base}/"
    for museum in harvested.museums:  # and their vocabulary graphs hold only what each museum owns
        subjects = select(store, "SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } }",
                          g=MINTER.vocabulary_graph(museum.id))
        assert all(isinstance(r["s"], ox.BlankNode) or r["s"].value.startswith(own) for r in subjects), museum.id
