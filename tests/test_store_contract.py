"""The store contract: one suite run against every backend, plus what only the managed server has.

Backends: pyoxigraph in memory, pyoxigraph on disk, a real ``oxigraph serve`` subprocess on 127.0.0.1
reached through the SPARQL 1.1 Protocol backend, and the managed Virtuoso server (one per test session,
``tests/virtuoso_fixtures.py``; its own differences are tested in ``test_store_virtuoso.py``). Nothing here
is mocked.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from ontology.ntriples import iri, literal, triple
from store import (
    BooleanResult,
    EmbeddedStore,
    GraphResult,
    ManagedOxigraphServer,
    QuerySyntaxError,
    QueryTimeout,
    RecordGraph,
    SolutionsResult,
    SparqlProtocolStore,
    Store,
    StoreError,
    StoreUnavailable,
    find_running_server,
    open_store,
)
from store.bind_values import bind_values
from store.oxigraph_server import state_path
from store.sparql_protocol import OXIGRAPH_CANCELLED

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


# --- the contract --------------------------------------------------------------------------------
def test_replace_graphs_batch_then_one_record(store: Store) -> None:
    store.replace_graphs([record(1, "bowl"), record(2, "cup"), record(3, "vase")])
    assert labels(store) == {obj(1): "bowl", obj(2): "cup", obj(3): "vase"}
    assert provenance(store) == {graph(1): "1", graph(2): "1", graph(3): "1"}

    store.replace_graphs([record(2, "silk cup", version="2")])
    assert labels(store) == {obj(1): "bowl", obj(2): "silk cup", obj(3): "vase"}
    assert provenance(store) == {graph(1): "1", graph(2): "2", graph(3): "1"}
    result = store.query(f"SELECT ?p ?o WHERE {{ GRAPH <{graph(2)}> {{ ?s ?p ?o }} }}")
    assert isinstance(result, SolutionsResult) and len(result.rows) == 2  # old triples gone, not added to


def test_drop_graphs_removes_graph_and_provenance(store: Store) -> None:
    store.replace_graphs([record(1, "bowl"), record(2, "cup")])
    store.drop_graphs([graph(1), graph("never-harvested")])
    assert labels(store) == {obj(2): "cup"}
    assert provenance(store) == {graph(2): "1"}
    assert store.graph_names(PREFIX) == [graph(2)]
    store.drop_graphs([])


def test_graph_iris_are_checked_before_they_reach_update_text(store: Store) -> None:
    with pytest.raises(ValueError):
        store.drop_graphs([graph(1) + "> } ; DROP ALL ; { <x"])


def test_union_default_graph(store: Store) -> None:
    store.replace_graphs([record(1, "bowl"), record(2, "cup")])
    result = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{LABEL}> ?l }}")
    assert isinstance(result, SolutionsResult)
    assert result.rows[0][0] == ox.Literal("2", datatype=ox.NamedNode(XSD + "integer"))


def test_result_types(store: Store) -> None:
    store.replace_graphs([record(1, "bowl")])
    select = store.query(
        f"SELECT ?l ?missing WHERE {{ <{obj(1)}> <{LABEL}> ?l OPTIONAL {{ ?l ?x ?missing }} }}"
    )
    assert isinstance(select, SolutionsResult)
    assert select.variables == ["l", "missing"]
    assert select.rows == [(ox.Literal("bowl", language="en"), None)]
    assert select.dicts() == [{"l": ox.Literal("bowl", language="en")}]
    assert store.query(f"ASK {{ <{obj(1)}> ?p ?o }}") == BooleanResult(True)
    assert store.query("ASK { <http://nowhere/x> ?p ?o }") == BooleanResult(False)
    construct = store.query(f"CONSTRUCT {{ ?s <{LABEL}> ?l }} WHERE {{ ?s <{LABEL}> ?l }}")
    assert isinstance(construct, GraphResult)
    assert construct.triples == [
        ox.Triple(ox.NamedNode(obj(1)), ox.NamedNode(LABEL), ox.Literal("bowl", language="en"))
    ]
    describe = store.query(f"DESCRIBE <{obj(1)}>")
    assert isinstance(describe, GraphResult) and len(describe.triples) == 2


@pytest.mark.parametrize("value", AWKWARD)
def test_substitutions_bind_awkward_values_as_terms(store: Store, value: str) -> None:
    store.replace_graphs([record(1, value), record(2, "cup")])
    before = store.count_quads()
    bound = {"label": ox.Literal(value, language="en")}
    result = store.query(f"SELECT ?s WHERE {{ ?s <{LABEL}> ?label }}", substitutions=bound)
    assert isinstance(result, SolutionsResult)
    assert [row[0] for row in result.rows] == [ox.NamedNode(obj(1))]
    # bound where a FILTER and the CONSTRUCT short form see it, and in an ASK without WHERE
    filtered = store.query(
        f"SELECT ?s {{ ?s <{LABEL}> ?l FILTER(STR(?l) = STR(?label)) }}", substitutions=bound
    )
    assert isinstance(filtered, SolutionsResult) and len(filtered.rows) == 1
    short = store.query(f"CONSTRUCT WHERE {{ ?s <{LABEL}> ?label }}", substitutions=bound)
    assert isinstance(short, GraphResult) and [t.object for t in short.triples] == [bound["label"]]
    assert store.query(f"ASK {{ ?s <{LABEL}> ?label }}", substitutions={"label": ox.Literal(value)}) == (
        BooleanResult(False)  # no language tag: a different term
    )
    assert store.count_quads() == before  # nothing was executed


def test_substitution_of_an_iri(store: Store) -> None:
    store.replace_graphs([record(1, "bowl"), record(2, "cup")])
    result = store.query(
        f"CONSTRUCT {{ ?object <{LABEL}> ?l }} WHERE {{ ?object <{LABEL}> ?l }}",
        substitutions={"object": ox.NamedNode(obj(2))},
    )
    assert isinstance(result, GraphResult) and [t.object.value for t in result.triples] == ["cup"]


def test_limit_and_truncated(store: Store) -> None:
    store.replace_graphs([record(i, f"object {i}") for i in range(10)])
    query = f"SELECT ?s WHERE {{ ?s <{LABEL}> ?l }}"
    for limit, rows, truncated in [(5, 5, True), (10, 10, False), (20, 10, False), (None, 10, False)]:
        result = store.query(query, limit=limit)
        assert isinstance(result, SolutionsResult)
        assert (len(result.rows), result.truncated) == (rows, truncated)
    construct = store.query(f"CONSTRUCT WHERE {{ ?s <{LABEL}> ?l }}", limit=3)
    assert isinstance(construct, GraphResult) and len(construct.triples) == 3 and construct.truncated


def test_syntax_errors(store: Store) -> None:
    with pytest.raises(QuerySyntaxError):
        store.query("SELECT * WHERE { ?s ?p ")
    with pytest.raises(QuerySyntaxError):
        store.update("INSERT DATA { <http://a> <http://b> ")


def test_literals_round_trip(store: Store) -> None:
    values = [
        ox.Literal("丝绸", language="zh"),
        ox.Literal("silk", language="en-gb"),
        ox.Literal("12.5", datatype=ox.NamedNode(XSD + "decimal")),
        ox.Literal("-0206-01-01T00:00:00", datatype=ox.NamedNode(XSD + "dateTime")),
        ox.Literal(
            "POINT(66.97 39.65)", datatype=ox.NamedNode("http://www.opengis.net/ont/geosparql#wktLiteral")
        ),
        ox.Literal('plain\nwith newline and "quotes"'),
    ]
    body = "".join(f"<{obj(1)}> <{BASE}/ns#v> {v} .\n" for v in values)
    store.replace_graphs([RecordGraph(graph(1), body)])
    result = store.query(f"SELECT ?v WHERE {{ <{obj(1)}> <{BASE}/ns#v> ?v }}")
    assert isinstance(result, SolutionsResult)
    assert {row[0] for row in result.rows} == set(values)


def test_graph_names_and_count(store: Store) -> None:
    store.replace_graphs([record(1, "bowl"), record(2, "cup")])
    store.update(f'INSERT DATA {{ GRAPH <{BASE}/graph/m2/9> {{ <{obj(9)}> <{LABEL}> "jar" }} }}')
    assert store.graph_names(PREFIX) == [graph(1), graph(2)]
    assert store.graph_names(f"{BASE}/graph/m2/") == [f"{BASE}/graph/m2/9"]
    assert store.graph_names('x" ) } #') == []
    assert set(store.graph_names()) == {graph(1), graph(2), f"{BASE}/graph/m2/9", PROV}
    assert store.count_quads() == 2 * 2 + 2 + 1
    store.update('INSERT DATA { <http://default/s> <http://default/p> "in the default graph" }')
    assert store.count_quads() == 8


def test_dump_then_bulk_load_gives_the_same_store(store: Store) -> None:
    store.replace_graphs([record(i, AWKWARD[i % len(AWKWARD)]) for i in range(20)])
    store.update('INSERT DATA { <http://default/s> <http://default/p> "default graph" }')
    count, before = store.count_quads(), snapshot(store)
    out = io.BytesIO()
    store.dump(out)
    with EmbeddedStore(None, PROV) as fresh:
        fresh.bulk_load(out.getvalue())
        assert fresh.count_quads() == count
    store.update("DROP ALL")
    assert store.count_quads() == 0
    store.bulk_load(out.getvalue())
    assert store.count_quads() == count and snapshot(store) == before


def test_failing_update_leaves_the_store_unchanged(store: Store) -> None:
    store.replace_graphs([record(1, "bowl"), record(2, "cup")])
    before = snapshot(store)
    with pytest.raises(QuerySyntaxError):  # fails while parsing, after valid drops
        store.update(
            f'DROP GRAPH <{graph(1)}> ; INSERT DATA {{ GRAPH <{graph(3)}> {{ <{obj(3)}> <{LABEL}> "x }} }}'
        )
    with pytest.raises(QuerySyntaxError):
        store.replace_graphs([record(3, "fine"), RecordGraph(graph(4), "<http://broken> .\n")])
    with pytest.raises(StoreError):  # fails while running: the graph exists, after the drop ran
        store.update(f"DROP GRAPH <{graph(1)}> ; CREATE GRAPH <{graph(2)}>")
    assert snapshot(store) == before


def test_query_timeout(store: Store) -> None:
    load_many(store)
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        store.query(SLOW_COUNT, timeout=0.05)
    assert time.monotonic() - started < 1.0
    assert store.query("ASK { ?s ?p ?o }") == BooleanResult(True)  # still usable


# --- the protocol backend's binding of substitutions ------------------------------------------------
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT * WHERE { VALUES (?x) { (<http://x>) }\n ?s ?p ?o }"),
        (
            'PREFIX w: <http://w/{}>\n# WHERE { comment\nSELECT ?where (STR("{") AS ?b) { ?where ?p ?o }',
            'SELECT ?where (STR("{") AS ?b) { VALUES',
        ),
        ("ASK{?s ?p ?o}", "ASK{ VALUES (?x) { (<http://x>) }\n?s ?p ?o}"),
        ("CONSTRUCT { ?s ?p ?o } { ?s ?p ?o }", "CONSTRUCT { ?s ?p ?o } { VALUES"),
        (
            "construct where { ?s ?p ?x }",
            "construct { ?s ?p ?x \n} where { VALUES (?x) { (<http://x>) }\n ?s ?p ?x }",
        ),
        (
            "SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } } }",
            "SELECT ?s WHERE { VALUES (?x) { (<http://x>) }\n {",
        ),
    ],
)
def test_bind_values_finds_the_where_group(query: str, expected: str) -> None:
    assert expected in bind_values(query, {"x": ox.NamedNode("http://x")})


def test_bind_values_refuses_what_it_cannot_bind() -> None:
    with pytest.raises(QuerySyntaxError):
        bind_values("DESCRIBE ?x", {"x": ox.NamedNode("http://x")})
    with pytest.raises(TypeError):
        bind_values("SELECT * { ?x ?p ?o }", {"x": ox.BlankNode()})
    with pytest.raises(ValueError):
        bind_values("SELECT * { ?x ?p ?o }", {"x y": ox.NamedNode("http://x")})


# --- the managed server --------------------------------------------------------------------------
@pytest.mark.slow
def test_server_cancelled_body_is_a_timeout(server: ManagedOxigraphServer) -> None:
    with server.store(PROV) as s:
        s.update("DROP ALL")
        load_many(s, 300)
        # The quirk itself: HTTP 200, a cut-off body, then the cancellation text.
        with (
            requests.Session() as http,
            http.post(
                f"{server.url}/query",
                data=ENDLESS_COUNT,
                headers={
                    "Content-Type": "application/sparql-query",
                    "Accept": "application/sparql-results+json",
                },
            ) as response,
        ):
            assert response.status_code == 200
            assert response.content.rstrip().endswith(OXIGRAPH_CANCELLED)
            assert response.content.startswith(b'{"head"')
        with pytest.raises(QueryTimeout, match="cancelled"):
            s.query(ENDLESS_COUNT)  # no client timeout: only the server's --timeout-s stops it
        never = 'FILTER(STR(?c) = CONCAT(STR(?f), STR(?i), "-"))'
        with pytest.raises(QueryTimeout, match="cancelled"):  # the N-Triples variant
            s.query(f"CONSTRUCT {{ ?a ?b ?d }} WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i {never} }}")


JSON_ROWS = b'{"head":{"vars":["s"]},"results":{"bindings":[{"s":{"type":"uri","value":"http://a"}}'
CANNED: dict[str, tuple[str, bytes]] = {
    "/ok": ("application/sparql-results+json; charset=utf-8", JSON_ROWS + b"]}}"),
    "/cut": ("application/sparql-results+json", JSON_ROWS + b","),
    "/cancelled": ("application/sparql-results+json", JSON_ROWS + b"," + OXIGRAPH_CANCELLED),
    "/nt-cancelled": ("application/n-triples", b"<http://a> <http://b> <http://c> .\n" + OXIGRAPH_CANCELLED),
    "/nt-cut-at-line-end": ("application/n-triples", b"<http://a> <http://b> <http://c> .\n"),
    "/html": ("text/html", b"<html>login</html>"),
    "/csv": ("text/csv", b"s\r\nhttp://a\r\n"),
}


class _CannedHandler(BaseHTTPRequestHandler):
    """A SPARQL endpoint that answers fixed bodies, as misbehaving servers do."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        path, _, trickle = self.path.partition("?")
        media_type, body = CANNED[path]
        self.send_response(200)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        step = 8 if trickle else len(body)
        for i in range(0, len(body), step):
            self.wfile.write(body[i : i + step])
            self.wfile.flush()
            if trickle:
                time.sleep(0.1)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def canned() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _CannedHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.mark.parametrize(
    ("path", "error", "match"),
    [
        ("/cut", StoreError, "unparseable"),
        ("/cancelled", QueryTimeout, "cancelled"),
        ("/nt-cancelled", QueryTimeout, "cancelled"),
        ("/html", StoreError, "Content-Type"),
        ("/csv", StoreError, "Content-Type"),
    ],
)
def test_cut_off_or_foreign_bodies_are_errors_not_results(
    canned: str, path: str, error: type[Exception], match: str
) -> None:
    with SparqlProtocolStore(canned + path, None, None, PROV) as s:
        with pytest.raises(error, match=match):
            s.query("SELECT * WHERE { ?s ?p ?o }")


