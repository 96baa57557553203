"""The feed database (:class:`FeedDatabase`): museums, their feeds, harvest runs and quarantined records,
in SQLite. Named for what it holds, not "registry" like the plugin registries (``harvesters.protocols``,
``mappings.registry``, the section layouts).

This is the hub's bookkeeping, not its data: the objects live in the store. One SQLite file in the
instance folder, opened per operation (connections are cheap and this keeps threads and the CLI, which
may write while ``srom serve`` runs, out of each other's way; WAL lets readers and one writer overlap).
The state a harvest keeps between batches (locks, checkpoints, removals waiting for confirmation) is in
``harvesters.harvest_state``, mixed into :class:`FeedDatabase`.

``FORMATS`` and ``PROTOCOLS`` are live views: the metadata formats the mappings offer
(``mappings.available_formats()``) and the protocols registered in ``harvesters.protocols``, read when used,
so a format or protocol registered later (a plugin, another module) is accepted without a change here.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from harvesters.activity import ACTIVITY_SCHEMA, ActivityLogMixin
from harvesters.errors import HarvestError
from harvesters.harvest_state import STATE_SCHEMA, HarvestStateMixin
from ontology.clock import utc_now
from ontology.iris import check_museum_id


class _LiveNames(Sequence[str]):
    """A read-only sequence of names computed on every use (for ``click.Choice``, ``in``, ``join``)."""

    def __init__(self, names: Callable[[], Sequence[str]]) -> None:
        self._names = names

    def __getitem__(self, index):  # Sequence protocol
        return tuple(self._names())[index]

    def __len__(self) -> int:
        return len(tuple(self._names()))

    def __iter__(self) -> Iterator[str]:
        return iter(tuple(self._names()))

    def __contains__(self, name: object) -> bool:
        return name in tuple(self._names())

    def __repr__(self) -> str:
        return repr(tuple(self._names()))


def available_formats() -> list[str]:
    from mappings import available_formats as mapped

    return mapped()


def available_protocols() -> list[str]:
    from harvesters.protocols import available_protocols as registered

    return registered()


FORMATS: Sequence[str] = _LiveNames(available_formats)
PROTOCOLS: Sequence[str] = _LiveNames(available_protocols)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS museums (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    names TEXT NOT NULL DEFAULT '{}',
    feed_url TEXT NOT NULL,
    protocol TEXT NOT NULL DEFAULT 'oai-pmh',
    format TEXT NOT NULL,
    set_spec TEXT,
    homepage TEXT,
    city TEXT,
    country TEXT,
    lat REAL,
    lon REAL,
    licence TEXT,
    attribution TEXT,
    schedule TEXT,
    options TEXT NOT NULL DEFAULT '{}',
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS harvest_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    museum TEXT NOT NULL REFERENCES museums(id) ON DELETE CASCADE,
    started TEXT NOT NULL,
    finished TEXT,
    outcome TEXT NOT NULL DEFAULT 'running',
    full INTEGER NOT NULL DEFAULT 0,
    harvest_from TEXT,
    response_date TEXT,
    new INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    deleted INTEGER NOT NULL DEFAULT 0,
    quarantined INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    records INTEGER NOT NULL DEFAULT 0,
    held INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 1,
    checkpoint TEXT,
    messages TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS harvest_runs_museum ON harvest_runs(museum, id);
CREATE TABLE IF NOT EXISTS quarantine (
    museum TEXT NOT NULL REFERENCES museums(id) ON DELETE CASCADE,
    source_id TEXT NOT NULL,
    run_id INTEGER,
    reason TEXT NOT NULL,
    recorded TEXT NOT NULL,
    PRIMARY KEY (museum, source_id)
);
"""

# Columns added after the first release: added to an older registry file when it is opened.
_ADDED_COLUMNS = {
    "museums": {"schedule": "TEXT", "options": "TEXT NOT NULL DEFAULT '{}'"},
    "harvest_runs": {
        "records": "INTEGER NOT NULL DEFAULT 0",
        "held": "INTEGER NOT NULL DEFAULT 0",
        "attempts": "INTEGER NOT NULL DEFAULT 1",
        "checkpoint": "TEXT",
        "messages": "TEXT NOT NULL DEFAULT '[]'",
        # the version of the keys the hub derives on each object (mappings.keys.KEYS_VERSION) the run wrote;
        # runs from before the column wrote version 1
        "keys_version": "INTEGER NOT NULL DEFAULT 1",
    },
}
#: most messages (retried faults, notes) kept per run
MAX_RUN_MESSAGES = 50


class FeedDatabaseError(HarvestError, ValueError):
    """A museum or feed the registry refuses (unknown format or protocol, no name, a bad schedule)."""


