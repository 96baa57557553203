"""Virtuoso's differences from the other backends, each checked on the real server and then handled.

The store contract (test_store_contract.py) runs against the managed Virtuoso server too; these tests
show each quirk on the raw endpoint, so that they fail when a Virtuoso version changes the behaviour, and
that ``VirtuosoStore`` turns it into what the contract says.
"""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import requests
from requests.auth import HTTPDigestAuth

from store import (
    BooleanResult,
    EmbeddedStore,
    GraphResult,
    ManagedVirtuosoServer,
    QuerySyntaxError,
    QueryTimeout,
    RecordGraph,
    SolutionsResult,
    StoreUnavailable,
    VirtuosoStore,
    find_running_virtuoso,
    open_store,
)
from store.base import StoreError
from store.managed import state_path
from store.virtuoso_sparql import order_keys, split_update
from tests.support.stores import ENDLESS_COUNT, LABEL, PROV, XSD, graph, labels, load_many, obj, record
from tests.support.virtuoso_fixtures import virtuoso_missing

DATE = f"{XSD}dateTime"
BEGIN = "http://www.cidoc-crm.org/cidoc-crm/P82a_begin_of_the_begin"
# shuffled on purpose: the order of insertion must not be the order of the answer
DATES = ["0600-01-01T00:00:00", "-0500-01-01T00:00:00", "2001-05-01T00:00:00", "-0206-06-01T00:00:00",
         "-0206-01-01T00:00:00", "-0001-12-31T23:59:59", "0001-01-01T00:00:00"]


@pytest.fixture
def vstore(virtuoso_server: ManagedVirtuosoServer) -> Iterator[VirtuosoStore]:
    with virtuoso_server.store(PROV) as s:
        s.update("DROP ALL")
        yield s


def raw_select(server: ManagedVirtuosoServer, query: str, **params: str) -> requests.Response:
    """The query on the public endpoint, as any client would send it (form POST)."""
    return requests.post(f"{server.url}/sparql", data={"query": query, **params},
                         headers={"Accept": "application/sparql-results+json"}, timeout=30)


def load_dates(store: VirtuosoStore) -> None:
    body = "".join(f'<{obj(i)}> <{BEGIN}> "{d}"^^<{DATE}> .\n' for i, d in enumerate(DATES))
    store.replace_graphs([RecordGraph(graph(1), body)])


# --- answers that are not complete are timeouts -------------------------------------------------
def test_an_anytime_partial_answer_is_a_timeout(virtuoso_server: ManagedVirtuosoServer,
                                                vstore: VirtuosoStore) -> None:
    load_many(vstore, 300)
    # The quirk: HTTP 200, a well-formed result (empty, or a count of what was found so far: it looks
    # complete), and the state only in a header.
    response = raw_select(virtuoso_server, ENDLESS_COUNT, timeout="300")
    assert response.status_code == 200 and response.headers["X-SQL-State"] == "S1TAT"
    bindings = response.json()["results"]["bindings"]
    assert bindings == [] or int(bindings[0]["n"]["value"]) < 300**3

    class AnytimeOnly(VirtuosoStore):  # the server's `timeout` without a client-side deadline
        def _query_request(self, text: str, timeout: float | None) -> dict[str, Any]:
            request = super()._query_request(text, None)
            request["data"]["timeout"] = "300"
            return request

    with AnytimeOnly(virtuoso_server.url, PROV) as s, pytest.raises(QueryTimeout, match="partial"):
        s.query(ENDLESS_COUNT)


def test_the_server_time_limit_is_a_timeout(vstore: VirtuosoStore) -> None:
    load_many(vstore, 300)
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        vstore.query(ENDLESS_COUNT, timeout=None)  # only MaxQueryExecutionTime (2 s) stops it
    assert time.monotonic() - started < 15
    assert vstore.query("ASK { ?s ?p ?o }") == BooleanResult(True)


# --- nothing reaches other servers -------------------------------------------------------------
@pytest.fixture
def listener() -> Iterator[socket.socket]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(5)
        s.settimeout(0.5)
        yield s


