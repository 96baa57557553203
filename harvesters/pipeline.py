"""The harvest pipeline of one run: pages in, record graphs out, in batches, with a checkpoint per batch.

Three threads, so that the feed, the mapping and the store work at the same time (pyoxigraph, lxml and
sockets release the GIL; the mapping itself is Python):

1. **fetch** (:func:`prefetch`): the protocol source's pages (HTTP, parsing and mapping), one page
   ahead — for a large feed in a worker process on the other core (``harvesters.map_worker``);
2. **classify** (the caller's thread, :meth:`Pipeline.run`): each mapped record passes the record hooks
   and gets a content hash; records are collected into a batch, and each batch is classified
   against the store: one query gives which graphs exist and their stored content hash, so every record
   is *new*, *updated*, *unchanged* (same hash: not written at all) or *deleted*;
3. **write** (:class:`_Writer`): per batch, in order: note the batch's changes in the registry journal,
   drop deleted graphs, replace updated graphs in one transaction, add new graphs through the store's
   bulk path (``Store.load_graphs``; a museum's first harvest uses batches ``BULK_BATCH_FACTOR`` times
   bigger, which the bulk loader handles with less CPU), then commit the checkpoint (the source's
   position after the batch's last page), the counts and the quarantine entries in one registry
   transaction. With a text index (``store.text_index``), the batch's documents are replaced and
   dropped between the store writes and that commit (and a replay re-indexes the same graphs).

Why a failed harvest leaves the data intact and can resume: the checkpoint is saved only after the
batch's store writes returned, so it never runs ahead of the store; what was stored before a failure
stays (updated graphs are replaced atomically; a new graph has no previous version). Resuming lists the
source again from the checkpoint: record graphs are replaced by IRI, so the replay is idempotent. The
journal makes the counts exact across a crash between a store write and its commit (a replayed record
that the lost batch had written is counted as it was counted then) and makes every graph of that
batch be written again through the transactional path, which drops any part a broken bulk load left.

Per-record work that must also run in this pipeline (reconciliation, validation) goes into the
``record_hooks``: ``hook(mapped, record, museum) -> MappedRecord`` may return a changed record or raise
``RecordError`` to quarantine it; hooks run before the content hash is taken.
"""

from __future__ import annotations

import functools
import hashlib
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from harvesters.feed_database import FeedDatabase, HarvestRun, Museum
from harvesters.map_worker import PreparedPage
from harvesters.shared_terms import move_external_terms, split_shared
from harvesters.source import SourceRecord
from mappings import MappedRecord, RecordError
from ontology.iris import IriMinter
from ontology.namespaces import SROM
from store.base import RecordGraph, Store
from store.text_index import TextIndex

T = TypeVar("T")
RecordHook = Callable[[MappedRecord, SourceRecord, Museum], MappedRecord]
CONTENT_HASH = SROM.contentHash
#: a first harvest (bulk path) writes and checkpoints batches this many times the usual size (when that
#: is at least 100 records). Bigger loads cost the store less CPU, but memory bounds them: measured on
#: 100,000 synthetic LIDO records (5.7M quads) fed to the bulk loader in loads of 2,500 / 5,000 / 10,000 /
#: 20,000 records, 162 / 154 / 141 / 139 CPU s; a whole harvest (`make bench`) peaked at 682 MB with loads
#: of 5,000 records and at 1,317 MB with 10,000 (a batch being loaded, one queued, one being filled).
BULK_BATCH_FACTOR = 10
_DONE = object()


def content_hash(mapped: MappedRecord) -> str:
    """What decides "unchanged": the record's triples, its shared-term triples and the mapping version.

    SHA-256 (128 bits kept): with the CPU's SHA extensions ~2.5x faster here than BLAKE2b (measured).
    """
    h = hashlib.sha256(mapped.ntriples.encode())
    h.update(b"\x00")
    h.update(mapped.shared_ntriples.encode())
    h.update(b"\x00")
    h.update(mapped.mapping_version.encode())
    return h.hexdigest()[:32]


