"""The query guard: every query text is bounded, normalised and parsed before any engine sees it.

``check_query(text)`` is the one gate for query text from outside the hub (the public endpoint, curator
section and choices queries, saved exhibitions), and the stores call it on every query too:

1. A small linear scanner that follows the SPARQL 1.1 terminals (strings, IRIs, comments, names with
   ``\\``-escapes) bounds the bracket nesting depth (``(``, ``{``, ``[``) and the number of operations
   (brackets, operators, separators, the group keywords) *before* any parser runs. Oxigraph's parser and
   optimiser recurse once per level of the query tree: about 10 KB of ``((((...)))`` aborts the
   ``oxigraph serve`` process and kills a Python process that embeds pyoxigraph (stack overflow, not an
   exception), and long flat chains (``1+1+...``, ``{} {} ...``, ``MINUS {} MINUS {} ...``) build equally
   deep trees. rdflib's pyparsing grammar recurses as well, and takes seconds on long chains. This is a
   lexical bound, not a pattern: it looks at no keyword to decide what is allowed.
2. The scanner also normalises the text that is run: comments are blanked (a comment ends at CR *or* LF
   in the grammar; parsers disagree on CR) and ``\\uXXXX`` / ``\\UXXXXXXXX`` code point escapes are
   expanded once, as the SPARQL grammar says they are before parsing (engines disagree on where they
   apply). The parser that decides and the engine that runs therefore read the same characters.
3. rdflib's SPARQL parser parses that text; a query rdflib cannot parse is refused (fail closed). The
   parse tree is searched for ``ServiceGraphPattern`` anywhere (sub-queries, EXISTS, MINUS, OPTIONAL,
   UNION, GRAPH, updates): pyoxigraph and ``oxigraph serve`` call a SERVICE endpoint while preparing
   the query, so a federated query would make the hub reach any address (server-side request forgery).
   The scanner's tokens are searched for the SERVICE keyword as well (a second, independent reading).
4. With ``base_iri`` the text that runs starts with ``BASE <base_iri>``, so relative IRIs resolve against
   the public endpoint, never against the internal URL of the store server. A query's own absolute BASE
   still wins; a relative one resolves against the public IRI.

This module must not run queries. It depends on rdflib for parsing only.
"""

from __future__ import annotations

import re
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from store.base import QuerySyntaxError

T = TypeVar("T")

#: deepest bracket nesting accepted: ``(``, ``{`` and ``[`` together
MAX_NESTING = 64
#: most operations (brackets, operators, separators, group keywords) in one query: rdflib needs about
#: 2 ms per operator of a long expression chain, so this also bounds the time the check itself takes
MAX_OPERATIONS = 500

NESTING_MESSAGE = (
    "the query nests brackets ( {{ [ {depth} deep; this endpoint's nesting limit is {limit}: "
    "write the query with fewer nested groups or expressions"
)
OPERATIONS_MESSAGE = (
    "the query has more than {limit} operations (brackets, operators, separators, group keywords); "
    "this endpoint's size limit for one query is {limit}: split it into several queries"
)
SERVICE_MESSAGE = "SERVICE (federated queries) is not allowed: the hub does not call other endpoints"


class QueryRefused(QuerySyntaxError):
    """A query the hub will not run (HTTP 400 at the endpoint); the message says why, for the public."""


class QueryTooComplex(QueryRefused):
    """Nesting or operations over the limit: refused before any parser sees the query."""


class FederatedQueryRefused(QueryRefused):
    """The query has a SERVICE clause."""


