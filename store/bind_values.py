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
from store.values import Value, values_column

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


def _bindable(name: str, term: Term) -> ox.NamedNode | ox.Literal:
    if not isinstance(term, ox.NamedNode | ox.Literal):
        # VALUES admits IRIs and literals only; blank node labels would be fresh variables.
        raise TypeError(f"cannot bind ?{name} to {type(term).__name__} over the SPARQL protocol")
    return term


def values_block(substitutions: Mapping[str, Term]) -> str:
    """``VALUES ?a { <iri> } VALUES ?b { "lit"@en }`` for the given bindings, every value escaped.

    One single-column block per variable, which joins to the same one row as ``VALUES (?a ?b) {...}``:
    Virtuoso 7.2.5's compiler fails on a row fixing two or more variables that the patterns then use
    (SP031 "ssg_print_rvr_fixed_val(): no SPART_VARR_FIXED", e.g. a facet on material and dates).
    """
    return " ".join(values_column(name, [_bindable(name, term)]) for name, term in substitutions.items()) + "\n"


def bind_values(query: str, substitutions: Mapping[str, Term] | None) -> str:
    """``query`` with ``substitutions`` bound by VALUES blocks: at the start of its WHERE group, or, for a
    variable that only nested groups mention, at the start of each of those groups.

    The two are the same query (a one-row table joined where the variable is used), but Virtuoso 7.2.5
    answers the first wrongly when the variable is used in one branch of a UNION only: the facet builder's
    ``{ ?object P ?museum_1 } UNION { ?object P ?museum_2 }`` with both bound at the top matched nothing.
    """
    if not substitutions:
        return query
    top: dict[str, Term] = {}
    inner: list[tuple[int, str]] = []  # (offset just after a group's "{", the block to write there)
    tokens = _tokens(query)
    where = _where_open(query, tokens)
    for name, term in substitutions.items():
        groups = None if where is None else _groups_using_only_nested(query, tokens, where, name)
        if not groups:
            top[name] = term
        else:
            block = values_column(name, [_bindable(name, term)])
            inner += [(at, block) for at in groups]
    for at, block in sorted(inner, reverse=True):
        query = query[:at] + " " + block + query[at:]
    return insert_values(query, values_block(top)) if top else query


def _groups_using_only_nested(query: str, tokens: list[tuple[str, int, int]], where: int, name: str
                              ) -> list[int] | None:
    """Offsets just after the ``{`` of every group nested in the WHERE group (``tokens[where]``) that mentions
    ``?name`` at its own level; None when the WHERE group's own level or anything outside it mentions it
    (projection, ``SELECT *``, ORDER BY, ...) or a sub-SELECT does (which has a scope of its own)."""
    close = _matching_close(tokens, where)
    names = {f"?{name}", f"${name}"}
    outside = tokens[:where] + tokens[close + 1:]
    if "*" in query[:tokens[where][1]] or any(query[a:b] in names for _, a, b in outside):
        return None  # "*": SELECT * projects it (a "*" in a string or comment before WHERE only costs the split)
    groups: list[int] = []
    stack: list[tuple[int, bool]] = []  # (offset after "{", mentions the variable at its level)
    j = where + 1
    while j < close:
        token, start, end = tokens[j]
        if token == "values":  # an inline data block: skip its variables and rows
            k = j + 1
            while k < close and tokens[k][0] != "{":
                k += 1
            j = _matching_close(tokens, k) + 1
            continue
        if token == "{":
            if j + 1 < close and tokens[j + 1][0] == "select":
                if any(query[a:b] in names for _, a, b in tokens[j:_matching_close(tokens, j) + 1]):
                    return None
                j = _matching_close(tokens, j) + 1
                continue
            stack.append((end, False))
        elif token == "}":
            at, mentions = stack.pop()
            if mentions:
                groups.append(at)
        elif query[start:end] in names:
            if not stack:
                return None
            stack[-1] = (stack[-1][0], True)
        j += 1
    return groups


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


def _where_open(query: str, tokens: list[tuple[str, int, int]]) -> int | None:
    """Index in ``tokens`` of the ``{`` opening the query's WHERE group; None for ``CONSTRUCT WHERE``."""
    form = next((k for k, t in enumerate(tokens) if t[0] in _FORMS), None)
    if form is None:
        raise QuerySyntaxError("no SELECT, CONSTRUCT, DESCRIBE or ASK in the query")
    k = form + 1
    if tokens[form][0] == "construct" and (k >= len(tokens) or tokens[k][0] != "{"):
        return None
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
            return j
    raise QuerySyntaxError("substitutions need a WHERE group in the query")


def insert_values(query: str, block: str) -> str:
    """``query`` with ``block`` (a VALUES block written by ``store.values``) at the start of its WHERE group."""
    tokens = _tokens(query)
    where = _where_open(query, tokens)
    if where is None:
        form = next(k for k, t in enumerate(tokens) if t[0] in _FORMS)
        return _bind_construct_where(query, tokens, form, block)
    at = tokens[where][2]
    return query[:at] + " " + block + query[at:]


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
