"""The hub's change feed (IIIF Change Discovery 1.0 at /activity/all-changes) and the round trip it exists
for: hub B harvests hub A with the hub's own ``iiif-discovery`` source and ``linked-art`` format, and ends
with A's objects; an update and a deletion at A reach B on B's next incremental harvest.

Everything is real: A and B are whole hubs (``create_app``, in-memory stores) on their own HTTP servers on
127.0.0.1 (tests/support/served_hub.py), A harvests a LIDO feed from a test OAI-PMH server, B reads A over
HTTP (feed pages, then each object's Linked Art JSON-LD from its IRI).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from ontology.namespaces import sparql_prologue
from store.base import SolutionsResult
from tests.support.lido_records import lido
from tests.support.oai_test_server import OaiTestServer
from tests.support.served_hub import ServedHub

TITLES = {f"rec-{n}": f"Silk fragment {n}" for n in range(1, 8)}
OBJECTS = sparql_prologue() + """
SELECT ?object ?title WHERE {
  ?object a crm:E22_Human-Made_Object ; rdfs:label ?title .
}"""
SAME_AS = sparql_prologue() + "SELECT ?object ?same WHERE { ?object owl:sameAs ?same }"


@pytest.fixture
def feed() -> Iterator[OaiTestServer]:
    server = OaiTestServer(page_size=3)
    for identifier, title in TITLES.items():
        server.put(identifier, "2026-01-01T00:00:00Z", lido(identifier, title))
    with server:
        yield server


@pytest.fixture
def hubs(tmp_path: Path, feed: OaiTestServer) -> Iterator[tuple[ServedHub, ServedHub]]:
    a = ServedHub(tmp_path / "a", ACTIVITY_PAGE_SIZE=4)
    b = ServedHub(tmp_path / "b")
    try:
        a.register("museum-a", feed.url, "lido")
        b.register("hub-a", f"{a.url}/activity/all-changes", "linked-art", protocol="iiif-discovery",
                   options={"page_size": 3})
        yield a, b
    finally:
        a.close()
        b.close()


def titles(hub: ServedHub) -> dict[str, str]:
    result = hub.hub.store().query(OBJECTS)
    assert isinstance(result, SolutionsResult)
    return {str(r["object"].value): r["title"].value for r in result.dicts()}


def titles_by_origin(b: ServedHub) -> dict[str, str]:
    """B's objects by the A object they came from (B re-mints them and keeps A's IRI as owl:sameAs)."""
    result = b.hub.store().query(SAME_AS)
    assert isinstance(result, SolutionsResult)
    origin = {str(r["object"].value): r["same"].value for r in result.dicts()
              if r["same"].value.startswith("http://127.0.0.1")}
    return {origin[o]: t for o, t in titles(b).items() if o in origin}


def all_items(hub: ServedHub) -> list[dict]:
    """Every activity of the hub's feed, oldest first, walking the pages from ``first`` through ``next``."""
    page_url = requests.get(f"{hub.url}/activity/all-changes", timeout=10).json()["first"]["id"]
    items: list[dict] = []
    while page_url:
        page = requests.get(page_url, timeout=10).json()
        items += page["orderedItems"]
        page_url = page.get("next", {}).get("id")
    return items


def test_the_feed_is_change_discovery(hubs: tuple[ServedHub, ServedHub], feed: OaiTestServer) -> None:
    a, _ = hubs
    empty = requests.get(f"{a.url}/activity/all-changes", timeout=10).json()
    assert empty["type"] == "OrderedCollection" and empty["totalItems"] == 0
    a.harvest("museum-a")
    r = requests.get(f"{a.url}/activity/all-changes", timeout=10)
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == "*"
    assert r.headers["Content-Type"].startswith("application/ld+json")
    collection = r.json()
    assert collection["@context"] == "http://iiif.io/api/discovery/1/context.json"
    assert collection["totalItems"] == 7
    assert collection["first"]["id"] == f"{a.url}/activity/page/0"
    assert collection["last"] == {"id": f"{a.url}/activity/page/1", "type": "OrderedCollectionPage"}
    last = requests.get(collection["last"]["id"], timeout=10).json()
    assert last["type"] == "OrderedCollectionPage" and last["partOf"]["id"] == collection["id"]
    assert last["startIndex"] == 4 and "next" not in last and last["prev"]["id"] == collection["first"]["id"]
    first = requests.get(last["prev"]["id"], timeout=10).json()
    items = first["orderedItems"] + last["orderedItems"]
    assert [i["type"] for i in items] == ["Create"] * 7
    assert {i["object"]["id"] for i in items} == set(titles(a))
    assert all(i["object"]["type"] == "HumanMadeObject" and i["endTime"].endswith("Z") for i in items)
    assert requests.get(f"{a.url}/activity/page/2", timeout=10).status_code == 404
    # a re-harvest that changes nothing announces nothing
    a.harvest("museum-a", full=True)
    assert requests.get(f"{a.url}/activity/all-changes", timeout=10).json()["totalItems"] == 7