def test_canned_bodies_that_parse_are_results(canned: str) -> None:
    with SparqlProtocolStore(canned + "/ok", None, None, PROV) as s:
        assert s.query("SELECT ?s WHERE { ?s ?p ?o }") == SolutionsResult(
            ["s"], [(ox.NamedNode("http://a"),)]
        )
    with SparqlProtocolStore(canned + "/nt-cut-at-line-end", None, None, PROV) as s:
        assert isinstance(s.query("CONSTRUCT WHERE { ?s ?p ?o }"), GraphResult)


def test_a_trickling_body_is_stopped_at_the_deadline(canned: str) -> None:
    # ~150 bytes, 8 every 100 ms: each socket read is quick, the whole answer takes ~2 s.
    with SparqlProtocolStore(canned + "/ok?trickle", None, None, PROV) as s:
        started = time.monotonic()
        with pytest.raises(QueryTimeout):
            s.query("SELECT ?s WHERE { ?s ?p ?o }", timeout=0.3)
        assert time.monotonic() - started < 0.5


def test_embedded_open_of_a_locked_directory(server: ManagedOxigraphServer) -> None:
    with pytest.raises(StoreUnavailable, match=str(server.location)):
        EmbeddedStore(server.location, PROV)


def test_server_on_a_locked_directory_fails_with_the_log(tmp_path: Path) -> None:
    location = tmp_path / "store"
    with EmbeddedStore(location, PROV):
        srv = ManagedOxigraphServer(location, timeout_s=5)
        with pytest.raises(StoreUnavailable, match="LOCK"):
            srv.start()
        assert not srv.is_running() and not state_path(location).exists()


