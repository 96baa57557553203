"""The embedded backend: a pyoxigraph Store in this process, in memory or in a RocksDB directory.

Used by tests and one-shot CLI commands. This module owns opening the directory (and reporting a lock
held by another process), the query timeout and result materialisation. It must not be opened inside
``create_app()``: RocksDB allows one read-write opener per directory, so the web app opens it lazily or
talks to the managed server instead (DESIGN.md, "The store").

pyoxigraph has no query timeout and a long query ignores signals. With a timeout the query and the
materialisation of its result run in a worker thread (pyoxigraph releases the GIL, so the caller keeps
running) and the caller stops waiting after ``timeout`` seconds. The worker cannot be stopped: it runs on
until the query ends, which is why ``cancels_on_timeout`` is False. ``info()`` reports how many such
abandoned queries are still running.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import BinaryIO, TypedDict, TypeVar, Unpack

import pyoxigraph as ox

from store.base import (
    Dataset,
    QueryResult,
    QuerySyntaxError,
    QueryTimeout,
    RecordGraph,
    Store,
    StoreError,
    StoreInfo,
    StoreUnavailable,
    Term,
    build_nquads,
    check_graph_iri,
    iter_nquads,
    materialise,
    query_dataset,
)
from store.bind_values import bind_rows, bind_values
from store.query_guard import check_query
from store.values import Value

T = TypeVar("T")


class _NQuadsSource(TypedDict, total=False):
    input: bytes | str  # N-Quads text
    path: str  # an N-Quads file


#: loads of at least this many records go to the bulk loader through a file (see ``load_graphs``)
SPOOL_RECORDS = 1000


def _spool_prefix(store_path: Path) -> str:
    """Name prefix of the load files beside a store (one store's, not its neighbours')."""
    return f".srom-load-{store_path.name}-"


class EmbeddedStore(Store):
    """pyoxigraph in-process. ``path=None`` keeps everything in memory."""

    backend = "embedded"
    cancels_on_timeout = False

    def __init__(
        self,
        path: str | Path | None,
        provenance_graph: str,
        read_only: bool = False,
        *,
        query_timeout: float | None = None,
    ) -> None:
        super().__init__(provenance_graph)
        self.path = Path(path) if path is not None else None
        #: the timeout used when ``query()`` is called without one (None: wait as long as it takes)
        self.query_timeout = query_timeout
        self.read_only = read_only
        self._abandoned: list[threading.Thread] = []
        if self.path is None:
            if read_only:
                raise ValueError("a read-only store needs a directory")
            self._store: ox.Store | None = ox.Store()
            self.backend = "memory"
            return
        try:
            if read_only:
                self._store = ox.Store.read_only(str(self.path))
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(self.path))
        except OSError as e:
            if "lock" in str(e).lower():
                raise StoreUnavailable(
                    f"the store directory {self.path} is locked by another process (is `srom serve` or "
                    f"an Oxigraph server running on it? use it instead, or stop it first): {e}"
                ) from e
            raise StoreUnavailable(f"cannot open the store directory {self.path}: {e}") from e
        self._remove_stale_spools()

    # --- helpers -------------------------------------------------------------------------------
    @property
    def store(self) -> ox.Store:
        if self._store is None:
            raise StoreError("the store is closed")
        return self._store

    def _run(self, work: Callable[[], T], timeout: float | None) -> T:
        if timeout is None:
            return work()
        future: Future[T] = Future()

        def target() -> None:
            try:
                future.set_result(work())
            except BaseException as e:  # handed to the waiting caller, re-raised there
                future.set_exception(e)

        # A daemon thread, not a ThreadPoolExecutor: executor threads are joined at exit, so one
        # runaway query would keep the process from ever exiting.
        worker = threading.Thread(target=target, name="srom-embedded-query", daemon=True)
        worker.start()
        try:
            return future.result(timeout=max(timeout, 0.0))
        except TimeoutError:
            self._abandoned.append(worker)
            error = QueryTimeout(
                f"the query did not finish within {timeout:g} s (it still runs in the background: "
                "the embedded store cannot cancel queries)"
            )
            error.still_running = worker
            raise error from None

    # --- reading -------------------------------------------------------------------------------
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
        # materialise reads limit + 1 rows to tell truncated
        sparql = bind_rows(checked.text_for_rows(None if limit is None else limit + 1), rows)
        subs: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] | None = (
            {ox.Variable(k): v for k, v in substitutions.items()} if substitutions else None
        )
        store = self.store
        # The union is the default graph unless the query names its own (FROM / FROM NAMED); the
        # protocol's dataset overrides both.
        dataset = dataset or query_dataset(checked)
        graphs: dict[str, object] = {"use_default_graph_as_union": True}
        if dataset is not None:
            graphs = {"default_graph": [ox.NamedNode(g) for g in dataset.default_graphs],
                      "named_graphs": [ox.NamedNode(g) for g in dataset.named_graphs]}

        def work() -> QueryResult:
            try:
                try:
                    result = store.query(sparql, substitutions=subs, **graphs)  # type: ignore[arg-type]
                except RuntimeError as e:
                    # pyoxigraph 0.5 binds only variables the SELECT projects ("does not contains variable
                    # ?x in its SELECT projection"); elsewhere bind them as the protocol backend does.
                    if not substitutions or "projection" not in str(e):
                        raise
                    result = store.query(bind_values(sparql, substitutions), **graphs)  # type: ignore[arg-type]
                return materialise(result, limit)
            except SyntaxError as e:
                raise QuerySyntaxError(str(e)) from None
            except (OSError, RuntimeError) as e:
                raise StoreError(f"query failed: {e}") from e

        return self._run(work, timeout if timeout is not None else self.query_timeout)

    def graph_names(self, prefix: str | None = None) -> list[str]:
        names = (g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))
        return sorted(n for n in names if prefix is None or n.startswith(prefix))

    def load_graphs(self, records: Sequence[RecordGraph], *, additions: Sequence[RecordGraph] = ()) -> None:
        if self.path is None or len(records) < SPOOL_RECORDS:
            # Small loads go as text: pyoxigraph reads str itself, without a Python-level copy to bytes.
            data = build_nquads(records, self.provenance_graph, additions)
            if data:
                self.bulk_load(data)
            return
        # A first harvest's batch (5,000 records, ~300k quads) is written to a file beside the store and
        # loaded from there: handed over as one str, the text and the loader's copy of it double the peak
        # memory (measured at 10,000 records a load: 1,109 MB as str, 557 MB from a file, same CPU).
        if self.read_only:
            raise StoreError("the store is open read-only")
        spool = tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".nq", prefix=_spool_prefix(self.path),
                                            dir=self.path.parent, delete=False)
        try:
            with spool:
                spool.writelines(iter_nquads(records, self.provenance_graph, additions))
            self._bulk_load(path=spool.name)
        finally:
            Path(spool.name).unlink(missing_ok=True)

    def _remove_stale_spools(self) -> None:
        # A load killed half-way leaves its file; the store's lock says no other process is loading it now.
        if self.path is not None and not self.read_only:
            for stale in self.path.parent.glob(_spool_prefix(self.path) + "*.nq"):
                stale.unlink(missing_ok=True)

    def graph_states(self, graph_iris: Sequence[str], predicate: str) -> dict[str, str | None]:
        # In process, the store's own lookups beat a SPARQL query (~3x: no parsing, no VALUES join).
        store, provenance, pred = self.store, ox.NamedNode(self.provenance_graph), ox.NamedNode(predicate)
        states: dict[str, str | None] = {}
        for iri in dict.fromkeys(graph_iris):
            graph = ox.NamedNode(check_graph_iri(iri))
            if next(iter(store.quads_for_pattern(None, None, None, graph)), None) is None:
                continue
            value = next(iter(store.quads_for_pattern(graph, pred, None, provenance)), None)
            state = value.object if value is not None else None
            assert not isinstance(state, ox.Triple)  # the hub writes a literal there
            states[iri] = state.value if state is not None else None
        return states

    def count_quads(self) -> int:
        return len(self.store)

    def dump(self, out: BinaryIO) -> None:
        self.store.dump(out, format=ox.RdfFormat.N_QUADS)

    # --- writing -------------------------------------------------------------------------------
    def update(self, sparql: str) -> None:
        if self.read_only:
            raise StoreError("the store is open read-only")
        try:
            self.store.update(sparql)  # one transaction: a failing operation rolls back the request
        except SyntaxError as e:
            raise QuerySyntaxError(str(e)) from None
        except (OSError, RuntimeError) as e:
            raise StoreError(f"update failed: {e}") from e

    def bulk_load(self, nquads: bytes | str) -> None:
        self._bulk_load(input=nquads)

    def _bulk_load(self, **source: Unpack[_NQuadsSource]) -> None:
        """The store's bulk loader on N-Quads given as ``input=`` text or a ``path=`` to a file."""
        if self.read_only:
            raise StoreError("the store is open read-only")
        try:
            # bulk_load skips the transaction log: ~4x faster on disk (DESIGN.md, measured).
            self.store.bulk_load(**source, format=ox.RdfFormat.N_QUADS)
        except SyntaxError as e:
            raise StoreError(f"invalid N-Quads: {e}") from None
        except OSError as e:
            raise StoreError(f"bulk load failed: {e}") from e

    def close(self) -> None:
        if self._store is not None and self.path is not None and not self.read_only:
            self._store.flush()
        # The RocksDB lock is released when the last reference goes; an abandoned query thread keeps
        # one until it ends.
        self._store = None

    def info(self) -> StoreInfo:
        self._abandoned = [t for t in self._abandoned if t.is_alive()]
        return StoreInfo(
            self.backend,
            str(self.path) if self.path else ":memory:",
            {"read_only": self.read_only, "abandoned_queries_running": len(self._abandoned)},
        )
