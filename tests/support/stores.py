"""The store contract's shared part: its records and helpers, and the backends it runs against.

Backends (the ``store`` fixture): pyoxigraph in memory, pyoxigraph on disk, and a real ``oxigraph serve``
subprocess on 127.0.0.1 (the module-scoped ``server`` fixture) reached through the SPARQL 1.1 Protocol
backend. Test modules import the fixtures they use (``from tests.support.stores import server, store``).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from ontology.ntriples import iri, literal, triple
from store import (
    EmbeddedStore,
    ManagedOxigraphServer,
    RecordGraph,
    SolutionsResult,
    Store,
)

BASE = "https://hub.example.org"
PROV = f"{BASE}/graph/provenance"
PREFIX = f"{BASE}/graph/m1/"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD = "http://www.w3.org/2001/XMLSchema#"
SERVER_TIMEOUT_S = 1  # the shared server cancels queries after 1 s, so the cancel tests stay short
# Two patterns over the same triples: n² rows, ~0.6 s for 2,000 triples on the reference machine.
SLOW_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"
ENDLESS_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
AWKWARD = [
    'say "hello"',
    "it's {braced}",
    "} ; DROP ALL ; {",
    '"} } ; DROP ALL ; INSERT DATA { <http://evil/s> <http://evil/p> "x" } #',
    "line one\nline two\r\n\ttabbed",
    "丝绸之路 — Silk Road ✓",
    "back\\slash <http://not/an/iri> ?var $var # not a comment",
]


def obj(n: int | str) -> str:
    return f"{BASE}/id/object/m1/{n}"


def graph(n: int | str) -> str:
    return f"{PREFIX}{n}"


def record(n: int, title: str, version: str = "1") -> RecordGraph:
    s = iri(obj(n))
    body = triple(s, iri(LABEL), literal(title, "en")) + triple(
        s, iri(f"{BASE}/ns#version"), literal(version)
    )
    prov = triple(iri(graph(n)), iri("http://www.w3.org/ns/prov#generatedAtTime"), literal(version))
    return RecordGraph(graph(n), body, prov)


def labels(store: Store) -> dict[str, str]:
    result = store.query(f"SELECT ?s ?l WHERE {{ ?s <{LABEL}> ?l }}")
    assert isinstance(result, SolutionsResult)
    return {row["s"].value: row["l"].value for row in result.dicts()}


def provenance(store: Store) -> dict[str, str]:
    result = store.query(f"SELECT ?g ?v WHERE {{ GRAPH <{PROV}> {{ ?g ?p ?v }} }}")
    assert isinstance(result, SolutionsResult)
    return {row["g"].value: row["v"].value for row in result.dicts()}


def snapshot(store: Store) -> set[bytes]:
    out = io.BytesIO()
    store.dump(out)
    return {line for line in out.getvalue().splitlines() if line.strip()}


def load_many(store: Store, n: int = 2000) -> None:
    lines = "".join(f'<{obj(i)}> <{BASE}/ns#n> "{i}" <{graph(i % 7)}> .\n' for i in range(n))
    store.bulk_load(lines.encode())


# --- fixtures ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ManagedOxigraphServer]:
    srv = ManagedOxigraphServer(tmp_path_factory.mktemp("oxigraph") / "store", timeout_s=SERVER_TIMEOUT_S)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(params=["memory", "disk", "server", "virtuoso"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    s: Store
    if request.param == "memory":
        s = EmbeddedStore(None, PROV)
    elif request.param == "disk":
        s = EmbeddedStore(tmp_path / "store", PROV)
    else:
        s = request.getfixturevalue("server" if request.param == "server" else "virtuoso_server").store(PROV)
        s.update("DROP ALL")
    with s:
        yield s