def nobody_called(listener: socket.socket) -> bool:
    try:
        listener.accept()[0].close()
    except TimeoutError:
        return True
    return False


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } }",
    'define get:soft "replace" SELECT * FROM <{url}> WHERE { ?s ?p ?o }',
    "DEFINE input:grab-all \"yes\" SELECT * WHERE { <{url}> ?p ?o }",
    'SELECT (bif:http_get("{url}") AS ?x) {}',
    'PREFIX b: <bif:> SELECT (b:http_get("{url}") AS ?x) {}',
    'SELECT (<sql:SROM_CHECKPOINT>() AS ?x) {}',
])
def test_remote_fetching_is_refused_by_the_store(vstore: VirtuosoStore, listener: socket.socket,
                                                  query: str) -> None:
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/data"
    with pytest.raises(QuerySyntaxError):
        vstore.query(query.replace("{url}", url))
    with pytest.raises(QuerySyntaxError):
        vstore.update(f"LOAD <{url}> INTO GRAPH <{graph(1)}>")
    assert nobody_called(listener)


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } }",
    'define get:soft "replace" SELECT * FROM <{url}> WHERE { ?s ?p ?o }',
    'define input:grab-all "yes" define input:grab-depth 2 SELECT * WHERE { <{url}> ?p ?o }',
])
def test_the_public_endpoint_cannot_fetch(virtuoso_server: ManagedVirtuosoServer, listener: socket.socket,
                                          query: str) -> None:
    """The server side: the public account lost the roles that fetch (SPARQL_SPONGE, LOAD_SERVICE_DATA)."""
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/data"
    raw_select(virtuoso_server, query.replace("{url}", url))
    assert nobody_called(listener)


def test_the_public_endpoint_cannot_write_or_call_procedures(virtuoso_server: ManagedVirtuosoServer,
                                                             vstore: VirtuosoStore) -> None:
    insert = f'INSERT DATA {{ GRAPH <{graph(9)}> {{ <{obj(9)}> <{LABEL}> "x" }} }}'
    assert requests.post(f"{virtuoso_server.url}/sparql", data={"query": insert}, timeout=30).status_code >= 400
    assert raw_select(virtuoso_server, "SELECT (<sql:SROM_CHECKPOINT>() AS ?x) {}").status_code >= 400
    assert vstore.graph_names() == []


# --- the union default graph, DESCRIBE, dates --------------------------------------------------
def test_duplicates_in_the_union_default_graph(vstore: VirtuosoStore) -> None:
    """A triple in two graphs: DISTINCT and CONSTRUCT give it once, a plain SELECT once per graph (bag
    semantics, as Oxigraph 0.5's union does: callers that need a set say DISTINCT). Virtuoso's DESCRIBE
    gives a set; Oxigraph 0.5's repeats the triple per graph too."""
    twice = [record(1, "bowl"), RecordGraph(graph(2), record(1, "bowl").ntriples)]
    with EmbeddedStore(None, PROV) as oxigraph:
        for s in (vstore, oxigraph):
            s.replace_graphs(twice)
            plain = s.query(f"SELECT ?l WHERE {{ <{obj(1)}> <{LABEL}> ?l }}")
            distinct = s.query(f"SELECT DISTINCT ?l WHERE {{ <{obj(1)}> <{LABEL}> ?l }}")
            construct = s.query(f"CONSTRUCT WHERE {{ <{obj(1)}> <{LABEL}> ?l }}")
            describe = s.query(f"DESCRIBE <{obj(1)}>")
            assert isinstance(plain, SolutionsResult) and len(plain.rows) == 2, s.backend
            assert isinstance(distinct, SolutionsResult) and len(distinct.rows) == 1, s.backend
            assert isinstance(construct, GraphResult) and len(construct.triples) == 1, s.backend
            assert isinstance(describe, GraphResult), s.backend
            assert len(describe.triples) == (2 if s is vstore else 4), s.backend


def test_describe_needs_the_concise_bounded_description(virtuoso_server: ManagedVirtuosoServer,
                                                        vstore: VirtuosoStore) -> None:
    vstore.replace_graphs([record(1, "bowl")])
    raw = requests.post(f"{virtuoso_server.url}/sparql", data={"query": f"DESCRIBE <{obj(1)}>"},
                        headers={"Accept": "application/n-triples"}, timeout=30)
    assert f"<{obj(1)}>" not in raw.text  # the quirk: nothing without FROM
    result = vstore.query(f"DESCRIBE <{obj(1)}>")
    assert isinstance(result, GraphResult) and len(result.triples) == 2


