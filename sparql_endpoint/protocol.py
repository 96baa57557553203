"""Request parsing for the SPARQL 1.1 Protocol (https://www.w3.org/TR/sparql11-protocol/), query only.

This module owns turning an HTTP request into a ``SparqlRequest`` (the query text and the ``format=``
values) or a ``ProtocolError`` with the status the protocol calls for. The three query forms are
supported: GET with ``query=``, POST ``application/x-www-form-urlencoded`` with ``query=``, and POST
``application/sparql-query`` whose body is the query. Bodies are UTF-8, as the protocol requires: a body
declaring another charset is refused with 415 (an invalid UTF-8 body with 400).

The public endpoint is read-only: ``update=`` and ``application/sparql-update`` are refused with 403
here, before any store is touched. An update sent as ``query=`` is left to the store's query parser,
which rejects it as a syntax error (400) without executing anything.

``default-graph-uri`` / ``named-graph-uri`` (any number of each; in the URL of a GET or a direct POST, in
the body of a form POST) give the request's RDF dataset (``store.base.Dataset``): the default graph is the
merge of the ``default-graph-uri`` graphs, the named graphs are the ``named-graph-uri`` graphs, and they
replace the query's own FROM / FROM NAMED. Without them the default graph is the union of all graphs.

It must not run queries or choose formats, and it decodes each value exactly once (werkzeug's
``args``/``form`` do the percent-decoding; a direct POST body is never percent-decoded), so a query
containing a literal "%20" or "+" survives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Request

from store.base import Dataset

READ_ONLY_MESSAGE = "the public endpoint is read-only: SPARQL Update is not accepted here"
MISSING_QUERY_MESSAGE = (
    "missing SPARQL query: send it as the `query` parameter of a GET request "
    "(/sparql?query=SELECT...), as the `query` field of a POST with "
    "Content-Type application/x-www-form-urlencoded, or as the body of a POST with "
    "Content-Type application/sparql-query"
)
#: most dataset parameters one request may name (each is a graph the engine must look up)
MAX_DATASET_GRAPHS = 1000

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"


class ProtocolError(Exception):
    """A request the endpoint refuses; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class SparqlRequest:
    query: str | None  # None: no query at all (the blueprint may show the query page instead)
    format_values: list[str] = field(default_factory=list)  # every `format=` value, in order
    dataset: Dataset | None = None  # default-graph-uri / named-graph-uri; None: the union of all graphs


def parse_request(request: Request, max_query_bytes: int) -> SparqlRequest:
    """Read the SPARQL query out of ``request`` (GET or POST), enforcing read-only and the size limit."""
    args = request.args
    if request.method in ("GET", "HEAD"):
        _refuse_update(args)
        dataset = _dataset(args)
        query = _single(args, "query")
        formats = args.getlist("format")
    elif request.method == "POST":
        content_type = (request.mimetype or "").lower()
        if content_type == UPDATE:
            raise ProtocolError(READ_ONLY_MESSAGE, 403)
        # A form body is percent-encoded (up to 3 bytes per byte of query text) and a direct body can
        # carry a BOM; refuse absurd bodies from their declared length before reading them at all.
        if request.content_length is not None and request.content_length > 3 * max_query_bytes + 1024:
            raise ProtocolError(_too_large(max_query_bytes), 413)
        _require_utf8(request)
        if content_type == FORM:
            form = request.form
            _refuse_update(form)
            _refuse_update(args)
            dataset = _dataset(form, args)
            query = _single(form, "query")
            if query is None and "query" in args:
                # not per the protocol, but harmless and what some clients do: body fields win
                query = _single(args, "query")
            formats = form.getlist("format") + args.getlist("format")
        elif content_type == DIRECT:
            _refuse_update(args)
            dataset = _dataset(args)
            query = _read_direct(request, max_query_bytes)
            formats = args.getlist("format")
        else:
            raise ProtocolError(
                f"unsupported Content-Type {content_type or '(none)'!r} for a SPARQL query POST: "
                f"use {FORM} with a `query` field, or {DIRECT} with the query as the body", 415)
    else:  # the blueprint routes only GET/HEAD/POST/OPTIONS here
        raise ProtocolError(f"method {request.method} is not allowed", 405)
    if query is not None and len(query.encode("utf-8")) > max_query_bytes:
        raise ProtocolError(_too_large(max_query_bytes), 413)
    return SparqlRequest(query, formats, dataset)


def _too_large(max_query_bytes: int) -> str:
    return f"the query is longer than this endpoint accepts ({max_query_bytes} bytes)"


def _single(params: MultiDict[str, str], name: str) -> str | None:
    values = params.getlist(name)
    if len(values) > 1:
        raise ProtocolError(f"exactly one `{name}` parameter is allowed, got {len(values)}", 400)
    return values[0] if values else None


def _refuse_update(params: MultiDict[str, str]) -> None:
    if "update" in params or "using-graph-uri" in params or "using-named-graph-uri" in params:
        raise ProtocolError(READ_ONLY_MESSAGE, 403)


def _dataset(*sources: MultiDict[str, str]) -> Dataset | None:
    default = [g for params in sources for g in params.getlist("default-graph-uri")]
    named = [g for params in sources for g in params.getlist("named-graph-uri")]
    if not default and not named:
        return None
    if len(default) + len(named) > MAX_DATASET_GRAPHS:
        raise ProtocolError(f"at most {MAX_DATASET_GRAPHS} default-graph-uri and named-graph-uri "
                            "parameters are accepted in one request", 400)
    for iri in (*default, *named):
        if not _ABSOLUTE_IRI.fullmatch(iri):
            raise ProtocolError(f"default-graph-uri and named-graph-uri must be absolute IRIs, not {iri[:200]!r}",
                                400)
    return Dataset(tuple(dict.fromkeys(default)), tuple(dict.fromkeys(named)))


_ABSOLUTE_IRI = re.compile(r'[A-Za-z][A-Za-z0-9+.\-]*:[^\x00-\x20<>"{}|^`\\]*')
UTF8_NAMES = frozenset({"utf-8", "utf8"})


def _require_utf8(request: Request) -> None:
    """The protocol's bodies are UTF-8: another declared charset is refused rather than decoded."""
    charset = request.mimetype_params.get("charset")
    if charset is not None and charset.strip().lower() not in UTF8_NAMES:
        raise ProtocolError(
            f"unsupported charset {charset!r}: SPARQL requests must be encoded in UTF-8 "
            "(send the body as UTF-8 and declare charset=utf-8, or no charset)", 415)


def _read_direct(request: Request, max_query_bytes: int) -> str:
    # Read one byte more than the limit so an undeclared (chunked) oversized body is still caught
    # without reading all of it.
    body = request.stream.read(max_query_bytes + 4)
    if len(body) > max_query_bytes + 3:
        raise ProtocolError(_too_large(max_query_bytes), 413)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(f"the query body is not valid UTF-8: {exc.reason} at byte {exc.start}",
                            400) from None
    return text.removeprefix("\ufeff")