def prefetch(items: Iterable[T], depth: int = 2, *, stop_wait: float = 5.0) -> Iterator[T]:
    """Iterate ``items`` in a thread, ``depth`` items ahead; exceptions are re-raised in the consumer.

    When the consumer stops early, the producer is told to stop and ``items`` is closed (stopping a
    mapping worker) as soon as its current item is done; the consumer waits for that at most
    ``stop_wait`` seconds (a request in progress may take longer; the thread is a daemon).
    """
    q: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()
    iterator = iter(items)

    def produce() -> None:
        try:
            for item in iterator:
                while not stop.is_set():
                    try:
                        q.put((True, item), timeout=0.2)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put((True, _DONE))
        except BaseException as exc:  # handed to the consumer
            q.put((False, exc))
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=produce, name="srom-harvest-fetch", daemon=True)
    thread.start()
    try:
        while True:
            ok, item = q.get()
            if not ok:
                raise item
            if item is _DONE:
                return
            yield item
    finally:
        stop.set()
        deadline = time.monotonic() + stop_wait
        while thread.is_alive() and time.monotonic() < deadline:  # unblock a producer waiting on a full queue
            try:
                q.get_nowait()
            except queue.Empty:
                thread.join(0.1)


@dataclass
class _Entry:
    graph: str
    record: SourceRecord
    mapped: MappedRecord | None = None  # None: deleted at the source
    digest: str | None = None


@dataclass
class _Batch:
    entries: list[_Entry] = field(default_factory=list)
    quarantined: list[tuple[str, str]] = field(default_factory=list)
    present: list[str] = field(default_factory=list)  # graphs of records the source has (mapped or not)

    def __len__(self) -> int:
        return len(self.entries) + len(self.quarantined)


@dataclass
class _Work:
    """One classified batch, ready for the writer."""

    changes: dict[str, str]  # graph → new | updated | deleted (what the journal notes)
    new: list[RecordGraph]
    updated: list[RecordGraph]
    drops: list[str]
    shared_graph: str
    shared: str
    checkpoint: dict[str, Any] | None
    counts: dict[str, int]
    quarantined: list[tuple[str, str]]
    released: list[str]
    present: list[str]
    full: bool
    held_removal: bool
    inflight: dict[str, str | None]
    #: descriptions of external terms, for the shared vocabulary graph (harvesters.shared_terms)
    external_graph: str = ""
    external: str = ""
    indexed: list[tuple[str, str, str]] = field(default_factory=list)  # written: (graph, triples, shared)


