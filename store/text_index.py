"""The full-text index of objects: tantivy, embedded, in the instance folder next to the store.

One document per object IRI (``store.text_documents``: titles, identifiers, descriptions, the labels of
its terms and of the shared concepts they are reconciled to, in every language, all folded), keyed by
its record graph so the harvest can replace and drop documents exactly as it replaces and drops graphs.

Who writes, and how it stays in step with the store:

- the harvest, per batch, after the batch's store writes and before its checkpoint is committed
  (``harvesters.pipeline``): documents of the batch's graphs are deleted and added again in one commit.
  A run killed between the two is replayed from its checkpoint, and replaying a batch re-indexes the same
  graphs (delete by graph, then add): idempotent;
- removals (a full harvest's missing records, confirmed held removals, a deleted museum) delete from the
  index *before* the store drops the graphs, so a crash in between is redone from the store's state;
- ``srom index rebuild`` (:meth:`TextIndex.rebuild`) re-reads every record graph from the store, chunk by
  chunk, and deletes documents whose graph is gone. Searches keep answering during a rebuild.

One writer at a time: tantivy's lock file guards the directory across processes, a lock per directory
guards it across threads; a writer is opened per batch and closed after its commit (~2 ms to open), so
a harvest in ``srom serve`` and one started from the CLI take turns instead of failing. Each chunk of a
rebuild reads the store while it holds the writer, so a harvest batch written meanwhile is indexed after
it, never overwritten by an older reading.

Searching (:meth:`TextIndex.search`) never parses query syntax: the visitor's text is folded and cut into
words like the documents, and every word must match (a word of three or more letters also as the start
of a longer word, "silk" -> "silken"; Han and kana written together as a phrase) in some field, scored
with BM25 weighted by field (title > terms > descriptions > broader concepts).
"""

from __future__ import annotations

import logging
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy

from ontology.folding import word_groups
from store.base import QueryTimeout, Store
from store.text_documents import FIELDS, TextDocument, documents_from_ntriples, read_documents

log = logging.getLogger(__name__)

#: the index folder's name in the instance folder
INDEX_DIR = "text-index"
#: bumped when the documents or the schema change: an index of another version is rebuilt, not read
SCHEMA_VERSION = "1"
#: words of a search used at most (the rest are ignored), and the shortest word also matched as a prefix
MAX_WORDS = 16
PREFIX_MIN = 3
#: longer words match whole only (a prefix is a regex for tantivy, whose size is bounded)
PREFIX_MAX = 40
_VERSION_FILE = "srom-text-index-version"
_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


class TextIndexError(Exception):
    """The index cannot be used now (being written by another process for too long, wrong version...)."""


class UnreadableGraphs(TextIndexError):
    """A rebuild indexed every graph but these, whose read ran past the store's time limit even alone."""

    def __init__(self, graphs: Sequence[str], total: int) -> None:
        self.graphs = list(graphs)
        shown = ", ".join(f"<{g}>" for g in self.graphs[:5]) + (" ..." if len(self.graphs) > 5 else "")
        super().__init__(f"{len(self.graphs)} of {total} record graphs could not be read from the store within "
                         f"its time limit, even one at a time, and were not indexed anew: {shown}")


@dataclass(frozen=True)
class Hit:
    iri: str
    score: float
    museum: str


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for name in ("iri", "graph", "museum"):
        builder.add_text_field(name, stored=True, tokenizer_name="raw")
    for name in FIELDS:  # words are cut by ontology.folding; tantivy only splits them at the spaces
        builder.add_text_field(name, stored=False, tokenizer_name="whitespace")
    return builder.build()


