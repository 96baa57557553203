"""The store interface every backend implements, and the result and error types they share.

The interface mirrors the W3C SPARQL 1.1 Protocol and Graph Store Protocol, so a backend can be an
embedded pyoxigraph store, the managed Oxigraph server or any remote SPARQL 1.1 server. Record graphs
are the unit of change: one named graph per source record, replaced or dropped in batches, each batch in
one transaction (one SPARQL Update request), together with the record's provenance triples.

Queries see the union of all graphs as the default graph, unless a ``Dataset`` names the graphs (the
SPARQL 1.1 Protocol's ``default-graph-uri`` / ``named-graph-uri``). The hub stores each triple in one graph
only (``ontology/MODEL.md``, "Graphs"), so the union, which the engines compute as a bag, is a set.
"""

from __future__ import annotations

import abc
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

import pyoxigraph as ox

from store.values import Value

Term = ox.NamedNode | ox.BlankNode | ox.Literal


class StoreError(Exception):
    """Base class of every error a store raises."""


class QuerySyntaxError(StoreError):
    """The query or update text is not valid SPARQL 1.1 (HTTP 400 at the endpoint)."""


class QueryTimeout(StoreError):
    """The query ran past its time budget; no partial result is ever returned as if complete.

    ``still_running``: the thread still running the query, when the store could not stop it (embedded
    pyoxigraph); a caller that bounds concurrent queries keeps the query's place until it ends.
    """

    still_running: threading.Thread | None = None


class StoreUnavailable(StoreError):
    """The backend cannot be reached (server down, directory locked by another process)."""


@dataclass
class SolutionsResult:
    """A SELECT result: variable names (without '?') and rows of terms (None where unbound)."""

    variables: list[str]
    rows: list[tuple[Term | None, ...]]
    truncated: bool = False  # True when more rows existed than the ``limit`` asked for

    def dicts(self) -> list[dict[str, Term]]:
        """Rows as ``{variable: term}`` without the unbound ones (convenient for templates)."""
        return [
            {v: t for v, t in zip(self.variables, row, strict=True) if t is not None} for row in self.rows
        ]


@dataclass(frozen=True)
class Dataset:
    """The RDF dataset of a query, as the SPARQL 1.1 Protocol's dataset parameters give it.

    The default graph is the merge of ``default_graphs`` (empty when there are none) and the named graphs
    are exactly ``named_graphs``: the protocol's dataset replaces the query's own FROM / FROM NAMED.
    """

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for g in (*self.default_graphs, *self.named_graphs):
            check_graph_iri(g)


def query_dataset(parsed: object) -> Dataset | None:
    """The dataset a checked query names with FROM / FROM NAMED (``store.query_guard.ParsedQuery``), or None."""
    default = tuple(getattr(parsed, "from_graphs", ()))
    named = tuple(getattr(parsed, "from_named", ()))
    if not default and not named:
        return None
    try:
        return Dataset(default, named)
    except ValueError:  # a FROM the store cannot name: the engine reads the query's own clause
        return None


@dataclass
class BooleanResult:
    value: bool


@dataclass
class GraphResult:
    """A CONSTRUCT or DESCRIBE result."""

    triples: list[ox.Triple]
    truncated: bool = False


QueryResult = SolutionsResult | BooleanResult | GraphResult


@dataclass
class RecordGraph:
    """One source record's graph: its IRI, its triples and the provenance triples about it.

    ``ntriples`` and ``provenance`` are N-Triples text (see ``ontology.ntriples``). Provenance triples
    have the graph IRI as subject and are kept in the store's provenance graph, so replacing or dropping
    the record replaces or drops them too.
    """

    iri: str
    ntriples: str
    provenance: str = ""
    #: True when the caller knows the graph does not exist yet: the update then skips the drops,
    #: which are most of an update's cost on a first harvest.
    new: bool = False


@dataclass
class StoreInfo:
    backend: str
    location: str
    details: dict[str, object] = field(default_factory=dict)