class _Writer:
    """Writes classified batches in order in its own thread; the first failure stops it and is re-raised."""

    def __init__(self, store: Store, registry: FeedDatabase, run_id: int, museum_id: str, lock_token: str | None,
                 use_bulk: bool, text_index: TextIndex | None = None) -> None:
        self.store, self.registry, self.text_index = store, registry, text_index
        self.run_id, self.museum_id, self.lock_token = run_id, museum_id, lock_token
        self.use_bulk = use_bulk
        #: seconds spent writing: the store (journal included), waiting for the text index after the store
        #: (it is written at the same time), and the registry commits
        self.timings = {"store": 0.0, "text_index": 0.0, "registry": 0.0}
        self.inflight: list[dict[str, str | None]] = []  # per submitted batch: graph → hash (None: dropped)
        self.lock = threading.Lock()
        self.error: BaseException | None = None
        self._queue: queue.Queue[_Work | None] = queue.Queue(maxsize=1)
        self._thread = threading.Thread(target=self._loop, name="srom-harvest-write", daemon=True)
        self._thread.start()

    def submit(self, work: _Work) -> None:
        self.check()
        with self.lock:
            self.inflight.append(work.inflight)
        self._queue.put(work)

    def check(self) -> None:
        if self.error is not None:
            raise self.error

    def close(self) -> None:
        """Wait for every submitted batch, then re-raise the writer's failure if there was one."""
        self._queue.put(None)
        self._thread.join()
        self.check()

    def lookup(self, graph: str) -> tuple[bool, str | None]:
        """(True, hash-or-None-if-dropped) if ``graph`` is in a batch not yet committed, else (False, None)."""
        with self.lock:
            for batch in reversed(self.inflight):
                if graph in batch:
                    return True, batch[graph]
        return False, None

    def _loop(self) -> None:
        while True:
            work = self._queue.get()
            if work is None:
                return
            if self.error is None:
                try:
                    self._write(work)
                except BaseException as exc:  # re-raised in the mapping thread
                    self.error = exc
            with self.lock:
                self.inflight.pop(0)

    def _write(self, work: _Work) -> None:
        started = time.perf_counter()
        if work.changes:
            self.registry.begin_batch(self.run_id, work.changes)
        additions = [RecordGraph(work.shared_graph, work.shared)] if work.shared else []
        if work.external:
            additions.append(RecordGraph(work.external_graph, work.external))
        # The batch's documents are built and committed to the text index while the store writes (the
        # store releases the GIL). Measured on 20,000 records: the index costs the harvest +42 % CPU; written
        # after the store, the writer waited 56 s for it in all, written alongside 2.3 s. Either may finish
        # first: until the checkpoint below, a batch is replayed as a whole (the journal).
        text_index, indexing = self.text_index, None
        if text_index is not None and (work.indexed or work.drops):
            indexing = _Background(functools.partial(text_index.index_records, work.indexed, work.drops))
        try:
            if work.drops:
                self.store.drop_graphs(work.drops)
            bulk = work.new if self.use_bulk else []
            replaced = work.updated + ([] if self.use_bulk else work.new)
            if replaced:
                self.store.replace_graphs(replaced, additions=[] if bulk else additions)
            if bulk or (additions and not replaced):
                self.store.load_graphs(bulk, additions=additions)
            stored = time.perf_counter()
        finally:
            if indexing is not None:
                indexing.wait()
        if indexing is not None:  # committed before the checkpoint: a replayed batch is indexed again
            indexing.join()
        indexed = time.perf_counter()
        self.registry.commit_batch(
            self.run_id, self.museum_id, checkpoint=work.checkpoint, counts=work.counts,
            quarantined=work.quarantined, released=work.released, seen=work.present if work.full else (),
            written=work.present if work.held_removal else (), lock_token=self.lock_token,
        )
        self.timings["store"] += stored - started
        self.timings["text_index"] += indexed - stored
        self.timings["registry"] += time.perf_counter() - indexed


class _Background:
    """``work()`` in a thread; :meth:`join` waits for it and re-raises its exception."""

    def __init__(self, work: Callable[[], None]) -> None:
        self.error: BaseException | None = None

        def run() -> None:
            try:
                work()
            except BaseException as exc:
                self.error = exc

        self._thread = threading.Thread(target=run, name="srom-harvest-index", daemon=True)
        self._thread.start()

    def wait(self) -> None:
        self._thread.join()

    def join(self) -> None:
        self.wait()
        if self.error is not None:
            raise self.error


