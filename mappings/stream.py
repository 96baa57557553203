"""Streaming records out of an XML document, and the one safe way to parse XML in mappings.

Records are found wherever they are (``lidoWrap``, a single ``lido`` root, an OAI-PMH ``<metadata>``
envelope) with ``lxml.etree.iterparse`` on their end tags; each record is released after it has been
handled, together with everything before it, so memory stays flat over a 100k-record file.

The iterparse uses the switches of :mod:`mappings.xml` (no entities, no DTD, no network, no huge
trees), so XXE and billion-laughs documents are read without expanding anything. The only I/O is
reading the stream the caller passes in.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from typing import IO

from lxml import etree

from .declarative.engine import Mapping
from .errors import DocumentError, RecordError
from .records import MappedRecord, MappingContext
from .registry import get_mapping
from .xml import SAFE_OPTIONS, release

Source = bytes | bytearray | IO[bytes]


def _open(source: Source) -> IO[bytes]:
    if isinstance(source, bytes | bytearray):
        return io.BytesIO(bytes(source))
    return source


def iter_xml_records(source: Source, tags: Iterable[str]) -> Iterator[etree._Element]:
    """Record elements with one of ``tags``, in document order, each released once the caller moves on.

    Raises :class:`DocumentError` when the document is not well-formed (records before the error have
    been yielded already).
    """
    stream = _open(source)
    context = etree.iterparse(stream, events=("end",), tag=tuple(tags), remove_pis=True, **SAFE_OPTIONS)
    try:
        for _event, el in context:
            yield el
            release(el)
    except etree.XMLSyntaxError as exc:
        raise DocumentError("document", f"not well-formed XML: {exc}") from exc


def map_stream(
    source: Source, mapping: Mapping | str, ctx: MappingContext
) -> Iterator[MappedRecord | RecordError]:
    """Map every record in ``source``: a :class:`MappedRecord` or a :class:`RecordError` per record.

    A failing record yields an error naming it (its own id, else its position) and the next record
    follows; an unreadable document yields one :class:`DocumentError` and ends the stream.
    """
    if isinstance(mapping, str):
        mapping = get_mapping(mapping)
    position = 0
    records = iter_xml_records(source, mapping.root_tags)
    while True:
        try:
            el = next(records)
        except StopIteration:
            return
        except DocumentError as exc:
            yield exc
            return
        position += 1
        try:
            yield mapping.map_record(el, ctx)
        except RecordError as exc:
            if exc.source_id is None:
                exc.source_id = mapping.record_id(el) or f"record #{position}"
            yield exc
