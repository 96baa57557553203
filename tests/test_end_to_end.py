"""End to end: demo feeds on loopback → harvest over HTTP → managed Oxigraph → SPARQL, RDF, pages.

Everything is real: the OAI-PMH server from the PyPI ``oaipmh`` package serving the demo records, the
``oxigraph serve`` process, the hub's WSGI app on a loopback port, and headless Chromium.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from werkzeug.serving import make_server

from demo.feeds import DemoFeedServer, load_demo_museums
from harvesters.feed_database import Museum
from store.oxigraph_server import ManagedOxigraphServer
from web.app import create_app
from web.cli.demo import install_demo_exhibitions
from web.hub import Hub
from web.settings import load_settings

pytestmark = pytest.mark.slow


@dataclass
class RunningHub:
    url: str
    hub: Hub
    feeds: DemoFeedServer
    expected_objects: int
    instance: Path


@pytest.fixture(scope="module")
def running_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningHub]:
    instance = tmp_path_factory.mktemp("e2e") / "instance"
    settings = load_settings(instance, environ={}, overrides={"ALLOWED_FEED_NETWORKS": ["127.0.0.0/8"]})
    hub = Hub(instance, settings)
    museums = load_demo_museums()
    feeds = DemoFeedServer(museums, host="127.0.0.1", port=0)
    feeds.start()
    oxigraph = ManagedOxigraphServer(hub.store_location, timeout_s=10)
    oxigraph.start()
    server = None
    try:
        hub.use_store(oxigraph.store(hub.minter.provenance_graph()))
        for m in museums:
            hub.feeds.save_museum(
                Museum(id=m.id, name=m.names["en"], names=dict(m.names), feed_url=feeds.feed_url(m.id),
                       format=m.metadata_format, city=m.city, country=m.country, lat=m.lat, lon=m.lon)
            )
        harvester = hub.harvester()
        for m in museums:
            run = harvester.harvest(m.id)
            assert run.outcome == "ok", run.error
            assert run.quarantined == 0, hub.feeds.quarantined(m.id)
        install_demo_exhibitions(hub)  # after the harvest, as `srom demo` does: snapshots pinned from it
        expected = sum(m.record_count - len(m.deleted) for m in museums)
        app = create_app(hub=hub)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield RunningHub(f"http://127.0.0.1:{server.server_port}", hub, feeds, expected, instance)
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()
        hub.close()
        oxigraph.stop()
        feeds.stop()


COUNT = "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a <http://www.cidoc-crm.org/cidoc-crm/E22_Human-Made_Object> }"


def test_object_count_by_sparql_matches_the_feeds(running_hub: RunningHub) -> None:
    response = requests.get(
        f"{running_hub.url}/sparql", params={"query": COUNT},
        headers={"Accept": "application/sparql-results+json"}, timeout=30,
    )
    assert response.status_code == 200
    n = int(response.json()["results"]["bindings"][0]["n"]["value"])
    assert n == running_hub.expected_objects
    assert n >= 160


def test_every_museum_has_objects_with_its_keeper(running_hub: RunningHub) -> None:
    data = requests.get(f"{running_hub.url}/museums.json", timeout=30).json()
    assert data["ok"] is True
    counts = {m["id"]: m["objects"] for m in data["museums"]}
    assert len(counts) >= 4
    assert all(n >= 40 for n in counts.values()), counts


def test_deleted_record_is_not_in_the_store(running_hub: RunningHub) -> None:
    hub = running_hub.hub
    for museum in load_demo_museums():
        for source_id in museum.deleted:
            graph = hub.minter.record_graph(museum.id, source_id)
            assert graph not in hub.store().graph_names(prefix=hub.minter.record_graph_prefix(museum.id))


def _an_object(running_hub: RunningHub) -> str:
    query = COUNT.replace("(COUNT(DISTINCT ?o) AS ?n)", "?o").replace("}", "} ORDER BY ?o LIMIT 1")
    response = requests.post(
        f"{running_hub.url}/sparql", data={"query": query},
        headers={"Accept": "application/sparql-results+json"}, timeout=30,
    )
    return response.json()["results"]["bindings"][0]["o"]["value"]


def test_object_iri_dereferences_as_turtle_and_html(running_hub: RunningHub) -> None:
    iri = _an_object(running_hub)
    path = running_hub.hub.minter.object_path(iri)
    assert path and path.startswith("/id/object/")
    response = requests.get(running_hub.url + path, headers={"Accept": "text/turtle"}, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/turtle")
    triples = list(ox.parse(response.content, format=ox.RdfFormat.TURTLE))
    subjects = {t.subject.value for t in triples}
    assert iri in subjects
    assert any(t.predicate.value.endswith("P50_has_current_keeper") for t in triples)
    html = requests.get(running_hub.url + path, headers={"Accept": "text/html"}, timeout=30)
    assert html.status_code == 200 and "text/html" in html.headers["Content-Type"]
    missing = requests.get(running_hub.url + path + "-missing", headers={"Accept": "text/turtle"}, timeout=30)
    assert missing.status_code == 404


def test_public_endpoint_refuses_updates(running_hub: RunningHub) -> None:
    response = requests.post(
        f"{running_hub.url}/sparql", data={"update": "DROP ALL"}, timeout=30,
    )
    assert response.status_code == 403
    assert int(
        requests.get(f"{running_hub.url}/sparql", params={"query": COUNT},
                     headers={"Accept": "application/sparql-results+json"}, timeout=30)
        .json()["results"]["bindings"][0]["n"]["value"]
    ) == running_hub.expected_objects


def test_exhibition_json_lists_objects_from_several_museums(running_hub: RunningHub) -> None:
    data = requests.get(f"{running_hub.url}/exhibitions/silk-across-the-road.json", timeout=30).json()
    assert data["ok"] is True and data["count"] > 0
    # exhibitions have sections (web/exhibitions/queries.py); the imported demo exhibition has one
    objects = [o for section in data["exhibition"]["sections"] for o in section["objects"]]
    museums = {o["museum"] for o in objects}
    assert len(museums) >= 3, museums
    assert all(o["title"] for o in objects)


@pytest.mark.browser
def test_exhibition_page_shows_its_objects_in_chromium(running_hub: RunningHub, page) -> None:
    page.goto(f"{running_hub.url}/exhibitions/silk-across-the-road")
    cards = page.locator("li.card")
    assert cards.count() > 5
    first_title = cards.first.locator("h3").inner_text()
    assert first_title.strip()
    images = page.locator("li.card img")
    assert images.count() > 0
    # Images come from the museum's own server (the demo feed) and must actually load.
    page.wait_for_function("() => [...document.images].every(i => i.complete)")
    assert page.evaluate("() => [...document.images].filter(i => i.naturalWidth > 0).length") == images.count()
    cards.first.locator("a").first.click()
    page.wait_for_selector("article.object h1")
    assert page.locator("article.object h1").inner_text().strip() == first_title.strip()
    page.goto(f"{running_hub.url}/?lang=zh")
    assert "展览" in page.locator("header.site nav").inner_text()


def test_srom_query_and_harvest_work_while_the_hub_serves(running_hub: RunningHub) -> None:
    env = {"SROM_HOME": str(running_hub.instance), "SROM_ALLOWED_FEED_NETWORKS": "127.0.0.0/8",
           "PATH": str(Path(sys.executable).parent)}
    srom = str(Path(sys.executable).with_name("srom"))
    out = subprocess.run([srom, "query", COUNT], env=env, capture_output=True, timeout=120, check=True)
    n = int(json.loads(out.stdout)["results"]["bindings"][0]["n"]["value"])
    assert n == running_hub.expected_objects
    harvest = subprocess.run([srom, "harvest", "hz-silk"], env=env, capture_output=True, text=True, timeout=300)
    assert harvest.returncode == 0, harvest.stderr
    assert "hz-silk: ok" in harvest.stderr