def test_only_loopback_binds(tmp_path: Path) -> None:
    for host in ("0.0.0.0", "192.168.1.10", "example.org", "::"):
        with pytest.raises(ValueError):
            ManagedOxigraphServer(tmp_path / "store", host=host)


def test_find_running_server(server: ManagedOxigraphServer, tmp_path: Path) -> None:
    assert find_running_server(server.location) == server.url
    assert json.loads(state_path(server.location).read_text())["pid"] == server.pid
    location = tmp_path / "store"
    assert find_running_server(location) is None
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    state = {"pid": int(dead.stdout), "url": "http://127.0.0.1:9", "location": str(location.resolve())}
    state_path(location).write_text(json.dumps(state))
    assert find_running_server(location) is None
    assert not state_path(location).exists()  # stale: removed
    state_path(location).write_text("{not json")
    assert find_running_server(location) is None and not state_path(location).exists()
    state_path(location).write_text(json.dumps(state | {"pid": os.getpid()}))
    assert find_running_server(location) is None  # alive but not answering: kept
    assert state_path(location).exists()


def test_open_store(server: ManagedOxigraphServer, tmp_path: Path) -> None:
    with open_store("memory", PROV, location=None, timeout_s=5) as s:
        assert s.backend == "memory"
    with open_store("oxigraph-server", PROV, location=server.location, timeout_s=5) as s:
        assert s.backend == "oxigraph-server"
        assert s.query("ASK {}") == BooleanResult(True)
    with open_store("oxigraph-server", PROV, location=tmp_path / "store", timeout_s=5) as s:
        assert s.backend == "embedded"  # no server runs there: one-shot commands open the directory
    with open_store(f"{server.url}/query|{server.url}/update", PROV, location=None, timeout_s=5) as s:
        assert isinstance(s, SparqlProtocolStore) and s.update_url == f"{server.url}/update"
        assert s.query("ASK {}") == BooleanResult(True)
    with pytest.raises(ValueError):
        open_store("embedded", PROV, location=None, timeout_s=5)
    with pytest.raises(ValueError):
        open_store("sqlite", PROV, location=None, timeout_s=5)


