"""The facet option lists counted once after the store changed, kept in the hub's database for the pages.

A picker on a visitor's page offers the values of a term facet (``facets.options``): an aggregate over
every object of the store, 0.5-1.1 s per facet on Virtuoso at 100,000 objects, so a cold exhibition page
with four pickers spent most of its time counting. The values only change when the records do, so the
harvest counts them once after each run that changed the store (``Harvester(after_change=...)``, wired in
``web.hub``), as does deleting a museum and ``srom exhibitions option-lists``: one count per facet,
labelled in every interface language, kept in the table ``facet_option_lists`` with the time they were
counted. Pages read them (``web.exhibitions.controls``, through the exhibition cache, so per request it
costs a ``stat`` of the database) and count live only where none are kept: an instance that was never
harvested since, or a facet whose count failed (its old list is removed rather than left stale).
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ontology.clock import utc_now
from store.base import Store, StoreError
from web.exhibitions.facets import TERM_FACETS, options_in_languages
from web.i18n.language import LANGUAGES

log = logging.getLogger(__name__)

#: how long one facet's count may take: it runs after a harvest, not while a visitor waits
COUNT_TIMEOUT = 300.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS facet_option_lists (
    facet TEXT NOT NULL,
    lang TEXT NOT NULL,
    counted TEXT NOT NULL,
    options TEXT NOT NULL,
    PRIMARY KEY (facet, lang)
)
"""


@dataclass(frozen=True)
class Counted:
    """What one :meth:`FacetOptionLists.refresh` did: facet -> its number of options, or the error."""

    counted: str
    options: dict[str, int]
    failed: dict[str, str]

    def as_json(self) -> dict[str, Any]:
        return {"counted": self.counted, "options": self.options, "failed": self.failed}


class FacetOptionLists:
    def __init__(self, database: Path) -> None:
        self.path = Path(database)
        with self._connect() as db:
            db.execute(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30)
        try:
            with db:
                yield db
        finally:
            db.close()

    def refresh(self, store: Store, *, timeout: float = COUNT_TIMEOUT) -> Counted:
        """Count every term facet's options in the store now and keep them, in every interface language."""
        counted = utc_now()
        sizes: dict[str, int] = {}
        failed: dict[str, str] = {}
        for facet in TERM_FACETS:
            try:
                lists = options_in_languages(store, facet, LANGUAGES, timeout=timeout)
            except StoreError as exc:
                log.warning("the %s options could not be counted (pages count them live): %s", facet, exc)
                failed[facet] = str(exc)
                with self._connect() as db:
                    db.execute("DELETE FROM facet_option_lists WHERE facet = ?", (facet,))
                continue
            with self._connect() as db:  # one facet at a time: a page reads each list whole, old or new
                db.execute("DELETE FROM facet_option_lists WHERE facet = ?", (facet,))
                db.executemany("INSERT INTO facet_option_lists (facet, lang, counted, options) VALUES (?, ?, ?, ?)",
                               [(facet, lang, counted, json.dumps(found, ensure_ascii=False))
                                for lang, found in lists.items()])
            sizes[facet] = len(lists[LANGUAGES[0]])
        return Counted(counted, sizes, failed)

    def get(self, facet: str, lang: str) -> list[dict[str, Any]] | None:
        """The kept options of ``facet`` labelled in ``lang`` (as ``facets.options`` gives them); None when
        none are kept."""
        with self._connect() as db:
            row = db.execute("SELECT options FROM facet_option_lists WHERE facet = ? AND lang = ?",
                             (facet, lang)).fetchone()
        return None if row is None else list(json.loads(row[0]))
