"""Query and update text for Virtuoso: what the engine needs written differently, and what it must refuse.

Used by ``store.virtuoso`` only. Like ``store.bind_values`` it never parses SPARQL beyond tokens (strings,
IRIs and comments skipped); the server reports syntax errors.

- Virtuoso extensions are refused in every query and update: ``define`` pragmas (``get:soft`` makes the
  Sponger fetch ``FROM`` IRIs from the web, ``input:grab-*`` follows links), ``bif:`` and ``sql:``
  functions (SQL built-ins and stored procedures), and the ``LOAD`` update (fetches a URL).
- Only queries go through ``query()``: an update sent as a query is refused before it is sent (and by
  the server's read-only account if it got there).
- Update requests are split into their operations: Virtuoso's endpoint runs and commits each operation of
  a request on its own, so the backend runs them through one stored procedure, in one transaction.
  ``DROP GRAPH`` and ``CLEAR GRAPH`` become ``SILENT``: Virtuoso refuses them on a graph that holds
  triples but was not made with CREATE GRAPH. ``DROP ALL`` and the like are for the backend to expand
  (``whole_store_operation``): Virtuoso's own graphs must survive them.
- ``GRAPH ?g {}`` (every named graph, without reading its triples) matches nothing in Virtuoso, which
  knows graphs only by their triples: it becomes a sub-select of the distinct graphs of all triples.
- Virtuoso 7.2 compares negative ``xsd:dateTime`` values (BCE) as greater than every positive one, puts
  blank nodes among IRIs and orders language-tagged strings by neither text nor tag; so each ``ORDER BY``
  condition gets keys before it: the kind of term (unbound, blank node, IRI, BCE date, other literal),
  a BCE date's year, an IRI's or string's text, a string's language tag (``order_keys``). A condition
  that is a variable the query binds only through one of the hub's integer sort keys (``srom:dateOrder``,
  ``srom:titleOrder``...: ``INTEGER_KEYS``, written by the harvest, ontology/MODEL.md) keeps its native
  order: integers sort alike on both engines, and the keys cost per row (sorting 100,000 objects by
  their date order: 0.35 s with them).
- Virtuoso's loader keeps an ``xsd:integer`` as an integer up to 2**31 - 1 only; a larger one it stores
  exactly, as an ``xsd:decimal``. The keys are 62-bit integers, so an integral decimal past that range
  comes back as the integer it was written as (``fix_term``).
"""

from __future__ import annotations

import re
import struct

import pyoxigraph as ox

from store.base import QuerySyntaxError
from store.bind_values import _IRIREF, _tokens
from store.query_guard import skip_string

XSD = "http://www.w3.org/2001/XMLSchema#"
GEOMETRY = "http://www.openlinksw.com/schemas/virtrdf#Geometry"
WKT = "http://www.opengis.net/ont/geosparql#wktLiteral"
_DATES = {XSD + "dateTime", XSD + "date"}
SROM = "https://w3id.org/srom/ns#"
#: the hub's sort keys: xsd:integer on every object (mappings/keys.py), so sorted natively
INTEGER_KEYS = ("dateOrder", "titleOrder", "titleOrderNext", "beginYear", "endYear")
_LARGEST_INT32 = 2**31 - 1
_INTEGRAL = re.compile(r"-?[0-9]+")
_FUNCTION_PREFIXES = ("bif:", "sql:")
_STOP = {"limit", "offset", "values", "}", ")"}


def refuse_extensions(text: str) -> None:
    """QuerySyntaxError if ``text`` uses a Virtuoso extension that could reach other servers or SQL."""
    for token, _, _ in _tokens(text):
        if token == "define":
            raise QuerySyntaxError("Virtuoso `define` pragmas are not allowed (they can make the store fetch URLs)")
        if token.startswith(_FUNCTION_PREFIXES):
            raise QuerySyntaxError(f"Virtuoso SQL functions ({token.split(':')[0]}:) are not allowed")
    for iri in _IRIREF.finditer(text):
        if iri.group(0)[1:].lower().startswith(_FUNCTION_PREFIXES):
            raise QuerySyntaxError("Virtuoso SQL functions (bif:, sql:) are not allowed")