def test_protocol_store_without_graph_store_endpoint(server: ManagedOxigraphServer) -> None:
    # A plain SPARQL endpoint: loads become INSERT DATA, dumps and counts cover the named graphs.
    with SparqlProtocolStore(f"{server.url}/query", f"{server.url}/update", None, PROV) as s:
        s.update("DROP ALL")
        s.replace_graphs([record(i, AWKWARD[i % len(AWKWARD)]) for i in range(5)])
        count, before = s.count_quads(), snapshot(s)
        assert count == 5 * 3
        out = io.BytesIO()
        s.dump(out)
        s.update("DROP ALL")
        s.bulk_load(out.getvalue())
        assert s.count_quads() == count and snapshot(s) == before
        s.update("DROP ALL")


def test_read_only_embedded(tmp_path: Path) -> None:
    with EmbeddedStore(tmp_path / "store", PROV) as s:
        s.replace_graphs([record(1, "bowl")])
    with EmbeddedStore(tmp_path / "store", PROV, read_only=True) as s:
        assert labels(s) == {obj(1): "bowl"}
        with pytest.raises(StoreError):
            s.update("DROP ALL")
    with pytest.raises(StoreError):
        s.count_quads()  # closed


def test_unreachable_server_is_unavailable(tmp_path: Path) -> None:
    with (
        SparqlProtocolStore("http://127.0.0.1:9/query", None, None, PROV) as s,
        pytest.raises(StoreUnavailable),
    ):
        s.query("ASK {}")


