"""What only some store backends have: the SPARQL protocol backend's binding of substitutions and its
reading of cut-off or foreign answers, and the managed ``oxigraph serve`` (its cancellation quirk,
locks, loopback binding, state file, restart after a kill). The backends' shared contract:
tests/test_store_contract.py.
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

from store import (
    BooleanResult,
    EmbeddedStore,
    GraphResult,
    ManagedOxigraphServer,
    QuerySyntaxError,
    QueryTimeout,
    SolutionsResult,
    SparqlProtocolStore,
    StoreError,
    StoreUnavailable,
    find_running_server,
    open_store,
)
from store.bind_values import bind_values
from store.oxigraph_server import state_path
from store.sparql_protocol import OXIGRAPH_CANCELLED
from tests.support.stores import (
    AWKWARD,
    ENDLESS_COUNT,
    PROV,
    labels,
    load_many,
    obj,
    record,
    server,
    snapshot,
)

__all__ = ["server"]  # the fixture this module's tests use


# --- the protocol backend's binding of substitutions ------------------------------------------------
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT * WHERE { VALUES ?x { <http://x> }\n ?s ?p ?o }"),
        (
            'PREFIX w: <http://w/{}>\n# WHERE { comment\nSELECT ?where (STR("{") AS ?b) { ?where ?p ?o }',
            'SELECT ?where (STR("{") AS ?b) { VALUES',
        ),
        ("ASK{?s ?p ?o}", "ASK{ VALUES ?x { <http://x> }\n?s ?p ?o}"),
        ("CONSTRUCT { ?s ?p ?o } { ?s ?p ?o }", "CONSTRUCT { ?s ?p ?o } { VALUES"),
        (
            "construct where { ?s ?p ?x }",
            "construct { ?s ?p ?x \n} where { VALUES ?x { <http://x> }\n ?s ?p ?x }",
        ),
        (
            "SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } } }",
            "SELECT ?s WHERE { VALUES ?x { <http://x> }\n {",
        ),
    ],
)
def test_bind_values_finds_the_where_group(query: str, expected: str) -> None:
    assert expected in bind_values(query, {"x": ox.NamedNode("http://x")})


def test_bind_values_binds_a_variable_of_union_branches_inside_them() -> None:
    """Virtuoso 7.2.5 matched nothing when a variable used in one UNION branch only was bound at the top."""
    union = "SELECT ?o WHERE { ?o a ?t . { ?o <http://p> ?a } UNION { ?o <http://p> ?b } } ORDER BY ?o"
    bound = bind_values(union, {"a": ox.NamedNode("http://a"), "b": ox.NamedNode("http://b"),
                                "t": ox.NamedNode("http://t")})
    assert bound.startswith("SELECT ?o WHERE { VALUES ?t { <http://t> }\n ?o a ?t")
    assert "{ VALUES ?a { <http://a> } ?o <http://p> ?a }" in bound
    assert "{ VALUES ?b { <http://b> } ?o <http://p> ?b }" in bound
    # bound at the top where the variable is seen there: projected or ordered
    for query in ("SELECT ?a WHERE { { ?o <http://p> ?a } UNION { ?o <http://p> ?b } }",
                  "SELECT * WHERE { { ?o <http://p> ?a } UNION { ?o <http://p> ?b } }",
                  "SELECT ?o WHERE { { ?o <http://p> ?a } } ORDER BY ?a"):
        bound = bind_values(query, {"a": ox.NamedNode("http://a")})
        assert bound.count("VALUES ?a") == 1 and " { VALUES ?a" in bound.split("WHERE", 1)[1][:14]


def test_bind_values_keeps_a_variable_every_branch_uses_at_the_top() -> None:
    """Where no UNION splits it, a variable of nested groups is bound at the top, which engines plan best
    (Virtuoso: an object's record graph in 8 ms, 0.9 s when bound inside its two GRAPH groups)."""
    query = ("CONSTRUCT { ?s ?p ?o } WHERE { { GRAPH ?g { ?object a ?t . ?s ?p ?o } } UNION "
             "{ GRAPH ?g { ?object a ?t . ?x ?y ?s } ?s ?p ?o } }")
    bound = bind_values(query, {"object": ox.NamedNode("http://x")})
    assert bound.count("VALUES ?object") == 1 and "WHERE { VALUES ?object { <http://x> }" in bound


def test_bind_values_binds_inside_sub_selects_which_have_their_own_variables() -> None:
    """A bound variable is that term everywhere (pyoxigraph's ``substitutions``): the facet builder writes
    each facet as a sub-SELECT, which Oxigraph joins by hashing (0.7 s, not 4-17 s, at 100,000 objects)."""
    query = ("SELECT ?o WHERE { ?o <http://d> ?d . { SELECT ?o WHERE { ?o <http://p> ?a } }"
             " { SELECT ?o (COUNT(*) AS ?n) WHERE { { ?o <http://q> ?a } UNION { ?o <http://q> ?b } } GROUP BY ?o } }")
    bound = bind_values(query, {"a": ox.NamedNode("http://a"), "b": ox.NamedNode("http://b")})
    assert "{ SELECT ?o WHERE { VALUES ?a { <http://a> } ?o <http://p> ?a } }" in bound
    assert "{ VALUES ?a { <http://a> } ?o <http://q> ?a } UNION { VALUES ?b { <http://b> } ?o <http://q> ?b }" in bound
    assert bound.count("VALUES") == 3  # nothing at the top, which does not use them
    nested = "SELECT ?o WHERE { { SELECT ?o WHERE { { SELECT ?o WHERE { ?o <http://p> ?a } } } } }"
    assert "{ SELECT ?o WHERE { VALUES ?a { <http://a> } ?o <http://p> ?a } }" in bind_values(
        nested, {"a": ox.NamedNode("http://a")})
    store = ox.Store()
    for s, p, o in (("x", "d", "1"), ("y", "d", "2"), ("x", "p", "a"), ("y", "p", "b"), ("x", "q", "a")):
        store.add(ox.Quad(ox.NamedNode(f"http://{s}"), ox.NamedNode(f"http://{p}"), ox.NamedNode(f"http://{o}")))
    answer = store.query(bound)
    assert [row["o"].value for row in answer] == ["http://x"]  # type: ignore[union-attr,index]


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
