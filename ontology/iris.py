"""Deterministic IRI minting.

Every IRI the hub creates is a function of the configured base, the museum and the source record's
identifier: harvesting the same record again yields the same IRIs, so a re-harvest replaces exactly its
own graph and links from outside keep working. The key is reversible (percent-encoding), so an object
page URL maps back to the IRI in the store.

Every minted IRI is checked (:func:`check_iri`): a valid RFC 3987 IRI whose path has no dot segment.
Browsers and URL libraries remove ``.`` and ``..`` segments, also written ``%2E`` (WHATWG URL), so an
object with the identifier ``..`` would be stored under an IRI whose page can never be requested; such
identifiers are refused with a ValueError, which the harvest turns into a quarantined record.
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
    """The path segment for a source identifier (stable, reversible, IRI-safe).

    Everything but ``-._~:`` and ASCII letters and digits is percent-encoded as UTF-8 (``/``, ``#``,
    ``%``, spaces, control characters, U+0085...). An identifier that is a dot segment (``.``, ``..``)
    is refused: no encoding of it survives URL normalisation and still decodes to it.
    """
    source_id = source_id.strip()
    if not source_id:
        raise ValueError("empty source identifier")
    if source_id in (".", ".."):
        raise ValueError(
            f"the identifier {source_id!r} cannot name a page: browsers remove '.' and '..' from URL paths"
        )
    return quote(source_id, safe=_KEY_SAFE)


# --- IRI syntax (RFC 3987) --------------------------------------------------------------------------------
_UCSCHAR = (
    "\u00A0-\uD7FF\uF900-\uFDCF\uFDF0-\uFFEF"
    "\U00010000-\U0001FFFD\U00020000-\U0002FFFD\U00030000-\U0003FFFD\U00040000-\U0004FFFD"
    "\U00050000-\U0005FFFD\U00060000-\U0006FFFD\U00070000-\U0007FFFD\U00080000-\U0008FFFD"
    "\U00090000-\U0009FFFD\U000A0000-\U000AFFFD\U000B0000-\U000BFFFD\U000C0000-\U000CFFFD"
    "\U000D0000-\U000DFFFD\U000E1000-\U000EFFFD"
)
_IPRIVATE = "\uE000-\uF8FF\U000F0000-\U000FFFFD\U00100000-\U0010FFFD"
_PCT = "%[0-9A-Fa-f]{2}"
_IUNRESERVED = f"A-Za-z0-9\\-._~{_UCSCHAR}"
_SUB_DELIMS = "!$&'()*+,;="
_IPCHAR = f"(?:[{_IUNRESERVED}{re.escape(_SUB_DELIMS)}:@]|{_PCT})"
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*")
_AUTHORITY = re.compile(f"(?:[{_IUNRESERVED}{re.escape(_SUB_DELIMS)}:@\\[\\]]|{_PCT})*")
_PATH = re.compile(f"(?:{_IPCHAR}|/)*")
_QUERY = re.compile(f"(?:{_IPCHAR}|[/?{_IPRIVATE}])*")
_FRAGMENT = re.compile(f"(?:{_IPCHAR}|[/?])*")
_DOT_SEGMENT = re.compile(r"(?:\.|%2e){1,2}", re.IGNORECASE)


def _is_dot_segment(segment: str) -> bool:
    return bool(_DOT_SEGMENT.fullmatch(segment))


def check_iri(iri: str) -> str:
    """``iri`` if it is an absolute IRI (RFC 3987) that URL normalisation leaves as it is, else ValueError.

    Refused: no scheme, characters outside the IRI grammar (spaces, control characters, U+0085, ``<>"{}|^`\\``),
    a ``%`` not followed by two hex digits, a second ``#``, and ``.``/``..`` path segments (also as %2E).
    """
    if not isinstance(iri, str) or not iri:
        raise ValueError("empty IRI")
    shown = repr(iri[:200])
    scheme, colon, rest = iri.partition(":")
    if not colon or not _SCHEME.fullmatch(scheme):
        raise ValueError(f"not an absolute IRI (no scheme): {shown}")
    rest, hash_, fragment = rest.partition("#")
    if hash_ and not _FRAGMENT.fullmatch(fragment):
        raise ValueError(f"invalid IRI fragment (a second '#', or a character or %-escape not allowed): {shown}")
    rest, question, query = rest.partition("?")
    if question and not _QUERY.fullmatch(query):
        raise ValueError(f"invalid IRI query (a character or %-escape not allowed): {shown}")
    path = rest
    if rest.startswith("//"):
        authority, slash, path = rest[2:].partition("/")
        path = slash + path
        if not _AUTHORITY.fullmatch(authority):
            raise ValueError(f"invalid IRI authority (a character or %-escape not allowed): {shown}")
    if not _PATH.fullmatch(path):
        raise ValueError(f"invalid IRI path (a character or %-escape not allowed): {shown}")
    if any(_is_dot_segment(segment) for segment in path.split("/")):
        raise ValueError(f"the IRI has a '.' or '..' path segment, which URL normalisation removes: {shown}")
    return iri


@dataclass(frozen=True)
class IriMinter:
    """Mints the hub's IRIs under ``base`` (no trailing slash), e.g. ``https://hub.example.org``."""

    base: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "base", self.base.rstrip("/"))

    def object(self, museum: str, source_id: str) -> str:
        return check_iri(f"{self.base}/id/object/{museum}/{source_key(source_id)}")

    def record_graph(self, museum: str, source_id: str) -> str:
        return check_iri(f"{self.base}/graph/{museum}/{source_key(source_id)}")

    def museum(self, museum: str) -> str:
        return f"{self.base}/id/museum/{museum}"

    def vocabulary_graph(self, museum: str) -> str:
        """The museum's shared terms (types, materials, places, actors) and their labels."""
        return f"{self.base}/graph/vocabulary/{museum}"

    def shared_vocabulary_graph(self) -> str:
        """Descriptions of external terms (AAT, Wikidata... IRIs) as the museums give them, all museums
        together: kept in one graph so that no triple is stored twice (the union default graph is a set)."""
        return f"{self.base}/graph/vocabulary"

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
        return check_iri(f"{self.base}/id/term/{museum}/{kind}/{source_key(' '.join(label.split()).casefold())}")

    def provenance_graph(self) -> str:
        return f"{self.base}/graph/provenance"

    def exhibition(self, slug: str) -> str:
        return f"{self.base}/id/exhibition/{slug}"

    def record_graph_prefix(self, museum: str) -> str:
        """All record graphs of one museum start with this (used to list and drop a museum's records)."""
        return f"{self.base}/graph/{museum}/"

    def object_of_record_graph(self, graph: str) -> str | None:
        """The object IRI of a record graph (same museum and key), or None for other graphs."""
        prefix = f"{self.base}/graph/"
        rest = graph[len(prefix):] if graph.startswith(prefix) else ""
        museum, slash, key = rest.partition("/")
        if not slash or not key or museum in RESERVED_IDS:
            return None
        return f"{self.base}/id/object/{museum}/{key}"

    def object_path(self, iri: str) -> str | None:
        """The local path (``/id/object/...``) of an object IRI minted here, or None for foreign IRIs."""
        if iri.startswith(self.base + "/id/"):
            return iri[len(self.base) :]
        return None
