"""Virtuoso's answers made readable: what ``store.virtuoso`` does to a response body before it is parsed.

Used by ``store.virtuoso`` only. Virtuoso names blank nodes ``nodeID://b10000`` in SPARQL XML (and JSON)
results, which no SPARQL results parser accepts as a blank node label (pyoxigraph: "The blank node
identifier is invalid"); its N-Triples answers write the same node ``_:b10000``. The body is rewritten
while it streams, so a blank node has the same label in a SELECT row and in a CONSTRUCT triple.
"""

from __future__ import annotations

from typing import Any

_MARK = b"<bnode>nodeID://"
_PLAIN = b"<bnode>"


class BlankNodeLabels:
    """A response's raw stream (urllib3's ``read1``) with ``<bnode>nodeID://b1</bnode>`` read as
    ``<bnode>b1</bnode>``. A mark split between two reads is held back until the next one."""

    def __init__(self, raw: Any) -> None:
        self._raw = raw
        self._held = b""

    def read1(self, amt: int = -1, decode_content: bool = True) -> bytes:
        while True:
            data = self._raw.read1(amt, decode_content=decode_content)
            text = (self._held + data).replace(_MARK, _PLAIN)
            if not data:
                self._held = b""
                return text
            keep = _partial_mark(text)
            self._held = text[len(text) - keep:] if keep else b""
            if len(text) > keep:
                return text[: len(text) - keep]

    def __getattr__(self, name: str) -> Any:  # close(), release_conn()... go to the real stream
        return getattr(self._raw, name)


def _partial_mark(text: bytes) -> int:
    """The length of the longest start of the mark that ``text`` ends with (0: none)."""
    for k in range(min(len(_MARK) - 1, len(text)), 0, -1):
        if text.endswith(_MARK[:k]):
            return k
    return 0
