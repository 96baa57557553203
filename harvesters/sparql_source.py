"""Partner SPARQL endpoint harvester: objects listed with SELECT, described with CONSTRUCT (SPARQLWrapper).

Two queries, both configurable in the feed options:

- ``objects_query`` (SELECT ``?object``): the objects to harvest. The harvester appends
  ``ORDER BY ?object LIMIT n OFFSET k`` to page through them in a stable order, so the query itself must
  not end with a solution modifier. The default selects every subject typed E22 in the official CRM or
  the Erlangen namespace (``crm:E22_Human-Made_Object``, ``E22_Man-Made_Object``).
- ``construct_query`` (CONSTRUCT, with ``?object`` for the object): each page's descriptions, run once
  per page with the page's objects bound by a ``VALUES ?object { ... }`` clause the harvester appends
  (values written from pyoxigraph terms, never spliced as text). The default takes each object's
  triples, those of the nodes it owns down to four levels (blank nodes, IRIs minted under its IRI,
  productions, time-spans, names, identifiers, dimensions...) and the classes and labels of the terms
  it points at.

The result is split per object exactly as an RDF dump is (``harvesters.rdf_dump.describe``) and mapped
with ``crm-rdf``. An endpoint has no change feed: every run lists every object (``complete_listing``),
and the run's full-harvest removal drops the records that are gone. A checkpoint is the next offset.

SPARQLWrapper builds and sends the requests; this module gives it the hub's guard on every hop
(redirects included: a redirected POST is sent again as a POST, so the query is not lost), the harvest
timeout on every request and pyoxigraph to parse what comes back (not rdflib). Every query runs under
the harvest's :class:`~harvesters.http.RetryPolicy` through the session's ``retrying``, as OAI-PMH pages
do: HTTP 429/5xx (``Retry-After`` honoured), timeouts, refused or dropped connections and answers cut off
mid-body are retried with bounded exponential backoff; other 4xx answers (a query the endpoint rejects)
fail at once, with the endpoint's own message.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Callable, Generator
from typing import Any, TypeVar

import pyoxigraph as ox
from SPARQLWrapper import JSON, N3, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from harvesters.guard import FeedGuard
from harvesters.http import (
    RETRY_STATUSES,
    USER_AGENT,
    ContentError,
    HarvestHttpError,
    TransientError,
    parse_retry_after,
)
from harvesters.rdf_dump import record_pages
from harvesters.source import Source, SourcePage, SourceRecord
from mappings.rdf.description import DEPENDENT_CLASSES, ERLANGEN_CRM
from store.values import iri_values

_E22 = ("<http://www.cidoc-crm.org/cidoc-crm/E22_Human-Made_Object>", f"<{ERLANGEN_CRM}E22_Man-Made_Object>",
        "<http://www.cidoc-crm.org/cidoc-crm/E22_Man-Made_Object>")
T = TypeVar("T")
SAMPLE_ROUNDS = 3  # listings a probe's sample takes at most
#: faults of the connection, before or during the answer: worth another try
_CONNECTION_FAULTS = (OSError, http.client.HTTPException)
DEFAULT_OBJECTS_QUERY = (
    "SELECT DISTINCT ?object WHERE { ?object a ?class . FILTER(isIRI(?object)) "
    f"VALUES ?class {{ {' '.join(_E22)} }} }}"
)


def _dependent_values() -> str:
    iris = sorted(c.value for c in DEPENDENT_CLASSES)
    erlangen = [ERLANGEN_CRM + i.rsplit("/", 1)[-1] for i in iris if i.startswith("http://www.cidoc-crm.org/")]
    return " ".join(f"<{i}>" for i in iris + erlangen)


def _owned(node: str) -> str:
    # The same ownership rule as mappings.rdf.description, as far as SPARQL 1.1 can say it in one pattern.
    return (
        f"FILTER(isBlank({node}) || STRSTARTS(STR({node}), CONCAT(STR(?object), \"/\")) "
        f"|| STRSTARTS(STR({node}), CONCAT(STR(?object), \"#\")) "
        f"|| EXISTS {{ {node} a ?dc . VALUES ?dc {{ {_dependent_values()} }} }})"
    )


def _default_construct(depth: int = 4) -> str:
    branches = ["{ ?object ?p ?o . BIND(?object AS ?s) }"]
    for level in range(1, depth + 1):
        chain, parent = [], "?object"
        for n in range(1, level + 1):
            node = "?s" if n == level else f"?n{n}"
            chain.append(f"{parent} ?q{n} {node} . {_owned(node)}")
            parent = node
        branches.append("{ " + " ".join(chain) + " ?s ?p ?o . }")
    return (
        "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "CONSTRUCT { ?s ?p ?o . ?o ?tp ?to } WHERE {\n  "
        + "\n  UNION ".join(branches)
        + "\n  OPTIONAL { ?o ?tp ?to . FILTER(isIRI(?o) && ?tp IN (rdf:type, rdfs:label, skos:prefLabel, "
        "<http://www.cidoc-crm.org/cidoc-crm/P168_place_is_defined_by>)) }\n}"
    )


DEFAULT_CONSTRUCT_QUERY = _default_construct()


class _GuardedRedirects(urllib.request.HTTPRedirectHandler):
    """Every redirect target passes the feed guard, like ``harvesters.http`` does for GET; a POSTed query
    is POSTed again to the new address (urllib would turn it into a GET without the query, or refuse)."""

    def __init__(self, guard: FeedGuard) -> None:
        self.guard = guard

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # urllib's hook
        self.guard.check(newurl)
        if req.get_method() == "POST" and code in (301, 302, 307, 308):
            kept = {k: v for k, v in req.header_items() if k.lower() not in ("host", "content-length")}
            return urllib.request.Request(newurl, data=req.data, headers=kept, method="POST",
                                          origin_req_host=req.origin_req_host, unverifiable=True)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _guarded(connection_class: type[http.client.HTTPConnection], guard: FeedGuard) -> Any:
    """``connection_class`` whose sockets pass the guard's peer check (DNS rebinding, harvesters.guard)."""

    def connection(*args: Any, **kwargs: Any) -> http.client.HTTPConnection:
        conn = connection_class(*args, **kwargs)
        # http.client's own hook for opening the socket (private, so not in typeshed)
        conn._create_connection = guard.create_connection  # type: ignore[attr-defined]
        return conn

    return connection


