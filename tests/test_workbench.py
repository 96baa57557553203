"""The researchers' workbench at /sparql (issue 12): every example query returns rows on the demo museums
through the endpoint itself, completion finds model terms and thesaurus concepts by any label, the page
embeds the examples and shows the limits in English and Chinese, the protocol answers stay as they were,
and "turn into an exhibition" starts a curator's draft with the query."""

from __future__ import annotations

import json
import re

import pytest
from flask.testing import FlaskClient

from ontology.namespaces import PREFIXES
from sparql_endpoint.examples import EXAMPLES
from sparql_endpoint.workbench import complete, complete_text, example_text, missing_prologue
from store.query_guard import check_query
from tests.support.exhibition_dataset import Dataset, client, data
from tests.support.sparql_dataset import BROWSER_ACCEPT
from web.accounts.database import Accounts
from web.hub import database_path

__all__ = ["client", "data"]
VIEWS = {"Table", "Map", "ImageGrid", "Timeline", "BarChart"}
ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"


def test_the_gallery_is_complete_and_every_text_parses() -> None:
    assert len(EXAMPLES) >= 15
    assert len({e.id for e in EXAMPLES}) == len(EXAMPLES)
    for example in EXAMPLES:
        assert example.title["en"] and example.title["zh"], example.id
        assert example.view in VIEWS, example.id
        text = example_text(example)
        assert text.startswith(f"#defaultView:{example.view}")
        assert missing_prologue(text) == "", example.id  # the shown text runs on any client
        check_query(text)


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.id for e in EXAMPLES])
def test_every_example_returns_rows_on_the_demo_museums(client: FlaskClient, example) -> None:
    r = client.post("/sparql", data={"query": example_text(example)}, headers={"Accept": ACCEPT})
    assert r.status_code == 200, r.get_data(as_text=True)
    if r.mimetype == "application/n-triples":
        assert len(r.get_data(as_text=True).strip().splitlines()) > 5
        return
    body = r.json
    rows = body["results"]["bindings"]
    assert rows, example.id
    variables = body["head"]["vars"]
    if example.view == "Map":
        assert any(re.match(r"POINT\(", row[v]["value"]) for row in rows for v in variables if v in row)
    if example.view == "ImageGrid":
        assert any("image" in row for row in rows)
    if example.view == "Timeline":
        assert {"begin", "end"} <= set(variables)
    if example.view == "BarChart":
        last = variables[-1]
        assert all(row[last]["datatype"].endswith("#integer") for row in rows)


def test_cross_museum_examples_span_museums(client: FlaskClient) -> None:
    by_id = {e.id: e for e in EXAMPLES}
    r = client.post("/sparql", data={"query": example_text(by_id["silk-by-century"])}, headers={"Accept": ACCEPT})
    museums = {row["museum"]["value"] for row in r.json["results"]["bindings"]}
    assert len(museums) >= 4
    r = client.post("/sparql", data={"query": example_text(by_id["coins-by-mint"])}, headers={"Accept": ACCEPT})
    mints = {row["mint"]["value"] for row in r.json["results"]["bindings"]}
    assert {"Constantinople", "Samarkand"} <= mints


def test_prefixes_are_added_only_where_used_and_undeclared() -> None:
    text = 'SELECT * { ?s a crm:E22_Human-Made_Object ; rdfs:label "not:a:prefix" . ?s <http://x/y:z> ?o }'
    done = complete_text(text)
    assert done.splitlines()[:2] == [f"PREFIX crm: <{PREFIXES['crm']}>", f"PREFIX rdfs: <{PREFIXES['rdfs']}>"]
    assert complete_text(done) == done
    assert complete_text("#defaultView:Map\nSELECT ?p { ?s skos:broader ?p }").splitlines()[:2] == [
        "#defaultView:Map", f"PREFIX skos: <{PREFIXES['skos']}>"]