def test_bce_dates_sort_before_ce_dates(virtuoso_server: ManagedVirtuosoServer, vstore: VirtuosoStore) -> None:
    load_dates(vstore)
    query = f"SELECT ?d WHERE {{ ?s <{BEGIN}> ?d }} ORDER BY ?d"
    raw = [b["d"]["value"] for b in raw_select(virtuoso_server, query).json()["results"]["bindings"]]
    assert raw[-1].startswith("-")  # the quirk: BCE after every CE date, with the year's zeros lost
    assert "-206-01-01T00:00:00" in raw and "0000-12-31T23:59:59" in raw  # 1 BCE comes back as year 0

    expected = sorted(DATES, key=lambda d: (int(d[: d.index("-", 1)]), d[d.index("-", 1):]))
    for text, order in ((query, expected), (query.replace("ORDER BY ?d", "ORDER BY DESC(?d)"), expected[::-1])):
        result = vstore.query(text)
        assert isinstance(result, SolutionsResult)
        assert [row[0] for row in result.rows] == [ox.Literal(d, datatype=ox.NamedNode(DATE)) for d in order]
    # the same order as Oxigraph's, also with LIMIT and an expression
    limited = vstore.query(f"SELECT ?s WHERE {{ ?s <{BEGIN}> ?d }} ORDER BY ASC(STR(?s)) LIMIT 2")
    assert isinstance(limited, SolutionsResult) and len(limited.rows) == 2


def test_a_date_virtuoso_cannot_parse_does_not_fail_an_order(vstore: VirtuosoStore) -> None:
    """Virtuoso keeps year 0000 (1 BCE in XSD 1.1) as a string, and year() of it fails a whole query
    (SR586): the order keys read years from the lexical form."""
    body = "".join(f'<{obj(i)}> <{BEGIN}> "{d}"^^<{DATE}> .\n'
                   for i, d in enumerate(["0600-01-01T00:00:00", "0000-06-01T00:00:00", "-0206-01-01T00:00:00"]))
    vstore.replace_graphs([RecordGraph(graph(1), body)])
    result = vstore.query(f"SELECT ?s WHERE {{ ?s <{BEGIN}> ?d }} ORDER BY ?d")
    assert isinstance(result, SolutionsResult) and [r[0] for r in result.rows] == [
        ox.NamedNode(obj(2)), ox.NamedNode(obj(1)), ox.NamedNode(obj(0))]


def test_terms_sort_in_sparqls_order(virtuoso_server: ManagedVirtuosoServer, vstore: VirtuosoStore) -> None:
    """Blank nodes before IRIs, language-tagged strings by text then tag: as Oxigraph sorts them."""
    words = ['"Glass bowl"@en-gb', '"Glasschale"@de', '"丝绸"@zh', '"Шёлк"@ru', '"Glass bowl"@de']
    body = "".join(f"<{obj(1)}> <{LABEL}> {w} .\n" for w in words)
    body += f'_:b <{LABEL}> "x" .\n<{obj(2)}> <{LABEL}> "y" .\n'
    vstore.replace_graphs([RecordGraph(graph(1), body)])
    labels_query = f"SELECT ?l WHERE {{ <{obj(1)}> <{LABEL}> ?l }} ORDER BY ?l"
    subjects_query = f"SELECT ?s WHERE {{ ?s <{LABEL}> ?l }} ORDER BY DESC(?s)"
    raw = [b["l"]["value"] for b in raw_select(virtuoso_server, labels_query).json()["results"]["bindings"]]
    with EmbeddedStore(None, PROV) as oxigraph:
        oxigraph.replace_graphs([RecordGraph(graph(1), body)])
        for query in (labels_query, subjects_query):
            expected, got = oxigraph.query(query), vstore.query(query)
            assert isinstance(expected, SolutionsResult) and isinstance(got, SolutionsResult)
            assert [str(r[0]) for r in got.rows if not isinstance(r[0], ox.BlankNode)] == \
                   [str(r[0]) for r in expected.rows if not isinstance(r[0], ox.BlankNode)]
            assert [isinstance(r[0], ox.BlankNode) for r in got.rows] == \
                   [isinstance(r[0], ox.BlankNode) for r in expected.rows]
    assert raw != [t.value for t in (r[0] for r in vstore.query(labels_query).rows)]  # the quirk