def test_a_second_hub_harvests_the_first_through_its_change_feed(
        hubs: tuple[ServedHub, ServedHub], feed: OaiTestServer) -> None:
    a, b = hubs
    a.harvest("museum-a")
    first = b.harvest("hub-a")
    assert first.new == 7 and first.quarantined == 0, b.hub.feeds.quarantined("hub-a")
    assert titles_by_origin(b) == titles(a)

    # at A: one record changes, one is deleted at the source, one is new
    feed.put("rec-2", "2026-02-01T00:00:00Z", lido("rec-2", "Silk fragment 2, restored"))
    feed.delete("rec-5", "2026-02-01T00:00:00Z")
    feed.put("rec-9", "2026-02-01T00:00:00Z", lido("rec-9", "Silk fragment 9"))
    feed.now = "2026-02-02T00:00:00Z"
    run = a.harvest("museum-a")
    assert (run.updated, run.deleted, run.new) == (1, 1, 1)
    assert sorted(i["type"] for i in all_items(a)[7:]) == ["Create", "Delete", "Update"]

    again = b.harvest("hub-a")
    assert (again.new, again.updated, again.deleted) == (1, 1, 1)
    assert titles_by_origin(b) == titles(a)
    assert "Silk fragment 2, restored" in titles_by_origin(b).values()
    assert len(titles(b)) == 7

    # nothing new at A: B's next incremental harvest changes nothing
    quiet = b.harvest("hub-a")
    assert (quiet.new, quiet.updated, quiet.deleted) == (0, 0, 0)


def test_removals_are_announced_as_deletions(hubs: tuple[ServedHub, ServedHub], feed: OaiTestServer) -> None:
    a, _ = hubs
    a.harvest("museum-a")
    graphs = a.hub.store().graph_names(prefix=a.hub.minter.record_graph_prefix("museum-a"))
    a.hub.museums.delete("museum-a")
    collection = requests.get(f"{a.url}/activity/all-changes", timeout=10).json()
    assert collection["totalItems"] == 7 + len(graphs)
    items = all_items(a)
    deleted = {i["object"]["id"] for i in items if i["type"] == "Delete"}
    assert deleted == {a.hub.minter.object_of_record_graph(g) for g in graphs}


def test_object_iris_answer_linked_art(hubs: tuple[ServedHub, ServedHub]) -> None:
    a, _ = hubs
    a.harvest("museum-a")
    iri = sorted(titles(a))[0]
    profile = 'application/ld+json;profile="https://linked.art/ns/v1/linked-art.json"'
    for accept in (profile, "application/ld+json", "application/json"):
        r = requests.get(iri, headers={"Accept": accept}, timeout=10)
        assert r.status_code == 200, accept
        assert r.headers["Content-Type"] == profile
        assert r.headers["Access-Control-Allow-Origin"] == "*"
        doc = r.json()
        assert doc["@context"] == "https://linked.art/ns/v1/linked-art.json"
        assert doc["id"] == iri and doc["type"] == "HumanMadeObject"
        assert {"identified_by", "current_custodian", "_label"} <= set(doc)
        assert any(n.get("type") == "Name" for n in doc["identified_by"])
    html = requests.get(iri, headers={"Accept": "text/html"}, timeout=10)
    assert html.headers["Content-Type"].startswith("text/html")
    assert 'rel="describedby" type="application/ld+json"' in html.text
    assert 'rel="alternate" type="text/turtle"' in html.text
    assert 'rel="describedby"' in html.headers["Link"]
    # preflight (a profile in Accept makes browsers ask first)
    pre = requests.options(iri, headers={"Origin": "https://notebook.example", "Access-Control-Request-Method": "GET",
                                         "Access-Control-Request-Headers": "accept"}, timeout=10)
    assert pre.status_code == 200 and pre.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in pre.headers["Access-Control-Allow-Methods"]
    assert pre.headers["Access-Control-Allow-Headers"] == "accept"


def test_linked_art_expands_to_the_record_graph(hubs: tuple[ServedHub, ServedHub]) -> None:
    """With the vendored Linked Art context, the JSON-LD is the same RDF as the Turtle form."""
    import json

    from web.objects.linked_art import CONTEXT_FILE

    a, _ = hubs
    a.harvest("museum-a")
    iri = sorted(titles(a))[0]
    doc = requests.get(iri, headers={"Accept": "application/ld+json"}, timeout=10).json()
    doc["@context"] = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]
    from_jsonld = set(ox.parse(json.dumps(doc).encode(), format=ox.RdfFormat.JSON_LD))
    turtle = requests.get(iri, headers={"Accept": "text/turtle"}, timeout=10)
    from_turtle = {ox.Quad(t.subject, t.predicate, t.object)
                   for t in ox.parse(turtle.content, format=ox.RdfFormat.TURTLE)}
    assert from_jsonld == from_turtle and len(from_turtle) > 10