def test_completion_finds_concepts_by_any_label_and_model_terms() -> None:
    silk = "https://w3id.org/srom/concept/material/silk"
    for label in ("silk", "Seide", "丝绸", "絲", "шёлк"):
        assert complete(label, "concept")[0]["iri"] == silk, label
    assert complete("撒马尔罕", "concept")[0]["iri"].endswith("/place/samarkand")
    assert complete("E22", "class")[0]["prefixed"] == "crm:E22_Human-Made_Object"
    assert complete("http://www.cidoc-crm.org/cidoc-crm/P45", "property")[0]["prefixed"] == "crm:P45_consists_of"
    assert "crm:P108i_was_produced_by" in [t["prefixed"] for t in complete("produced", "property")]
    assert complete("prefLabel")[0]["prefixed"] == "skos:prefLabel"
    assert all(t["kind"] == "class" for t in complete("E", "class"))
    assert complete("silk", lang="zh")[0]["label"] == "silk · 丝绸"
    assert complete("   ") == []


def test_complete_endpoint(client: FlaskClient) -> None:
    r = client.get("/sparql/complete", query_string={"q": "seide", "kind": "concept", "lang": "en"})
    assert r.status_code == 200 and r.json["ok"]
    assert r.json["results"][0]["iri"] == "https://w3id.org/srom/concept/material/silk"
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert client.get("/sparql/complete", query_string={"q": "x", "kind": "nope"}).status_code == 400
    assert len(client.get("/sparql/complete", query_string={"q": "a", "limit": "999"}).json["results"]) <= 30
    # hostile text: regex and query syntax, control characters, a long text, a bad limit are plain input
    for q in (".*(a+)+$", "title:x OR *", "\x00\x1b[2J", "丝" * 50_000, "<script>alert(1)</script>"):
        answer = client.get("/sparql/complete", query_string={"q": q, "kind": "concept"})
        assert answer.status_code == 200 and answer.json["ok"], q[:20]
        assert "<script>" not in answer.get_data(as_text=True)
    assert client.get("/sparql/complete", query_string={"q": "silk", "limit": "lots"}).status_code == 200


def test_the_page_is_the_workbench_and_the_protocol_is_unchanged(client: FlaskClient, data: Dataset) -> None:
    r = client.get("/sparql", headers={"Accept": BROWSER_ACCEPT})
    assert r.status_code == 200 and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    assert "SPARQL workbench" in html and 'name="query"' in html
    assert "yasqe-4.6.2/yasqe.min.js" in html and "workbench/workbench.js" in html
    assert "<script>" not in html  # scripts are files; data is JSON in non-executable elements
    page = json.loads(re.search(r'<script type="application/json" id="wb-data">(.*?)</script>', html, re.S).group(1))
    assert [e["id"] for e in page["examples"]] == [e.id for e in EXAMPLES]
    assert page["prefixes"] == PREFIXES and page["limits"]["timeout"] == 10.0 and page["limits"]["rows"] == 10000
    assert "A query may run 10 s" in html and "429" in html and "failed queries a minute" in html
    zh = client.get("/sparql?lang=zh", headers={"Accept": BROWSER_ACCEPT}).get_data(as_text=True)
    assert "SPARQL 查询工作台" in zh and "每个查询最多运行 10 秒" in zh and "按世纪和博物馆统计丝绸" in zh
    # the protocol: a query still gets results, not the page; no query without HTML in Accept is 400
    r = client.get("/sparql", query_string={"query": "ASK {}"}, headers={"Accept": BROWSER_ACCEPT})
    assert r.mimetype == "application/sparql-results+json"
    assert client.get("/sparql", headers={"Accept": "application/sparql-results+json"}).status_code == 400


def test_turn_into_an_exhibition_starts_a_draft_with_the_query(client: FlaskClient, data: Dataset) -> None:
    Accounts(database_path(data.hub.instance)).create("wbcurator", "correct horse battery", "curator")
    query = example_text(EXAMPLES[3])
    r = client.get("/curate/new", query_string={"query": query})
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', login_page).group(1)
    client.post("/login", data={"username": "wbcurator", "password": "correct horse battery", "csrf_token": token})
    html = client.get("/curate/new", query_string={"query": query}).get_data(as_text=True)
    assert 'name="query"' in html and "srom:productionPeriod" in html
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    r = client.post("/curate/new", data={"slug": "tang-workbench", "title-en": "Tang", "query": query,
                                         "csrf_token": token})
    assert r.status_code == 302, r.get_data(as_text=True)
    assert data.repo.get("tang-workbench").sections[0].query.strip() == query.strip()
    client.post("/logout", data={"csrf_token": token})
