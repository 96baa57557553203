"""What the public sees of a Virtuoso store: its queries run as Virtuoso's read-only ``SPARQL`` account,
which cannot write whatever reaches it, and see the hub's graphs only, with answers the hub can parse.

Each quirk is shown on the raw endpoint first (so a Virtuoso version that changes it fails here), then
through ``VirtuosoStore``. More of Virtuoso's differences: tests/test_store_virtuoso.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
import requests
from requests.auth import HTTPDigestAuth

from store import (
    GraphResult,
    ManagedVirtuosoServer,
    QuerySyntaxError,
    RecordGraph,
    SolutionsResult,
    VirtuosoStore,
)
from store.virtuoso_results import BlankNodeLabels
from tests.support.stores import LABEL, PROV, graph, labels, obj, record

COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
COUNT_NAMED = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture
def vstore(virtuoso_server: ManagedVirtuosoServer) -> Iterator[VirtuosoStore]:
    with virtuoso_server.store(PROV) as s:
        s.update("DROP ALL")
        yield s


def count(response: requests.Response) -> int:
    assert response.status_code == 200, response.text[:500]
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def dba_password(server: ManagedVirtuosoServer) -> str:
    return str(json.loads((server.location / "credentials.json").read_text())["dba"])


# --- the read-only path ------------------------------------------------------------------------
UPDATES = [
    f'INSERT DATA {{ GRAPH <{graph(9)}> {{ <{obj(9)}> <{LABEL}> "x" }} }}',
    f"DROP SILENT GRAPH <{graph(1)}>",
    "CLEAR ALL",
    f"DELETE WHERE {{ GRAPH <{graph(1)}> {{ ?s ?p ?o }} }}",
    f'PREFIX e: <http://e/> INSERT {{ GRAPH <{graph(9)}> {{ ?s e:p "y" }} }} WHERE {{ SELECT ?s {{ ?s ?p ?o }} }}',
]


@pytest.mark.parametrize("update", UPDATES)
def test_an_update_on_the_query_path_is_refused_by_virtuoso_itself(vstore: VirtuosoStore, update: str,
                                                                    virtuoso_server: ManagedVirtuosoServer) -> None:
    vstore.replace_graphs([record(1, "bowl")])
    with pytest.raises(QuerySyntaxError):
        vstore.query(update)  # the hub refuses it first (it is not a query)...
    # ...and past the hub's checks, the query path's endpoint (/sparql, no credentials) is the read-only
    # account, which Virtuoso itself refuses any write.
    answer = requests.post(vstore.query_url, data={"query": update}, timeout=30)
    assert answer.status_code >= 400 and "SR186" in answer.text
    assert labels(vstore) == {obj(1): "bowl"} and vstore.graph_names() == sorted([graph(1), PROV])


def test_the_writer_is_not_the_query_account(virtuoso_server: ManagedVirtuosoServer, vstore: VirtuosoStore) -> None:
    """Writes need the writer's digest credentials on /sparql-auth; the same call on /sparql is refused."""
    call = "SELECT (<sql:SROM_CHECKPOINT>() AS ?n) {}"
    public = requests.post(f"{virtuoso_server.url}/sparql", data={"query": call}, timeout=30)
    assert public.status_code >= 400
    vstore.checkpoint()  # the same procedure as the writer account
    assert vstore.query_url.endswith("/sparql") and vstore.update_url.endswith("/sparql-auth")


# --- Virtuoso's own graphs -----------------------------------------------------------------------
def test_virtuoso_graphs_are_not_in_the_hubs_queries(virtuoso_server: ManagedVirtuosoServer,
                                                     vstore: VirtuosoStore) -> None:
    """The quirk: Virtuoso keeps ~2,500 triples of its own (virtrdf:...) in graphs every query would see;
    the managed server makes them private graphs (graph-level security), readable by dba only."""
    as_dba = requests.post(f"{virtuoso_server.url}/sparql-auth", data={"query": COUNT_ALL},
                           headers={"Accept": "application/sparql-results+json"},
                           auth=HTTPDigestAuth("dba", dba_password(virtuoso_server)), timeout=30)
    assert count(as_dba) > 2000  # they are there, and Virtuoso works with them
    public = {q: requests.post(f"{virtuoso_server.url}/sparql", data={"query": q},
                               headers={"Accept": "application/sparql-results+json"}, timeout=30)
              for q in (COUNT_ALL, COUNT_NAMED)}
    assert [count(r) for r in public.values()] == [0, 0]
    vstore.replace_graphs([record(1, "bowl")])
    for query in (COUNT_ALL, COUNT_NAMED):
        result = vstore.query(query)
        assert isinstance(result, SolutionsResult) and result.rows == [(ox.Literal(3),)]
    assert vstore.query("ASK { GRAPH <http://www.openlinksw.com/schemas/virtrdf#> { ?s ?p ?o } }").value is False
    assert vstore.count_quads() == 3 and vstore.graph_names() == sorted([graph(1), PROV])


# --- blank nodes ---------------------------------------------------------------------------------
def test_blank_nodes_come_back_with_valid_labels(virtuoso_server: ManagedVirtuosoServer, vstore: VirtuosoStore) -> None:
    body = f'<{obj(1)}> <{LABEL}> _:b1 .\n_:b1 <{LABEL}> "inner" .\n'
    vstore.replace_graphs([RecordGraph(graph(1), body)])
    query = f"SELECT ?b WHERE {{ <{obj(1)}> <{LABEL}> ?b }}"
    raw = requests.post(f"{virtuoso_server.url}/sparql", data={"query": query},
                        headers={"Accept": "application/sparql-results+xml"}, timeout=30)
    assert "<bnode>nodeID://" in raw.text  # the quirk: no parser takes that for a blank node label
    selected = vstore.query(query)
    assert isinstance(selected, SolutionsResult) and isinstance(selected.rows[0][0], ox.BlankNode)
    constructed = vstore.query(f"CONSTRUCT WHERE {{ <{obj(1)}> <{LABEL}> ?b . ?b <{LABEL}> ?l }}")
    assert isinstance(constructed, GraphResult) and len(constructed.triples) == 2
    assert selected.rows[0][0] in {t.object for t in constructed.triples}  # the same label in both forms


def test_blank_node_labels_are_mended_across_reads() -> None:
    body = b"<r><bnode>nodeID://b1</bnode><bnode>nodeID://b22</bnode><literal>nodeID://x</literal></r>"

    class Raw:
        def __init__(self, size: int) -> None:
            self.parts = [body[i : i + size] for i in range(0, len(body), size)]

        def read1(self, amt: int = -1, decode_content: bool = True) -> bytes:
            return self.parts.pop(0) if self.parts else b""

    for size in range(1, len(body) + 1):
        stream = BlankNodeLabels(Raw(size))
        out = b"".join(iter(stream.read1, b""))
        assert out == b"<r><bnode>b1</bnode><bnode>b22</bnode><literal>nodeID://x</literal></r>", size
