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
from typing import Any

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
_SELECT_ALL = re.compile(r"\bselect\s+(?:(?:distinct|reduced)\s+)?\*", re.IGNORECASE)


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
    """``query`` with ``substitutions`` bound by VALUES blocks wherever each variable is used.

    A variable that the query's top level uses (its WHERE group's own level, its projection, ORDER BY,
    ...) is bound at the start of the WHERE group. One that only nested groups use is bound at the start
    of each of those groups, and a sub-SELECT, whose variables are its own, is bound inside by the same
    rule: a bound variable is that term everywhere in the query (pyoxigraph's ``substitutions`` meaning),
    so the facet builder can write each facet as a sub-SELECT. The two placements are the same query (a
    one-row table joined where the variable is used), but Virtuoso 7.2.5 answers the top one wrongly when
    the variable is used in one branch of a UNION only: ``{ ?object P ?museum_1 } UNION { ?object P
    ?museum_2 }`` with both bound at the top matched nothing.
    """
    if not substitutions:
        return query
    top: dict[str, Term] = {}
    inner: list[tuple[int, str]] = []  # (offset just after a group's "{", the block to write there)
    tokens = _tokens(query)
    where = _where_open(query, tokens)
    for name, term in substitutions.items():
        names = {f"?{name}", f"${name}"}
        if where is None:
            top[name] = term
            continue
        close = _matching_close(tokens, where)
        at_top, sites = _binding_sites(query, tokens, where, tokens[:where] + tokens[close + 1:],
                                       query[:tokens[where][1]], names)
        if at_top or not sites:
            top[name] = term
        block = values_column(name, [_bindable(name, term)])
        inner += [(at, block) for at in sites]
    for at, block in sorted(inner, reverse=True):
        query = query[:at] + " " + block + query[at:]
    return insert_values(query, values_block(top)) if top else query


def _binding_sites(query: str, tokens: list[tuple[str, int, int]], where: int,
                   outside: list[tuple[str, int, int]], head: str, names: set[str]) -> tuple[bool, list[int]]:
    """Where to bind a variable (``names``: its two spellings) in one query scope whose WHERE group opens
    at ``tokens[where]``: (whether to bind it at the scope's top, offsets just after the ``{`` of the
    groups to bind it in, sub-SELECTs' included). ``outside``: the scope's tokens around its WHERE group
    (projection, modifiers); ``head``: its text before the WHERE group (``SELECT *`` projects every
    variable). The top is the place (engines plan it best: Virtuoso took 0.9 s instead of 8 ms for an
    object's record graph bound inside its GRAPH groups) unless a UNION uses the variable in some of its
    branches only, Virtuoso's wrong answer."""
    close = _matching_close(tokens, where)
    uses_top = bool(_SELECT_ALL.search(head)) or any(query[a:b] in names for _, a, b in outside)
    sites: list[int] = []  # in sub-SELECTs, which have their own scope
    nested: list[int] = []  # groups that mention the variable at their own level
    mixed_union = False
    # per open group: (offset after "{", mentions at its level, mentions anywhere inside, a UNION branch)
    stack: list[list[Any]] = []
    branches: dict[int, list[bool]] = {}  # depth -> "mentions inside" of the branches of the UNION being read
    last_closed: dict[int, bool] = {}  # depth -> "mentions inside" of the group that closed last there
    j = where + 1
    while j < close:
        token, start, end = tokens[j]
        if token == "values":  # an inline data block: skip its variables and rows
            k = j + 1
            while k < close and tokens[k][0] != "{":
                k += 1
            j = _matching_close(tokens, k) + 1
            continue
        if token == "{" and j + 1 < close and tokens[j + 1][0] == "select":  # a sub-SELECT: its own scope
            sub_end = _matching_close(tokens, j)
            sub_where = _sub_where(tokens, j + 1, sub_end)
            sub_close = _matching_close(tokens, sub_where)
            sub_top, sub_sites = _binding_sites(
                query, tokens, sub_where, tokens[j + 1:sub_where] + tokens[sub_close + 1:sub_end],
                query[tokens[j + 1][1]:tokens[sub_where][1]], names)
            sites += sub_sites + ([tokens[sub_where][2]] if sub_top else [])
            j = sub_end + 1
            continue
        depth = len(stack)
        if token == "union":
            branches.setdefault(depth, [last_closed.get(depth, False)])
        elif token == "{":
            stack.append([end, False, False, depth in branches])
        elif token == "}":
            at, here, inside, branch = stack.pop()
            if here:
                nested.append(at)
            depth = len(stack)
            last_closed[depth] = inside
            if stack and inside:
                stack[-1][2] = True
            if branch:
                branches[depth].append(inside)
                if not (j + 1 < close and tokens[j + 1][0] == "union"):  # the UNION's last branch
                    done = branches.pop(depth)
                    mixed_union = mixed_union or (any(done) and not all(done))
        elif query[start:end] in names:
            if stack:
                stack[-1][1] = stack[-1][2] = True
            else:
                uses_top = True
        j += 1
    if uses_top or not mixed_union:
        return bool(uses_top or nested), sites
    return False, nested + sites


def _sub_where(tokens: list[tuple[str, int, int]], select: int, end: int) -> int:
    """Index of the ``{`` opening the WHERE group of the sub-SELECT whose ``select`` token is at ``select``."""
    paren = 0
    for j in range(select + 1, end):
        if tokens[j][0] == "(":
            paren += 1
        elif tokens[j][0] == ")":
            paren -= 1
        elif tokens[j][0] == "{" and paren == 0:
            return j
    raise QuerySyntaxError("a sub-SELECT without a WHERE group")


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
