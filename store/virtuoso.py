"""The Virtuoso backend: the SPARQL-protocol store with Virtuoso 7.2's differences handled inside.

Reads go to ``/sparql`` as Virtuoso's anonymous ``SPARQL`` account (``SPARQL_SELECT`` only: an update
that reached it would be refused by Virtuoso, SR186, besides ``query()`` refusing anything but a query
form first; this is the public /sparql's read-only path); writes go to
``/sparql-auth`` with HTTP digest credentials. The managed server (``store.virtuoso_server``) installs
stored procedures that this backend uses when ``procedures`` is on (the default there):
``SROM_UPDATE`` runs an update request's operations in one transaction and ``SROM_LOAD`` the bulk loader
on a file written to the server's spool directory. Without them (an existing Virtuoso, see
``store.open``) updates are plain SPARQL Update requests, and Virtuoso commits each operation of a request
on its own: a failure can leave part of a batch written, and the next harvest of the feed repairs it.
One call of ``SROM_UPDATE`` takes up to ~6,000 operations (beyond, Virtuoso's limit of 10,000 lines of
generated SQL refuses it): the harvest's batches are two operations plus a spool file, and ``DROP ALL``
is one DELETE.

Differences handled here (Virtuoso 7.2.5, Debian; each has a test in tests/test_store_virtuoso.py):
- A direct POST (``application/sparql-query``) gets no answer: queries are form POSTs.
- JSON results spell the language ``lang`` in some versions, and Turtle comes labelled ``text/html``
  when Accept lists several types: each request asks for one type, chosen by the query form (SPARQL XML
  results for SELECT and ASK, N-Triples for CONSTRUCT and DESCRIBE).
- "Anytime" answers: at ``MaxQueryExecutionTime`` or the request's ``timeout`` Virtuoso answers HTTP 200
  with what it found so far and ``X-SQL-State: S1TAT``; or 500 ``SR171 Transaction timed out``. Both are
  a QueryTimeout, never a result. Virtuoso stops the query itself (``cancels_on_timeout``).
- Virtuoso keeps graphs of its own (``virtrdf:`` and others, ~2,500 triples describing its storage),
  which every query would see in its union default graph and under ``GRAPH ?g``. The managed server
  makes them private graphs that only ``dba`` reads (graph-level security, ``store.virtuoso_server``),
  so the read-only account's queries see the hub's graphs only. Cost: none measurable (9 queries over
  800k triples in 100k graphs, medians within +-5 ms of each other on 2 shared cores; a query-time
  ``input:default-graph-exclude`` instead also empties ``GRAPH <iri>`` patterns in 7.2, and a FROM
  clause hides the named graphs). An existing Virtuoso needs the same setup (the SQL is in
  ``store.virtuoso_server._setup_sql``); the store's own listings (``graph_names``, ``count_quads``,
  ``dump``) leave the system graphs out anyway.
  Virtuoso has no default graph of its own: triples written without a graph are kept in
  ``DEFAULT_GRAPH``, which ``dump`` writes back without a graph and ``graph_names`` does not list.
- DESCRIBE without ``FROM`` returns nothing by default: it runs as a concise bounded description.
- ``GRAPH ?g {}`` matches nothing: it is rewritten (``virtuoso_sparql.empty_graph_patterns``).
- The union keeps a triple once per graph holding it (bag semantics, as Oxigraph 0.5 does); CONSTRUCT
  and DESCRIBE answers are sets here, as everywhere.
- Blank nodes come back as ``nodeID://b1`` in SPARQL XML results, which is no blank node label: the
  body is mended while it streams (``virtuoso_results``), to the label N-Triples answers use (``_:b1``).
- ORDER BY: BCE ``xsd:dateTime`` values sort after CE ones, blank nodes among IRIs, language-tagged strings
  by neither text nor tag: each condition gets keys that sort as SPARQL and Oxigraph do
  (``virtuoso_sparql.order_keys``; cost, 100k-object store on 2 busy cores: +5-40 ms sorting 2-3k
  rows, x1.3-2.5 sorting 100k rows, ~2-4 us per row and condition). A BCE value's
  lexical form loses the year's leading zeros, and WKT literals come back as ``virtrdf:Geometry``
  with single-precision numbers: results are mended (``virtuoso_sparql.fix_term``).
- Not handled (it cannot be): Virtuoso reads 31 December of the year 4 CE as 1 January 5, one value in
  its store (every other 31 December from 3300 BCE to 1583 comes back as written); a test in
  tests/test_engines_agree.py is marked for it.
- No remote fetching: ``define`` pragmas (Sponger ``get:soft``), ``bif:``/``sql:`` functions, SERVICE
  and LOAD are refused before anything is sent; the managed server also lacks the roles to fetch.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox
import requests
from requests.auth import HTTPDigestAuth

from store.base import (
    GraphResult,
    QueryResult,
    QuerySyntaxError,
    QueryTimeout,
    RecordGraph,
    SolutionsResult,
    StoreError,
    StoreInfo,
    check_graph_iri,
    drop_operations,
    iter_nquads,
    replace_operations,
)
from store.bind_values import query_form
from store.sparql_protocol import SparqlProtocolStore
from store.virtuoso_results import BlankNodeLabels
from store.virtuoso_sparql import (
    empty_graph_patterns,
    fix_term,
    order_keys,
    refuse_extensions,
    refuse_updates,
    split_update,
    whole_store_operation,
)

BACKEND = "virtuoso"
#: where triples written to "the default graph" are kept: Virtuoso has no default graph of its own
DEFAULT_GRAPH = "urn:x-srom:default-graph"

#: graphs Virtuoso keeps for itself; none of them is the hub's data
SYSTEM_GRAPHS = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/sparql",
    "http://www.w3.org/2002/07/owl#",
    "http://www.openlinksw.com/schemas/oplweb#",
)
_RESULTS = "application/sparql-results+xml"
_TRIPLES = "application/n-triples"
_TIMEOUT_STATES = ("S1TAT", "S1T00", "SR171")


_DATA = re.compile(r"\s*(?:PREFIX\s+[^\s:]*:\s*<[^<>]*>\s*|BASE\s*<[^<>]*>\s*)*(?:INSERT|DELETE)\s+DATA\b", re.I)
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _literal(text: str) -> str:
    """``text`` (an operation) as a SPARQL string literal handed to a stored procedure.

    Non-ASCII characters are passed as ``\\uXXXX`` escapes for the operation's own parser: the text the
    procedure receives is re-read byte by byte (UTF-8 came out as Latin-1: "Bad escape sequence").
    """
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    escaped = _NON_ASCII.sub(_codepoint, escaped)
    return f'"{escaped}"'


def _codepoint(m: re.Match[str]) -> str:
    n = ord(m.group(0))
    return f"\\\\u{n:04X}" if n <= 0xFFFF else f"\\\\U{n:08X}"


class VirtuosoStore(SparqlProtocolStore):
    """A Virtuoso server at ``url`` (``http://host:port``, the endpoints are ``/sparql`` and ``/sparql-auth``)."""

    backend = BACKEND
    cancels_on_timeout = True

    def __init__(
        self,
        url: str,
        provenance_graph: str,
        *,
        user: str | None = None,
        password: str | None = None,
        spool: Path | None = None,
        procedures: bool = True,
        system_graphs: Sequence[str] = SYSTEM_GRAPHS,
        session: requests.Session | None = None,
        request_timeout: float = 300.0,
        query_timeout: float | None = None,
    ) -> None:
        url = url.rstrip("/")
        super().__init__(
            f"{url}/sparql", f"{url}/sparql-auth", None, provenance_graph, session=session,
            request_timeout=request_timeout, query_timeout=query_timeout, backend=BACKEND,
        )
        self.url = url
        self.auth = HTTPDigestAuth(user, password or "") if user else None
        #: the managed server's spool directory: bulk loads are written there for Virtuoso's loader
        self.spool = Path(spool) if spool else None
        self.procedures = procedures
        self.system_graphs = list(system_graphs)
        # input:default-graph-exclude and input:named-graph-exclude also empty GRAPH <iri> patterns (7.2.5),
        # so Virtuoso's graphs are filtered out where the store lists graphs (graph_names, count_quads, dump).
        self._not_system = f"FILTER(?g NOT IN ({', '.join(f'<{g}>' for g in system_graphs)}))" if system_graphs else ""

    # --- reading -------------------------------------------------------------------------------
    def _rewrite(self, sparql: str) -> str:
        """The checked query as Virtuoso must read it: no extensions, BCE dates first, DESCRIBE bounded."""
        refuse_extensions(sparql)
        refuse_updates(sparql)
        text = order_keys(empty_graph_patterns(sparql))
        if query_form(text) == "describe":
            text = 'define sql:describe-mode "CBD" ' + text
        return text


    def _query_request(self, text: str, timeout: float | None) -> dict[str, Any]:
        form = query_form(text)
        data = {"query": text}
        if timeout is not None:  # Virtuoso's own limit, in ms: it stops the query and says so
            data["timeout"] = str(max(1, int(timeout * 1000)))
        accept = _TRIPLES if form in ("construct", "describe") else _RESULTS
        return {"data": data, "headers": {"Accept": accept}}

    def _check_answer(self, response: requests.Response) -> None:
        state = response.headers.get("X-SQL-State")
        if not state:
            return
        message = response.headers.get("X-SQL-Message", "")
        if state in _TIMEOUT_STATES or "incomplete" in message.lower():
            raise QueryTimeout(f"Virtuoso stopped the query at its time limit and sent a partial answer: {message}")
        raise StoreError(f"Virtuoso sent an answer with SQL state {state}: {message}")

    def _send(self, method: str, url: str, *, timeout: float, stream: bool = False, **kw: Any) -> requests.Response:
        try:
            return super()._send(method, url, timeout=timeout, stream=stream, **kw)
        except (QueryTimeout, QuerySyntaxError):
            raise
        except StoreError as e:
            # the public message carries no internals; Virtuoso's own words are in the logged detail
            text = getattr(e, "detail", None) or str(e)
            said = text.split(" answered ", 1)[-1].split(": ", 1)[-1]
            if any(state in text for state in _TIMEOUT_STATES):
                raise QueryTimeout("Virtuoso stopped the query at its time limit") from None
            if "HTTP 500" in text and (" 37000 " in text or "SP030" in text):
                raise QuerySyntaxError(self._redact(said)) from None
            if " SR186" in text:  # the read-only account at work: the query asked for more than reading
                raise QuerySyntaxError("Virtuoso refused the query: the public account may only read") from None
            if "HTTP 401" in text:
                raise StoreError("Virtuoso refused the hub's credentials") from None
            raise

    def _parse(self, response: requests.Response, deadline: float | None, limit: int | None) -> QueryResult:
        if response.headers.get("Content-Type", "").startswith(_RESULTS):
            response.raw = BlankNodeLabels(response.raw)  # nodeID://b1 is no blank node label
        result = super()._parse(response, deadline, limit)
        if isinstance(result, SolutionsResult):
            result.rows = [tuple(None if t is None else fix_term(t) for t in row) for row in result.rows]
        elif isinstance(result, GraphResult):
            triples = (ox.Triple(t.subject, t.predicate,
                                 t.object if isinstance(t.object, ox.Triple) else fix_term(t.object))
                       for t in result.triples)
            result.triples = list(dict.fromkeys(triples))  # a set, also when several graphs hold a triple
        return result

    def graph_names(self, prefix: str | None = None) -> list[str]:
        if prefix is None:
            result = self._select(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._not_system} }}")
        else:
            result = self._select(
                "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), ?prefix)) }",
                {"prefix": ox.Literal(prefix)},
            )
        names = (row[0].value for row in result.rows if isinstance(row[0], ox.NamedNode))
        return sorted(n for n in names if n != DEFAULT_GRAPH)

    def count_quads(self) -> int:
        result = self._select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._not_system} }}")
        return int(result.rows[0][0].value) if result.rows and result.rows[0][0] is not None else 0

    def dump(self, out: BinaryIO) -> None:
        for quad in self._named_quads():
            if quad.graph_name == ox.NamedNode(DEFAULT_GRAPH):
                out.write(f"{quad.subject} {quad.predicate} {quad.object} .\n".encode())
            else:
                out.write(f"{quad} .\n".encode())

    # --- writing -------------------------------------------------------------------------------
    def update(self, sparql: str) -> None:
        refuse_extensions(sparql)
        operations: list[str] = []
        for operation in split_update(sparql):
            scope = whole_store_operation(operation)
            if scope is None:
                operations.append(operation)
                continue
            # Virtuoso would drop its own graphs too (and stop working): one DELETE that leaves them out
            # (a DROP per graph in one call overflows Virtuoso's 10,000-line limit of generated SQL between
            # 6,000 and 12,000 graphs; the DELETE takes ~17 s for 800k triples in 100k graphs).
            if scope == "default":
                operations.append(f"DROP SILENT GRAPH <{DEFAULT_GRAPH}>")
                continue
            kept = [*self.system_graphs, *([DEFAULT_GRAPH] if scope == "named" else [])]
            keep = f"FILTER(?g NOT IN ({', '.join(f'<{check_graph_iri(g)}>' for g in kept)}))" if kept else ""
            operations.append(f"DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {keep} }}")
        if operations:
            self._run_operations(operations)

    def replace_graphs(self, records: Sequence[RecordGraph], *, additions: Sequence[RecordGraph] = ()) -> None:
        if not (records or additions):
            return
        if not self._spooled:
            self._run_operations(list(replace_operations(records, self.provenance_graph, additions)))
            return
        # The drops as two DELETEs over VALUES (one per graph took 5x longer), the triples as an N-Quads
        # file read by the procedure, all in one transaction.
        drops = self._drops([r.iri for r in records if not r.new])
        self._with_spool_file(lambda f: f.writelines(
            s.encode() for s in iter_nquads(records, self.provenance_graph, additions)
        ), lambda path: self._run_operations(drops, path))

    def drop_graphs(self, graph_iris: Iterable[str]) -> None:
        iris = list(graph_iris)
        if iris:
            operations = self._drops(iris) if self.procedures else list(drop_operations(iris, self.provenance_graph))
            self._run_operations(operations)

    @property
    def _spooled(self) -> bool:
        return self.procedures and self.spool is not None

    def _drops(self, iris: Sequence[str]) -> list[str]:
        if not iris:
            return []
        values = " ".join(f"<{check_graph_iri(g)}>" for g in dict.fromkeys(iris))
        provenance = check_graph_iri(self.provenance_graph)
        return [
            f"DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}",
            f"DELETE {{ GRAPH <{provenance}> {{ ?g ?p ?o }} }} WHERE {{ VALUES ?g {{ {values} }} "
            f"GRAPH <{provenance}> {{ ?g ?p ?o }} }}",
        ]

    def _run_operations(self, operations: list[str], path: str | None = None) -> None:
        """Run update operations (and load the N-Quads file ``path``, managed server only): in one
        transaction through ``SROM_UPDATE``, else one request per operation."""
        # Triples without a graph go to DEFAULT_GRAPH. Only DATA operations get it: with a default graph
        # given, a WHERE clause's GRAPH <iri> patterns match nothing (no named graphs in the dataset).
        operations = [f"define input:default-graph-uri <{DEFAULT_GRAPH}> {op}" if _DATA.match(op) else op
                      for op in operations]
        if self.procedures:
            file = f", {_literal(path)}" if path else ""
            call = f"SELECT (<sql:SROM_UPDATE>(bif:vector({', '.join(map(_literal, operations))}){file}) AS ?n) {{}}"
            self._call(call)
            return
        # One request per operation: Virtuoso commits each one on its own anyway, and a `define` can only
        # open a request.
        for operation in operations:
            try:
                self._send("POST", self.update_url, data={"update": operation}, auth=self.auth,
                           timeout=self.request_timeout).close()
            except QueryTimeout as e:
                raise QueryTimeout(f"{e} (the update may still be applied by the server)") from e

    def _call(self, sparql: str) -> None:
        try:
            response = self._send(
                "POST", self.update_url, data={"query": sparql}, headers={"Accept": _RESULTS}, auth=self.auth,
                timeout=self.request_timeout,
            )
        except QueryTimeout as e:
            raise QueryTimeout(f"{e} (the update may still be applied by the server)") from e
        response.close()

    def checkpoint(self) -> None:
        """Make everything written so far durable in the database file (bulk loads skip the log)."""
        if self.procedures:
            self._call("SELECT (<sql:SROM_CHECKPOINT>() AS ?n) {}")

    def bulk_load(self, nquads: bytes) -> None:
        if not self._spooled:
            super().bulk_load(nquads)  # INSERT DATA requests through update()
            return
        self._with_spool_file(lambda f: f.write(nquads), self._bulk_loader)

    def load_graphs(self, records: Sequence[RecordGraph], *, additions: Sequence[RecordGraph] = ()) -> None:
        if not self._spooled:
            super().load_graphs(records, additions=additions)
            return
        write = lambda f: f.writelines(s.encode() for s in iter_nquads(records, self.provenance_graph, additions))  # noqa: E731
        self._with_spool_file(write, self._bulk_loader)

    def _bulk_loader(self, path: str) -> None:
        """Virtuoso's bulk loader on a spool file (one loader; it skips the log, so a checkpoint follows)."""
        self._call(f"SELECT (<sql:SROM_LOAD>({_literal(path)}) AS ?n) {{}}")
        self.checkpoint()

    def _with_spool_file(self, write: Any, use: Any) -> None:
        """Write N-Quads to a file in the server's spool directory, hand its path to ``use``, remove it."""
        assert self.spool is not None
        spool = tempfile.NamedTemporaryFile("wb", suffix=".nq", prefix=".srom-load-", dir=self.spool, delete=False)
        try:
            with spool:
                write(spool)
            use(spool.name)
        finally:
            Path(spool.name).unlink(missing_ok=True)

    def _named_quads(self) -> Iterator[ox.Quad]:
        result = self._select(f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._not_system} }}")
        for s, p, o, g in result.rows:
            if s is not None and p is not None and o is not None and g is not None:
                yield ox.Quad(s, p, o, g)  # type: ignore[arg-type]

    def info(self) -> StoreInfo:
        return StoreInfo(self.backend, self.url, {"procedures": self.procedures, "bulk_loader": bool(self.spool)})
