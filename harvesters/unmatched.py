"""Unmatched terms per feed (the hub admin's review list) and the thesaurus graph in the store.

- :class:`UnmatchedTerms`: the ``unmatched_terms`` table in the registry's SQLite file: per museum, kind,
  label and language, how many records of the run that last saw the term used it, and when.
- :class:`UnmatchedCollector`: a harvest record hook (``harvesters.pipeline``) that counts each mapped
  record's ``unmatched`` terms in memory, written to the table by :meth:`UnmatchedCollector.flush` at
  the end of the run. Terms the thesaurus has learnt since (an admin added a label) are pruned then.
- :func:`sync_thesaurus`: loads ``ontology/thesaurus.ttl`` into ``{base}/graph/thesaurus`` with its
  ``skos:broader`` closure materialised (``skos:broaderTransitive``, the reflexive ``srom:within``), stamped
  with the version hash, when the store holds another version (or none).

It owns that table and that graph only; it never touches record graphs or the registry's own tables.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ontology.clock import utc_now
from ontology.namespaces import OWL
from ontology.reconcile import reconcile
from ontology.thesaurus import get_thesaurus, graph_ntriples, thesaurus_graph
from store.base import BooleanResult, RecordGraph, Store

_SCHEMA = """
CREATE TABLE IF NOT EXISTS unmatched_terms (
    museum TEXT NOT NULL,
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    lang TEXT NOT NULL DEFAULT '',
    records INTEGER NOT NULL DEFAULT 0,
    run_id INTEGER,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    PRIMARY KEY (museum, kind, label, lang)
);
CREATE INDEX IF NOT EXISTS unmatched_terms_records ON unmatched_terms(records DESC);
"""

Key = tuple[str, str, str | None]  # (kind, label, language)


class UnmatchedTerms:
    """The review list, in the registry's SQLite file (``FeedDatabase.path``), one connection per operation."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        with self._connect() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30)
        try:
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            with db:
                yield db
        finally:
            db.close()

    def record(self, museum: str, run_id: int | None, counts: Counter[Key]) -> None:
        """Add a run's counts (records per term); a new run restarts a term's count, the same run adds."""
        if not counts:
            return
        now = utc_now()
        rows = [(museum, kind, label, lang or "", n, run_id, now, now) for (kind, label, lang), n in counts.items()]
        with self._connect() as db:
            db.executemany(
                "INSERT INTO unmatched_terms (museum, kind, label, lang, records, run_id, first_seen, last_seen) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(museum, kind, label, lang) DO UPDATE SET "
                "records = CASE WHEN run_id IS excluded.run_id THEN records + excluded.records "
                "ELSE excluded.records END, run_id = excluded.run_id, last_seen = excluded.last_seen",
                rows,
            )

    def terms(self, museum: str | None = None, kind: str | None = None, limit: int = 500) -> list[dict[str, Any]]:
        """The review list, most used first; ``museum`` and ``kind`` narrow it."""
        where, args = [], []
        if museum:
            where.append("museum = ?")
            args.append(museum)
        if kind:
            where.append("kind = ?")
            args.append(kind)
        sql = "SELECT museum, kind, label, lang, records, run_id, first_seen, last_seen FROM unmatched_terms"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY records DESC, museum, kind, label LIMIT ?"
        with self._connect() as db:
            rows = db.execute(sql, (*args, limit)).fetchall()
        return [dict(r) for r in rows]

    def prune_matched(self, museum: str | None = None) -> int:
        """Forget terms the thesaurus matches now (after a label was added); returns how many."""
        gone = [
            (t["museum"], t["kind"], t["label"], t["lang"])
            for t in self.terms(museum, limit=1_000_000)
            if t["kind"] != "period" and reconcile(t["kind"], None, [(t["label"], t["lang"] or None)]) is not None
        ]
        if gone:
            with self._connect() as db:
                db.executemany(
                    "DELETE FROM unmatched_terms WHERE museum = ? AND kind = ? AND label = ? AND lang = ?", gone
                )
        return len(gone)

    def forget_museum(self, museum: str) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM unmatched_terms WHERE museum = ?", (museum,))


class UnmatchedCollector:
    """A record hook counting unmatched terms per museum during a harvest; :meth:`flush` writes them."""

    def __init__(self, registry_path: Path) -> None:
        self.table = UnmatchedTerms(registry_path)
        self._counts: dict[str, Counter[Key]] = {}
        self._lock = threading.Lock()

    def hook(self, mapped: Any, record: Any, museum: Any) -> Any:  # the RecordHook signature
        unmatched = getattr(mapped, "unmatched", ())
        if unmatched:
            with self._lock:
                self._counts.setdefault(museum.id, Counter()).update(set(unmatched))  # records, not mentions
        return mapped

    def flush(self, museum: str, run_id: int | None) -> None:
        with self._lock:
            counts = self._counts.pop(museum, Counter())
        self.table.record(museum, run_id, counts)
        self.table.prune_matched(museum)


_SYNC_ASK = "ASK { GRAPH ?g { ?g ?versionInfo ?version } }"


def sync_thesaurus(store: Store, base: str) -> bool:
    """Load the thesaurus and its closure into ``{base}/graph/thesaurus`` unless that exact version is there;
    True if loaded."""
    th = get_thesaurus()
    graph = thesaurus_graph(base)
    result = store.query(
        _SYNC_ASK,
        substitutions={"g": ox.NamedNode(graph), "versionInfo": ox.NamedNode(OWL.versionInfo),
                       "version": ox.Literal(th.version)},
    )
    if isinstance(result, BooleanResult) and result.value:
        return False
    text = graph_ntriples(th, graph)
    store.replace_graphs([RecordGraph(graph, text)])
    return True
