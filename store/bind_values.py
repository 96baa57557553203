"""Binding query variables to RDF terms for stores that only accept query text (SPARQL 1.1 Protocol).

pyoxigraph binds ``substitutions`` natively; a remote server does not, so the protocol backend writes
the bindings as a ``VALUES`` block at the start of the query's WHERE group. Values never touch the query
text as text: each one is written from a pyoxigraph term in N-Triples syntax, which escapes it, so a
museum title like ``} ; DROP ALL ; {`` stays a string literal.

This module owns the small tokenizer that finds the WHERE group (it skips strings, IRIs and comments).
It must not parse or validate SPARQL beyond that; the server reports syntax errors.

Differences from pyoxigraph's substitution (SEP-0007), both rare in stored queries: sub-SELECTs do not
see the outer VALUES, and a ``DESCRIBE ?x`` without a WHERE group cannot be bound.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import pyoxigraph as ox

from store.base import QuerySyntaxError, Term
from store.query_guard import skip_string
from store.values import Value, values_column, values_rows

# IRIREF admits no spaces, so "<" followed by anything else is the less-than operator.
_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
# A run of characters that can belong to one name-like token; variables, prefixed names and language
# tags stay whole, so ``?select``, ``ex:where`` and ``"x"@ask`` are never taken for keywords.
_WORD = re.compile(r"[?$@\w\-.:%\\\u00B7]+")
_FORMS = {"select", "construct", "describe", "ask"}


def _tokens(query: str) -> list[tuple[str, int, int]]:
    """(token, start, end) for braces, parentheses and words, skipping strings, IRIs and comments."""
    out: list[tuple[str, int, int]] = []
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if c.isspace():
            i += 1
        elif c == "#":
            end = query.find("\n", i)
            i = n if end < 0 else end + 1
        elif c in "\"'":
            i = skip_string(query, i)
        elif c == "<" and (m := _IRIREF.match(query, i)):
            i = m.end()
        elif c in "{}()":
            out.append((c, i, i + 1))
            i += 1
        elif m := _WORD.match(query, i):
            out.append((m.group(0).lower(), i, m.end()))
            i = m.end()
        else:
            i += 1
    return out


def _matching_close(tokens: list[tuple[str, int, int]], k: int) -> int:
    """Index of the ``}`` closing the ``{`` at ``tokens[k]``."""
    depth = 0
    for j in range(k, len(tokens)):
        if tokens[j][0] == "{":
            depth += 1
        elif tokens[j][0] == "}":
            depth -= 1
            if depth == 0:
                return j
    raise QuerySyntaxError("unbalanced braces in the query")


def values_block(substitutions: Mapping[str, Term]) -> str:
    """``VALUES (?a ?b) { (<iri> "lit"@en) }`` for the given bindings, every value escaped."""
    terms: list[ox.NamedNode | ox.Literal] = []
    for name, term in substitutions.items():
        if not isinstance(term, ox.NamedNode | ox.Literal):
            # VALUES admits IRIs and literals only; blank node labels would be fresh variables.
            raise TypeError(f"cannot bind ?{name} to {type(term).__name__} over the SPARQL protocol")
        terms.append(term)
    return values_rows(list(substitutions), [terms]) + "\n"


def bind_values(query: str, substitutions: Mapping[str, Term] | None) -> str:
    """``query`` with ``substitutions`` bound by a VALUES block at the start of its WHERE group."""
    if not substitutions:
        return query
    return insert_values(query, values_block(substitutions))


def bind_rows(query: str, rows: Mapping[str, Sequence[Value]] | None) -> str:
    """``query`` with each variable of ``rows`` bound to each of its terms in turn.

    Where the query holds empty data blocks for a variable (``VALUES ?object { }``, valid SPARQL that
    matches nothing), the terms fill each of them: a query shaped to look the values up inside several
    groups keeps that shape. A variable without one gets a multi-row VALUES block at the start of the
    WHERE group. A store calls this after it checked the query (``store.query_guard``): the blocks hold
    data written from terms, so the check stays valid (and cached) whatever the values are.
    """
    if not rows:
        return query
    rest: dict[str, Sequence[Value]] = {}
    for name, terms in rows.items():
        filled = _fill_empty_blocks(query, name, values_column(name, terms))
        if filled is None:
            rest[name] = terms
        else:
            query = filled
    if not rest:
        return query
    return insert_values(query, " ".join(values_column(name, terms) for name, terms in rest.items()) + "\n")


def _fill_empty_blocks(query: str, name: str, block: str) -> str | None:
    """``query`` with every ``VALUES ?name { }`` replaced by ``block``; None when it has none."""
    tokens = _tokens(query)
    spans = [(tokens[k][1], tokens[k + 3][2]) for k in range(len(tokens) - 3)
             if tokens[k][0] == "values" and query[tokens[k + 1][1]:tokens[k + 1][2]] in (f"?{name}", f"${name}")
             and tokens[k + 2][0] == "{" and tokens[k + 3][0] == "}"]
    if not spans:
        return None
    out, last = [], 0
    for start, end in spans:
        out += [query[last:start], block]
        last = end
    return "".join(out) + query[last:]


def insert_values(query: str, block: str) -> str:
    """``query`` with ``block`` (a VALUES block written by ``store.values``) at the start of its WHERE group."""
    tokens = _tokens(query)
    form = next((k for k, t in enumerate(tokens) if t[0] in _FORMS), None)
    if form is None:
        raise QuerySyntaxError("no SELECT, CONSTRUCT, DESCRIBE or ASK in the query")
    k = form + 1
    if tokens[form][0] == "construct" and (k >= len(tokens) or tokens[k][0] != "{"):
        return _bind_construct_where(query, tokens, form, block)
    if tokens[form][0] == "construct":
        k = _matching_close(tokens, k) + 1  # skip the template
    paren = 0
    for j in range(k, len(tokens)):
        tok = tokens[j][0]
        if tok == "(":
            paren += 1
        elif tok == ")":
            paren -= 1
        elif tok == "{" and paren == 0:
            at = tokens[j][2]
            return query[:at] + " " + block + query[at:]
    raise QuerySyntaxError("substitutions need a WHERE group in the query")


def _bind_construct_where(query: str, tokens: list[tuple[str, int, int]], form: int, block: str) -> str:
    """``CONSTRUCT WHERE { T }`` admits only triples: write it as ``CONSTRUCT { T } WHERE { VALUES T }``."""
    open_k = next((j for j in range(form + 1, len(tokens)) if tokens[j][0] == "{"), None)
    if open_k is None:
        raise QuerySyntaxError("substitutions need a WHERE group in the query")
    close_k = _matching_close(tokens, open_k)
    inner = query[tokens[open_k][2] : tokens[close_k][1]]
    after_form, after_open = tokens[form][2], tokens[open_k][2]
    return (
        query[:after_form]
        + " {"
        + inner
        + "\n}"
        + query[after_form:after_open]
        + " "
        + block
        + query[after_open:]
    )


def query_form(query: str) -> str | None:
    """The query's form, lower case (``select``, ``construct``, ``describe``, ``ask``), or None."""
    return next((token for token, _, _ in _tokens(query) if token in _FORMS), None)