class Pipeline:
    """One run's listing: see the module docstring. ``state`` is the run's HarvestProgress (counts)."""

    def __init__(self, *, store: Store, registry: FeedDatabase, minter: IriMinter, museum: Museum, run: HarvestRun,
                 state: Any, finish_record: Callable[[MappedRecord, SourceRecord, int], MappedRecord],
                 provenance: Callable[..., str],
                 batch_size: int, lock_token: str | None = None, use_bulk: bool = True,
                 progress: Callable[[Any], None] | None = None, bulk_batch_factor: int = BULK_BATCH_FACTOR,
                 text_index: TextIndex | None = None) -> None:
        self.store, self.registry, self.minter = store, registry, minter
        self.museum, self.harvest_run, self.state = museum, run, state
        self.finish_record, self.provenance = finish_record, provenance
        self.batch_size = max(1, batch_size)
        self.bulk_batch_factor = max(1, bulk_batch_factor)
        self.lock_token, self.use_bulk, self.progress = lock_token, use_bulk, progress
        self.text_index = text_index
        self.vocabulary = minter.vocabulary_graph(museum.id)
        move_external_terms(store, minter, museum.id)  # what an older hub kept in the museum's graph
        self.shared_written: set[str] = set()  # shared-term lines written in this run (bounded by the vocabulary)
        # The batch a previous attempt of this run was writing when it stopped: graph → change.
        self.journal = registry.pending_batch(run.id)
        # Records seen again leave a held removal list; without one there is nothing to take off.
        self.held_removal = registry.pending_removal(museum.id) is not None
        # A museum with no record graph yet (a first harvest) needs no per-batch store lookup: only the
        # graphs this run wrote itself can exist. Their hashes (ints) are kept, not the IRIs: a collision
        # only costs a lookup.
        self.fresh = not _has_graphs(store, minter.record_graph_prefix(museum.id))
        self.touched: set[int] = set()
        #: where the run's time went, once :meth:`run` returns (seconds; see there)
        self.timings: dict[str, float] = {}

    def run(self, pages: Iterable[PreparedPage], checkpoint: Callable[[PreparedPage | None], dict[str, Any]]) -> None:
        """Harvest ``pages``; ``checkpoint(page)`` is what to save after ``page`` (None: the listing ended)."""
        writer = _Writer(self.store, self.registry, self.harvest_run.id, self.museum.id, self.lock_token, self.use_bulk,
                         self.text_index)
        # Where the time goes (seconds, summed): waiting for pages, records (hooks, hash), classification
        # with its store lookup, waiting for the writer; the writer's own store and registry time.
        timings = {"wait_pages": 0.0, "records": 0.0, "classify": 0.0, "wait_writer": 0.0}
        # A first harvest writes through the bulk path, whose cost per quad grows with the number of
        # loads (more, smaller files for the store to compact): bigger batches there (measured: -19 % CPU
        # for 5,000 against 500 records per load at 50,000 records).
        # (Not for small batch sizes: whoever sets one wants fine-grained checkpoints, not throughput.)
        bulk = self.fresh and self.use_bulk and self.batch_size >= 100
        limit = self.batch_size * (self.bulk_batch_factor if bulk else 1)
        try:
            batch = _Batch()
            ended = False
            clock = time.perf_counter()
            for page in prefetch(pages):
                now = time.perf_counter()
                timings["wait_pages"] += now - clock
                self.state.pages += 0 if page.partial else 1
                self.state.complete_list_size = page.complete_list_size or self.state.complete_list_size
                self._add_page(batch, page)
                clock = time.perf_counter()
                timings["records"] += clock - now
                ended = page.checkpoint is None
                if len(batch) >= limit or ended:
                    work = self._classify(batch, writer, checkpoint(page))
                    now = time.perf_counter()
                    writer.submit(work)
                    timings["classify"] += now - clock
                    clock = time.perf_counter()
                    timings["wait_writer"] += clock - now
                    batch = _Batch()
                if self.progress:
                    self.progress(self.state)
                clock = time.perf_counter()
            if not ended:  # the source stopped after a page that promised more: the listing is over all the same
                writer.submit(self._classify(batch, writer, checkpoint(None)))
        finally:
            started = time.perf_counter()
            try:
                writer.close()
            finally:
                timings["wait_writer"] += time.perf_counter() - started
                timings.update({f"write_{k}": v for k, v in writer.timings.items()})
                self.timings = {k: round(v, 3) for k, v in timings.items()}

    def _add_page(self, batch: _Batch, page: PreparedPage) -> None:
        for prepared in page.records:
            record = prepared.record
            self.state.records += 1
            try:
                graph = self.minter.record_graph(self.museum.id, record.identifier)
            except ValueError as exc:
                batch.quarantined.append((record.identifier or "?", f"unusable identifier: {exc}"))
                continue
            if record.deleted:
                batch.entries.append(_Entry(graph, record))
                continue
            batch.present.append(graph)  # at the source, even if it cannot be mapped: never removed for that
            if prepared.error is not None:
                batch.quarantined.append((record.identifier, prepared.error))
                continue
            try:
                mapped = self.finish_record(prepared.mapped, record, page.hooks_done)
            except RecordError as exc:
                batch.quarantined.append((record.identifier, exc.reason))
                continue
            batch.entries.append(_Entry(graph, record, mapped, content_hash(mapped)))

    def _classify(self, batch: _Batch, writer: _Writer, checkpoint: dict[str, Any] | None) -> _Work:
        graphs = [e.graph for e in batch.entries]
        if self.fresh:
            graphs = [g for g in graphs if hash(g) in self.touched]
        stored = self.store.graph_states(graphs, CONTENT_HASH) if graphs else {}
        current: dict[str, str | None] = {}  # graph → content hash as the store will have it; None: absent
        for graph in dict.fromkeys(e.graph for e in batch.entries):
            found, value = writer.lookup(graph)  # a batch still being written is newer than the store
            if found:
                current[graph] = value
            elif graph in stored:
                current[graph] = stored[graph] or ""  # "": exists without a hash (written by an older hub)
            else:
                current[graph] = None
        state = self.state
        final: dict[str, _Entry] = {}  # graph → its last entry in the batch (what the store must end with)
        changes: dict[str, str] = {}  # graph → counted change (new, updated, deleted), for the journal
        replace: set[str] = set()  # graphs that must go through the transactional path
        released: list[str] = []
        for entry in batch.entries:
            before = current[entry.graph]
            noted = self.journal.pop(entry.graph, None)
            if noted:
                replace.add(entry.graph)
            released.append(entry.record.identifier)
            if entry.mapped is None:  # deleted at the source
                if before is not None or noted == "deleted":
                    state.deleted += 1
                    changes[entry.graph] = "deleted"
                if before is not None or noted:
                    final[entry.graph] = entry
                current[entry.graph] = None
                continue
            if noted in ("new", "updated") and before == entry.digest:
                change = noted  # the lost batch wrote it: count it as it was counted then
            elif before is None:
                change = "new"
            elif before == entry.digest and not noted:
                change = "unchanged"
            else:
                change = "updated"
            setattr(state, change, getattr(state, change) + 1)
            if change != "unchanged":
                changes[entry.graph] = change
                final[entry.graph] = entry
                if before is not None:
                    replace.add(entry.graph)
            current[entry.graph] = entry.digest
        state.quarantined += len(batch.quarantined)
        new: list[RecordGraph] = []
        updated: list[RecordGraph] = []
        drops: list[str] = []
        indexed: list[tuple[str, str, str]] = []
        shared: dict[str, None] = {}
        for graph, entry in final.items():
            if entry.mapped is None:
                drops.append(graph)
                continue
            if self.text_index is not None:
                indexed.append((graph, entry.mapped.ntriples, entry.mapped.shared_ntriples))
            record = RecordGraph(graph, entry.mapped.ntriples,
                                 self.provenance(entry.mapped, entry.record, entry.digest))
            if graph in replace:
                updated.append(record)
            else:
                record.new = True
                new.append(record)
            for line in entry.mapped.shared_ntriples.splitlines(keepends=True):
                if line not in self.shared_written:
                    shared[line] = None
        self.shared_written.update(shared)
        own, external = split_shared("".join(shared), self.minter.base)
        if self.fresh:
            self.touched.update(hash(g) for g in final)
        counts = {k: getattr(state, k) for k in ("new", "updated", "deleted", "quarantined", "unchanged", "records")}
        return _Work(changes, new, updated, drops, self.vocabulary, own, checkpoint, counts,
                     batch.quarantined, released, batch.present, self.harvest_run.full, self.held_removal,
                     {g: current[g] for g in final}, self.minter.shared_vocabulary_graph(), external,
                     indexed)


def _has_graphs(store: Store, prefix: str) -> bool:
    import pyoxigraph as ox

    result = store.query("ASK { GRAPH ?g { } FILTER(STRSTARTS(STR(?g), ?prefix)) }",
                         substitutions={"prefix": ox.Literal(prefix)})
    return bool(getattr(result, "value", True))


def drop_in_batches(store: Store, graphs: Sequence[str], size: int = 500) -> None:
    for i in range(0, len(graphs), size):
        store.drop_graphs(graphs[i : i + size])