def test_empty_graph_patterns_list_the_graphs(virtuoso_server: ManagedVirtuosoServer, vstore: VirtuosoStore) -> None:
    vstore.replace_graphs([record(1, "bowl"), record(2, "cup")])
    query = f"SELECT ?g WHERE {{ GRAPH ?g {{ }} FILTER(STRSTARTS(STR(?g), \"{graph('')}\")) }}"
    assert raw_select(virtuoso_server, query).json()["results"]["bindings"] == []  # the quirk
    result = vstore.query(query)
    assert isinstance(result, SolutionsResult) and sorted(r[0].value for r in result.rows) == [graph(1), graph(2)]
    assert vstore.query("ASK { GRAPH ?g {} }") == BooleanResult(True)


def test_order_keys_rewrites_only_order_conditions() -> None:
    query = 'SELECT ?s WHERE { ?s ?p "ORDER BY ?x" } ORDER BY DESC(?d) ?s LIMIT 5'
    rewritten = order_keys(query)
    assert rewritten.startswith('SELECT ?s WHERE { ?s ?p "ORDER BY ?x" } ORDER BY DESC(COALESCE(')
    assert " DESC(?d) ASC(COALESCE(IF(isBlank((?s))" in rewritten
    assert rewritten.endswith(" ASC(?s) LIMIT 5")
    assert order_keys("SELECT * { ?s ?p ?o }") == "SELECT * { ?s ?p ?o }"


def test_split_update_keeps_prefixes_and_refuses_load() -> None:
    ops = split_update('PREFIX e: <http://e/> INSERT DATA { e:a e:b "x ; y" ; e:c "}" } ;\nDROP GRAPH <http://g>')
    assert ops == ['PREFIX e: <http://e/> INSERT DATA { e:a e:b "x ; y" ; e:c "}" } ',
                   "PREFIX e: <http://e/>\nDROP SILENT GRAPH <http://g>"]
    with pytest.raises(QuerySyntaxError, match="LOAD"):
        split_update("CLEAR ALL ; load <http://x>")


def test_wkt_and_bce_literals_come_back_as_written(virtuoso_server: ManagedVirtuosoServer,
                                                   vstore: VirtuosoStore) -> None:
    wkt = ox.Literal("POINT(66.97 39.65)", datatype=ox.NamedNode("http://www.opengis.net/ont/geosparql#wktLiteral"))
    vstore.replace_graphs([RecordGraph(graph(1), f"<{obj(1)}> <{BASE_NS}where> {wkt} .\n")])
    raw = raw_select(virtuoso_server, f"SELECT ?w WHERE {{ <{obj(1)}> <{BASE_NS}where> ?w }}").json()
    assert raw["results"]["bindings"][0]["w"]["datatype"].endswith("virtrdf#Geometry")  # the quirk
    result = vstore.query(f"SELECT ?w WHERE {{ <{obj(1)}> <{BASE_NS}where> ?w }}")
    assert isinstance(result, SolutionsResult) and result.rows == [(wkt,)]


def test_the_hubs_integer_keys_sort_natively_and_other_conditions_get_keys() -> None:
    query = ("SELECT ?object WHERE { { SELECT ?object ?date_order WHERE { ?object srom:dateOrder ?date_order } }\n"
             "  ?object <https://w3id.org/srom/ns#titleOrder> ?title_order ; rdfs:label ?label }\n"
             "ORDER BY ?title_order ?label ?date_order LIMIT 5")
    rewritten = order_keys(query)
    assert "ORDER BY ?title_order ASC(COALESCE(" in rewritten and rewritten.endswith(" ASC(?label) ?date_order LIMIT 5")
    # a key variable bound another way too is not known to hold integers
    mixed = "SELECT ?o WHERE { ?o srom:dateOrder ?d . OPTIONAL { ?o rdfs:label ?d } } ORDER BY ?d"
    assert "isBlank((?d))" in order_keys(mixed)


