"""Writing RDF terms into a SPARQL ``VALUES`` block: the one way the hub puts values into query text.

Single bindings go through a store's ``substitutions`` (``Store.query``); a list of values (a page of
objects, a batch of graphs) needs a multi-row ``VALUES`` block, which this module writes. Each value is
written from a pyoxigraph term in N-Triples syntax, which escapes it (pyoxigraph checks IRIs when the
term is made), so a value can never end the block or start another clause. Pure: no store, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pyoxigraph as ox

Value = ox.NamedNode | ox.Literal


def _written(term: object, variable: str) -> str:
    if not isinstance(term, ox.NamedNode | ox.Literal):
        # VALUES admits IRIs and literals only; blank node labels would be fresh variables.
        raise TypeError(f"cannot bind ?{variable} to {type(term).__name__} in a VALUES block")
    return str(term)


def values_rows(variables: Sequence[str], rows: Iterable[Sequence[Value]]) -> str:
    """``VALUES (?a ?b) { (<x> "y"@en) ... }``, one row per item of ``rows``."""
    for name in variables:
        ox.Variable(name)  # raises ValueError for a name that is not a SPARQL variable name
    lines = []
    for row in rows:
        if len(row) != len(variables):
            raise ValueError(f"a row of {len(row)} values for {len(variables)} variables")
        lines.append("(" + " ".join(_written(t, v) for t, v in zip(row, variables, strict=True)) + ")")
    return f"VALUES ({' '.join('?' + v for v in variables)}) {{ {' '.join(lines)} }}"


def values_column(variable: str, terms: Iterable[Value]) -> str:
    """``VALUES ?x { <a> <b> }``: one variable, one row per term (duplicates kept once, in order)."""
    ox.Variable(variable)
    return f"VALUES ?{variable} {{ {' '.join(dict.fromkeys(_written(t, variable) for t in terms))} }}"


def iri_values(variable: str, iris: Iterable[str]) -> str:
    """``VALUES ?x { <a> <b> }`` for IRIs given as text (each checked by pyoxigraph; a bad one raises)."""
    return values_column(variable, (ox.NamedNode(i) for i in iris))
