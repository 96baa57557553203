"""The SPARQL 1.1 Protocol backend: any SPARQL server over HTTP (the managed Oxigraph server, Virtuoso,
GraphDB, QLever, Fuseki, a remote Oxigraph).

This module owns the HTTP exchange: content negotiation, streaming result parsing with pyoxigraph,
mapping HTTP failures to the store errors, and refusing truncated bodies. It must not splice caller
values into query text (``store.bind_values`` binds them as escaped terms) and must not start servers
(``store.oxigraph_server`` does).

Protocol quirks handled here:
- ``oxigraph serve --timeout-s N`` answers HTTP 200, streams part of the result and then appends
  ``The SPARQL operation has been cancelled`` to the body. A body that does not parse completely is
  therefore an error, never a result; one ending in that text is a QueryTimeout.
- requests' ``timeout`` bounds each socket read, not the whole answer, so a trickling body is also
  checked against a deadline while it is read.

Error messages are public: the endpoint shows them to anyone. They never name the server's address (the
managed server's loopback port is nobody's business) nor quote what the HTTP client says about it; the
full detail goes to this module's logger and to the exception's ``detail`` attribute. A syntax error
from the server is passed on with the server's own origin replaced by "the store".
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import IO, Any, BinaryIO, cast

import pyoxigraph as ox
import requests
import requests.auth
import urllib3

from store.base import (
    Dataset,
    QueryResult,
    QuerySyntaxError,
    QueryTimeout,
    SolutionsResult,
    Store,
    StoreError,
    StoreInfo,
    StoreUnavailable,
    Term,
    materialise,
    query_dataset,
)
from store.bind_values import bind_rows, bind_values
from store.query_guard import check_query, strip_dataset_clauses
from store.values import Value

log = logging.getLogger(__name__)

#: what ``oxigraph serve`` appends to a body it cut off at ``--timeout-s`` (0.5.13, checked by a test)
OXIGRAPH_CANCELLED = b"The SPARQL operation has been cancelled"
_ACCEPT = (
    "application/sparql-results+json, application/n-triples, "
    "application/sparql-results+xml;q=0.8, text/turtle;q=0.7"
)
_RESULT_FORMATS = {ox.QueryResultsFormat.JSON, ox.QueryResultsFormat.XML}  # CSV/TSV lose term types
_CONNECT_TIMEOUT = 5.0
_CHUNK = 64 * 1024
#: stands for "no graph" in a dataset with an empty default graph or no named graphs (never written)
EMPTY_GRAPH = "urn:x-srom:no-graph"
_INSERT_BATCH = 20_000  # quads per INSERT DATA request when no Graph Store endpoint is configured


class ServerCancelled(QueryTimeout):
    """The server stopped the query itself at its timeout (and said so): nothing of it runs on there."""


def _chunks(response: requests.Response) -> Iterator[bytes]:
    """The body as it arrives: ``iter_content`` waits for a full chunk of a Content-Length body, which
    would keep a trickling answer from the deadline check; urllib3 2's ``read1`` returns what is there.
    """
    raw = response.raw
    if not hasattr(raw, "read1"):  # urllib3 1.26
        yield from response.iter_content(_CHUNK)
        return
    while data := raw.read1(_CHUNK, decode_content=True):
        yield data


class _Body(io.RawIOBase):
    """A streamed response body as a file for pyoxigraph's parsers, read against a deadline.

    Read errors and the deadline are recorded, not raised: an exception raised inside the parser's
    read call would come back as a parse error. The caller checks ``error`` after parsing, so a body cut
    short never passes as a complete result.
    """

    def __init__(self, response: requests.Response, deadline: float | None) -> None:
        self._chunks = _chunks(response)
        self._deadline = deadline
        self._pending = memoryview(b"")  # a view, so handing out small reads copies nothing twice
        self.tail = b""
        self.error: StoreError | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if not self._pending and not self._fill():
            return 0
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def _fill(self) -> bool:
        if self.error is not None:
            return False
        if self._deadline is not None and time.monotonic() > self._deadline:
            self.error = QueryTimeout("the query ran past its timeout while the result was being read")
            return False
        try:
            chunk = next(self._chunks, b"")
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as e:
            timed_out = isinstance(e, urllib3.exceptions.TimeoutError) or "timed out" in str(e).lower()
            self.error = _public(QueryTimeout if timed_out else StoreUnavailable,
                                 "reading the result from the SPARQL store failed", repr(e))
            return False
        self.tail = (self.tail + chunk)[-256:]
        self._pending = memoryview(chunk)
        return bool(chunk)

    def drain(self, max_bytes: int = 1 << 20) -> None:
        """Read on (bounded) so that ``tail`` holds the end of the body."""
        read = 0
        while read < max_bytes and self._fill():
            read += len(self._pending)
            self._pending = memoryview(b"")

    def cancelled(self) -> bool:
        return self.tail.rstrip().endswith(OXIGRAPH_CANCELLED)


class SparqlProtocolStore(Store):
    """A store behind SPARQL 1.1 Protocol endpoints, plus an optional Graph Store Protocol endpoint.

    ``store_url`` is the GSP base (Oxigraph: ``{server}/store``); without it ``bulk_load`` falls back to
    INSERT DATA requests, and ``count_quads``/``dump`` see the named graphs only (all hub data lives in
    named graphs).
    """

    backend = "sparql"
    cancels_on_timeout = False  # the client stops waiting; only the server's own timeout stops a query

    def __init__(
        self,
        query_url: str,
        update_url: str | None,
        store_url: str | None,
        provenance_graph: str,
        *,
        session: requests.Session | None = None,
        request_timeout: float = 300.0,
        query_timeout: float | None = None,
        backend: str | None = None,
        bulk_load_query: str | None = None,
    ) -> None:
        super().__init__(provenance_graph)
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.store_url = store_url
        #: query string of a GSP POST that loads outside a transaction (Oxigraph: ``no_transaction``, its bulk
        #: loader; 2.5x faster than a transactional POST for 600k quads, measured); None: plain GSP POST
        self.bulk_load_query = bulk_load_query
        #: bound for updates, loads and dumps (seconds without a byte from the server)
        self.request_timeout = request_timeout
        #: the timeout used when ``query()`` is called without one
        self.query_timeout = query_timeout
        if backend:
            self.backend = backend
        self._own_session = session is None
        self.session = session if session is not None else requests.Session()

    # --- HTTP ----------------------------------------------------------------------------------
    def _send(
        self,
        method: str,
        url: str,
        *,
        timeout: float,
        stream: bool = False,
        data: bytes | dict[str, str] | list[tuple[str, str]] | None = None,
        params: dict[str, str] | list[tuple[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        auth: requests.auth.AuthBase | None = None,
    ) -> requests.Response:
        try:
            response = self.session.request(
                method, url, params=params, data=data, headers=headers, timeout=(_CONNECT_TIMEOUT, timeout),
                stream=stream, auth=auth,
            )
        except requests.ConnectionError as e:
            raise _public(StoreUnavailable, "cannot reach the SPARQL store", f"{method} {url}: {e!r}") from None
        except requests.Timeout as e:
            raise _public(QueryTimeout, f"no answer from the SPARQL store within {timeout:g} s",
                          f"{method} {url}: {e!r}") from None
        if response.status_code >= 300:
            with response:
                message = response.text[:2000].strip()
            detail = f"{method} {url} answered HTTP {response.status_code}: {message}"
            if response.status_code == 400:
                raise _public(QuerySyntaxError,
                              self._redact(message) or "the store rejected the request (HTTP 400)", detail)
            if response.status_code in (502, 503, 504):
                raise _public(StoreUnavailable, f"the SPARQL store answered HTTP {response.status_code}", detail)
            raise _public(StoreError, f"the SPARQL store answered HTTP {response.status_code}", detail)
        return response

    # --- reading -------------------------------------------------------------------------------
    def _rewrite(self, sparql: str) -> str:
        """The checked query as this server must read it (a backend's quirks; as written here)."""
        return sparql

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, Term] | None = None,
        timeout: float | None = None,
        limit: int | None = None,
        rows: Mapping[str, Sequence[Value]] | None = None,
        dataset: Dataset | None = None,
    ) -> QueryResult:
        checked = check_query(sparql)  # bounded, normalised, parsed; SERVICE refused (store.query_guard)
        sparql = checked.text_for_rows(None if limit is None else limit + 1)  # reads limit + 1: truncated?
        if dataset is not None and checked.has_dataset:  # the protocol's dataset replaces the query's
            sparql = strip_dataset_clauses(sparql)
        text = bind_values(bind_rows(self._rewrite(sparql), rows), substitutions)
        # A query's own FROM goes as the protocol's dataset too: a server whose default graph is the union
        # (oxigraph serve --union-default-graph) would otherwise ignore it.
        dataset = dataset or query_dataset(checked)
        timeout = timeout if timeout is not None else self.query_timeout
        deadline = time.monotonic() + timeout if timeout is not None else None
        request = self._query_request(text, timeout)
        if dataset is not None:
            request = self._with_dataset(request, dataset)
        response = self._send(
            "POST",
            self.query_url,
            stream=True,
            timeout=timeout if timeout is not None else self.request_timeout,
            **request,
        )
        with response:
            self._check_answer(response)
            return self._parse(response, deadline, limit)

    def _query_request(self, text: str, timeout: float | None) -> dict[str, Any]:
        """Body and headers of a query request: the protocol's direct POST (engines override)."""
        headers = {"Content-Type": "application/sparql-query; charset=utf-8", "Accept": _ACCEPT}
        return {"data": text.encode("utf-8"), "headers": headers}

    def _with_dataset(self, request: dict[str, Any], dataset: Dataset) -> dict[str, Any]:
        """The query request with the protocol's dataset parameters (in the URL of a direct POST).

        With only named graphs the default graph must be empty: an empty ``default-graph-uri`` cannot say
        so, so a graph IRI no one can write stands for "no graph" (the hub's IRIs are http(s)).
        """
        default = dataset.default_graphs or ((EMPTY_GRAPH,) if dataset.named_graphs else ())
        named = dataset.named_graphs or ((EMPTY_GRAPH,) if dataset.default_graphs else ())
        params = [("default-graph-uri", g) for g in default] + [("named-graph-uri", g) for g in named]
        if isinstance(request.get("data"), dict):  # a form POST: the parameters go in the body
            request = {**request, "data": [*request["data"].items(), *params]}
        else:
            request = {**request, "params": params}
        return request

    def _check_answer(self, response: requests.Response) -> None:
        """Raise if the answer's headers say it is not a complete result (engines override)."""

    def _parse(self, response: requests.Response, deadline: float | None, limit: int | None) -> QueryResult:
        media_type = response.headers.get("Content-Type", "")
        body = _Body(response, deadline)
        # pyoxigraph's stubs ask for IO[bytes]; its parsers only call read(), which a RawIOBase has.
        source = cast(IO[bytes], body)
        results_format = ox.QueryResultsFormat.from_media_type(media_type) if media_type else None
        rdf_format = ox.RdfFormat.from_media_type(media_type) if media_type else None
        try:
            if results_format in _RESULT_FORMATS:
                result = materialise(ox.parse_query_results(source, format=results_format), limit)
            elif rdf_format is not None and not rdf_format.supports_datasets:
                result = materialise(ox.parse(source, format=rdf_format), limit)
            else:
                raise _public(StoreError, f"unexpected Content-Type {media_type!r} from the SPARQL store",
                              self.query_url)
        except SyntaxError as e:
            body.drain()
            if body.error is not None:
                raise body.error from None
            if body.cancelled():
                raise ServerCancelled("the server cancelled the query at its timeout") from None
            raise _public(StoreError, "unparseable answer from the SPARQL store",
                          f"{self.query_url}: {e}; ends with {body.tail!r}") from None
        if body.error is not None:  # the deadline passed or the connection broke: never a partial result
            raise body.error
        return result

    def _select(self, sparql: str, substitutions: Mapping[str, Term] | None = None) -> SolutionsResult:
        result = self.query(sparql, substitutions=substitutions, timeout=self.request_timeout)
        if not isinstance(result, SolutionsResult):
            raise StoreError("expected SELECT results")
        return result

    def graph_names(self, prefix: str | None = None) -> list[str]:
        # An empty group pattern lists every named graph without reading its triples (Oxigraph answers
        # from its graph index, also with --union-default-graph, and includes empty created graphs).
        if prefix is None:
            result = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g {} }")
        else:
            result = self._select(
                "SELECT DISTINCT ?g WHERE { GRAPH ?g {} FILTER(STRSTARTS(STR(?g), ?prefix)) }",
                {"prefix": ox.Literal(prefix)},
            )
        return sorted(row[0].value for row in result.rows if isinstance(row[0], ox.NamedNode))

    def count_quads(self) -> int:
        result = self._select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        named = int(result.rows[0][0].value) if result.rows and result.rows[0][0] is not None else 0
        if not self.store_url:
            return named
        # The query default graph is the union, so the real default graph is counted through the GSP.
        response = self._send(
            "GET",
            self.store_url,
            params={"default": ""},
            headers={"Accept": "application/n-triples"},
            stream=True,
            timeout=self.request_timeout,
        )
        with response:
            default = sum(1 for line in response.iter_lines() if line.strip() and not line.startswith(b"#"))
        return named + default

    def dump(self, out: BinaryIO) -> None:
        if not self.store_url:
            for quad in self._named_quads():
                out.write(f"{quad} .\n".encode())
            return
        response = self._send(
            "GET",
            self.store_url,
            headers={"Accept": "application/n-quads"},
            stream=True,
            timeout=self.request_timeout,
        )
        with response:
            if ox.RdfFormat.from_media_type(response.headers.get("Content-Type", "")) != ox.RdfFormat.N_QUADS:
                raise _public(StoreError, "the store did not answer with N-Quads", str(self.store_url))
            try:
                for chunk in response.iter_content(_CHUNK):
                    out.write(chunk)
            except requests.RequestException as e:
                raise _public(StoreUnavailable, "the dump from the store broke off",
                              f"{self.store_url}: {e!r}") from None

    def _named_quads(self) -> Iterator[ox.Quad]:
        result = self._select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        for s, p, o, g in result.rows:
            if s is not None and p is not None and o is not None and g is not None:
                yield ox.Quad(s, p, o, g)  # type: ignore[arg-type]

    # --- writing -------------------------------------------------------------------------------
    def update(self, sparql: str) -> None:
        headers = {"Content-Type": "application/sparql-update; charset=utf-8"}
        try:
            response = self._send(
                "POST",
                self.update_url,
                data=sparql.encode("utf-8"),
                headers=headers,
                timeout=self.request_timeout,
            )
        except QueryTimeout as e:
            raise QueryTimeout(f"{e} (the update may still be applied by the server)") from e
        response.close()

    def bulk_load(self, nquads: bytes) -> None:
        if self.store_url:
            response = self._send(
                "POST",
                f"{self.store_url}?{self.bulk_load_query}" if self.bulk_load_query else self.store_url,
                data=nquads,
                headers={"Content-Type": "application/n-quads"},
                timeout=self.request_timeout,
            )
            response.close()
            return
        batch: list[str] = []
        try:
            for quad in ox.parse(nquads, format=ox.RdfFormat.N_QUADS):
                batch.append(_quad_data(quad))
                if len(batch) >= _INSERT_BATCH:
                    self.update("INSERT DATA {\n" + "".join(batch) + "}")
                    batch = []
        except SyntaxError as e:
            raise StoreError(f"invalid N-Quads: {e}") from None
        if batch:
            self.update("INSERT DATA {\n" + "".join(batch) + "}")

    def _redact(self, message: str) -> str:
        """``message`` without this store's server addresses (origins of its endpoints)."""
        for url in (self.query_url, self.update_url, self.store_url):
            if url:
                parts = urllib3.util.parse_url(url)
                origin = f"{parts.scheme}://{parts.netloc}"
                message = message.replace(origin, "the store").replace(str(parts.netloc), "the store")
        return message

    def close(self) -> None:
        if self._own_session:
            self.session.close()

    def info(self) -> StoreInfo:
        return StoreInfo(
            self.backend, self.query_url, {"update_url": self.update_url, "store_url": self.store_url}
        )


def _public(cls: type[StoreError], message: str, detail: str) -> StoreError:
    """A store error whose message can be shown to anyone; ``detail`` (addresses, causes) is only logged."""
    log.warning("%s: %s", message, detail)
    error = cls(message)
    error.detail = detail  # type: ignore[attr-defined]
    return error


def _quad_data(quad: ox.Quad) -> str:
    triple = f"{quad.subject} {quad.predicate} {quad.object} ."
    if isinstance(quad.graph_name, ox.DefaultGraph):
        return triple + "\n"
    return f"GRAPH {quad.graph_name} {{ {triple} }}\n"