class TextIndex:
    """The index in ``path`` (created on first write). Thread-safe; one writer per directory at a time."""

    def __init__(self, path: Path, *, lock_wait: float = 300.0, heap_bytes: int = 64_000_000) -> None:
        self.path = Path(path)
        self.lock_wait, self.heap_bytes = lock_wait, heap_bytes
        self.schema = _schema()
        self._index: tantivy.Index | None = None
        self._open_lock = threading.Lock()
        with _LOCKS_GUARD:
            self._write_lock = _LOCKS.setdefault(str(self.path.resolve()), threading.Lock())

    # --- opening -----------------------------------------------------------------------------------
    def exists(self) -> bool:
        """Whether an index of this version is in the folder (it may still be empty)."""
        version = self.path / _VERSION_FILE
        return version.is_file() and version.read_text().strip() == SCHEMA_VERSION

    def _open(self, *, create: bool) -> tantivy.Index | None:
        if self._index is not None:
            return self._index
        with self._open_lock:
            if self._index is None:
                if not self.exists():
                    if not create:
                        return None
                    if self.path.exists():  # another version, or a folder left by a crash before the first commit
                        shutil.rmtree(self.path)
                    self.path.mkdir(parents=True)
                    self._index = tantivy.Index(self.schema, path=str(self.path), reuse=False)
                    (self.path / _VERSION_FILE).write_text(SCHEMA_VERSION + "\n")
                else:
                    self._index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
        return self._index

    def count(self) -> int:
        """Documents in the index (0 when there is none)."""
        index = self._open(create=False)
        if index is None:
            return 0
        index.reload()
        return int(index.searcher().num_docs)

    def usable(self) -> bool:
        """Whether searches can be answered from the index: it exists and holds documents."""
        try:
            return self.count() > 0
        except (OSError, ValueError) as exc:  # a damaged folder: say so, the caller falls back
            log.warning("text index %s cannot be read: %s", self.path, exc)
            return False

    # --- writing -----------------------------------------------------------------------------------
    @contextmanager
    def _writer(self) -> Any:
        """The index writer, committed when the block ends normally (rolled back otherwise)."""
        index = self._open(create=True)
        assert index is not None
        deadline = time.monotonic() + self.lock_wait
        with self._write_lock:
            while True:
                try:
                    writer = index.writer(heap_size=self.heap_bytes, num_threads=1)
                    break
                except ValueError as exc:
                    if "LockBusy" not in str(exc) or time.monotonic() > deadline:
                        raise TextIndexError(f"the text index {self.path} is being written by another process "
                                             f"(waited {self.lock_wait:g} s): {exc}") from exc
                    time.sleep(0.2)
            try:
                yield writer
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            finally:
                writer.wait_merging_threads()  # also releases the lock

    def _put(self, writer: Any, graphs: Iterable[str], docs: Iterable[TextDocument]) -> None:
        for graph in graphs:
            writer.delete_documents_by_term("graph", graph)
        for doc in docs:
            writer.add_document(tantivy.Document(
                iri=doc.iri, graph=doc.graph, museum=doc.museum,
                **{name: getattr(doc, name) for name in FIELDS if getattr(doc, name)}))

    def index_records(self, records: Sequence[tuple[str, str, str]], drops: Sequence[str] = (), *,
                      labels: Mapping[str, Sequence[str]] | None = None) -> None:
        """Replace the documents of freshly written record graphs and delete those of ``drops``, one commit.

        ``records``: ``(graph IRI, record N-Triples, its shared-term N-Triples)`` as the harvest wrote them.
        ``labels``: museum terms' labels known beforehand (see ``documents_from_ntriples``).
        """
        if not records and not drops:
            return
        docs = documents_from_ntriples(records, labels)
        with self._writer() as writer:
            self._put(writer, [*drops, *(r[0] for r in records)], docs)

    def delete_graphs(self, graphs: Sequence[str]) -> None:
        """Delete the documents of record graphs (unknown graphs are ignored)."""
        if graphs and (self.exists() or self.path.exists()):
            with self._writer() as writer:
                self._put(writer, graphs, ())

    def delete_museum(self, museum_iri: str) -> None:
        """Delete every document of a museum (``IriMinter.museum(id)``)."""
        if self.exists():
            with self._writer() as writer:
                writer.delete_documents_by_term("museum", museum_iri)

    def refresh_from_store(self, store: Store, graphs: Sequence[str], *, timeout: float | None = None) -> int:
        """Re-read ``graphs`` from the store and replace their documents (absent graphs: deleted).

        ``timeout``: seconds per read (default: the store's own limit); past it, ``QueryTimeout`` and the
        index is left as it was."""
        with self._writer() as writer:  # the store is read under the writer: see the module doc
            docs = read_documents(store, graphs, timeout=timeout)
            self._put(writer, graphs, docs)
        return len(docs)

    def indexed_graphs(self) -> set[str]:
        """The record graphs the index has documents of."""
        index = self._open(create=False)
        if index is None:
            return set()
        index.reload()
        searcher = index.searcher()
        found = searcher.search(tantivy.Query.all_query(), limit=max(1, searcher.num_docs), count=False)
        return {searcher.doc(address)["graph"][0] for _, address in found.hits}

    def rebuild(self, store: Store, graphs: Sequence[str], *, chunk: int = 500,
                progress: Callable[[int, int], None] | None = None, timeout: float | None = None) -> int:
        """Index ``graphs`` (every record graph of the store) anew and drop documents of other graphs.

        Returns the number of documents written. ``progress(done, total)`` after each chunk. A chunk whose
        read runs past the store's time limit (``timeout`` seconds per read, default the store's own) is
        read again in halves, down to one graph; each chunk read in time lets the next one double again, up
        to ``chunk``. A graph that cannot be read even alone keeps its old document and the rebuild goes
        on: at the end, :class:`UnreadableGraphs` names them (every other graph is indexed by then).
        """
        written = done = 0
        size = max(1, chunk)
        unreadable: list[str] = []
        while done < len(graphs):
            part = graphs[done : done + size]
            try:
                written += self.refresh_from_store(store, part, timeout=timeout)
            except QueryTimeout as exc:
                if len(part) > 1:
                    size = len(part) // 2
                    log.warning("reading %d record graphs took too long (%s); reading %d at a time",
                                len(part), exc, size)
                    continue
                log.error("record graph <%s> could not be read in time: not indexed anew (%s)", part[0], exc)
                unreadable.append(part[0])
            else:
                size = min(chunk, size * 2)
            done += len(part)
            if progress:
                progress(done, len(graphs))
        stale = sorted(self.indexed_graphs() - set(graphs))
        for start in range(0, len(stale), chunk):
            self.delete_graphs(stale[start : start + chunk])
        if not graphs and not self.exists():
            with self._writer():  # an empty store still gets an (empty) index: "rebuilt", not "missing"
                pass
        if unreadable:
            raise UnreadableGraphs(unreadable, len(graphs))
        return written

    # --- searching ---------------------------------------------------------------------------------
    def search(self, text: str, language: str | None = None, limit: int = 20, *, museum: str | None = None,
               fields: Sequence[str] | None = None) -> list[Hit]:
        """Objects matching every word of ``text``, best first: ``[Hit(iri, score, museum)]``.

        ``text`` is plain words in any language or script (no query syntax: ``title:x OR *`` is the three
        words title, x, or). ``language`` is the visitor's (accepted for ranking by language later; the
        folding itself is the same for every language). ``museum``: only that museum's objects (its IRI).
        ``fields``: search only these (default: all of ``FIELDS``).
        """
        index = self._open(create=False)
        query = self._query(text, museum, fields)
        if index is None or query is None or limit <= 0:
            return []
        index.reload()
        searcher = index.searcher()
        found = searcher.search(query, limit=limit, count=False)
        hits = []
        for score, address in found.hits:
            stored = searcher.doc(address)
            hits.append(Hit(stored["iri"][0], float(score), (stored.get_first("museum") or "")))
        return hits

    def object_iris(self, text: str, limit: int) -> list[str]:
        """The IRIs of the best ``limit`` objects for ``text`` (see :meth:`search`)."""
        return [hit.iri for hit in self.search(text, limit=limit)]

    def _query(self, text: str, museum: str | None, fields: Sequence[str] | None) -> tantivy.Query | None:
        chosen = {name: FIELDS[name] for name in (fields or FIELDS) if name in FIELDS}
        groups = word_groups(text or "")[:MAX_WORDS]
        if not groups or not chosen:
            return None
        Q, must = tantivy.Query, tantivy.Occur.Must
        clauses = []
        for group in groups:
            per_field = []
            for name, weight in chosen.items():
                if len(group) > 1:
                    q = Q.phrase_query(self.schema, name, list[str | tuple[int, str]](group))
                else:
                    word = group[0]
                    q = Q.term_query(self.schema, name, word)
                    if PREFIX_MIN <= len(word) <= PREFIX_MAX and word.isalnum() and not _UNSPACED_CHAR.match(word):
                        prefix = Q.regex_query(self.schema, name, re.escape(word) + ".*")
                        q = Q.boolean_query([(tantivy.Occur.Should, Q.boost_query(q, 2.0)),
                                             (tantivy.Occur.Should, prefix)])
                per_field.append(Q.boost_query(q, weight))
            clauses.append((must, Q.disjunction_max_query(per_field, 0.1)))
        if museum:
            clauses.append((must, Q.term_query(self.schema, "museum", museum)))
        return Q.boolean_query(clauses)


_UNSPACED_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")


def index_path(instance: Path) -> Path:
    """Where an instance keeps its text index."""
    return Path(instance) / INDEX_DIR