def refuse_updates(text: str) -> None:
    """QuerySyntaxError unless ``text`` is a query (its first keyword after the prologue is a query form).

    Virtuoso's ``/sparql`` runs an update sent as ``query=`` when the account may; the public account
    may not (the server answers SR186), and the hub refuses it first, as the SPARQL grammar does.
    """
    tokens = [t for t, _, _ in _tokens(text)]
    k = 0
    while k < len(tokens) and tokens[k] in ("prefix", "base"):
        k += 2 if tokens[k] == "prefix" else 1  # PREFIX name: <iri>, BASE <iri> (IRIs are not tokens)
    if k >= len(tokens) or tokens[k] not in _QUERY_FORMS:
        raise QuerySyntaxError("not a query: expected SELECT, CONSTRUCT, DESCRIBE or ASK (updates are not run here)")


_QUERY_FORMS = ("select", "construct", "describe", "ask")
_GRAPH_OPERATION = re.compile(r"^(\s*(?:DROP|CLEAR)\s+)(?!SILENT\b)(GRAPH\b)", re.IGNORECASE)
_WHOLE_STORE = re.compile(r"^\s*(?:DROP|CLEAR)\s+(?:SILENT\s+)?(ALL|NAMED|DEFAULT)\s*$", re.IGNORECASE)


def whole_store_operation(operation: str) -> str | None:
    """``all``, ``named`` or ``default`` when ``operation`` drops or clears that many graphs, else None."""
    m = _WHOLE_STORE.match(operation)
    return m.group(1).lower() if m else None


_PROLOGUE = re.compile(r"\s*(?:PREFIX\s+[^\s:]*:\s*<[^<>]*>|BASE\s*<[^<>]*>)", re.IGNORECASE)


def split_update(text: str) -> list[str]:
    """The operations of an update request, each with the PREFIX and BASE declarations before it.

    Splits at ``;`` outside braces, strings, IRIs and comments. Refuses ``LOAD`` (it fetches a URL).
    """
    parts: list[str] = []
    depth, start, i, n = 0, 0, 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if c in "\"'":
            i = skip_string(text, i)
            continue
        if c == "<" and (m := _IRIREF.match(text, i)):
            i = m.end()
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif c == ";" and depth == 0:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    operations: list[str] = []
    prologue = ""
    for part in parts:
        at = 0
        while m := _PROLOGUE.match(part, at):
            at = m.end()
        body = part[at:]
        prologue += part[:at]
        if not body.strip():
            continue
        words = [t for t, _, _ in _tokens(body) if t not in "{}()"]
        if words and words[0] == "load":
            raise QuerySyntaxError("LOAD is not allowed: the store does not fetch URLs")
        operations.append(prologue + _GRAPH_OPERATION.sub(r"\1SILENT \2", body))
    if not operations:
        raise QuerySyntaxError("an empty update request")
    return operations


def empty_graph_patterns(query: str) -> str:
    """``query`` with each ``GRAPH ?var {}`` written as a sub-select of the graphs that hold triples."""
    tokens = _tokens(query)
    edits: list[tuple[int, int, str]] = []
    for k in range(len(tokens) - 3):
        (graph, start, _), (var, _, after_var), (opening, open_at, _), (closing, _, end) = tokens[k : k + 4]
        if graph == "graph" and var.startswith(("?", "$")) and opening == "{" and closing == "}":
            if not query[after_var:open_at].strip():
                name = query[tokens[k + 1][1] : after_var]
                edits.append((start, end, f"{{ SELECT DISTINCT {name} WHERE {{ GRAPH {name} "
                                          "{ ?_srom_s ?_srom_p ?_srom_o } } }"))
    for start, end, text in reversed(edits):
        query = query[:start] + text + query[end:]
    return query


