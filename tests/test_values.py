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