@pytest.mark.slow
def test_restart_after_the_server_is_killed(tmp_path: Path) -> None:
    srv = ManagedOxigraphServer(tmp_path / "store", timeout_s=5)
    try:
        srv.start(watchdog_interval=0.1)
        url, first_pid = srv.url, srv.pid
        with srv.store(PROV) as s:
            s.replace_graphs([record(1, "bowl")])
            assert first_pid is not None
            os.kill(first_pid, signal.SIGKILL)
            deadline = time.monotonic() + 15
            while srv.restarts == 0 and time.monotonic() < deadline:
                time.sleep(0.1)
            assert srv.restarts == 1 and srv.pid != first_pid and srv.url == url
            assert labels(s) == {obj(1): "bowl"}  # committed data survived the kill
        assert find_running_server(srv.location) == url
        assert srv.ensure_running() is False
    finally:
        srv.stop()
    assert not state_path(srv.location).exists()
    assert find_running_server(srv.location) is None


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "select * where { service silent <http://127.0.0.1:9/x> { ?s ?p ?o } }",
        "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } }",
    ],
)
def test_federated_queries_are_refused_before_any_request(store, query: str) -> None:  # noqa: ANN001
    """SERVICE would make the store call any address a visitor names (SSRF): refused, nothing sent."""
    import socket

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(0.3)
        query = query.replace("127.0.0.1:9", f"127.0.0.1:{listener.getsockname()[1]}")
        with pytest.raises(QuerySyntaxError, match="SERVICE"):
            store.query(query)
        with pytest.raises(TimeoutError):
            listener.accept()
    # The word in a string, an IRI or a prefixed name is not a SERVICE clause.
    store.query('SELECT * WHERE { BIND("service" AS ?x) }')