class Store(abc.ABC):
    """What the hub needs from a triple store. Implementations live one per module in this package."""

    #: short backend name shown in `srom` output and /api
    backend: str = "abstract"
    #: whether ``query(timeout=...)`` really stops the query (True) or only stops waiting for it (False)
    cancels_on_timeout: bool = False

    def __init__(self, provenance_graph: str) -> None:
        self.provenance_graph = provenance_graph

    # --- reading -------------------------------------------------------------------------------
    @abc.abstractmethod
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
        """Run a SPARQL 1.1 query over the union default graph (or over ``dataset`` when given).

        ``substitutions`` binds variables (names without '?') to RDF terms before evaluation; ``rows``
        binds a variable to each of several terms in turn (a page of objects, a batch of graphs), as a
        VALUES block the store writes after it checked the query. Values are never spliced into the text
        by callers. ``limit`` caps SELECT rows and CONSTRUCT triples (the result says ``truncated``).
        Raises QuerySyntaxError, QueryTimeout, StoreUnavailable.
        """

    @abc.abstractmethod
    def graph_names(self, prefix: str | None = None) -> list[str]:
        """IRIs of the named graphs, optionally only those starting with ``prefix``."""

    @abc.abstractmethod
    def count_quads(self) -> int:
        """Number of quads in the whole store."""

    @abc.abstractmethod
    def dump(self, out: BinaryIO) -> None:
        """Write every quad as N-Quads to ``out``."""

    # --- writing -------------------------------------------------------------------------------
    @abc.abstractmethod
    def update(self, sparql: str) -> None:
        """Run a SPARQL 1.1 Update request as one transaction."""

    def replace_graphs(self, records: Sequence[RecordGraph], *, additions: Sequence[RecordGraph] = ()) -> None:
        """Replace each record's graph and provenance, all records in one transaction.

        ``additions`` are triples added (not replaced) to shared graphs in the same transaction: the
        descriptions of terms many records point at (see ``harvesters.run``).
        """
        if records or additions:
            self.update(build_replace_update(records, self.provenance_graph, additions))

    def drop_graphs(self, graph_iris: Iterable[str]) -> None:
        """Drop record graphs and their provenance, in one transaction. Unknown graphs are ignored."""
        iris = list(graph_iris)
        if iris:
            self.update(build_drop_update(iris, self.provenance_graph))

    def load_graphs(self, records: Sequence[RecordGraph], *, additions: Sequence[RecordGraph] = ()) -> None:
        """Add record graphs that do not exist yet (and their provenance) through the bulk path.

        Several times faster than :meth:`replace_graphs` on a first harvest, but not atomic: a failure
        can leave part of the batch written. Callers use it only for graphs absent from the store and
        replay a failed batch with :meth:`replace_graphs`, which drops whatever part was written.
        ``additions`` are added to shared graphs, as in :meth:`replace_graphs`.
        """
        data = build_nquads(records, self.provenance_graph, additions)
        if data:
            self.bulk_load(data.encode())

    def graph_states(self, graph_iris: Sequence[str], predicate: str) -> dict[str, str | None]:
        """Which of ``graph_iris`` exist, each with the value of ``predicate`` on it in the provenance graph.

        Graphs that do not exist are left out; an existing graph without the value maps to None. One
        query per call: the harvest asks once per batch (e.g. for the stored content hashes).
        """
        iris = [check_graph_iri(g) for g in dict.fromkeys(graph_iris)]
        if not iris:
            return {}
        # FILTER EXISTS looks the graph up in the quad index; `GRAPH ?g {}` with ?g bound scans the list
        # of named graphs for every row in Oxigraph (measured ~9x slower on 20,000 graphs).
        query = ("SELECT ?g ?v WHERE { FILTER EXISTS { GRAPH ?g { ?s ?p ?o } } "
                 "OPTIONAL { GRAPH ?provenance { ?g ?predicate ?v } } }")
        result = self.query(query, rows={"g": [ox.NamedNode(g) for g in iris]},
                            substitutions={"provenance": ox.NamedNode(self.provenance_graph),
                                           "predicate": ox.NamedNode(predicate)})
        states: dict[str, str | None] = {}
        for row in getattr(result, "rows", []):
            graph, value = row[0], row[1]
            if isinstance(graph, ox.NamedNode):
                states[graph.value] = value.value if value is not None else states.get(graph.value)
        return states

    @abc.abstractmethod
    def bulk_load(self, nquads: bytes) -> None:
        """Load N-Quads as fast as the backend can, without transactional guarantees (bench, restore)."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release files, locks and connections."""

    def info(self) -> StoreInfo:
        return StoreInfo(self.backend, "")

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def materialise(
    result: ox.QuerySolutions | ox.QueryBoolean | Iterable[ox.Triple | ox.Quad], limit: int | None
) -> QueryResult:
    """Turn a lazy pyoxigraph result into lists, reading ``limit + 1`` items to tell ``truncated``.

    Shared by the backends so that ``limit`` and ``truncated`` mean the same everywhere. Stopping at
    ``limit + 1`` also stops reading a streamed HTTP body early.
    """
    if isinstance(result, ox.QueryBoolean):
        return BooleanResult(bool(result))
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        rows: list[tuple[Term | None, ...]] = []
        for solution in result:
            if limit is not None and len(rows) >= limit:
                return SolutionsResult(variables, rows, truncated=True)
            rows.append(tuple(solution))
        return SolutionsResult(variables, rows)
    triples: list[ox.Triple] = []
    for item in result:
        if limit is not None and len(triples) >= limit:
            return GraphResult(triples, truncated=True)
        # RDF parsers yield quads (in the default graph) even for N-Triples.
        triples.append(item.triple if isinstance(item, ox.Quad) else item)
    return GraphResult(triples)