@dataclass
class Museum:
    id: str
    name: str
    feed_url: str
    format: str
    protocol: str = "oai-pmh"
    set_spec: str | None = None
    names: dict[str, str] = field(default_factory=dict)
    homepage: str | None = None
    city: str | None = None
    country: str | None = None
    lat: float | None = None
    lon: float | None = None
    licence: str | None = None
    attribution: str | None = None
    #: cron expression (five fields, UTC) of the hub's own harvests of this feed; None: only on request
    schedule: str | None = None
    #: protocol- or feed-specific options (e.g. a SPARQL source's query), JSON-serialisable
    options: dict[str, Any] = field(default_factory=dict)
    created: str = ""
    updated: str = ""

    def as_json(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class HarvestRun:
    id: int
    museum: str
    started: str
    finished: str | None
    outcome: str
    full: bool
    harvest_from: str | None
    response_date: str | None
    new: int
    updated: int
    deleted: int
    quarantined: int
    unchanged: int
    error: str | None
    #: records listed by the source so far (all kinds)
    records: int = 0
    #: removals found by a full harvest and held back by the mass-drop guard (see ``pending_removal``)
    held: int = 0
    #: how many processes worked on this run (more than 1: it was interrupted and resumed)
    attempts: int = 1
    #: where the listing continues if the run is interrupted (source checkpoint and bookkeeping)
    checkpoint: dict[str, Any] | None = None
    #: retried faults and notes, oldest first (at most MAX_RUN_MESSAGES)
    messages: list[str] = field(default_factory=list)
    #: the version of the derived keys its records carry (``mappings.keys.KEYS_VERSION``)
    keys_version: int = 1

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data.pop("checkpoint")
        data["resumable"] = self.checkpoint is not None
        return data


class FeedDatabase(HarvestStateMixin, ActivityLogMixin):
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(_SCHEMA)
            for table, columns in _ADDED_COLUMNS.items():
                have = {row["name"] for row in db.execute(f"PRAGMA table_info({table})")}
                for name, decl in columns.items():
                    if name not in have:
                        db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {decl}")
            db.executescript(STATE_SCHEMA)
            db.executescript(ACTIVITY_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30)
        try:
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA foreign_keys=ON")
            with db:  # one transaction per operation
                yield db
        finally:
            db.close()

    # --- museums -------------------------------------------------------------------------------
    def save_museum(self, museum: Museum) -> Museum:
        """Insert or update a museum by id (registration and re-registration are the same call)."""
        check_museum_id(museum.id)
        if museum.format not in FORMATS:
            raise FeedDatabaseError(f"unknown metadata format {museum.format!r}; the hub maps {', '.join(FORMATS)}")
        if museum.protocol not in PROTOCOLS:
            raise FeedDatabaseError(f"unknown protocol {museum.protocol!r}; the hub speaks {', '.join(PROTOCOLS)}")
        if not museum.name.strip():
            raise FeedDatabaseError("a museum needs a name")
        museum.schedule = (museum.schedule or "").strip() or None
        if museum.schedule:
            from harvesters.schedule import check_schedule

            try:
                check_schedule(museum.schedule)
            except ValueError as exc:
                raise FeedDatabaseError(str(exc)) from exc
        if not isinstance(museum.options, dict):
            raise FeedDatabaseError("a feed's options must be a JSON object")
        now = utc_now()
        existing = self.get_museum(museum.id)
        museum.created = existing.created if existing else now
        museum.updated = now
        row = museum.as_json()
        row["names"] = json.dumps(museum.names, ensure_ascii=False)
        row["options"] = json.dumps(museum.options, ensure_ascii=False)
        columns = ", ".join(row)
        placeholders = ", ".join(f":{k}" for k in row)
        updates = ", ".join(f"{k}=excluded.{k}" for k in row if k not in ("id", "created"))
        with self._connect() as db:
            db.execute(
                f"INSERT INTO museums ({columns}) VALUES ({placeholders}) "
                f"ON CONFLICT(id) DO UPDATE SET {updates}",
                row,
            )
        return museum

    def get_museum(self, museum_id: str) -> Museum | None:
        with self._connect() as db:
            row = db.execute("SELECT * FROM museums WHERE id = ?", (museum_id,)).fetchone()
        return _museum(row) if row else None

    def museums(self) -> list[Museum]:
        with self._connect() as db:
            rows = db.execute("SELECT * FROM museums ORDER BY id").fetchall()
        return [_museum(r) for r in rows]

    def remove_museum(self, museum_id: str) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM museums WHERE id = ?", (museum_id,))

    # --- runs ----------------------------------------------------------------------------------
    def start_run(self, museum_id: str, *, full: bool, harvest_from: str | None, keys_version: int = 1) -> int:
        with self._connect() as db:
            cursor = db.execute(
                "INSERT INTO harvest_runs (museum, started, full, harvest_from, keys_version) VALUES (?, ?, ?, ?, ?)",
                (museum_id, utc_now(), int(full), harvest_from, keys_version),
            )
            return int(cursor.lastrowid or 0)

    def update_run(self, run_id: int, **values: object) -> None:
        allowed = {"response_date", "new", "updated", "deleted", "quarantined", "unchanged", "error", "records",
                   "held", "checkpoint"}
        unknown = set(values) - allowed
        if unknown:
            raise ValueError(f"unknown run fields {sorted(unknown)}")
        if "checkpoint" in values and values["checkpoint"] is not None:
            values["checkpoint"] = json.dumps(values["checkpoint"], ensure_ascii=False)
        if values:
            assignments = ", ".join(f"{k} = :{k}" for k in values)
            with self._connect() as db:
                db.execute(f"UPDATE harvest_runs SET {assignments} WHERE id = :id", {**values, "id": run_id})

    def add_run_message(self, run_id: int, message: str) -> None:
        """Note a retried fault or an event on the run (the oldest are kept, up to MAX_RUN_MESSAGES)."""
        with self._connect() as db:
            row = db.execute("SELECT messages FROM harvest_runs WHERE id = ?", (run_id,)).fetchone()
            if row is None:
                return
            messages = json.loads(row["messages"] or "[]")
            if len(messages) < MAX_RUN_MESSAGES:
                messages.append(f"{utc_now()} {message}"[:1000])
                db.execute("UPDATE harvest_runs SET messages = ? WHERE id = ?", (json.dumps(messages), run_id))

    def finish_run(self, run_id: int, outcome: str, error: str | None = None) -> None:
        with self._connect() as db:
            db.execute(
                "UPDATE harvest_runs SET finished = ?, outcome = ?, error = ? WHERE id = ?",
                (utc_now(), outcome, error, run_id),
            )

    def get_run(self, run_id: int) -> HarvestRun | None:
        with self._connect() as db:
            row = db.execute("SELECT * FROM harvest_runs WHERE id = ?", (run_id,)).fetchone()
        return _run(row) if row else None

    def runs(self, museum_id: str, limit: int = 50) -> list[HarvestRun]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT * FROM harvest_runs WHERE museum = ? ORDER BY id DESC LIMIT ?", (museum_id, limit)
            ).fetchall()
        return [_run(r) for r in rows]

    def last_good_run(self, museum_id: str) -> HarvestRun | None:
        """The latest run that completed; its responseDate is the next incremental run's ``from``."""
        with self._connect() as db:
            row = db.execute(
                "SELECT * FROM harvest_runs WHERE museum = ? AND outcome = 'ok' ORDER BY id DESC LIMIT 1",
                (museum_id,),
            ).fetchone()
        return _run(row) if row else None

    # --- quarantine ----------------------------------------------------------------------------
    def quarantine(self, museum_id: str, source_id: str, run_id: int, reason: str) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT INTO quarantine (museum, source_id, run_id, reason, recorded) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(museum, source_id) DO UPDATE SET run_id = excluded.run_id, "
                "reason = excluded.reason, recorded = excluded.recorded",
                (museum_id, source_id, run_id, reason, utc_now()),
            )

    def release(self, museum_id: str, source_ids: list[str]) -> None:
        """Forget quarantine entries of records that have since mapped (or been deleted)."""
        if source_ids:
            with self._connect() as db:
                db.executemany(
                    "DELETE FROM quarantine WHERE museum = ? AND source_id = ?",
                    [(museum_id, s) for s in source_ids],
                )

    def quarantined(self, museum_id: str) -> list[dict[str, object]]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT source_id, run_id, reason, recorded FROM quarantine WHERE museum = ? ORDER BY source_id",
                (museum_id,),
            ).fetchall()
        return [dict(r) for r in rows]


def _museum(row: sqlite3.Row) -> Museum:
    data = dict(row)
    data["names"] = json.loads(data["names"] or "{}")
    data["options"] = json.loads(data.get("options") or "{}")
    known = Museum.__dataclass_fields__
    return Museum(**{k: v for k, v in data.items() if k in known})


def _run(row: sqlite3.Row) -> HarvestRun:
    data = dict(row)
    data["full"] = bool(data["full"])
    data["checkpoint"] = json.loads(data["checkpoint"]) if data.get("checkpoint") else None
    data["messages"] = json.loads(data.get("messages") or "[]")
    known = HarvestRun.__dataclass_fields__
    return HarvestRun(**{k: v for k, v in data.items() if k in known})
