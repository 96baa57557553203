"""The errors of the mappings package, under one root, :class:`MappingError`.

- :class:`MappingFileError` (also a ``ValueError``): a mapping file or override that cannot be compiled,
  a format name the registry does not know, an override for a code mapping. Raised when a mapping is
  loaded, never halfway through a harvest.
- :class:`RecordError`: one record (``source_id`` names it when known) that cannot be mapped; the
  harvest quarantines it and goes on. :class:`DocumentError`: the whole input is unreadable.

Plain classes; nothing else lives here.
"""

from __future__ import annotations


class MappingError(Exception):
    """Base of every error the ``mappings`` package raises."""


class MappingFileError(MappingError, ValueError):
    """A mapping file (or override) that cannot be compiled, or a mapping that does not exist."""


class RecordError(MappingError):
    """A record (or a whole document) that cannot be mapped; ``source_id`` names it when known."""

    def __init__(self, source_id: str | None, reason: str) -> None:
        super().__init__(source_id, reason)
        self.source_id = source_id
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.source_id or 'record'}: {self.reason}"


class DocumentError(RecordError):
    """The input document itself is unreadable (not well-formed XML); no further record comes out."""