def test_large_integers_come_back_as_integers(virtuoso_server: ManagedVirtuosoServer, vstore: VirtuosoStore) -> None:
    """Virtuoso's loader keeps an xsd:integer past 2**31 - 1 as an xsd:decimal (exactly): the hub's 62-bit
    sort keys would read back with another datatype than Oxigraph's, and the record graphs differ."""
    integer, decimal = ox.NamedNode(XSD + "integer"), ox.NamedNode(XSD + "decimal")
    values = [ox.Literal(str(v), datatype=integer) for v in (7, 2**31 - 1, 2**31, 4397140513586623213, -2**40)]
    values.append(ox.Literal("2.5", datatype=decimal))
    body = "".join(f"<{obj(1)}> <{BASE_NS}key> {v} .\n" for v in values)
    vstore.replace_graphs([RecordGraph(graph(1), body)])
    text = f"SELECT ?v WHERE {{ <{obj(1)}> <{BASE_NS}key> ?v }} ORDER BY ?v"
    raw = raw_select(virtuoso_server, text).json()
    assert {b["v"].get("datatype") for b in raw["results"]["bindings"]} == {XSD + "integer", XSD + "decimal"}
    result = vstore.query(text)
    assert isinstance(result, SolutionsResult)
    assert [r[0] for r in result.rows] == sorted(values, key=lambda v: float(v.value))


BASE_NS = "https://hub.example.org/ns#"


# --- writes --------------------------------------------------------------------------------------
def test_the_endpoint_commits_operations_one_by_one_the_store_does_not(
    virtuoso_server: ManagedVirtuosoServer, vstore: VirtuosoStore
) -> None:
    vstore.replace_graphs([record(1, "bowl"), record(2, "cup")])
    failing = f"DELETE WHERE {{ GRAPH <{graph(1)}> {{ ?s ?p ?o }} }} ; CREATE GRAPH <{graph(2)}>"
    dba = json.loads((virtuoso_server.location / "credentials.json").read_text())["dba"]
    with VirtuosoStore(virtuoso_server.url, PROV, user="dba", password=dba, procedures=False) as plain:
        with pytest.raises(StoreError) as refused:
            plain._run_operations(split_update(failing))
        assert "22023" in getattr(refused.value, "detail", "")  # Virtuoso's words: logged, not shown
    assert obj(1) not in labels(vstore)  # the quirk: the first operation stayed
    vstore.replace_graphs([record(1, "bowl")])
    with pytest.raises(StoreError) as refused:
        vstore.update(failing)
    assert "22023" in getattr(refused.value, "detail", "")
    assert labels(vstore) == {obj(1): "bowl", obj(2): "cup"}


def test_bulk_load_goes_through_the_loader_and_counts(vstore: VirtuosoStore, virtuoso_server: ManagedVirtuosoServer
                                                      ) -> None:
    load_many(vstore, 2000)
    assert vstore.count_quads() == 2000
    assert vstore.graph_names(f"{graph('')}") == [graph(i) for i in sorted(map(str, range(7)))]
    assert list(virtuoso_server.spool.iterdir()) == []  # the load file is gone
    records = [record(i, f"object {i}") for i in range(4000)]  # through a spool file
    vstore.load_graphs(records)
    assert len(labels(vstore)) == 4000
    # more rows than Virtuoso's factory ResultSetMaxRows (10,000), which would cut answers silently
    out = io.BytesIO()
    vstore.dump(out)
    assert out.getvalue().count(b"\n") == vstore.count_quads() == 2000 + 4000 * 3


# --- the managed server ---------------------------------------------------------------------------
def test_state_file_and_open_store(virtuoso_server: ManagedVirtuosoServer, vstore: VirtuosoStore,
                                   tmp_path: Path) -> None:
    assert find_running_virtuoso(virtuoso_server.location) == virtuoso_server.url
    state = json.loads(state_path(virtuoso_server.location).read_text())
    assert state["engine"] == "virtuoso" and state["pid"] == virtuoso_server.pid
    creds = virtuoso_server.location / "credentials.json"
    assert creds.stat().st_mode & 0o077 == 0
    with open_store("virtuoso", PROV, location=virtuoso_server.location, timeout_s=5) as s:
        assert s.backend == "virtuoso" and s.query("ASK {}") == BooleanResult(True)
        s.replace_graphs([record(1, "bowl")])
        assert labels(s) == {obj(1): "bowl"}
        s.update("DROP ALL")
    with pytest.raises(StoreUnavailable, match="srom serve"):
        open_store("virtuoso", PROV, location=tmp_path / "db", timeout_s=5)
    # An existing Virtuoso: an account with SPARQL_UPDATE (the managed writer account has none)
    password = json.loads(creds.read_text())["dba"]
    host = virtuoso_server.url.removeprefix("http://")
    with open_store(f"virtuoso+http://dba:{password}@{host}", PROV, location=None, timeout_s=5) as s:
        s.replace_graphs([record(2, "cup")])  # plain SPARQL Update with digest credentials
        assert labels(s) == {obj(2): "cup"}
        s.update("DROP ALL")
    with open_store(f"virtuoso+http://dba:wrong@{host}", PROV, location=None, timeout_s=5) as s:
        with pytest.raises(Exception, match="credentials"):
            s.update(f'INSERT DATA {{ GRAPH <{graph(3)}> {{ <{obj(3)}> <{LABEL}> "x" }} }}')


