"""The hub's one clock format: UTC to the second, as OAI-PMH writes datestamps (``YYYY-MM-DDThh:mm:ssZ``).

Every time the harvesting side records (registry rows, run messages, locks, provenance, the
unmatched-terms review) is written by :func:`utc_now`, and read back by :func:`parse_utc`, so stored
times sort as text and compare with a feed's own datestamps. Pure: it reads the system clock, nothing else.
"""

from __future__ import annotations

from datetime import UTC, datetime

#: the format of every stored time (also OAI-PMH's ``YYYY-MM-DDThh:mm:ssZ`` granularity)
UTC_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def utc_now() -> str:
    """Now in UTC, to the second, as OAI-PMH writes datestamps (YYYY-MM-DDThh:mm:ssZ)."""
    return datetime.now(UTC).strftime(UTC_FORMAT)


def parse_utc(stamp: str) -> datetime:
    """A stored time (``YYYY-MM-DDThh:mm:ssZ``) as an aware UTC datetime."""
    return datetime.strptime(stamp, UTC_FORMAT).replace(tzinfo=UTC)
