"""Multi-row VALUES blocks (``store.values``): every value written from a term, so none can break out."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from store.values import iri_values, values_column, values_rows

HOSTILE = '"} ; DROP ALL ; { "'


def test_rows_of_terms_query_as_written() -> None:
    block = values_rows(["o", "t"], [(ox.NamedNode("http://x/1"), ox.Literal(HOSTILE)),
                                     (ox.NamedNode("http://x/2"), ox.Literal("silk", language="en"))])
    store = ox.Store()
    rows = list(store.query(f"SELECT ?o ?t WHERE {{ {block} }} ORDER BY ?o"))
    assert [(r["o"].value, r["t"].value) for r in rows] == [("http://x/1", HOSTILE), ("http://x/2", "silk")]


def test_a_column_keeps_each_value_once_in_order() -> None:
    block = iri_values("g", ["http://x/b", "http://x/a", "http://x/b"])
    assert block == "VALUES ?g { <http://x/b> <http://x/a> }"
    assert [r["g"].value for r in ox.Store().query(f"SELECT ?g WHERE {{ {block} }}")] == ["http://x/b", "http://x/a"]


@pytest.mark.parametrize("bad", ["http://x/a> } DROP ALL {", "not an iri", "http://x/a b"])
def test_a_text_that_is_not_an_iri_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        iri_values("g", [bad])


def test_blank_nodes_wrong_names_and_ragged_rows_are_refused() -> None:
    with pytest.raises(TypeError):
        values_column("x", [ox.BlankNode()])  # type: ignore[list-item]
    with pytest.raises(ValueError):
        values_column("not a variable", [ox.Literal("x")])
    with pytest.raises(ValueError):
        values_rows(["a", "b"], [(ox.Literal("only one"),)])


def test_bind_rows_fills_every_empty_values_block_of_its_variable() -> None:
    from store.bind_values import bind_rows

    template = ('SELECT ?o ?x WHERE { { VALUES ?o { } ?o <http://x/p> ?x } UNION { VALUES ?o { } ?o <http://x/q> ?x } '
                'FILTER(?x != "VALUES ?o { }") }')
    filled = bind_rows(template, {"o": [ox.NamedNode("http://x/1")]})
    assert filled.count("VALUES ?o { <http://x/1> }") == 2
    assert '"VALUES ?o { }"' in filled  # a string that looks like a block is left alone
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://x/1"), ox.NamedNode("http://x/p"), ox.Literal("a")))
    store.add(ox.Quad(ox.NamedNode("http://x/2"), ox.NamedNode("http://x/q"), ox.Literal("b")))
    assert [r["x"].value for r in store.query(filled)] == ["a"]
    # no empty block for the variable: one block at the start of the WHERE group
    assert bind_rows("SELECT ?o WHERE { ?o ?p ?x }", {"o": [ox.NamedNode("http://x/1")]}).startswith(
        "SELECT ?o WHERE { VALUES ?o { <http://x/1> }")
