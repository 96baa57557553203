"""The hub's own change log: one row per object created, updated or deleted by a harvest, in the registry.

It feeds the hub's IIIF Change Discovery 1.0 stream (``/activity/all-changes``, ``web.views.activity``), so
that aggregators and other hubs can harvest this one incrementally (with the hub's own ``iiif-discovery``
source). The store knows what *is* (the provenance graph says when each record graph was written); only
this log knows what *was deleted* and when, and in which order things happened.

Rows are written where the registry already records a change, in the same transaction:
- :meth:`HarvestStateMixin.commit_batch`: the batch journal (graph → new / updated / deleted), after the
  store write of the batch (so the feed never announces what the store does not have yet);
- :meth:`HarvestStateMixin.finish_removal`: held removals confirmed and applied;
- :meth:`ActivityLogMixin.record_activity`: a full harvest's removals and a museum's deletion.

Rows are never deleted or changed: ``seq`` (1, 2, 3...) is an activity's position in the stream, so its
pages are stable. ``end_time`` is UTC to the second (``ontology.clock.utc_now``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ontology.clock import utc_now

ACTIVITY_SCHEMA = """
CREATE TABLE IF NOT EXISTS activity (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    museum TEXT NOT NULL,
    graph TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('Create', 'Update', 'Delete')),
    end_time TEXT NOT NULL
);
"""
#: the batch journal's words for a change, as Activity Streams types
TYPES = {"new": "Create", "updated": "Update", "deleted": "Delete"}
#: SQL turning the journal's ``change`` column into the activity type
JOURNAL_TYPE = "CASE change WHEN 'new' THEN 'Create' WHEN 'updated' THEN 'Update' ELSE 'Delete' END"


@dataclass(frozen=True)
class Activity:
    seq: int
    museum: str
    graph: str  # the record graph; the object IRI is IriMinter.object_of_record_graph(graph)
    type: str  # Create, Update, Delete
    end_time: str


class ActivityLogMixin:
    """Mixed into :class:`harvesters.feed_database.FeedDatabase` (same SQLite file, one transaction per call)."""

    _connect: Any

    def record_activity(self, museum_id: str, kind: str, graphs: Iterable[str]) -> None:
        """Log ``kind`` (Create, Update, Delete) of each record graph of ``museum_id``, now."""
        if kind not in TYPES.values():
            raise ValueError(f"not an activity type: {kind!r}")
        now = utc_now()
        with self._connect() as db:
            db.executemany("INSERT INTO activity (museum, graph, type, end_time) VALUES (?, ?, ?, ?)",
                           [(museum_id, g, kind, now) for g in graphs])

    def activity_count(self) -> int:
        """The position of the newest activity (activities are numbered from 1 and never removed)."""
        with self._connect() as db:
            row = db.execute("SELECT MAX(seq) FROM activity").fetchone()
        return int(row[0] or 0)

    def activities(self, first: int, last: int) -> list[Activity]:
        """Activities ``first`` to ``last`` (positions, inclusive), oldest first."""
        with self._connect() as db:
            rows = db.execute("SELECT seq, museum, graph, type, end_time FROM activity "
                              "WHERE seq BETWEEN ? AND ? ORDER BY seq", (first, last)).fetchall()
        return [Activity(int(r["seq"]), r["museum"], r["graph"], r["type"], r["end_time"]) for r in rows]

    def data_version(self) -> str:
        """A token that changes whenever a harvest, a removal or a museum's registration changed what
        the hub holds: the newest activity, the newest finished run, the museums and their last change."""
        with self._connect() as db:
            seq = db.execute("SELECT MAX(seq) FROM activity").fetchone()[0] or 0
            run = db.execute("SELECT MAX(id), MAX(finished) FROM harvest_runs").fetchone()
            museums = db.execute("SELECT COUNT(*), MAX(updated) FROM museums").fetchone()
        return f"{seq}:{run[0] or 0}:{run[1] or ''}:{museums[0]}:{museums[1] or ''}"
