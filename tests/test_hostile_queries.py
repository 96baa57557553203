"""Issue 11: the public endpoint survives hostile queries (SERVICE, deep nesting, internal addresses).

Fixtures in ``tests/data/hostile/sparql``. Every path that runs a query is covered through what it calls:
the public ``/sparql`` blueprint, the stores' ``query`` (embedded and the managed Oxigraph server) and
``store.query_guard.uses_service`` (what the curator's check and the exhibition model call).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from sparql_endpoint import bp
from store.base import QuerySyntaxError, Store, StoreError
from store.embedded import EmbeddedStore
from store.oxigraph_server import ManagedOxigraphServer
from store.query_guard import uses_service
from store.sparql_protocol import SparqlProtocolStore
from tests.support.loopback_server import LoopbackServer

HOSTILE = Path(__file__).parent / "data" / "hostile" / "sparql"
H = "http://hub.example"
PROV = f"{H}/graph/provenance"
SERVICE_FIXTURES = sorted(p.name for p in HOSTILE.glob("service_*.rq"))
DEEP_FIXTURES = ["deep_parentheses.rq", "deep_negation.rq", "long_group_chain.rq"]
ROOT = Path(__file__).resolve().parent.parent


def hostile(name: str, target: str = "http://127.0.0.1:9/") -> str:
    return (HOSTILE / name).read_bytes().decode("utf-8").replace("{TARGET}", target)


@pytest.fixture(scope="module")
def target() -> Iterator[LoopbackServer]:
    """A loopback server standing for an internal service: it records every request it gets."""

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/sparql-results+json")])
        return [b'{"head": {"vars": []}, "results": {"bindings": [{}]}}']

    with LoopbackServer(app) as server:
        yield server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ManagedOxigraphServer]:
    srv = ManagedOxigraphServer(tmp_path_factory.mktemp("hostile") / "store", timeout_s=10)
    srv.start()
    yield srv
    srv.stop()


def make_app(factory: Callable[[], Store], **config: object) -> Flask:
    app = Flask(__name__)
    app.config.update(TESTING=True, **config)
    app.register_blueprint(bp)
    app.extensions["srom_store"] = factory
    return app


def ask(app: Flask, query: str, accept: str = "application/sparql-results+json"):
    return app.test_client().post("/sparql", data=query.encode(), headers={
        "Content-Type": "application/sparql-query", "Accept": accept})


# --- 1. SSRF through SERVICE ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", SERVICE_FIXTURES)
def test_service_is_refused_on_the_endpoint_and_nothing_is_called(name: str, target: LoopbackServer) -> None:
    store = EmbeddedStore(None, PROV)
    app = make_app(lambda: store)
    before = len(target.requests)
    response = ask(app, hostile(name, f"{target.url}/internal"))
    assert target.requests[before:] == [], "the hub called the SERVICE endpoint"
    assert response.status_code == 400, response.text
    assert "SERVICE" in response.text


@pytest.mark.parametrize("name", SERVICE_FIXTURES)
def test_service_is_refused_by_the_stores(name: str, target: LoopbackServer, server: ManagedOxigraphServer,
                                          virtuoso_server: Any) -> None:
    before = len(target.requests)
    for store in (EmbeddedStore(None, PROV), server.store(PROV), virtuoso_server.store(PROV)):
        with pytest.raises(QuerySyntaxError, match="SERVICE"):
            store.query(hostile(name, f"{target.url}/internal"))
    assert target.requests[before:] == []


@pytest.mark.parametrize("name", SERVICE_FIXTURES)
def test_the_curator_checks_see_service(name: str) -> None:
    # web.exhibition_doc.uses_service and web.parameters call this before running curator queries
    assert uses_service(hostile(name))


@pytest.mark.parametrize("where", [
    "{ SELECT * WHERE { SERVICE <{T}> {} } }",
    "FILTER EXISTS { SERVICE <{T}> {} }",
    "FILTER NOT EXISTS { SERVICE <{T}> {} }",
    "?s ?p ?o MINUS { SERVICE <{T}> {} }",
    "OPTIONAL { SERVICE <{T}> {} }",
    "{} UNION { SERVICE <{T}> {} }",
    "GRAPH ?g { SERVICE ?endpoint {} }",
    "BIND(EXISTS { SERVICE <{T}> {} } AS ?x)",
])
def test_the_parse_tree_finds_service_anywhere(where: str) -> None:
    from store.query_guard import parsed_federates

    assert parsed_federates("SELECT * WHERE { " + where.replace("{T}", "http://10.0.0.1/") + " }")


def test_the_parse_tree_finds_service_in_updates() -> None:
    from store.query_guard import check_update, parsed_federates

    update = "INSERT { ?s ?p ?o } WHERE { OPTIONAL { SERVICE <http://10.0.0.1/> { ?s ?p ?o } } }"
    assert parsed_federates(update, "update")
    with pytest.raises(QuerySyntaxError, match="SERVICE"):
        check_update(update)
    assert not parsed_federates("INSERT DATA { <a:s> <a:p> <a:o> }", "update")


@pytest.mark.parametrize("query", [
    'SELECT ?service WHERE { ?service <http://x/p> "SERVICE <http://10.0.0.1/> {}" }',
    "PREFIX ex: <http://x/> SELECT * WHERE { ?s ex:SERVICE ?o . ?s ?p ?o # SERVICE <http://10.0.0.1/>\n}",
    "SELECT * WHERE { ?s <http://x/SERVICE> ?o }",
])
def test_the_word_service_elsewhere_is_fine(query: str) -> None:
    store = EmbeddedStore(None, PROV)
    assert not uses_service(query)
    store.query(query)


# --- 2. Deep nesting ------------------------------------------------------------------------------------
CRASH = textwrap.dedent("""
    import sys
    from store.embedded import EmbeddedStore
    from store.base import QuerySyntaxError
    query = open(sys.argv[1], encoding="utf-8").read()
    try:
        EmbeddedStore(None, "http://hub.example/graph/provenance").query(query)
    except QuerySyntaxError as e:
        print("refused:", e)
    else:
        print("ran")