class _GuardedHttp(urllib.request.HTTPHandler):
    def __init__(self, guard: FeedGuard) -> None:
        super().__init__()
        self._connection = _guarded(http.client.HTTPConnection, guard)

    def http_open(self, req):  # urllib's hook
        return self.do_open(self._connection, req)


class _GuardedHttps(urllib.request.HTTPSHandler):
    def __init__(self, guard: FeedGuard) -> None:
        super().__init__()
        self._connection = _guarded(http.client.HTTPSConnection, guard)

    def https_open(self, req):  # urllib's hook
        return self.do_open(self._connection, req, context=self._context)  # type: ignore[attr-defined]  # urllib's, private


class _Wrapper(SPARQLWrapper):
    """SPARQLWrapper sending through a private opener (guarded redirects, the harvest timeout); its faults
    are the session's :class:`TransientError` (retried) or :class:`HarvestHttpError` (not)."""

    def __init__(self, endpoint: str, guard: FeedGuard, timeout: float) -> None:
        super().__init__(endpoint, agent=USER_AGENT)
        self.guard = guard
        self._opener = urllib.request.build_opener(_GuardedRedirects(guard), _GuardedHttp(guard),
                                                   _GuardedHttps(guard))
        self._timeout_s = timeout
        self.setMethod(POST)  # long VALUES blocks do not fit in a URL

    def _query(self):  # SPARQLWrapper's own hook, sending through our opener
        self.guard.check(self.endpoint)
        request = self._createRequest()
        try:
            return self._opener.open(request, timeout=self._timeout_s), self.returnFormat
        except urllib.error.HTTPError as exc:
            message = f"HTTP {exc.code} from the SPARQL endpoint {self.endpoint}"
            retry_after = parse_retry_after(exc.headers.get("Retry-After") if exc.headers else None)
            detail = _error_text(exc)
            if exc.code in RETRY_STATUSES:
                raise TransientError(message, retry_after, exc.code) from exc
            raise HarvestHttpError(message + (f": {detail}" if detail else ""), status=exc.code) from exc
        except TimeoutError as exc:
            raise TransientError(f"timed out after {self._timeout_s:g} s: SPARQL endpoint {self.endpoint}") from exc
        except urllib.error.URLError as exc:
            if not isinstance(exc.reason, OSError):  # e.g. an unknown URL scheme: no use trying again
                raise HarvestHttpError(f"SPARQL endpoint {self.endpoint} failed: {exc.reason}") from exc
            if isinstance(exc.reason, TimeoutError):
                raise TransientError(f"timed out after {self._timeout_s:g} s: SPARQL endpoint {self.endpoint}") from exc
            raise TransientError(f"connection failed: SPARQL endpoint {self.endpoint}: {exc.reason}") from exc
        except _CONNECTION_FAULTS as exc:
            raise TransientError(f"connection failed: SPARQL endpoint {self.endpoint}: {exc!r}") from exc


