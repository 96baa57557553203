"""Data for reuse over real HTTP: the VoID description, the dumps (gzipped N-Quads, ETag, Range, rebuilt
after harvests), the service description's counts and CORS on the data URLs. A whole hub on 127.0.0.1
(tests/support/served_hub.py) harvests two LIDO feeds from test OAI-PMH servers."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from tests.support.lido_records import lido
from tests.support.oai_test_server import OaiTestServer
from tests.support.served_hub import ServedHub

VOID = "http://rdfs.org/ns/void#"
LICENCE = "https://creativecommons.org/licenses/by/4.0/"


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[tuple[ServedHub, OaiTestServer]]:
    feeds = [OaiTestServer(), OaiTestServer()]
    for n, feed in enumerate(feeds):
        for i in range(3 + n):
            feed.put(f"r{i}", "2026-01-01T00:00:00Z", lido(f"r{i}", f"Bowl {n}-{i}"))
        feed.start()
    served = ServedHub(tmp_path / "hub")
    try:
        served.register("alpha", feeds[0].url, "lido", licence=LICENCE)
        served.register("beta", feeds[1].url, "lido", licence="All rights reserved")
        served.harvest("alpha")
        served.harvest("beta")
        yield served, feeds[0]
    finally:
        served.close()
        for feed in feeds:
            feed.stop()


def void_graph(url: str, accept: str = "text/turtle") -> list[ox.Triple]:
    r = requests.get(f"{url}/.well-known/void", headers={"Accept": accept}, timeout=30)
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == "*"
    return list(ox.parse(r.content, format=ox.RdfFormat.from_media_type(r.headers["Content-Type"])))


def values(graph: list[ox.Triple], subject: str, predicate: str) -> list[str]:
    return sorted(t.object.value for t in graph if t.subject.value == subject and t.predicate.value == predicate)


def test_void_describes_the_hub_and_each_museum(hub: tuple[ServedHub, OaiTestServer]) -> None:
    served, _ = hub
    url = served.url
    graph = void_graph(url)
    assert void_graph(url, "application/ld+json")  # other syntaxes too
    dataset = f"{url}/.well-known/void#hub"
    assert values(graph, dataset, VOID + "sparqlEndpoint") == [f"{url}/sparql"]
    assert values(graph, dataset, VOID + "dataDump") == [f"{url}/dumps/hub.nq.gz"]
    assert values(graph, dataset, VOID + "subset") == [f"{url}/.well-known/void#alpha", f"{url}/.well-known/void#beta"]
    assert values(graph, dataset, VOID + "entities") == ["7"]
    alpha, beta = f"{url}/.well-known/void#alpha", f"{url}/.well-known/void#beta"
    assert values(graph, alpha, "http://purl.org/dc/terms/license") == [LICENCE]
    assert values(graph, beta, "http://purl.org/dc/terms/license") == ["All rights reserved"]
    assert values(graph, alpha, VOID + "entities") == ["3"] and values(graph, beta, VOID + "entities") == ["4"]
    assert values(graph, alpha, VOID + "dataDump") == [f"{url}/dumps/alpha.nq.gz"]
    total = int(values(graph, dataset, VOID + "triples")[0])
    assert total == served.hub.store().count_quads()
    assert int(values(graph, alpha, VOID + "triples")[0]) + int(values(graph, beta, VOID + "triples")[0]) < total


def read_dump(url: str, name: str) -> list[ox.Quad]:
    r = requests.get(f"{url}/dumps/{name}", timeout=30)
    assert r.status_code == 200
    return list(ox.parse(gzip.decompress(r.content), format=ox.RdfFormat.N_QUADS))


def test_dumps_are_listed_and_hold_the_store(hub: tuple[ServedHub, OaiTestServer]) -> None:
    served, _ = hub
    url = served.url
    listing = requests.get(f"{url}/dumps/", headers={"Accept": "application/json"}, timeout=30).json()
    assert [d["name"] for d in listing["dumps"]] == ["hub.nq.gz", "alpha.nq.gz", "beta.nq.gz"]
    assert all(d["bytes"] > 0 and d["modified"].endswith("Z") for d in listing["dumps"])
    html = requests.get(f"{url}/dumps/", headers={"Accept": "text/html"}, timeout=30)
    assert html.status_code == 200 and "alpha.nq.gz" in html.text
    everything = read_dump(url, "hub.nq.gz")
    assert len(everything) == served.hub.store().count_quads()
    alpha = read_dump(url, "alpha.nq.gz")
    graphs = {q.graph_name.value for q in alpha}
    assert f"{url}/graph/museum/alpha" in graphs and f"{url}/graph/provenance" in graphs
    assert not any("/graph/beta/" in g for g in graphs)
    assert sum(1 for g in graphs if g.startswith(f"{url}/graph/alpha/")) == 3
    assert {q.subject.value for q in alpha if q.graph_name.value == f"{url}/graph/provenance"} == {
        g for g in graphs if g.startswith(f"{url}/graph/alpha/")}


def test_dumps_have_etags_ranges_and_cors(hub: tuple[ServedHub, OaiTestServer]) -> None:
    served, _ = hub
    dump = f"{served.url}/dumps/hub.nq.gz"
    whole = requests.get(dump, timeout=30)
    etag = whole.headers["ETag"]
    assert whole.headers["Access-Control-Allow-Origin"] == "*" and whole.headers["Accept-Ranges"] == "bytes"
    assert requests.get(dump, headers={"If-None-Match": etag}, timeout=30).status_code == 304
    part = requests.get(dump, headers={"Range": "bytes=10-19"}, timeout=30)
    assert part.status_code == 206 and part.content == whole.content[10:20]
    assert part.headers["Content-Range"] == f"bytes 10-19/{len(whole.content)}"
    assert requests.get(f"{served.url}/dumps/nothing.nq.gz", timeout=30).status_code == 404
    # hostile names: only files the dump manifest lists are served, never a path out of the dumps folder
    for name in ("..%2Fhub.sqlite", "%2E%2E%2Fsecret_key", "..%5Chub.sqlite", "hub.nq.gz%00.txt"):
        assert requests.get(f"{served.url}/dumps/{name}", timeout=30).status_code == 404, name


def test_dumps_are_rebuilt_after_a_harvest(hub: tuple[ServedHub, OaiTestServer]) -> None:
    served, feed = hub
    before = requests.get(f"{served.url}/dumps/alpha.nq.gz", timeout=30)
    assert requests.get(f"{served.url}/dumps/alpha.nq.gz", timeout=30).headers["ETag"] == before.headers["ETag"]
    feed.put("r9", "2026-02-01T00:00:00Z", lido("r9", "Bowl 0-9"))
    feed.now = "2026-02-02T00:00:00Z"
    served.harvest("alpha")
    after = requests.get(f"{served.url}/dumps/alpha.nq.gz", timeout=30)
    assert after.headers["ETag"] != before.headers["ETag"]
    titles = {q.object.value for q in ox.parse(gzip.decompress(after.content), format=ox.RdfFormat.N_QUADS)}
    assert "Bowl 0-9" in titles
    listing = requests.get(f"{served.url}/dumps.json", timeout=30).json()
    assert [d["objects"] for d in listing["dumps"] if d["name"] == "alpha.nq.gz"] == [4]


def test_service_description_counts_and_links(hub: tuple[ServedHub, OaiTestServer]) -> None:
    served, _ = hub
    requests.get(f"{served.url}/dumps/", timeout=30)  # the counts come from the dumps' manifest
    r = requests.get(f"{served.url}/sparql", headers={"Accept": "text/turtle"}, timeout=30)
    graph = list(ox.parse(r.content, format=ox.RdfFormat.TURTLE))
    assert [t.object.value for t in graph if t.predicate.value == VOID + "triples"] == [
        str(served.hub.store().count_quads())]
    assert [t.object.value for t in graph if t.predicate.value == VOID + "dataDump"] == [
        f"{served.url}/dumps/hub.nq.gz"]


def test_the_default_graph_has_no_duplicate_triples_at_the_endpoint(hub: tuple[ServedHub, OaiTestServer]) -> None:
    served, _ = hub
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    distinct = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
    counts = [requests.get(f"{served.url}/sparql", params={"query": q}, timeout=30).json()
              ["results"]["bindings"][0]["n"]["value"] for q in (query, distinct)]
    assert counts[0] == counts[1]


@pytest.mark.parametrize("path", ["/activity/all-changes", "/.well-known/void", "/dumps/", "/contexts/linked-art.json"])
def test_data_urls_are_open_to_any_origin(hub: tuple[ServedHub, OaiTestServer], path: str) -> None:
    served, _ = hub
    r = requests.get(served.url + path, headers={"Origin": "https://notebook.example"}, timeout=30)
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == "*"
    pre = requests.options(served.url + path, headers={
        "Origin": "https://notebook.example", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "accept, range"}, timeout=30)
    assert pre.status_code == 200 and pre.headers["Access-Control-Allow-Origin"] == "*"
    assert pre.headers["Access-Control-Allow-Headers"] == "accept, range"
    # pages that are not data stay same-origin
    assert "Access-Control-Allow-Origin" not in requests.get(f"{served.url}/", timeout=30).headers
