"""The store contract: one suite run against every backend (tests/support/stores.py): pyoxigraph in memory,
pyoxigraph on disk, a real ``oxigraph serve`` subprocess on 127.0.0.1 reached through the SPARQL 1.1
Protocol backend, and the managed Virtuoso server (one per test session, ``tests/support/virtuoso_fixtures.py``;
its own differences are tested in ``test_store_virtuoso.py``). Nothing here is mocked. What only one
backend has: tests/test_store_backends.py.
"""

from __future__ import annotations

import io
import time

import pyoxigraph as ox
import pytest

from store import (
    BooleanResult,
    Dataset,
    EmbeddedStore,
    GraphResult,
    QuerySyntaxError,
    QueryTimeout,
    RecordGraph,
    SolutionsResult,
    Store,
    StoreError,
)
from tests.support.stores import (
    AWKWARD,
    BASE,
    LABEL,
    PREFIX,
    PROV,
    SLOW_COUNT,
    XSD,
    graph,
    labels,
    load_many,
    obj,
    provenance,
    record,
    server,
    snapshot,
    store,
)

__all__ = ["server", "store"]  # fixtures used by this module's tests


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


def _values(store: Store, query: str, dataset: Dataset | None) -> list[str]:
    result = store.query(query, dataset=dataset)
    assert isinstance(result, SolutionsResult)
    return sorted(str(t.value) for row in result.rows for t in row if t is not None)


def test_dataset_parameters_choose_the_default_and_named_graphs(store: Store) -> None:
    """The protocol's default-graph-uri / named-graph-uri (Store.query(dataset=...)) on every backend."""
    store.replace_graphs([record(1, "bowl"), record(2, "cup"), record(3, "robe")])
    labels_query = f"SELECT ?l WHERE {{ ?s <{LABEL}> ?l }}"
    named_query = f"SELECT ?g ?l WHERE {{ GRAPH ?g {{ ?s <{LABEL}> ?l }} }}"
    assert _values(store, labels_query, None) == ["bowl", "cup", "robe"]  # no dataset: the union
    assert _values(store, labels_query, Dataset((graph(1),))) == ["bowl"]
    assert _values(store, labels_query, Dataset((graph(1), graph(3)))) == ["bowl", "robe"]
    # only default graphs: no named graph; only named graphs: an empty default graph
    assert _values(store, named_query, Dataset((graph(1),))) == []
    assert _values(store, labels_query, Dataset((), (graph(2),))) == []
    assert _values(store, named_query, Dataset((), (graph(2),))) == ["cup", graph(2)]
    assert _values(store, named_query, Dataset((graph(1),), (graph(2), graph(3)))) == sorted(
        ["cup", graph(2), "robe", graph(3)])
    # the protocol's dataset replaces the query's own FROM
    assert _values(store, f"SELECT ?l FROM <{graph(2)}> WHERE {{ ?s <{LABEL}> ?l }}", Dataset((graph(1),))) == ["bowl"]
    assert _values(store, f"SELECT ?l FROM <{graph(2)}> WHERE {{ ?s <{LABEL}> ?l }}", None) == ["cup"]
    with pytest.raises(ValueError):
        Dataset(("not an iri",))


def test_rows_bind_a_variable_to_several_terms(store: Store) -> None:
    store.replace_graphs([record(1, "bowl"), record(2, "cup"), record(3, AWKWARD[2])])
    query = f"SELECT ?o ?l WHERE {{ ?o <{LABEL}> ?l }} ORDER BY ?o"
    result = store.query(query, rows={"o": [ox.NamedNode(obj(3)), ox.NamedNode(obj(1))]})
    assert isinstance(result, SolutionsResult)
    assert [(r[0].value, r[1].value) for r in result.rows] == [(obj(1), "bowl"), (obj(3), AWKWARD[2])]
    # with substitutions at once, and a literal that looks like query text stays a literal
    both = store.query(f"SELECT ?o WHERE {{ ?o <{LABEL}> ?l }}",
                       substitutions={"l": ox.Literal(AWKWARD[2], language="en")},
                       rows={"o": [ox.NamedNode(obj(1)), ox.NamedNode(obj(3))]})
    assert [r[0].value for r in both.rows] == [obj(3)]  # type: ignore[union-attr]


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


def test_a_limit_lowers_the_query_limit_and_keeps_its_order(store: Store) -> None:
    """The store writes the rows it reads into the query's own LIMIT (store.query_guard): the first rows
    of the same order, with OFFSET, a trailing VALUES clause or a sub-query's LIMIT left as they mean."""
    store.replace_graphs([record(i, f"object {i:02d}") for i in range(12)])
    ordered = f"SELECT ?l WHERE {{ ?s <{LABEL}> ?l }} ORDER BY DESC(?l)"

    def labels(query: str, limit: int | None) -> tuple[list[str], bool]:
        result = store.query(query, limit=limit)
        assert isinstance(result, SolutionsResult)
        return [row[0].value for row in result.rows], result.truncated

    every = [f"object {i:02d}" for i in reversed(range(12))]
    assert labels(ordered + " LIMIT 2000", 3) == (every[:3], True)
    assert labels(ordered, 3) == (every[:3], True)
    assert labels(ordered + " LIMIT 4 OFFSET 2", 3) == (every[2:5], True)
    assert labels(ordered + " OFFSET 2 LIMIT 4", 10) == (every[2:6], False)
    assert labels(ordered + " LIMIT 2", 5) == (every[:2], False)
    assert labels(ordered + " LIMIT 3 # the end", 2) == (every[:2], True)
    # no LIMIT after a trailing VALUES (a syntax error); Virtuoso 7.2 orders such an answer its own way
    found, truncated = labels(ordered + ' VALUES ?l { "object 03"@en "object 07"@en }', 1)
    assert truncated and found in (["object 03"], ["object 07"])
    inner = f"SELECT ?l WHERE {{ {{ SELECT ?l WHERE {{ ?s <{LABEL}> ?l }} ORDER BY ?l LIMIT 5 }} }} ORDER BY DESC(?l)"
    assert labels(inner, 2) == (["object 04", "object 03"], True)


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


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "select * where { service silent <http://127.0.0.1:9/x> { ?s ?p ?o } }",
        "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } }",
    ],
)
def test_federated_queries_are_refused_before_any_request(store, query: str) -> None:
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


def test_the_text_a_store_runs_for_a_limit() -> None:
    from store.query_guard import check_query

    def run(text: str, rows: int | None) -> str:
        return " ".join(check_query(text).text_for_rows(rows).split())

    select = "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s"
    assert run(select + " LIMIT 2000", 201) == select + " LIMIT 201"
    assert run(select + " LIMIT 2000 OFFSET 40", 201) == select + " LIMIT 201 OFFSET 40"
    assert run(select + " OFFSET 40 LIMIT 2000", 201) == select + " OFFSET 40 LIMIT 201"
    assert run(select, 201) == select + " LIMIT 201"
    assert run(select + " LIMIT 2000 # the end\n", 201) == select + " LIMIT 201"  # comments are gone
    for unchanged in (select + " LIMIT 20", select + " VALUES ?s { <a:b> }",
                      "CONSTRUCT WHERE { ?s ?p ?o }", "ASK { ?s ?p ?o }"):
        assert run(unchanged, 201) == " ".join(check_query(unchanged).text.split())
    assert run(select + " LIMIT 2000", None) == select + " LIMIT 2000"
