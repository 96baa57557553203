"""The exhibition repository: documents, their revisions, publication and pinned snapshots, in SQLite.

Tables in the instance's SQLite file (instance/hub.sqlite), owned by this module: ``exhibitions`` (one
row per slug: who created it, which revision is published), ``exhibition_revisions`` (every save, the
whole document as JSON, never updated), ``exhibition_publications`` (every revision ever published, with
the cover its objects offered) and ``exhibition_snapshots`` (section id → object IRIs, per
revision). Connections are opened per operation, as the registry does, so the CLI can write while the
server runs. This module must not run SPARQL: snapshots are taken by ``web.exhibitions.queries``.
"""

from __future__ import annotations

import builtins
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ontology.clock import utc_now
from web.exhibitions.document import ExhibitionDoc, ExhibitionError, from_json, normalise, to_json

_SCHEMA = """
CREATE TABLE IF NOT EXISTS exhibitions (
    slug TEXT PRIMARY KEY,
    created TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated TEXT NOT NULL,
    published_revision INTEGER,
    published_at TEXT
);
CREATE TABLE IF NOT EXISTS exhibition_revisions (
    slug TEXT NOT NULL REFERENCES exhibitions(slug) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    author TEXT NOT NULL,
    saved TEXT NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (slug, number)
);
-- every revision ever published, and the cover its objects offered then (the first object image), so that
-- only published revisions have public permalinks and an exhibition without a cover still shows one
CREATE TABLE IF NOT EXISTS exhibition_publications (
    slug TEXT NOT NULL REFERENCES exhibitions(slug) ON DELETE CASCADE,
    revision INTEGER NOT NULL,
    published_at TEXT NOT NULL,
    cover TEXT,
    PRIMARY KEY (slug, revision)
);
-- hubs made before that table existed: their published revisions were published
INSERT OR IGNORE INTO exhibition_publications (slug, revision, published_at)
    SELECT slug, published_revision, COALESCE(published_at, updated) FROM exhibitions
    WHERE published_revision IS NOT NULL;
CREATE TABLE IF NOT EXISTS exhibition_snapshots (
    slug TEXT NOT NULL REFERENCES exhibitions(slug) ON DELETE CASCADE,
    revision INTEGER NOT NULL,
    taken TEXT NOT NULL,
    sections TEXT NOT NULL,
    PRIMARY KEY (slug, revision)
);
"""



class ExhibitionNotFound(ExhibitionError, LookupError):
    status = 404

    """No exhibition (or no such revision) with that slug."""