@dataclass(frozen=True)
class ParsedQuery:
    """What the guard learnt about a query, and the text to run (normalised, with the BASE prologue)."""

    text: str
    #: "SELECT", "CONSTRUCT", "DESCRIBE", "ASK" for queries, "UPDATE" for updates
    form: str
    #: whether the query declared its own BASE
    has_base: bool
    depth: int
    operations: int
    #: the query's own dataset: FROM and FROM NAMED graph IRIs (absolute, as written or resolved)
    from_graphs: tuple[str, ...] = ()
    from_named: tuple[str, ...] = ()

    #: the outermost query's LIMIT (None: none written) and whether a VALUES clause ends the query
    row_limit: int | None = None
    trailing_values: bool = False

    @property
    def has_dataset(self) -> bool:
        """Whether the query names its own dataset (FROM / FROM NAMED)."""
        return bool(self.from_graphs or self.from_named)

    def text_for_rows(self, rows: int | None) -> str:
        """The text to run when the caller reads at most ``rows`` solutions of a SELECT: its outermost
        LIMIT lowered to ``rows`` (or ``LIMIT rows`` added), so the engine sorts for and sends only those.
        A section of 200 objects written with ``LIMIT 2000`` took Virtuoso 170 ms, with ``LIMIT 200``
        80 ms, at 100,000 objects. The same rows come first either way. Unchanged when ``rows`` is None,
        for other forms, after a trailing VALUES clause, and when the text does not end with the LIMIT the
        parser found."""
        if rows is None or self.form != "SELECT" or (self.row_limit is not None and self.row_limit <= rows):
            return self.text
        if self.row_limit is None:
            return self.text if self.trailing_values else f"{self.text}\nLIMIT {rows}\n"
        found = _TRAILING_LIMIT.search(self.text)
        if found is None or int(found.group("limit")) != self.row_limit:
            return self.text
        return self.text[:found.start("limit")] + str(rows) + self.text[found.end("limit"):]


# the outermost LIMIT at the very end of a query's text, before or after its OFFSET
_TRAILING_LIMIT = re.compile(r"\bLIMIT\s+(?P<limit>\d+)(?:\s+OFFSET\s+\d+)?\s*$", re.IGNORECASE)


# --- the scanner -------------------------------------------------------------------------------------
# IRIREF as in the grammar: "<" then no <>"{}|^`\ and nothing up to U+0020, then ">". A "<" that does not
# start one is the less-than operator.
_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
# Name-like tokens: keywords, variables, prefixed names (with \-escapes and %XX), numbers, language tags.
_NAME_CHAR = re.compile(r"[\w\-.:%?$@\u00B7\u0300-\u036F\u203F-\u2040]")
_NUMBER = re.compile(r"[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?")
_TWO_CHAR_OPS = ("||", "&&", "!=", "<=", ">=", "^^")
_OPERATORS = set("+-*/|!=<>^") | set(_TWO_CHAR_OPS) - {"^^"}
_SEPARATORS = set(".;,")
_OPENERS = {"(": ")", "{": "}", "[": "]"}
#: keywords that each add a node to the query tree, counted as operations
_GROUP_KEYWORDS = {"union", "optional", "minus", "bind", "filter", "graph", "service", "exists", "values",
                   "select", "lateral"}
# \uXXXX and \UXXXXXXXX, as the grammar defines them; rdflib's own expansion (4 or 8 digits after either
# letter) must find nothing left after ours, or the two parsers would read different text.
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_RDFLIB_CODEPOINT = re.compile(r"\\u[0-9a-f]{4}", re.IGNORECASE)


@dataclass(frozen=True)
class Scan:
    text: str  # comments blanked with spaces (positions kept), code point escapes expanded
    words: tuple[str, ...]  # lower-cased name-like tokens outside strings, IRIs and comments
    depth: int
    operations: int


