"""The public, read-only SPARQL 1.1 Protocol endpoint as a Flask blueprint: ``bp``, route ``/sparql``.

This module owns the HTTP exchange: it parses the request (``protocol``), runs the query on the store
with the configured limits, negotiates the format (``negotiation``), streams the answer (``results``)
and maps store errors to statuses. It gets the store from ``current_app.extensions["srom_store"]``, a
zero-argument callable the web app registers (so an embedded store can be opened lazily); it must not
import ``web``, open stores itself or write to them.

Config keys (declared with their documentation in ``web.settings``; defaults repeated here so the
blueprint also works in a bare Flask app):
- ``SPARQL_TIMEOUT``: seconds a query may run (float, default 10; None or <= 0: no limit). Past it the
  answer is 503, never a partial result.
- ``SPARQL_ROW_LIMIT``: most rows (SELECT) or triples (CONSTRUCT/DESCRIBE) returned (default 10000;
  None or <= 0: no limit). A longer answer is cut, still sent with 200, and carries the headers
  ``X-SROM-Truncated: true`` and ``X-SROM-Row-Limit: N``.
- ``SPARQL_MAX_QUERY_BYTES``: largest query text, UTF-8 bytes (default 100000); above it: 413.
- ``SPARQL_MAX_NESTING`` / ``SPARQL_MAX_OPERATIONS``: deepest bracket nesting (default 64) and most
  operations (default 500) in a query, checked before any parser runs (``store.query_guard``); above: 400.
- ``SPARQL_WORKERS``: public queries running at once (default 4; others wait a moment, then 503 with
  ``Retry-After``), so pages keep the web server's other threads. ``SPARQL_BUDGET_SECONDS`` /
  ``SPARQL_BUDGET_ERRORS``: per client and minute, query time (default 60 s) and failed queries (default
  30); past either, 429 with ``Retry-After`` (``sparql_endpoint.budget``).
- ``BASE_IRI``: the hub's public base; relative IRIs in a query resolve against ``{BASE_IRI}/sparql``
  (without it, against this request's URL), never against the store server's internal address.

Every query passes ``store.query_guard.check_query`` first: nesting and size bounds, then rdflib's parse;
federated queries (SERVICE anywhere) are refused with 400.

Dataset: ``default-graph-uri`` / ``named-graph-uri`` choose the graphs (``protocol``); without them the
default graph is the union of all graphs. A GET without a query asking for RDF (Turtle, RDF/XML,
N-Triples, JSON-LD) gets the Service Description (``service_description``), a browser the query page.

Statuses: 400 syntax error / missing query / bad parameters, 403 updates, 406 unsatisfiable
``format=`` or Accept, 413 oversized query, 415 unknown POST content type or a charset other than
UTF-8, 503 timeout or store down.
Errors are text/plain, or the hub's JSON envelope ``{"ok": false, "error": ..., "status": N}`` when
the client prefers application/json.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, Response, current_app, render_template, request

from ontology.namespaces import DCTERMS, RDFS, SROM, VOID, XSD
from sparql_endpoint.budget import Busy, OverBudget, QueryBudget, QuerySlots
from sparql_endpoint.negotiation import (
    NegotiationError,
    check_format_param,
    choose_format,
    prefers_html,
    prefers_json,
)
from sparql_endpoint.protocol import MISSING_QUERY_MESSAGE, ProtocolError, parse_request
from sparql_endpoint.results import FORMATS, Format, result_kind, serialize_result
from sparql_endpoint.service_description import (
    FORMATS_NS,
    SD,
    STATISTICS_EXTENSION,
    describe_service,
    wanted_format,
)
from store.base import GraphResult, QuerySyntaxError, QueryTimeout, Store, StoreError, StoreUnavailable
from store.query_guard import MAX_NESTING, MAX_OPERATIONS, QueryRefused, check_query

bp = Blueprint("sparql", __name__, template_folder="templates")

#: the key in ``app.extensions`` holding the zero-argument callable that returns the Store
STORE_EXTENSION = "srom_store"
DEFAULT_TIMEOUT = 10.0
DEFAULT_ROW_LIMIT = 10_000
DEFAULT_MAX_QUERY_BYTES = 100_000

ALLOWED_METHODS = "GET, HEAD, POST, OPTIONS"
EXAMPLE_QUERY = """PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
SELECT ?object ?type WHERE {
  ?object a ?type .
}
LIMIT 10"""


@dataclass(frozen=True)
class Limits:
    timeout: float | None
    row_limit: int | None
    max_query_bytes: int
    max_nesting: int = MAX_NESTING
    max_operations: int = MAX_OPERATIONS


def current_limits() -> Limits:
    """The limits from the app config, with the documented defaults for missing keys."""
    cfg = current_app.config
    timeout = cfg.get("SPARQL_TIMEOUT", DEFAULT_TIMEOUT)
    row_limit = cfg.get("SPARQL_ROW_LIMIT", DEFAULT_ROW_LIMIT)
    timeout = float(timeout) if timeout is not None and float(timeout) > 0 else None
    row_limit = int(row_limit) if row_limit is not None and int(row_limit) > 0 else None
    max_bytes = int(cfg.get("SPARQL_MAX_QUERY_BYTES") or DEFAULT_MAX_QUERY_BYTES)
    nesting = int(cfg.get("SPARQL_MAX_NESTING") or MAX_NESTING)
    operations = int(cfg.get("SPARQL_MAX_OPERATIONS") or MAX_OPERATIONS)
    return Limits(timeout, row_limit, max_bytes, nesting, operations)


def endpoint_iri() -> str:
    """The public IRI of this endpoint: the base relative IRIs in queries resolve against."""
    base = current_app.config.get("BASE_IRI")
    if base:
        return f"{str(base).rstrip('/')}/sparql"
    return request.base_url


def _store() -> Store:
    factory: Callable[[], Store] = current_app.extensions[STORE_EXTENSION]
    return factory()


def error_response(message: str, status: int) -> Response:
    if prefers_json(request.headers.get("Accept")):
        body = json.dumps({"ok": False, "error": message, "status": status}, ensure_ascii=False)
        return Response(body, status=status, content_type="application/json")
    # SPARQL clients (SPARQLWrapper, YASGUI, rdflib) show a plain-text body to the user as it is
    return Response(message + "\n", status=status, content_type="text/plain; charset=utf-8")


def _seconds(value: float) -> str:
    return f"{value:g} s"


@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"], provide_automatic_options=False)
def sparql() -> Response | str:
    if request.method == "OPTIONS":
        return _preflight()
    limits = current_limits()
    accept = request.headers.get("Accept")
    try:
        parsed = parse_request(request, limits.max_query_bytes)
        check_format_param(parsed.format_values)  # fail fast, before the query costs anything
    except (ProtocolError, NegotiationError) as exc:
        return error_response(exc.message, exc.status)

    if parsed.query is None or not parsed.query.strip():
        described_in = wanted_format(accept) if request.method in ("GET", "HEAD") else None
        if described_in is not None:
            return _service_description(described_in, limits)
        if request.method in ("GET", "HEAD") and prefers_html(accept):
            return render_template(
                "sparql/query.html",
                example=EXAMPLE_QUERY,
                formats=[FORMATS[n] for n in FORMATS],
                limits=limits,
            )
        return error_response(MISSING_QUERY_MESSAGE, 400)

    client = request.remote_addr or "?"
    budget, slots = _budget_and_slots()
    try:
        budget.admit(client)
    except OverBudget as exc:
        return _retry_later(str(exc), 429, exc.retry_after)
    try:
        checked = check_query(parsed.query, base_iri=endpoint_iri(), max_nesting=limits.max_nesting,
                              max_operations=limits.max_operations)
    except QueryRefused as exc:  # nesting, size, SERVICE: the message says which limit
        budget.charge(client, 0.0, failed=True)
        return error_response(str(exc), 400)
    except QuerySyntaxError as exc:
        budget.charge(client, 0.0, failed=True)
        return error_response(f"SPARQL syntax error: {exc}", 400)
    started: float | None = None
    failed = True
    try:
        with slots.slot():
            started = time.monotonic()
            result = _store().query(checked.text, timeout=limits.timeout, limit=limits.row_limit,
                                    dataset=parsed.dataset)
        failed = False
    except Busy as exc:
        failed = False  # waiting for a slot is not the client's doing, nor query time it spent
        return _retry_later(str(exc), 503, exc.retry_after)
    except QueryRefused as exc:
        return error_response(str(exc), 400)
    except QuerySyntaxError as exc:
        return error_response(f"SPARQL syntax error: {exc}", 400)
    except QueryTimeout:
        # a backend may also enforce its own limit (oxigraph serve --timeout-s) when we set none
        limit = f" of {_seconds(limits.timeout)}" if limits.timeout else ""
        return error_response(
            f"the query did not finish within this endpoint's time limit{limit} and was stopped; "
            "make it more selective (more specific patterns, LIMIT) or download a dump",
            503)
    except StoreUnavailable as exc:
        return error_response(f"the store is unavailable, please retry later: {exc}", 503)
    except StoreError as exc:  # any other backend failure: the server's fault, not the client's
        current_app.logger.exception("SPARQL query failed")
        return error_response(f"the store failed to answer the query: {exc}", 500)
    finally:
        budget.charge(client, time.monotonic() - started if started is not None else 0.0, failed=failed)

    try:
        fmt = choose_format(result_kind(result), accept, parsed.format_values)
    except NegotiationError as exc:
        return error_response(exc.message, exc.status)

    response = Response(serialize_result(result, fmt), content_type=fmt.content_type)
    if getattr(result, "truncated", False):
        response.headers["X-SROM-Truncated"] = "true"
        response.headers["X-SROM-Row-Limit"] = str(limits.row_limit)
    return response


def _service_description(fmt: Format, limits: Limits) -> Response:
    cfg = current_app.config
    budgets = {"workers": int(cfg.get("SPARQL_WORKERS") or 4),
               "budget_seconds": float(cfg.get("SPARQL_BUDGET_SECONDS") or 60.0),
               "budget_errors": int(cfg.get("SPARQL_BUDGET_ERRORS") or 30)}
    statistics: dict[str, object] = {}
    source = current_app.extensions.get(STATISTICS_EXTENSION)
    if source is not None:
        try:
            statistics = dict(source())
        except Exception:  # statistics are a courtesy: the description stands without them
            current_app.logger.exception("dataset statistics for the service description failed")
    triples = describe_service(endpoint_iri(), limits, budgets, statistics)
    body = b"".join(serialize_result(GraphResult(triples), fmt, prefixes=SD_PREFIXES))
    return Response(body, content_type=fmt.content_type)


SD_PREFIXES = {"sd": SD, "void": str(VOID), "srom": str(SROM), "rdfs": str(RDFS), "xsd": str(XSD),
               "dcterms": str(DCTERMS), "formats": FORMATS_NS}


def _budget_and_slots() -> tuple[QueryBudget, QuerySlots]:
    found = current_app.extensions.get("srom_sparql_budget")
    if found is None:
        cfg = current_app.config
        found = current_app.extensions.setdefault("srom_sparql_budget", (
            QueryBudget(float(cfg.get("SPARQL_BUDGET_SECONDS") or 60.0), int(cfg.get("SPARQL_BUDGET_ERRORS") or 30)),
            QuerySlots(int(cfg.get("SPARQL_WORKERS") or 4)),
        ))
    return found


def _retry_later(message: str, status: int, retry_after: int) -> Response:
    response = error_response(message, status)
    response.headers["Retry-After"] = str(retry_after)
    return response


def _preflight() -> Response:
    response = Response(status=204)
    response.headers["Allow"] = ALLOWED_METHODS
    response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
    # application/sparql-query bodies make browsers ask first; allow whatever headers they announce
    response.headers["Access-Control-Allow-Headers"] = request.headers.get(
        "Access-Control-Request-Headers", "Accept, Content-Type")
    response.headers["Access-Control-Max-Age"] = "86400"
    return response


@bp.after_request
def _cors_and_vary(response: Response) -> Response:
    # A read-only public endpoint: researchers query it from notebooks and other sites. No credentials
    # are involved, so the wildcard origin is safe.
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "X-SROM-Truncated, X-SROM-Row-Limit"
    response.vary.add("Accept")
    return response
