"""Content negotiation for the SPARQL endpoint: which format answers a request.

This module owns the parsing of HTTP ``Accept`` headers (q-values, wildcards, parameters such as
``; charset=utf-8``, which are accepted and ignored because the hub always writes UTF-8) and the choice
of a ``results.Format`` per query form: SELECT/ASK get a results format, CONSTRUCT/DESCRIBE an RDF
syntax. A ``format=`` request parameter overrides the header.

It must not read the request itself or run queries; callers pass header and parameter values in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sparql_endpoint.results import FORMATS, Format, Kind, find_format, formats_for

#: what a client gets when it states no usable preference
DEFAULT_FORMATS: dict[Kind, Format] = {"results": FORMATS["json"], "graph": FORMATS["turtle"]}


class NegotiationError(Exception):
    """No format can be chosen; ``status`` is 400 (unknown ``format=``) or 406 (nothing acceptable)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class MediaRange:
    type: str  # "text", or "*"
    subtype: str  # "turtle", or "*"
    q: float
    position: int  # index in the header, to break ties in the client's order

    @property
    def specificity(self) -> int:
        return 0 if self.type == "*" else 1 if self.subtype == "*" else 2

    def matches(self, media_type: str) -> bool:
        mtype, _, msub = media_type.partition("/")
        return self.type == "*" or (self.type == mtype and self.subtype in ("*", msub))


def parse_accept(header: str | None) -> list[MediaRange]:
    """Parse an Accept header leniently: malformed ranges and q-values are skipped, not fatal."""
    ranges: list[MediaRange] = []
    if not header:
        return ranges
    for position, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        mtype, slash, msub = fields[0].lower().partition("/")
        if not slash or not mtype or not msub:
            continue
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 0.0  # an unreadable weight is no endorsement
        ranges.append(MediaRange(mtype.strip(), msub.strip(), q, position))
    return ranges


def quality(ranges: Sequence[MediaRange], media_type: str) -> tuple[float, int, int]:
    """(q, specificity, -position) of the most specific range matching ``media_type`` (RFC 9110 12.5.1)."""
    best: MediaRange | None = None
    for r in ranges:
        if r.matches(media_type) and (
            best is None or (r.specificity, -r.position) > (best.specificity, -best.position)
        ):
            best = r
    if best is None:
        return (0.0, -1, 0)
    return (best.q, best.specificity, -best.position)


def best_media_type(header: str | None, offered: Sequence[str]) -> str | None:
    """The offered media type the client prefers, or None when it accepts none of them.

    Ties on q go to the more specific range (``text/turtle`` beats ``*/*``), then to the range the
    client listed first, then to the order of ``offered``.
    """
    ranges = parse_accept(header)
    if not ranges:
        return offered[0] if offered else None
    scored = [(quality(ranges, m), -i, m) for i, m in enumerate(offered)]
    (q, _, _), _, media_type = max(scored)
    return media_type if q > 0 else None


def prefers_html(header: str | None) -> bool:
    """True when a browser-like client ranks text/html at least as high as anything we could send."""
    ranges = parse_accept(header)
    html = quality(ranges, "text/html")
    if html[0] <= 0 or html[1] < 1:  # only */* matching text/html is not a browser saying so
        return False
    return all(quality(ranges, f.media_type)[0] <= html[0] for f in FORMATS.values())


def prefers_json(header: str | None) -> bool:
    """Whether an error should be a JSON envelope rather than text/plain."""
    return best_media_type(header, ("text/plain", "application/json")) == "application/json"


def check_format_param(values: Sequence[str]) -> None:
    """Reject a ``format=`` naming no format at all before the query is run (400)."""
    for value in values:
        if value and (find_format(value, "results") or find_format(value, "graph")):
            return
    if any(values):
        names = ", ".join(FORMATS)
        raise NegotiationError(f"unknown format {values[0]!r}; use one of: {names}", 400)


def choose_format(kind: Kind, accept: str | None, format_values: Sequence[str] = ()) -> Format:
    """The format for a result of ``kind``.

    ``format_values`` are the ``format=`` parameters; SPARQLWrapper sends two (``tsv`` and
    ``text/tab-separated-values``), so the first that names a format of this kind wins. Without one,
    the Accept header decides; browsers (text/html first) and clients without a usable preference get
    the default (JSON for SELECT/ASK, Turtle for graphs) unless they have explicitly refused it (q=0).
    """
    values = [v for v in format_values if v]
    if values:
        for value in values:
            found = find_format(value, kind)
            if found is not None:
                return found
        check_format_param(values)  # unknown names: 400
        form = "SELECT/ASK" if kind == "results" else "CONSTRUCT/DESCRIBE"
        allowed = ", ".join(f.name for f in formats_for(kind))
        raise NegotiationError(
            f"format {values[0]!r} cannot carry a {form} result; use one of: {allowed}", 406)

    default = DEFAULT_FORMATS[kind]
    offered = formats_for(kind)
    if not accept:
        return default
    ranges = parse_accept(accept)
    # every media type we can send for this kind, aliases included, mapped back to its format
    candidates: list[tuple[str, Format]] = [(f.media_type, f) for f in offered]
    candidates += [(alias, f) for f in offered for alias in f.aliases]
    scored = [(quality(ranges, m), -i, f) for i, (m, f) in enumerate(candidates)]
    (q, _, _), _, chosen = max(scored, key=lambda s: (s[0], s[1]))
    if q <= 0:
        if quality(ranges, default.media_type)[1] >= 0:  # the client named it, with q=0: a refusal
            allowed = ", ".join(f.media_type for f in offered)
            raise NegotiationError(f"none of the acceptable media types can be produced; try {allowed}", 406)
        return default
    if quality(ranges, "text/html")[1] >= 1 and quality(ranges, "text/html")[0] > q:
        return default  # a browser: text/html beats the application/xml it also lists
    return chosen