def expand_codepoints(text: str) -> str:
    """``text`` with its ``\\u``/``\\U`` code point escapes expanded once (SPARQL 1.1, 19.2)."""

    def expand(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise QueryRefused(f"invalid code point escape {m.group(0)!r} in the query")
        return chr(code)

    expanded = _CODEPOINT.sub(expand, text)
    if _RDFLIB_CODEPOINT.search(expanded):
        raise QueryRefused("the query has a code point escape (\\u or \\U) that spells another escape; "
                           "write the character itself")
    return expanded


def scan(text: str, *, max_nesting: int = MAX_NESTING, max_operations: int = MAX_OPERATIONS) -> Scan:
    """Scan ``text`` once, left to right, refusing it past the nesting or operations limit.

    Raises :class:`QueryTooComplex` as soon as a limit is passed, so the cost is linear and bounded.
    """
    text = expand_codepoints(text)
    out: list[str] = []  # pieces of the normalised text
    words: list[str] = []
    depth = max_depth = operations = 0
    i, n, last = 0, len(text), 0

    def count(k: int = 1) -> None:
        nonlocal operations
        operations += k
        if operations > max_operations:
            raise QueryTooComplex(OPERATIONS_MESSAGE.format(limit=max_operations))

    while i < n:
        c = text[i]
        if c in " \t\r\n":
            i += 1
        elif c == "#":  # a comment runs to the end of the line: CR or LF (SPARQL 1.1, 19.4)
            end = i
            while end < n and text[end] not in "\r\n":
                end += 1
            out.append(text[last:i])
            out.append(" " * (end - i))
            i = last = end
        elif c in "\"'":
            i = skip_string(text, i)
        elif c == "<" and (m := _IRIREF.match(text, i)):
            i = m.end()
        elif c in _OPENERS:
            depth += 1
            max_depth = max(max_depth, depth)
            if depth > max_nesting:
                raise QueryTooComplex(NESTING_MESSAGE.format(depth=f"more than {max_nesting}", limit=max_nesting))
            count()
            i += 1
        elif c in ")}]":
            depth = max(depth - 1, 0)
            i += 1
        elif text.startswith(_TWO_CHAR_OPS, i):
            count()
            i += 2
        elif c in _OPERATORS or c in _SEPARATORS and not _NUMBER.match(text, i):
            count()
            i += 1
        elif _NAME_CHAR.match(c) or c == "\\" or not c.isascii():
            j = i
            while j < n:
                if text[j] == "\\" and j + 1 < n:  # PN_LOCAL_ESC: \' \( \# ... belong to the name
                    j += 2
                elif _NAME_CHAR.match(text[j]) or (not text[j].isascii() and not text[j].isspace()):
                    j += 1
                else:
                    break
            if text[i] in "?$":  # a variable name holds no dots: "?o." is ?o and a separator
                name = re.match(r"[^\s.\\]*", text[i + 1 : j])
                j = i + 1 + (len(name.group(0)) if name else 0)
            while j - 1 > i and text[j - 1] == ".":  # a name does not end with a dot; the dot separates
                j -= 1
            word = text[i:j].lower()
            words.append(word)
            if word in _GROUP_KEYWORDS:
                count()
            i = j
        else:
            i += 1
    out.append(text[last:])
    return Scan("".join(out), tuple(words), max_depth, operations)


def skip_string(text: str, i: int) -> int:
    """The index after the SPARQL string literal starting at ``text[i]`` (short or long, either quote);
    a short string ends at a line end, as the grammar says, where the parser then reports it."""
    quote = text[i]
    long_quote = text.startswith(quote * 3, i)
    delimiter = quote * 3 if long_quote else quote
    j = i + len(delimiter)
    while j < len(text):
        if text[j] == "\\":
            j += 2
        elif text.startswith(delimiter, j):
            return j + len(delimiter)
        elif text[j] in "\r\n" and not long_quote:
            return j  # unterminated short string: the parser reports it
        else:
            j += 1
    return len(text)


# --- parsing ------------------------------------------------------------------------------------------
# rdflib's grammar recurses about 50 Python frames per nesting level and 11 per triple pattern: more than
# the default limit of 1000 for queries well inside the bounds above. Those parses run in a thread with a
# large stack, the recursion limit raised for their duration only.
_PARSE_STACK_BYTES = 512 * 1024 * 1024
_FRAMES_PER_LEVEL = 60
_FRAMES_PER_OPERATION = 14
_deep_lock = threading.Lock()


def run_with_deep_stack(work: Callable[[], T], *, recursion_limit: int | None = None,
                        stack_bytes: int = _PARSE_STACK_BYTES) -> T:
    """``work()`` in a fresh thread with a ``stack_bytes`` stack (and ``recursion_limit``, if higher).

    The stack is reserved address space; only the pages used are committed. Exceptions are re-raised here.
    """
    result: list[Any] = []
    error: list[BaseException] = []

    def target() -> None:
        try:
            result.append(work())
        except BaseException as e:  # re-raised in the caller
            error.append(e)

    with _deep_lock:  # threading.stack_size and the recursion limit are process-wide settings
        old_limit = sys.getrecursionlimit()
        if recursion_limit is not None and recursion_limit > old_limit:
            sys.setrecursionlimit(recursion_limit)
        try:
            old_stack = threading.stack_size(stack_bytes)
            try:
                worker = threading.Thread(target=target, name="srom-deep-stack", daemon=True)
                worker.start()
            finally:
                threading.stack_size(old_stack)
            worker.join()
        finally:
            sys.setrecursionlimit(old_limit)
    if error:
        raise error[0]
    return result[0]


def _parse(kind: str, text: str, found: Scan) -> Any:
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    parser = parseQuery if kind == "query" else parseUpdate
    need = 1000 + found.depth * _FRAMES_PER_LEVEL + found.operations * _FRAMES_PER_OPERATION
    try:
        if need <= 900:  # a small query: this thread is deep enough
            return parser(text)
        return run_with_deep_stack(lambda: parser(text), recursion_limit=need + 1000)
    except ParseException as e:
        raise QuerySyntaxError(f"{_short(e.msg)} at line {e.lineno}, column {e.col}") from None
    except RecursionError:
        raise QueryTooComplex("the query is too complex to analyse (too deeply nested)") from None
    except Exception as e:  # rdflib raises assorted errors (bad escapes, unknown functions...)
        raise QuerySyntaxError(_short(str(e))) from None


def _short(message: str, limit: int = 300) -> str:
    message = " ".join(message.split())
    return message if len(message) <= limit else message[:limit] + "..."


def _nodes(tree: Any) -> Iterator[Any]:
    """Every node of an rdflib parse tree, iteratively (no recursion over the tree's depth)."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, CompValue):
            stack.extend(node.values())  # CompValue is an OrderedDict of its parts
        elif isinstance(node, ParseResults | list | tuple):
            stack.extend(node)
        elif isinstance(node, dict):
            stack.extend(node.values())


def _is_service(node: Any) -> bool:
    from rdflib.plugins.sparql.parserutils import CompValue

    return isinstance(node, CompValue) and node.name == "ServiceGraphPattern"


def _federates(tree: Any) -> bool:
    return any(_is_service(node) for node in _nodes(tree))


def parsed_federates(text: str, kind: str = "query") -> bool:
    """Whether rdflib's parse tree of ``text`` has a SERVICE pattern (the parsed half of the check alone)."""
    found = scan(text)
    return _federates(_parse(kind, found.text, found))


def _with_base(text: str, base_iri: str | None) -> str:
    if base_iri is None:
        return text
    if not _IRIREF.fullmatch(f"<{base_iri}>") or ":" not in base_iri:
        raise ValueError(f"not an absolute IRI for BASE: {base_iri!r}")
    # On the first line, so line numbers in the engine's error messages stay those of the caller's text.
    return f"BASE <{base_iri}> {text}"


_CACHE_SIZE = 512
_cache: OrderedDict[tuple[object, ...], ParsedQuery] = OrderedDict()
_cache_lock = threading.Lock()


def _lookup(key: tuple[object, ...]) -> ParsedQuery | None:
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
        return hit


def _cached(key: tuple[object, ...], make: Callable[[], ParsedQuery]) -> ParsedQuery:
    text, kind = key[0], key[-1]
    # A text this guard produced has passed already (under the limits its caller chose): the endpoint
    # checks a query with its configured limits, then the store checks the text it is given again.
    hit = _lookup(key) or _lookup(("checked", text, kind))
    if hit is not None:
        return hit
    info = make()
    with _cache_lock:
        _cache[key] = info
        _cache[("checked", info.text, kind)] = info
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return info


def check_query(text: str, *, base_iri: str | None = None, max_nesting: int = MAX_NESTING,
                max_operations: int = MAX_OPERATIONS) -> ParsedQuery:
    """Bound, normalise and parse a SPARQL query; refuse federation. Returns what to run.

    Raises :class:`QueryTooComplex` (nesting or size), :class:`FederatedQueryRefused` (SERVICE anywhere),
    :class:`QueryRefused` (bad escapes) or ``QuerySyntaxError`` (not a SPARQL 1.1 query rdflib can read).
    All are ``store.base.QuerySyntaxError``: HTTP 400. Run ``ParsedQuery.text``, not ``text``.
    """
    return _cached((text, base_iri, max_nesting, max_operations, "query"),
                   lambda: _check(text, "query", base_iri, max_nesting, max_operations))


def check_update(text: str, *, base_iri: str | None = None, max_nesting: int = MAX_NESTING,
                 max_operations: int = MAX_OPERATIONS) -> ParsedQuery:
    """:func:`check_query` for SPARQL Update text (``DELETE/INSERT ... WHERE { SERVICE ... }`` too)."""
    return _cached((text, base_iri, max_nesting, max_operations, "update"),
                   lambda: _check(text, "update", base_iri, max_nesting, max_operations))


def _check(text: str, kind: str, base_iri: str | None, max_nesting: int, max_operations: int) -> ParsedQuery:
    found = scan(text, max_nesting=max_nesting, max_operations=max_operations)
    if "service" in found.words:  # refuse before parsing: no parser error message can hide it
        raise FederatedQueryRefused(SERVICE_MESSAGE)
    tree = _parse(kind, found.text, found)
    if _federates(tree):
        raise FederatedQueryRefused(SERVICE_MESSAGE)
    row_limit, trailing_values = None, False
    if kind == "query":
        prologue, body = tree[0], tree[1]
        if "limitoffset" in body and "limit" in body["limitoffset"]:
            row_limit = int(body["limitoffset"]["limit"])
        trailing_values = "valuesClause" in body
        form = body.name.removesuffix("Query").upper()
        has_base = any(getattr(p, "name", None) == "Base" for p in prologue)
        clauses = body["datasetClause"] if "datasetClause" in body else []
        from_graphs = tuple(_absolute(c["default"], base_iri) for c in clauses if "default" in c)
        from_named = tuple(_absolute(c["named"], base_iri) for c in clauses if "named" in c)
    else:
        form = "UPDATE"
        from_graphs = from_named = ()
        has_base = any(getattr(p, "name", None) == "Base" for node in _nodes(tree)
                       if getattr(node, "name", None) == "Prologue" for p in node)
    return ParsedQuery(_with_base(found.text, base_iri), form, has_base, found.depth, found.operations,
                       from_graphs, from_named, row_limit, trailing_values)


_IRI = r'<[^<>"{}|^`\\\x00-\x20]*>'
# Strings (long forms first) and IRIs are kept whole; a dataset clause outside them is matched.
_DATASET_TOKENS = re.compile(
    r"('''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'(?:[^'\\\n]|\\.)*'"
    r'|"(?:[^"\\\n]|\\.)*"'
    rf"|{_IRI})"
    rf"|\bFROM\s+(?:NAMED\s+)?(?:{_IRI}|[\w.\-]*:[\w.\-%:]*)",
    re.IGNORECASE)


def strip_dataset_clauses(text: str) -> str:
    """``text`` (a checked query) without its FROM / FROM NAMED clauses, for when the protocol's dataset
    replaces them (an engine that would add the two together then gets only the protocol's)."""
    return _DATASET_TOKENS.sub(lambda m: m.group(1) or " " * len(m.group(0)), text)


def _absolute(iri: Any, base_iri: str | None) -> str:
    from urllib.parse import urljoin

    return urljoin(base_iri, str(iri)) if base_iri and ":" not in str(iri) else str(iri)


def uses_service(text: str) -> bool:
    """Whether ``text`` federates (SERVICE anywhere), by the parsed query.

    For callers that only ask the question: an over-complex query raises :class:`QueryTooComplex`; a
    query that does not parse answers by the scanner's reading (the store refuses it anyway).
    """
    try:
        check_query(text)
    except FederatedQueryRefused:
        return True
    except QueryTooComplex:
        raise
    except QuerySyntaxError:
        return "service" in scan(text).words
    return False
