"""Deterministic IRI minting.

Every IRI the hub creates is a function of the configured base, the museum and the source record's
identifier: harvesting the same record again yields the same IRIs, so a re-harvest replaces exactly its
own graph and links from outside keep working. The key is reversible (percent-encoding), so an object
page URL maps back to the IRI in the store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

_MUSEUM_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
# Path segments the hub uses itself under /graph/ and /id/: a museum cannot be called that.
RESERVED_IDS = frozenset({"museum", "provenance", "vocabulary", "object", "term", "run", "feed", "exhibition"})
# Characters left as they are in a key; everything else (including "/") is percent-encoded as UTF-8.
_KEY_SAFE = "-._~:"


class InvalidMuseumId(ValueError):
    pass


def check_museum_id(museum: str) -> str:
    """Museum ids appear in IRIs and file names: lower-case letters, digits and hyphens only."""
    if not _MUSEUM_ID.match(museum):
        raise InvalidMuseumId(
            f"invalid museum id {museum!r}: use 1-63 lower-case letters, digits or hyphens, starting "
            "with a letter or digit"
        )
    if museum in RESERVED_IDS:
        raise InvalidMuseumId(f"invalid museum id {museum!r}: the hub reserves it")
    return museum


def source_key(source_id: str) -> str:
    """The path segment for a source identifier (stable, reversible, IRI-safe)."""
    source_id = source_id.strip()
    if not source_id:
        raise ValueError("empty source identifier")
    return quote(source_id, safe=_KEY_SAFE)


@dataclass(frozen=True)
class IriMinter:
    """Mints the hub's IRIs under ``base`` (no trailing slash), e.g. ``https://hub.example.org``."""

    base: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "base", self.base.rstrip("/"))

    def object(self, museum: str, source_id: str) -> str:
        return f"{self.base}/id/object/{museum}/{source_key(source_id)}"

    def record_graph(self, museum: str, source_id: str) -> str:
        return f"{self.base}/graph/{museum}/{source_key(source_id)}"

    def museum(self, museum: str) -> str:
        return f"{self.base}/id/museum/{museum}"

    def vocabulary_graph(self, museum: str) -> str:
        """The museum's shared terms (types, materials, places, actors) and their labels."""
        return f"{self.base}/graph/vocabulary/{museum}"

    def museum_graph(self, museum: str) -> str:
        return f"{self.base}/graph/museum/{museum}"

    def feed(self, museum: str, feed: str = "default") -> str:
        return f"{self.base}/id/feed/{museum}/{feed}"

    def harvest_run(self, museum: str, run_id: int | str) -> str:
        return f"{self.base}/id/run/{museum}/{run_id}"

    def local_term(self, museum: str, kind: str, label: str) -> str:
        """A museum's own term that carries no IRI of its own (kind: type, material, place, actor...).

        Case and surrounding space do not make a new term; the key is otherwise the label itself.
        """
        return f"{self.base}/id/term/{museum}/{kind}/{source_key(' '.join(label.split()).casefold())}"

    def provenance_graph(self) -> str:
        return f"{self.base}/graph/provenance"

    def exhibition(self, slug: str) -> str:
        return f"{self.base}/id/exhibition/{slug}"

    def record_graph_prefix(self, museum: str) -> str:
        """All record graphs of one museum start with this (used to list and drop a museum's records)."""
        return f"{self.base}/graph/{museum}/"

    def object_path(self, iri: str) -> str | None:
        """The local path (``/id/object/...``) of an object IRI minted here, or None for foreign IRIs."""
        if iri.startswith(self.base + "/id/"):
            return iri[len(self.base) :]
        return None