""")


@pytest.mark.parametrize("name", DEEP_FIXTURES)
def test_deep_query_does_not_kill_a_process_embedding_pyoxigraph(name: str) -> None:
    done = subprocess.run([sys.executable, "-c", CRASH, str(HOSTILE / name)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"the process died with {done.returncode}: {done.stderr[-500:]}"
    assert done.stdout.startswith("refused:"), done.stdout


@pytest.mark.parametrize("name", DEEP_FIXTURES)
def test_deep_query_is_400_on_the_endpoint(name: str) -> None:
    store = EmbeddedStore(None, PROV)
    app = make_app(lambda: store)
    response = ask(app, hostile(name), accept="application/json")
    assert response.status_code == 400
    error = json.loads(response.text)["error"]
    assert "limit" in error and ("nesting limit is 64" in error or "operations" in error), error
    assert ask(app, "ASK {}").status_code == 200  # and the process is still there to answer


@pytest.mark.parametrize("name", DEEP_FIXTURES)
def test_deep_query_does_not_abort_the_oxigraph_server(name: str, server: ManagedOxigraphServer) -> None:
    store = server.store(PROV)
    with pytest.raises(StoreError):
        store.query(hostile(name))
    assert server.is_running(), "the Oxigraph server died"
    assert store.query("ASK {}").value is True  # type: ignore[union-attr]


def test_the_nesting_bound_is_lexical_not_fooled_by_strings_iris_or_comments() -> None:
    from store.query_guard import QueryTooComplex, scan

    brackets = "(((({{{{[[[[" * 20
    query = (f'SELECT * WHERE {{ ?s ?p "{brackets}" . ?s ?p """{brackets}""" # {brackets}\n'
             f"?s <http://x/{brackets.replace('{', '').replace('[', '')}> ?o }}")
    assert scan(query).depth == 1
    with pytest.raises(QueryTooComplex, match="nesting limit is 64"):
        scan("SELECT * WHERE " + "{" * 65 + "}" * 65)
    assert scan("SELECT * WHERE " + "{" * 64 + "}" * 64).depth == 64


def test_nesting_at_the_limit_still_parses() -> None:
    from store.query_guard import check_query

    query = "SELECT * WHERE { FILTER(" + "!(" * 62 + "true" + ")" * 62 + ") }"  # 64 deep
    assert check_query(query).depth == 64
    EmbeddedStore(None, PROV).query(query)


# --- 3. Internal details ------------------------------------------------------------------------------
def test_relative_iris_resolve_against_the_public_endpoint(server: ManagedOxigraphServer,
                                                           virtuoso_server: Any) -> None:
    for store in (EmbeddedStore(None, PROV), server.store(PROV), virtuoso_server.store(PROV)):
        app = make_app(lambda s=store: s, BASE_IRI=H)
        response = ask(app, hostile("relative_iri.rq"))
        assert response.status_code == 200, response.text
        assert "127.0.0.1" not in response.text
        value = json.loads(response.text)["results"]["bindings"][0]["x"]["value"]
        assert value == f"{H}/relative/thing"


def test_a_query_with_its_own_base_keeps_it(server: ManagedOxigraphServer) -> None:
    app = make_app(lambda: server.store(PROV), BASE_IRI=H)
    response = ask(app, "BASE <http://elsewhere.example/a/> " + hostile("relative_iri.rq"))
    assert json.loads(response.text)["results"]["bindings"][0]["x"]["value"] == \
        "http://elsewhere.example/a/relative/thing"


def test_store_down_does_not_reveal_its_address(server: ManagedOxigraphServer) -> None:
    down = LoopbackServer(lambda environ, start_response: [])
    port = down.port
    down._server.server_close()  # the port is closed: nothing listens there
    store = SparqlProtocolStore(f"http://127.0.0.1:{port}/query", None, None, PROV)
    response = ask(make_app(lambda: store), "ASK {}")
    assert response.status_code == 503
    assert str(port) not in response.text and "127.0.0.1" not in response.text, response.text


def test_store_errors_do_not_reveal_its_address() -> None:
    def failing(environ, start_response):
        status = "500 Internal Server Error" if "fail" in environ["PATH_INFO"] else "400 Bad Request"
        start_response(status, [("Content-Type", "text/plain")])
        host = environ["HTTP_HOST"]
        return [f"error at 1:1 resolving <x> against http://{host}{environ['PATH_INFO']}".encode()]

    with LoopbackServer(failing) as internal:
        for path, status in (("/fail", 500), ("/query", 400)):
            store = SparqlProtocolStore(f"{internal.url}{path}", None, None, PROV)
            response = ask(make_app(lambda s=store: s), "ASK {}")
            assert response.status_code == status
            assert str(internal.port) not in response.text and "127.0.0.1" not in response.text, response.text