def order_keys(query: str) -> str:
    """``query`` with every ORDER BY condition preceded by keys that make Virtuoso sort as SPARQL (and
    Oxigraph) do: unbound, blank nodes, IRIs, literals; BCE dates before CE ones; IRIs and strings by
    their text (language-tagged ones by text, then tag)."""
    tokens = _tokens(query)
    if any(a[0] == "group" and b[0] == "by" for a, b in zip(tokens, tokens[1:], strict=False)):
        # Virtuoso refuses expressions over an aggregate's alias in ORDER BY (SP031); grouped answers
        # are ordered by their counts and keys, which it sorts as SPARQL does.
        return query
    edits: list[tuple[int, int, str]] = []
    k = 0
    while k < len(tokens) - 1:
        if tokens[k][0] == "order" and tokens[k + 1][0] == "by":
            conditions, k = _order_conditions(query, tokens, k + 2)
            if conditions:
                text = " ".join(_with_order_keys(query[s:e].strip(), query) for s, e in conditions)
                edits.append((conditions[0][0], conditions[-1][1], text))
        else:
            k += 1
    for start, end, text in reversed(edits):
        query = query[:start] + text + query[end:]
    return query


def _order_conditions(query: str, tokens: list[tuple[str, int, int]], k: int) -> tuple[list[list[int]], int]:
    """The (start, end) offsets of the ORDER BY conditions starting at ``tokens[k]``, and the next index."""
    conditions: list[list[int]] = []
    depth, takes_arguments = 0, False
    previous_end = tokens[k - 1][2]
    while k < len(tokens):
        token, start, end = tokens[k]
        if depth == 0:
            gap = query[previous_end:start]
            if gap.strip():  # an IRI (a function name): untokenised text between two tokens
                if token != "(":
                    return [], k  # not a shape this rewrite knows: leave the query as it is
                conditions.append([previous_end + len(gap) - len(gap.lstrip()), end])
                takes_arguments = True
            if token in _STOP:
                break
            if token == "(":
                if not takes_arguments:
                    conditions.append([start, end])
                depth, takes_arguments = 1, False
            else:  # a variable, or ASC / DESC / a function name before its arguments
                conditions.append([start, end])
                takes_arguments = not token.startswith(("?", "$"))
        elif token == "(":
            depth += 1
        elif token == ")":
            depth -= 1
            if depth == 0:
                conditions[-1][1] = end
        previous_end = end
        k += 1
    if depth != 0 or takes_arguments:
        return [], k
    return conditions, k


def _bound_by_integer_key(variable: str, query: str) -> bool:
    """Whether ``?variable`` is bound in ``query`` only as the object of the hub's integer sort keys."""
    name = re.escape(variable.lstrip("?$"))
    mentions = re.findall(rf"(\S+)\s+[?$]{name}\b", query)
    keys = {f"srom:{k}" for k in INTEGER_KEYS} | {f"<{SROM}{k}>" for k in INTEGER_KEYS}
    binding = [m for m in mentions if m.lower() not in ("select", "distinct", "reduced", "by", "asc(", "desc(")
               and not m.startswith("?") and not m.startswith("$") and m not in ("{", "(", ".", ";")]
    return bool(binding) and all(m in keys for m in binding)


