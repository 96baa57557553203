"""What a harvest keeps in the registry between its batches: lock, batch journal, checkpoints, removals.

Mixed into :class:`harvesters.feed_database.FeedDatabase` (same SQLite file, same one-transaction-per-call rule):

- **Lock** (``harvest_locks``): one harvest per museum at a time, across threads and processes (the
  scheduler in ``srom serve``, ``srom harvest`` in a terminal, a web request). A lock whose process is
  gone (same host: the pid no longer runs; another host: no heartbeat for ``LOCK_STALE_SECONDS``) is
  taken over, so a SIGKILLed harvest does not block its museum.
- **Batch journal** (``harvest_batch``): before a batch is written to the store, the change of every
  graph in it (new, updated, deleted) is noted; :meth:`commit_batch` then saves the checkpoint, the
  counts, the quarantine entries and (for a full run) the graphs seen, and clears the journal, in one
  transaction. A run that dies between the store write and the commit finds the journal when resumed and
  counts the replayed records as they were counted the first time (see ``harvesters.pipeline``).
- **Removals held by the mass-drop guard** (``removal_requests``, ``removal_graphs``): a full harvest that
  would remove more than the allowed share of a museum's records leaves the list here until the admin or
  the museum confirms it (or a later harvest sees the records again, which takes them off the list).

This module stores bookkeeping only; it never touches the store.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from harvesters.activity import JOURNAL_TYPE
from ontology.clock import utc_now

#: a lock held from another host with no heartbeat for this long is considered abandoned
LOCK_STALE_SECONDS = 3600.0
_CHUNK = 500  # SQLite host parameters per statement stay far below its limit

STATE_SCHEMA = """
CREATE TABLE IF NOT EXISTS harvest_locks (
    museum TEXT PRIMARY KEY,
    token TEXT NOT NULL,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    acquired TEXT NOT NULL,
    heartbeat REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS harvest_batch (
    run_id INTEGER NOT NULL,
    graph TEXT NOT NULL,
    change TEXT NOT NULL,
    PRIMARY KEY (run_id, graph)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS harvest_seen (
    run_id INTEGER NOT NULL,
    graph TEXT NOT NULL,
    PRIMARY KEY (run_id, graph)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS removal_requests (
    museum TEXT PRIMARY KEY REFERENCES museums(id) ON DELETE CASCADE,
    run_id INTEGER,
    total INTEGER NOT NULL,
    requested TEXT NOT NULL,
    confirmed_by TEXT,
    confirmed TEXT
);
CREATE TABLE IF NOT EXISTS removal_graphs (
    museum TEXT NOT NULL REFERENCES museums(id) ON DELETE CASCADE,
    graph TEXT NOT NULL,
    PRIMARY KEY (museum, graph)
) WITHOUT ROWID;
"""


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed child not yet reaped by its parent is a zombie: it holds nothing any more
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


class HarvestStateMixin:
    """FeedDatabase methods for the state of harvests in progress (needs ``_connect`` from the FeedDatabase)."""

    _connect: Any  # provided by FeedDatabase: a context manager yielding a connection in one transaction

    # --- lock ----------------------------------------------------------------------------------
    def acquire_lock(self, museum_id: str, token: str, *, stale_after: float = LOCK_STALE_SECONDS) -> bool:
        """Take the harvest lock of ``museum_id`` for ``token``; False if a live holder has it."""
        host = socket.gethostname()
        with self._connect() as db:
            row = db.execute("SELECT * FROM harvest_locks WHERE museum = ?", (museum_id,)).fetchone()
            if row is not None:
                if row["token"] == token:
                    return True
                if row["host"] == host:
                    stale = row["pid"] != os.getpid() and not _process_alive(row["pid"])
                else:
                    stale = time.time() - row["heartbeat"] > stale_after
                if not stale:
                    return False
                db.execute("DELETE FROM harvest_locks WHERE museum = ? AND token = ?", (museum_id, row["token"]))
            try:
                db.execute(
                    "INSERT INTO harvest_locks (museum, token, pid, host, acquired, heartbeat) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (museum_id, token, os.getpid(), host, utc_now(), time.time()),
                )
            except sqlite3.IntegrityError:  # another process took it in the meantime
                return False
        return True

    def release_lock(self, museum_id: str, token: str) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM harvest_locks WHERE museum = ? AND token = ?", (museum_id, token))

    def lock_holder(self, museum_id: str) -> dict[str, Any] | None:
        """Who holds the museum's harvest lock (pid, host, acquired), or None."""
        with self._connect() as db:
            row = db.execute("SELECT pid, host, acquired FROM harvest_locks WHERE museum = ?", (museum_id,)).fetchone()
        return dict(row) if row else None

    # --- runs in progress ------------------------------------------------------------------------
    def interrupted_run(self, museum_id: str) -> Any:
        """The museum's latest run if it did not finish and can be continued, else None.

        A run can be continued when it is still marked ``running`` (its process died: the caller holds
        the lock, so nobody else runs it) or ``failed`` with a checkpoint (a fault stopped it).
        """
        runs = self.runs(museum_id, limit=1)  # type: ignore[attr-defined]
        if not runs:
            return None
        run = runs[0]
        if run.outcome == "running" or (run.outcome == "failed" and run.checkpoint is not None):
            return run
        return None

    def reopen_run(self, run_id: int) -> None:
        """Mark an interrupted run as running again (one more attempt)."""
        with self._connect() as db:
            db.execute(
                "UPDATE harvest_runs SET outcome = 'running', finished = NULL, attempts = attempts + 1 WHERE id = ?",
                (run_id,),
            )

    # --- batch journal -----------------------------------------------------------------------------
    def begin_batch(self, run_id: int, changes: Mapping[str, str]) -> None:
        """Note the change of each graph of the batch about to be written (replacing an older note)."""
        with self._connect() as db:
            db.execute("DELETE FROM harvest_batch WHERE run_id = ?", (run_id,))
            db.executemany(
                "INSERT INTO harvest_batch (run_id, graph, change) VALUES (?, ?, ?)",
                [(run_id, g, c) for g, c in changes.items()],
            )

    def pending_batch(self, run_id: int) -> dict[str, str]:
        """The changes of a batch written (or not) when the run was interrupted: graph IRI → change."""
        with self._connect() as db:
            rows = db.execute("SELECT graph, change FROM harvest_batch WHERE run_id = ?", (run_id,)).fetchall()
        return {r["graph"]: r["change"] for r in rows}

    def commit_batch(
        self,
        run_id: int,
        museum_id: str,
        *,
        checkpoint: dict[str, Any] | None,
        counts: Mapping[str, int],
        quarantined: Iterable[tuple[str, str]] = (),
        released: Iterable[str] = (),
        seen: Iterable[str] = (),
        written: Iterable[str] = (),
        lock_token: str | None = None,
    ) -> None:
        """After the store write of a batch: checkpoint, counts and bookkeeping in one transaction.

        ``written`` graphs (the source has them) are taken off a held removal list.
        """
        now = utc_now()
        with self._connect() as db:
            values = {k: int(v) for k, v in counts.items()}
            assignments = ", ".join(f"{k} = :{k}" for k in values)
            db.execute(
                f"UPDATE harvest_runs SET checkpoint = :checkpoint{', ' + assignments if assignments else ''} "
                "WHERE id = :id",
                {**values, "id": run_id, "checkpoint": json.dumps(checkpoint) if checkpoint is not None else None},
            )
            db.executemany(
                "INSERT INTO quarantine (museum, source_id, run_id, reason, recorded) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(museum, source_id) DO UPDATE SET run_id = excluded.run_id, "
                "reason = excluded.reason, recorded = excluded.recorded",
                [(museum_id, source_id, run_id, reason, now) for source_id, reason in quarantined],
            )
            db.executemany(
                "DELETE FROM quarantine WHERE museum = ? AND source_id = ?", [(museum_id, s) for s in released]
            )
            db.executemany(
                "INSERT OR IGNORE INTO harvest_seen (run_id, graph) VALUES (?, ?)", [(run_id, g) for g in seen]
            )
            db.executemany(
                "DELETE FROM removal_graphs WHERE museum = ? AND graph = ?", [(museum_id, g) for g in written]
            )
            # The batch is in the store: its changes join the hub's change log (harvesters.activity).
            db.execute(f"INSERT INTO activity (museum, graph, type, end_time) SELECT ?, graph, {JOURNAL_TYPE}, ? "
                       "FROM harvest_batch WHERE run_id = ? ORDER BY graph", (museum_id, now, run_id))
            db.execute("DELETE FROM harvest_batch WHERE run_id = ?", (run_id,))
            if lock_token:
                db.execute(
                    "UPDATE harvest_locks SET heartbeat = ? WHERE museum = ? AND token = ?",
                    (time.time(), museum_id, lock_token),
                )

    def unseen(self, run_id: int, graphs: list[str]) -> list[str]:
        """The graphs among ``graphs`` that the (full) run ``run_id`` did not see at the source."""
        missing: list[str] = []
        with self._connect() as db:
            for chunk in _chunks(graphs):
                marks = ", ".join("?" * len(chunk))
                found = {
                    r["graph"]
                    for r in db.execute(
                        f"SELECT graph FROM harvest_seen WHERE run_id = ? AND graph IN ({marks})", (run_id, *chunk)
                    )
                }
                missing += [g for g in chunk if g not in found]
        return missing

    def clear_run_state(self, run_id: int) -> None:
        """Forget a finished run's journal and seen-set (its checkpoint stays on the run for the record)."""
        with self._connect() as db:
            db.execute("DELETE FROM harvest_batch WHERE run_id = ?", (run_id,))
            db.execute("DELETE FROM harvest_seen WHERE run_id = ?", (run_id,))

    # --- removals held by the mass-drop guard ------------------------------------------------------------
    def hold_removal(self, museum_id: str, run_id: int, graphs: list[str], total: int) -> None:
        """Keep a full harvest's removals for confirmation (replacing an older held list)."""
        with self._connect() as db:
            db.execute("DELETE FROM removal_graphs WHERE museum = ?", (museum_id,))
            db.execute(
                "INSERT INTO removal_requests (museum, run_id, total, requested) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(museum) DO UPDATE SET run_id = excluded.run_id, total = excluded.total, "
                "requested = excluded.requested, confirmed_by = NULL, confirmed = NULL",
                (museum_id, run_id, total, utc_now()),
            )
            db.executemany(
                "INSERT OR IGNORE INTO removal_graphs (museum, graph) VALUES (?, ?)", [(museum_id, g) for g in graphs]
            )

    def pending_removal(self, museum_id: str) -> dict[str, Any] | None:
        """The removal waiting for confirmation: run_id, count, total, share, requested, confirmed_by/-at."""
        with self._connect() as db:
            row = db.execute("SELECT * FROM removal_requests WHERE museum = ?", (museum_id,)).fetchone()
            if row is None:
                return None
            count = db.execute("SELECT COUNT(*) FROM removal_graphs WHERE museum = ?", (museum_id,)).fetchone()[0]
        data = dict(row)
        data["count"] = int(count)
        data["share"] = round(count / data["total"], 4) if data["total"] else 0.0
        return data

    def removal_graphs(self, museum_id: str, limit: int | None = None) -> list[str]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT graph FROM removal_graphs WHERE museum = ? ORDER BY graph LIMIT ?", (museum_id, limit or -1)
            ).fetchall()
        return [r["graph"] for r in rows]

    def confirm_removals(self, museum_id: str, by: str) -> dict[str, Any] | None:
        """Confirm a held removal (the admin or the museum); the harvester applies it (now or next run)."""
        with self._connect() as db:
            db.execute(
                "UPDATE removal_requests SET confirmed_by = ?, confirmed = ? WHERE museum = ?",
                (by or "?", utc_now(), museum_id),
            )
        return self.pending_removal(museum_id)

    def discard_removal(self, museum_id: str) -> bool:
        """Drop a held removal without applying it (the records stay); True if there was one."""
        with self._connect() as db:
            db.execute("DELETE FROM removal_graphs WHERE museum = ?", (museum_id,))
            return db.execute("DELETE FROM removal_requests WHERE museum = ?", (museum_id,)).rowcount > 0

    def finish_removal(self, museum_id: str, graphs: list[str]) -> None:
        """The held ``graphs`` are gone from the store: forget them, and the request when none is left."""
        now = utc_now()
        with self._connect() as db:
            db.executemany(
                "DELETE FROM removal_graphs WHERE museum = ? AND graph = ?", [(museum_id, g) for g in graphs]
            )
            db.executemany("INSERT INTO activity (museum, graph, type, end_time) VALUES (?, ?, 'Delete', ?)",
                           [(museum_id, g, now) for g in graphs])
            left = db.execute("SELECT COUNT(*) FROM removal_graphs WHERE museum = ?", (museum_id,)).fetchone()[0]
            if not left:
                db.execute("DELETE FROM removal_requests WHERE museum = ?", (museum_id,))

