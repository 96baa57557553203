"""The public endpoint's budgets (issue 11, class 3): per client query time and errors per minute with
429 and Retry-After, and a bounded number of public queries at once, so pages stay fast."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from store.base import RecordGraph
from web.app import create_app

CROSS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def _app(instance: Path, **settings: object) -> Flask:
    app = create_app({"INSTANCE": instance, "STORE": "memory", **settings})
    triples = "".join(f"<http://x/s{i}> <http://x/p> \"{i}\" .\n" for i in range(300))
    app.extensions["srom"].store().replace_graphs([RecordGraph("http://x/g", triples)])
    return app


@pytest.fixture
def app(instance: Path) -> Iterator[Flask]:
    app = _app(instance, SPARQL_BUDGET_ERRORS=5)
    yield app
    app.extensions["srom"].close()


def test_failed_queries_are_budgeted_per_client(app: Flask) -> None:
    client = app.test_client()
    for _ in range(5):
        assert client.get("/sparql", query_string={"query": "SELECT ?x WHERE { ?x ?p }"}).status_code == 400
    refused = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert "failed queries" in refused.get_data(as_text=True)
    other = app.test_client()
    answer = other.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"},
                       environ_base={"REMOTE_ADDR": "192.0.2.10"})
    assert answer.status_code == 200  # another client is not held back


def test_query_time_is_budgeted_per_client(instance: Path) -> None:
    app = _app(instance, SPARQL_BUDGET_SECONDS=0.5, SPARQL_TIMEOUT=0.3)
    try:
        client = app.test_client()
        first = client.get("/sparql", query_string={"query": CROSS})  # runs into the 0.3 s timeout
        assert first.status_code == 503
        second = client.get("/sparql", query_string={"query": CROSS})
        assert second.status_code == 503
        third = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
        assert third.status_code == 429 and "query time" in third.get_data(as_text=True)
    finally:
        app.extensions["srom"].close()


def test_public_queries_take_bounded_slots_and_pages_stay_fast(instance: Path) -> None:
    app = _app(instance, SPARQL_WORKERS=1, SPARQL_TIMEOUT=6.0)
    try:
        hog = threading.Thread(target=lambda: app.test_client().get("/sparql", query_string={"query": CROSS}))
        hog.start()
        time.sleep(0.5)  # the slow query holds the only slot
        started = time.monotonic()
        busy = app.test_client().get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"},
                                     environ_base={"REMOTE_ADDR": "192.0.2.11"})
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "5"
        assert time.monotonic() - started < 5
        page_started = time.monotonic()
        assert app.test_client().get("/exhibitions/").status_code == 200
        assert time.monotonic() - page_started < 2  # the page did not wait for the query
        hog.join(30)
    finally:
        app.extensions["srom"].close()


def test_a_query_the_embedded_store_cannot_stop_keeps_its_slot_until_it_ends(instance: Path) -> None:
    """pyoxigraph cannot stop a query: after the 503 it runs on in the web process. Its slot stays taken
    until it ends, so timed-out queries cannot pile up beyond ``sparql_workers``; pages stay fast."""
    # a star of 150 triple patterns: Oxigraph plans it for seconds (tests/data/hostile/sparql/planner_star.rq)
    star = "SELECT * WHERE { " + " . ".join(f"?s ?p{i} ?o{i}" for i in range(150)) + " } LIMIT 1"
    app = _app(instance, SPARQL_WORKERS=1, SPARQL_TIMEOUT=1.0)
    try:
        assert app.test_client().get("/sparql", query_string={"query": star}).status_code == 503
        busy = app.test_client().get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"},
                                     environ_base={"REMOTE_ADDR": "192.0.2.12"})
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "5", "the runaway's slot was freed"
        page_started = time.monotonic()
        assert app.test_client().get("/exhibitions/").status_code == 200
        assert time.monotonic() - page_started < 2
        store = app.extensions["srom"].store()
        deadline = time.monotonic() + 300  # generous: other tests' abandoned queries share the cores
        while store.info().details["abandoned_queries_running"] and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(0.2)  # the slot is handed back right after the planner is done
        answer = app.test_client().get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"},
                                       environ_base={"REMOTE_ADDR": "192.0.2.13"})
        assert answer.status_code == 200
    finally:
        app.extensions["srom"].close()