# Characters an IRIREF cannot hold: a graph IRI is written between <...> in update text, so one of
# these would end the IRI early and let the rest be read as SPARQL.
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def check_graph_iri(iri: str) -> str:
    """``iri`` if it can be written as ``<iri>`` in SPARQL, else ValueError."""
    if not iri or ":" not in iri or _IRI_FORBIDDEN.search(iri):
        raise ValueError(f"not a valid graph IRI: {iri[:200]!r}")
    return iri


def _drop_statements(iris: Iterable[str], provenance_graph: str) -> Iterator[str]:
    check_graph_iri(provenance_graph)
    for g in iris:
        check_graph_iri(g)
        yield f"DROP SILENT GRAPH <{g}>"
        yield f"DELETE WHERE {{ GRAPH <{provenance_graph}> {{ <{g}> ?p ?o }} }}"


def build_drop_update(iris: Sequence[str], provenance_graph: str) -> str:
    return " ;\n".join(_drop_statements(iris, provenance_graph))


def build_nquads(records: Sequence[RecordGraph], provenance_graph: str, additions: Sequence[RecordGraph] = ()) -> str:
    """N-Quads of record graphs, their provenance and additions, from their N-Triples text."""
    return "".join(iter_nquads(records, provenance_graph, additions))


def iter_nquads(
    records: Sequence[RecordGraph], provenance_graph: str, additions: Sequence[RecordGraph] = ()
) -> Iterator[str]:
    """:func:`build_nquads` in pieces (one per graph), for writers that stream them to a file.

    N-Triples lines end with `` .\n`` and a literal cannot hold a raw newline, so putting the graph name
    before each line's end is one ``str.replace`` per graph, with no per-line Python work. Text that does
    not have that shape (another serialiser's spacing) is parsed instead.
    """

    def quads(text: str, graph: str) -> Iterator[str]:
        if not text:
            return
        if not text.endswith("\n"):
            text += "\n"
        suffix = f" <{check_graph_iri(graph)}> .\n"
        if text.count("\n") == text.count(" .\n"):
            yield text.replace(" .\n", suffix)
            return
        name = ox.NamedNode(graph)
        yield from (f"{t.subject} {t.predicate} {t.object} <{name.value}> .\n"
                    for t in ox.parse(text.encode(), format=ox.RdfFormat.N_TRIPLES))

    for r in (*records, *additions):
        yield from quads(r.ntriples, r.iri)
    yield from quads("".join(r.provenance for r in records), provenance_graph)


def build_replace_update(
    records: Sequence[RecordGraph], provenance_graph: str, additions: Sequence[RecordGraph] = ()
) -> str:
    """One SPARQL Update request that drops then re-inserts every record graph (atomic per request)."""
    parts = list(replace_operations(records, provenance_graph, additions))
    return " ;\n".join(parts)


def replace_operations(
    records: Sequence[RecordGraph], provenance_graph: str, additions: Sequence[RecordGraph] = ()
) -> Iterator[str]:
    """The operations of :func:`build_replace_update`, one by one (the drops, then one INSERT DATA)."""
    yield from _drop_statements((r.iri for r in records if not r.new), provenance_graph)
    body: list[str] = []
    for r in (*records, *additions):
        body.append(f"GRAPH <{check_graph_iri(r.iri)}> {{\n{r.ntriples}}}\n")
    provenance = "".join(r.provenance for r in records)
    if provenance:
        body.append(f"GRAPH <{check_graph_iri(provenance_graph)}> {{\n{provenance}}}\n")
    yield "INSERT DATA {\n" + "".join(body) + "}"


def drop_operations(iris: Iterable[str], provenance_graph: str) -> Iterator[str]:
    """The operations of :func:`build_drop_update`, one by one."""
    return _drop_statements(iris, provenance_graph)