class ExhibitionRepository:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA foreign_keys=ON")
            db.row_factory = sqlite3.Row
            yield db
        finally:
            db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (BEGIN IMMEDIATE) so two saves never get one number."""
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    # --- documents and revisions ----------------------------------------------------------------
    def create(self, doc: ExhibitionDoc, author: str) -> int:
        """Store a new exhibition (a draft) as revision 1; raises ExhibitionError if the slug is taken."""
        doc = normalise(doc)
        now = utc_now()
        with self._write() as db:
            if db.execute("SELECT 1 FROM exhibitions WHERE slug = ?", (doc.slug,)).fetchone():
                raise ExhibitionError(f"an exhibition {doc.slug!r} already exists")
            db.execute(
                "INSERT INTO exhibitions (slug, created, created_by, updated) VALUES (?, ?, ?, ?)",
                (doc.slug, now, author, now),
            )
            self._insert_revision(db, doc, 1, author, now)
        return 1

    def save(self, doc: ExhibitionDoc, author: str) -> int:
        """Store ``doc`` as a new revision of its exhibition and return the revision's number."""
        doc = normalise(doc)
        now = utc_now()
        with self._write() as db:
            if not db.execute("SELECT 1 FROM exhibitions WHERE slug = ?", (doc.slug,)).fetchone():
                raise ExhibitionNotFound(f"no exhibition {doc.slug!r}")
            row = db.execute("SELECT MAX(number) FROM exhibition_revisions WHERE slug = ?", (doc.slug,)).fetchone()
            number = int(row[0] or 0) + 1
            self._insert_revision(db, doc, number, author, now)
            db.execute("UPDATE exhibitions SET updated = ? WHERE slug = ?", (now, doc.slug))
        return number

    def restore(self, slug: str, revision: int, author: str) -> int:
        """Save an old revision's document again, as the newest revision (history is never rewritten)."""
        doc = self.get(slug, revision)
        if doc is None:
            raise ExhibitionNotFound(f"no revision {revision} of exhibition {slug!r}")
        return self.save(doc, author)

    @staticmethod
    def _insert_revision(db: sqlite3.Connection, doc: ExhibitionDoc, number: int, author: str, now: str) -> None:
        db.execute(
            "INSERT INTO exhibition_revisions (slug, number, author, saved, document) VALUES (?, ?, ?, ?, ?)",
            (doc.slug, number, author, now, json.dumps(to_json(doc), ensure_ascii=False)),
        )

    def get(self, slug: str, revision: int | None = None) -> ExhibitionDoc | None:
        """The document at ``revision`` (the latest when None), or None."""
        with self._connect() as db:
            if revision is None:
                row = db.execute(
                    "SELECT document FROM exhibition_revisions WHERE slug = ? ORDER BY number DESC LIMIT 1", (slug,)
                ).fetchone()
            else:
                row = db.execute(
                    "SELECT document FROM exhibition_revisions WHERE slug = ? AND number = ?", (slug, int(revision))
                ).fetchone()
        return from_json(json.loads(row[0])) if row else None

    def revisions(self, slug: str) -> list[dict[str, Any]]:
        """Every revision, newest first: ``{"number", "author", "saved", "published"}``."""
        with self._connect() as db:
            head = db.execute("SELECT published_revision FROM exhibitions WHERE slug = ?", (slug,)).fetchone()
            rows = db.execute(
                "SELECT number, author, saved FROM exhibition_revisions WHERE slug = ? ORDER BY number DESC", (slug,)
            ).fetchall()
        published = head[0] if head else None
        return [
            {"number": r["number"], "author": r["author"], "saved": r["saved"], "published": r["number"] == published}
            for r in rows
        ]

    # --- publication --------------------------------------------------------------------------
    def publish(self, slug: str, revision: int, cover: str | None = None) -> None:
        """Make ``revision`` the public one (snapshots are taken separately: ``web.exhibitions.queries``).

        ``cover`` is the image shown for an exhibition whose document names no cover (its first object's).
        """
        now = utc_now()
        with self._write() as db:
            if not db.execute(
                "SELECT 1 FROM exhibition_revisions WHERE slug = ? AND number = ?", (slug, int(revision))
            ).fetchone():
                raise ExhibitionNotFound(f"no revision {revision} of exhibition {slug!r}")
            db.execute(
                "UPDATE exhibitions SET published_revision = ?, published_at = ? WHERE slug = ?",
                (int(revision), now, slug),
            )
            db.execute(
                "INSERT OR REPLACE INTO exhibition_publications (slug, revision, published_at, cover)"
                " VALUES (?, ?, ?, ?)", (slug, int(revision), now, cover),
            )

    def set_cover(self, slug: str, revision: int, cover: str | None) -> None:
        """Keep the cover a published revision's objects offer (taken with its snapshot)."""
        with self._write() as db:
            db.execute("UPDATE exhibition_publications SET cover = ? WHERE slug = ? AND revision = ?",
                       (cover, slug, int(revision)))

    def was_published(self, slug: str, revision: int) -> bool:
        """Whether ``revision`` was ever the published one (only those have public permalinks)."""
        with self._connect() as db:
            return db.execute(
                "SELECT 1 FROM exhibition_publications WHERE slug = ? AND revision = ?", (slug, int(revision))
            ).fetchone() is not None

    def unpublish(self, slug: str) -> None:
        with self._write() as db:
            db.execute("UPDATE exhibitions SET published_revision = NULL, published_at = NULL WHERE slug = ?", (slug,))

    def published(self, slug: str) -> tuple[int, ExhibitionDoc] | None:
        """(revision, document) of the published revision, or None for a draft or an unknown slug."""
        with self._connect() as db:
            row = db.execute(
                "SELECT r.number, r.document FROM exhibitions e JOIN exhibition_revisions r"
                " ON r.slug = e.slug AND r.number = e.published_revision WHERE e.slug = ?",
                (slug,),
            ).fetchone()
        return (row[0], from_json(json.loads(row[1]))) if row else None

    def list(self, *, published_only: bool = True, search: str | None = None) -> list[dict[str, Any]]:
        """Exhibitions, most recently changed first, described by their published revision (or latest).

        Each item: slug, title, subtitle, intro (language → text), theme, cover_image (the document's, else
        the first object image of its last publication), sections (count),
        revision (the revision described), latest_revision, published_revision (None for a draft),
        published (bool), published_at, created, created_by, updated. ``search`` matches the slug, titles,
        subtitles and intros in every language, case-insensitively.
        """
        with self._connect() as db:
            rows = db.execute(
                "SELECT e.*, (SELECT MAX(number) FROM exhibition_revisions r WHERE r.slug = e.slug) AS latest,"
                " (SELECT cover FROM exhibition_publications p WHERE p.slug = e.slug AND p.cover IS NOT NULL"
                "  ORDER BY p.published_at DESC LIMIT 1) AS object_cover,"
                " r.document FROM exhibitions e JOIN exhibition_revisions r ON r.slug = e.slug AND r.number ="
                " COALESCE(e.published_revision, (SELECT MAX(number) FROM exhibition_revisions x"
                " WHERE x.slug = e.slug)) ORDER BY COALESCE(e.published_at, e.updated) DESC, e.slug"
            ).fetchall()
            if not published_only:
                # a curator's list describes the latest revision, published or not
                latest = {
                    r[0]: r[1]
                    for r in db.execute(
                        "SELECT slug, document FROM exhibition_revisions r WHERE number ="
                        " (SELECT MAX(number) FROM exhibition_revisions x WHERE x.slug = r.slug)"
                    )
                }
        needle = (search or "").strip().casefold()
        items: list[dict[str, Any]] = []
        for row in rows:
            if published_only and row["published_revision"] is None:
                continue
            document = row["document"] if published_only else latest.get(row["slug"], row["document"])
            data = json.loads(document)
            if needle and not _matches(data, needle):
                continue
            items.append({
                "slug": row["slug"], "title": data["title"], "subtitle": data.get("subtitle", {}),
                "intro": data.get("intro", {}), "theme": data.get("theme", "silk"),
                "cover_image": data.get("cover_image") or row["object_cover"],
                "sections": len(data.get("sections", [])),
                "revision": row["published_revision"] if published_only else row["latest"],
                "latest_revision": row["latest"], "published_revision": row["published_revision"],
                "published": row["published_revision"] is not None, "published_at": row["published_at"],
                "created": row["created"], "created_by": row["created_by"], "updated": row["updated"],
            })
        return items

    def owner(self, slug: str) -> str | None:
        """The account that created the exhibition (its curator), or None."""
        with self._connect() as db:
            row = db.execute("SELECT created_by FROM exhibitions WHERE slug = ?", (slug,)).fetchone()
        return row[0] if row else None

    def exists(self, slug: str) -> bool:
        with self._connect() as db:
            return db.execute("SELECT 1 FROM exhibitions WHERE slug = ?", (slug,)).fetchone() is not None

    # --- snapshots ----------------------------------------------------------------------------
    def save_snapshot(self, slug: str, revision: int, sections: dict[str, builtins.list[str]]) -> None:
        """Keep ``sections`` (section id → object IRIs, in order) as ``revision``'s pinned results."""
        clean = {str(k): [str(i) for i in v] for k, v in sections.items()}
        with self._write() as db:
            if not db.execute(
                "SELECT 1 FROM exhibition_revisions WHERE slug = ? AND number = ?", (slug, int(revision))
            ).fetchone():
                raise ExhibitionNotFound(f"no revision {revision} of exhibition {slug!r}")
            db.execute(
                "INSERT OR REPLACE INTO exhibition_snapshots (slug, revision, taken, sections) VALUES (?, ?, ?, ?)",
                (slug, int(revision), utc_now(), json.dumps(clean, ensure_ascii=False)),
            )

    def snapshot(self, slug: str, revision: int) -> dict[str, builtins.list[str]] | None:
        with self._connect() as db:
            row = db.execute(
                "SELECT sections FROM exhibition_snapshots WHERE slug = ? AND revision = ?", (slug, int(revision))
            ).fetchone()
        return json.loads(row[0]) if row else None

    def snapshot_taken(self, slug: str, revision: int) -> str | None:
        """When ``revision``'s snapshot was taken (UTC, ISO 8601), or None."""
        with self._connect() as db:
            row = db.execute(
                "SELECT taken FROM exhibition_snapshots WHERE slug = ? AND revision = ?", (slug, int(revision))
            ).fetchone()
        return row[0] if row else None


def _matches(data: dict[str, Any], needle: str) -> bool:
    texts = [data.get("slug", "")]
    for key in ("title", "subtitle", "intro"):
        texts.extend((data.get(key) or {}).values())
    return any(needle in t.casefold() for t in texts)