def _error_text(exc: urllib.error.HTTPError, limit: int = 300) -> str:
    """The first line(s) of an endpoint's error answer (a query's syntax error, say), for the run's message."""
    try:
        text = exc.read(limit + 1).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException):
        return ""
    finally:
        exc.close()
    text = " ".join(text.split())
    return text[:limit] + ("…" if len(text) > limit else "")


class SparqlSource(Source):
    """A partner SPARQL endpoint (the feed URL). Feed options: ``objects_query``, ``construct_query``
    (see the module documentation), ``page_size`` (objects per page, default 100)."""

    protocol = "sparql"
    formats = ("crm-rdf",)
    #: every run lists every object: an object the endpoint no longer lists is gone
    complete_listing = True

    def pages(self, since: str | None = None, resume: dict[str, Any] | None = None) -> Generator[SourcePage]:
        options = self.feed.options or {}
        page_size = max(1, int(options.get("page_size", 100)))
        offset = int((resume or {}).get("offset", 0))
        while True:
            listed = self.list_objects(self._objects_query(), page_size, offset)
            records = self.records(listed)
            offset += len(listed)
            last = len(listed) < page_size
            yield SourcePage(records, None if last else {"offset": offset})
            if last:
                return

    def sample(self, size: int) -> SourcePage:
        """The first ``size`` objects' records, for a probe: a few small queries, not a page of 100."""
        size = max(1, size)
        records: list[SourceRecord] = []
        offset = 0
        for _ in range(SAMPLE_ROUNDS):  # parts listed among the objects are no records: list on a little
            listed = self.list_objects(self._objects_query(), size, offset)
            records += self.records(listed)
            offset += len(listed)
            if len(records) >= size or len(listed) < size:
                break
        return SourcePage(records[:size])

    def records(self, listed: list[str]) -> list[SourceRecord]:
        """Records of the listed objects (parts travel with their object, as in a dump), in listed order."""
        nested = self.nested_objects(listed)
        iris = [i for i in listed if i not in nested]
        if not iris:
            return []
        construct_query = (self.feed.options or {}).get("construct_query") or DEFAULT_CONSTRUCT_QUERY
        store = self.construct(construct_query, iris)
        objects = [ox.NamedNode(i) for i in iris]
        return [r for page in record_pages(store, objects, len(objects)) for r in page]

    def _objects_query(self) -> str:
        return (self.feed.options or {}).get("objects_query") or DEFAULT_OBJECTS_QUERY

    def _wrapper(self) -> _Wrapper:
        return _Wrapper(self.feed.url, self.http.guard, self.http.timeout)

    def list_objects(self, query: str, limit: int, offset: int) -> list[str]:
        """One page of object IRIs of the objects query, in IRI order."""
        wrapper = self._wrapper()
        wrapper.setQuery(f"{query}\nORDER BY ?object LIMIT {int(limit)} OFFSET {int(offset)}")
        wrapper.setReturnFormat(JSON)
        return self._select(wrapper, "object", "the objects query")

    def nested_objects(self, iris: list[str]) -> set[str]:
        """Those of ``iris`` minted under another object's IRI (``{obj}/part/1``, ``{obj}#part``)."""
        parents = {i[:n] for i in iris for n, ch in enumerate(i) if ch in "/#" and n > i.find("://") + 3}
        if not parents:
            return set()
        wrapper = self._wrapper()
        wrapper.setQuery(f"SELECT DISTINCT ?parent WHERE {{ {iri_values('parent', sorted(parents))} ?parent a ?class . "
                         f"VALUES ?class {{ {' '.join(_E22)} }} }}")
        wrapper.setReturnFormat(JSON)
        objects = set(self._select(wrapper, "parent", "the query for parts"))
        return {i for i in iris if any(i[:n] in objects for n, ch in enumerate(i) if ch in "/#")}

    def _run(self, wrapper: _Wrapper, what: str, read: Callable[[Any], T]) -> T:
        """Send ``wrapper``'s query and ``read`` its answer under the session's retry budget; an answer
        ``read`` cannot use (``ContentError``: cut off, garbled) is asked for again like a dropped one."""

        def attempt() -> T:
            try:
                result = wrapper.query()
            except SPARQLWrapperException as exc:
                raise HarvestHttpError(f"{what} failed at {self.feed.url}: {exc}") from exc
            response = result.response
            try:
                return read(response)
            except _CONNECTION_FAULTS as exc:  # the body cut off or stalled mid-answer
                raise TransientError(f"{what}: the answer of {self.feed.url} broke off: {exc!r}") from exc
            finally:
                response.close()

        try:
            return self.http.retrying(attempt)
        except ContentError as exc:
            raise HarvestHttpError(f"{what}: {exc}") from exc

    def _select(self, wrapper: _Wrapper, variable: str, what: str) -> list[str]:
        def read(response: Any) -> list[str]:
            body = response.read()
            try:
                data = json.loads(body)
            except ValueError as exc:
                raise ContentError(f"not SPARQL JSON results from {self.feed.url}: {exc}") from exc
            iris = []
            for row in data.get("results", {}).get("bindings", []):
                cell = row.get(variable) or {}
                if cell.get("type") == "uri" and cell.get("value"):
                    iris.append(cell["value"])
            return iris

        return self._run(wrapper, what, read)

    def construct(self, query: str, iris: list[str]) -> ox.Store:
        """The construct query's triples for these objects (bound in a trailing VALUES clause), in an
        in-memory store (one page of descriptions). N-Triples is asked for; what the endpoint says it sent
        is believed."""
        wrapper = self._wrapper()
        wrapper.setQuery(f"{query}\n{iri_values('object', iris)}")
        wrapper.setReturnFormat(N3)
        wrapper.addCustomHttpHeader("Accept", "application/n-triples")

        def read(response: Any) -> ox.Store:
            media = (response.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
            fmt = ox.RdfFormat.from_media_type(media) or ox.RdfFormat.N_TRIPLES
            body = response.read()
            store = ox.Store()
            try:
                store.load(body, format=fmt, lenient=True)
            except SyntaxError as exc:  # cut off in transit, or not RDF: asked again, then reported
                raise ContentError(f"unreadable CONSTRUCT result from {self.feed.url}: {exc}") from exc
            return store

        return self._run(wrapper, "the construct query", read)