def _with_order_keys(condition: str, query: str) -> str:
    if re.fullmatch(r"[?$]\w+", condition) and _bound_by_integer_key(condition, query):
        return condition
    lower = condition.lower()
    direction = "ASC"
    expression = condition
    for word in ("asc", "desc"):
        if lower.startswith(word) and condition[len(word) :].lstrip().startswith("("):
            direction = word.upper()
            expression = condition[condition.index("(") + 1 : condition.rindex(")")]
    e = f"({expression})"
    # Nested IFs, not &&: an error (a non-literal's datatype, an unbound value) must not escape the key.
    # Cheap tests first: per-row functions are most of the cost (datatype() and STR() of a date take
    # ~7 us each). A BCE date is found by the comparison that has the bug (it is "after" 9999: where a
    # Virtuoso compares right, no value is and the native order stands), then confirmed by datatype();
    # its year comes from its lexical form, not year(): Virtuoso keeps a dateTime it cannot parse (year
    # 0000, 1 BCE in XSD 1.1) as a string, and year() of that fails the whole query (SR586).
    lexical = f"STR({e})"
    date = f"datatype({e}) = <{XSD}dateTime>"
    after_9999 = f'COALESCE({e} > "9999-12-31T23:59:59"^^<{XSD}dateTime>, false)'
    bce = f"IF({after_9999}, {date}, false)"
    # One number: the kind of term (unbound, blank node, IRI, BCE date, other literal: SPARQL's order of
    # kinds) and a BCE date's year; then a language-tagged string's text and tag (the separator sorts
    # below every character). Fewer keys, fewer tests per row: IRIs and other literals sort right natively.
    bce_year = f'IF(STRSTARTS({lexical}, "-"), -<{XSD}integer>(STRBEFORE(SUBSTR({lexical}, 2), "-")), 0)'
    kind = (f"COALESCE(IF(isBlank({e}), {_KIND}, IF(isIRI({e}), {2 * _KIND}, IF(isNumeric({e}), {4 * _KIND}, "
            f"IF({bce}, {3 * _KIND} + {bce_year}, {4 * _KIND})))), 0)")
    text = f'COALESCE(IF(isLiteral({e}), IF(LANG({e}) != "", CONCAT({lexical}, "\\u0001", LANG({e})), ""), ""), "")'
    return " ".join(f"{direction}({key})" for key in (kind, text, expression))


#: the step between kinds of term in the first ORDER BY key (a BCE year is added to its kind's step)
_KIND = 100_000_000
_SHORT_YEAR = re.compile(r"^-(\d{1,3})-")
_NUMBER = re.compile(r"-?\d+\.\d+(?:[eE][-+]?\d+)?")


def fix_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Undo what Virtuoso does to literals it stores natively: BCE years lose their leading zeros
    (``-206-01-01T00:00:00``), 1 BCE becomes year ``0000``, and WKT literals become ``virtrdf:Geometry``
    with single-precision numbers."""
    if not isinstance(term, ox.Literal):
        return term
    datatype = term.datatype.value
    if datatype in _DATES and term.value.startswith("-"):
        return ox.Literal(_SHORT_YEAR.sub(lambda m: f"-{int(m.group(1)):04d}-", term.value), datatype=term.datatype)
    if datatype in _DATES and term.value.startswith("0000-"):
        # Virtuoso stores 1 BCE (XSD 1.0's -0001, which has no year 0) as year 0: the hub never writes 0000.
        return ox.Literal("-0001-" + term.value[5:], datatype=term.datatype)
    if datatype == XSD + "decimal" and _INTEGRAL.fullmatch(term.value) and abs(int(term.value)) > _LARGEST_INT32:
        return ox.Literal(term.value, datatype=ox.NamedNode(XSD + "integer"))
    if datatype == GEOMETRY:
        return ox.Literal(_NUMBER.sub(lambda m: _shortest_float32(m.group(0)), term.value), datatype=ox.NamedNode(WKT))
    return term


def _shortest_float32(text: str) -> str:
    """The shortest decimal that reads back as the same single-precision float as ``text``."""
    value = struct.unpack("f", struct.pack("f", float(text)))[0]
    for digits in range(1, 10):
        short = f"{value:.{digits}g}"
        if struct.unpack("f", struct.pack("f", float(short)))[0] == value:
            return repr(float(short)) if "e" not in short else short
    return text
