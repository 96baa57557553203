"""Bounds on one harvest's listing, whatever the protocol: a feed cannot make a run go on forever.

A feed that repeats a resumption token (or any listing position: a Change Discovery ``prev`` link back
to a page already read, a SPARQL offset that never advances) would be followed in a circle; one that
keeps handing out new tokens would be followed without end. :class:`ListingGuard` sees every page of a
run: a page whose position (its checkpoint) was seen before in the run stops the run as a loop, and
caps on pages and records per run (settings ``harvest_max_pages``, ``harvest_max_records``) stop the
rest. Either way the run fails with a message that says why; what it stored so far stays, and its
checkpoint is the last good page.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from harvesters.errors import HarvestError

DEFAULT_MAX_PAGES = 200_000
DEFAULT_MAX_RECORDS = 10_000_000


class ListingRefused(HarvestError):
    """The feed's listing loops or outgrows the run's caps."""


def _fingerprint(position: dict[str, Any]) -> str:
    return hashlib.blake2b(json.dumps(position, sort_keys=True, default=str).encode(), digest_size=16).hexdigest()


class ListingGuard:
    def __init__(self, *, max_pages: int = DEFAULT_MAX_PAGES, max_records: int = DEFAULT_MAX_RECORDS,
                 pages: int = 0, records: int = 0) -> None:
        """``pages`` and ``records``: what earlier attempts of the same run listed already."""
        self.max_pages = max_pages
        self.max_records = max_records
        self.pages = pages
        self.records = records
        self._seen: dict[str, int] = {}

    def check(self, position: dict[str, Any] | None, records: int, partial: bool = False) -> None:
        """Count one page (its position after it, its number of records); raises :class:`ListingRefused`.

        ``partial``: a part of a large page, more of it follow: only its records count (its position is
        the page's start, which the page's later parts share)."""
        self.records += records
        if partial:
            self._check_records()
            return
        self.pages += 1
        if position is not None:
            key = _fingerprint(position)
            if key in self._seen:
                raise ListingRefused(
                    f"the feed repeats itself: page {self.pages} hands out the same resumption point as page "
                    f"{self._seen[key]} ({_shown(position)}); the harvest stopped instead of going round in "
                    "circles. Ask the museum to fix its feed.")
            self._seen[key] = self.pages
        if self.pages > self.max_pages:
            raise ListingRefused(f"the listing passed {self.max_pages} pages in one run (harvest_max_pages); "
                                 "stopped. Raise the setting if the feed is really that long.")
        self._check_records()

    def _check_records(self) -> None:
        if self.records > self.max_records:
            raise ListingRefused(f"the listing passed {self.max_records} records in one run "
                                 "(harvest_max_records); stopped. Raise the setting if the feed is really that long.")


def _shown(position: dict[str, Any]) -> str:
    text = json.dumps(position, sort_keys=True, default=str, ensure_ascii=False)
    return text if len(text) <= 200 else text[:200] + "…"