def test_only_loopback_and_own_directories(tmp_path: Path) -> None:
    if virtuoso_missing():
        pytest.skip(virtuoso_missing())
    for host in ("0.0.0.0", "192.168.1.10", "::"):
        with pytest.raises(ValueError):
            ManagedVirtuosoServer(tmp_path / "db", host=host)
    (tmp_path / "oxigraph").mkdir()
    (tmp_path / "oxigraph" / "CURRENT").write_text("MANIFEST-000001\n")
    with pytest.raises(StoreUnavailable, match="no Virtuoso database"):
        ManagedVirtuosoServer(tmp_path / "oxigraph")


@pytest.mark.slow
def test_restart_after_the_server_is_killed(tmp_path: Path) -> None:
    if virtuoso_missing():
        pytest.skip(virtuoso_missing())
    srv = ManagedVirtuosoServer(tmp_path / "db", timeout_s=5, memory_mb=256)
    try:
        srv.start(watchdog_interval=0.2)
        url, first_pid = srv.url, srv.pid
        with srv.store(PROV) as s:
            s.replace_graphs([record(1, "bowl")])  # committed: in the transaction log
            s.bulk_load(f'<{obj(2)}> <{LABEL}> "cup" <{graph(2)}> .\n'.encode())  # loaded, then checkpointed
            assert first_pid is not None
            os.kill(first_pid, signal.SIGKILL)
            deadline = time.monotonic() + 60
            while srv.restarts == 0 and time.monotonic() < deadline:
                time.sleep(0.2)
            assert srv.restarts == 1 and srv.pid != first_pid and srv.url == url
            assert labels(s) == {obj(1): "bowl", obj(2): "cup"}
        assert find_running_virtuoso(srv.location) == url
    finally:
        srv.stop()
    assert not state_path(srv.location).exists()


def test_writes_are_not_cut_at_the_query_time_limit(vstore: VirtuosoStore) -> None:
    """MaxQueryExecutionTime also applies to the procedure calls on /sparql-auth: the procedures lift it."""
    vstore.load_graphs([record(i, f"object {i}") for i in range(3000)])
    started = time.monotonic()
    vstore.update(" ;\n".join(f"DROP GRAPH <{graph(i)}>" for i in range(3000)))  # one transaction, 3,000 operations
    took = time.monotonic() - started
    assert labels(vstore) == {} and vstore.count_quads() == 3000  # the provenance triples stay
    assert took > 2, f"the batch took {took:.1f} s, under the server's 2 s limit: make it bigger"


def test_drop_all_on_many_graphs_keeps_virtuosos_own(virtuoso_server: ManagedVirtuosoServer,
                                                     vstore: VirtuosoStore) -> None:
    """A DROP per graph in one call overflowed Virtuoso's limit of generated SQL (10,000 lines) between
    6,000 and 12,000 graphs; the backend drops everything but Virtuoso's graphs with one DELETE instead."""
    vstore.load_graphs([record(i, f"object {i}") for i in range(12_000)])
    vstore.update(f'INSERT DATA {{ <{obj("d")}> <{LABEL}> "in the default graph" }}')
    vstore.update("DROP NAMED")
    assert labels(vstore) == {obj("d"): "in the default graph"}
    vstore.update("DROP ALL")
    assert vstore.count_quads() == 0 and vstore.query("ASK { ?s ?p ?o }") == BooleanResult(False)
    dba = json.loads((virtuoso_server.location / "credentials.json").read_text())["dba"]
    as_dba = requests.post(f"{virtuoso_server.url}/sparql-auth", data={"query": "ASK { GRAPH ?g { ?s ?p ?o } }"},
                           headers={"Accept": "application/sparql-results+json"},
                           auth=HTTPDigestAuth("dba", dba), timeout=30)
    assert as_dba.json()["boolean"] is True  # Virtuoso's own graphs are still there
