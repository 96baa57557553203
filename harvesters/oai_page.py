"""One OAI-PMH answer read as a stream: spooled, checked in a first pass, then handed out record by record.

A ListRecords page may be large (a feed decides how many records a page carries), and lxml needs ~35x a
document's bytes to hold it parsed. So a page is never parsed whole: its body is copied to a spool (memory
up to :data:`SPOOL_IN_MEMORY`, then a temporary file) of at most ``max_page_bytes``, and read twice with
the hub's safe pull parser (``mappings.xml``: no entities, no DTD, no network), element by element, each
element released once read:

1. :func:`scan`, inside the HTTP retry loop: the page must be a well-formed OAI-PMH answer (else a
   :class:`~harvesters.http.ContentError`: fetched again), its errors, ``responseDate``, resumption token
   and datestamp order are read, every record must have a header with an identifier, and records larger
   than ``max_record_bytes`` (measured on the bytes fed, to within two chunks) are noted;
2. :func:`read_records`: the records one at a time, each record's tree valid until the next is taken;
   the elements inside an oversized record's metadata are released as they are read, and the record is
   handed out without metadata, with the reason to quarantine it.

Memory is bounded by one record (and the spool's in-memory part), whatever the page's size.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import requests
from lxml import etree

from harvesters.http import response_body
from mappings.xml import safe_pull_parser

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
_OAI = f"{{{OAI_NS}}}"
_ROOT, _RECORD, _HEADER, _METADATA = f"{_OAI}OAI-PMH", f"{_OAI}record", f"{_OAI}header", f"{_OAI}metadata"
#: bytes read from the spool per parser feed (the precision of a record's measured size)
FEED_CHUNK = 64 * 1024
#: a page's body is kept in memory up to this size, then spooled to a temporary file
SPOOL_IN_MEMORY = 1024 * 1024


class PageUnreadable(ValueError):
    """The answer is not a well-formed OAI-PMH document, or a record in it has no usable header."""


@dataclass
class PageSummary:
    """What the first pass learnt about a page (everything but the records' contents)."""

    response_date: str = ""
    errors: list[tuple[str, str]] = field(default_factory=list)  # (code, message)
    element: str | None = None  # the verb's element (ListRecords, Identify...), None when absent
    resumption_token: str | None = None
    complete_list_size: str | None = None
    cursor: str | None = None
    records: int = 0
    oversized: dict[int, int] = field(default_factory=dict)  # record index -> measured bytes
    first_datestamp: str | None = None
    max_datestamp: str | None = None
    in_datestamp_order: bool = True


def spool(response: requests.Response) -> IO[bytes]:
    """The body of a streamed response copied to a spool (its size bounded by ``response.max_bytes``)."""
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # the caller owns it
    try:
        body = response_body(response, FEED_CHUNK)
        while chunk := body.read(FEED_CHUNK):
            out.write(chunk)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out


def _events(fp: IO[bytes]) -> Iterator[tuple[str, Any, int, int]]:
    """(event, element, bytes fed before, bytes fed after) for every start and end in the document at
    ``fp``; raises :class:`PageUnreadable` when it is not well-formed."""
    fp.seek(0)
    parser = safe_pull_parser(("start", "end"))
    fed = 0
    try:
        while chunk := fp.read(FEED_CHUNK):
            before, fed = fed, fed + len(chunk)
            parser.feed(chunk)
            for event, el in parser.read_events():
                yield event, el, before, fed
        parser.close()
        for event, el in parser.read_events():
            yield event, el, fed, fed
    except etree.XMLSyntaxError as exc:
        raise PageUnreadable(f"not well-formed XML: {exc}") from exc


def _drop(el: etree._Element) -> None:
    """Free a read element and its earlier siblings (their parent keeps only what is still to come)."""
    el.clear(keep_tail=False)
    parent = el.getparent()
    if parent is not None:
        while el.getprevious() is not None:
            del parent[0]


def scan(fp: IO[bytes], max_record_bytes: int) -> PageSummary:
    """The first pass over a spooled page (see the module docstring); the records' contents are dropped."""
    summary = PageSummary()
    level = 0  # of the element an event is about: 1 the root, 2 ListRecords, 3 a record, 4 its header
    record_start = 0
    identifier = in_header = False
    running_max: str | None = None
    for event, el, before, fed in _events(fp):
        if event == "start":
            level += 1
            if level == 1 and el.tag != _ROOT:
                raise PageUnreadable(f"not an OAI-PMH response: root element {el.tag!r}")
            if level == 3 and el.tag == _RECORD:
                record_start, identifier = before, False
            in_header = in_header or (level == 4 and el.tag == _HEADER)
            continue
        level -= 1
        tag, here = el.tag, level + 1
        if here == 2:  # a child of the root: responseDate, request, error, the verb's element
            if tag == f"{_OAI}responseDate":
                summary.response_date = (el.text or "").strip()
            elif tag == f"{_OAI}error":
                summary.errors.append((el.get("code", ""), (el.text or "").strip()))
            elif tag != f"{_OAI}request" and isinstance(tag, str):
                summary.element = etree.QName(tag).localname
        elif here == 3 and tag == _RECORD:
            if not identifier:
                raise PageUnreadable("a record without a header identifier")
            if fed - record_start > max_record_bytes:
                summary.oversized[summary.records] = fed - record_start
            summary.records += 1
        elif here == 3 and tag == f"{_OAI}resumptionToken":
            summary.resumption_token = (el.text or "").strip() or None
            summary.complete_list_size = el.get("completeListSize")
            summary.cursor = el.get("cursor")
        elif here == 4 and tag == _HEADER:
            in_header = False
            identifier = bool((el.findtext(f"{_OAI}identifier") or "").strip())
            stamp = (el.findtext(f"{_OAI}datestamp") or "").strip()
            if stamp:
                summary.first_datestamp = summary.first_datestamp or stamp
                if running_max and stamp < running_max:
                    summary.in_datestamp_order = False
                running_max = max(stamp, running_max or "")
        if here > 1 and not in_header:
            _drop(el)  # nothing of a record is kept in the first pass (a header until it is read)
    summary.max_datestamp = running_max
    return summary


@dataclass
class PageRecord:
    """One record of a page: header fields, its metadata element (valid until the next record is taken),
    and why it cannot be used (too large), if so."""

    identifier: str
    datestamp: str
    deleted: bool
    sets: list[str]
    metadata: etree._Element | None
    problem: str | None = None


def read_records(fp: IO[bytes], summary: PageSummary, max_record_bytes: int) -> Iterator[PageRecord]:
    """The second pass: the page's records in order, one tree at a time; closes ``fp`` when done."""
    try:
        level = index = 0
        in_metadata = False
        for event, el, _before, _fed in _events(fp):
            if event == "start":
                level += 1
                in_metadata = in_metadata or (level == 4 and el.tag == _METADATA)
                continue
            level -= 1
            here = level + 1
            if here == 4 and el.tag == _METADATA:
                in_metadata = False
            elif here > 4 and in_metadata and index in summary.oversized:
                _drop(el)  # an oversized record's metadata is read and dropped, never held
            elif here == 3 and el.tag == _RECORD:
                yield _record(el, summary.oversized.get(index), max_record_bytes)
                _drop(el)
                index += 1
            elif here == 2:
                _drop(el)
    finally:
        fp.close()


def _record(el: etree._Element, oversized: int | None, max_record_bytes: int) -> PageRecord:
    header = el.find(_HEADER)
    assert header is not None  # the first pass checked every record's header
    deleted = header.get("status") == "deleted"
    metadata = None
    container = el.find(_METADATA)
    if not deleted and container is not None and oversized is None:
        metadata = next((child for child in container if isinstance(child.tag, str)), None)
    problem = None
    if oversized is not None and not deleted:
        problem = (f"the record is larger than the {max_record_bytes // (1024 * 1024):,} MB one record may have "
                   f"(about {oversized // (1024 * 1024):,} MB; harvest_max_record_mb)")
    return PageRecord(
        identifier=(header.findtext(f"{_OAI}identifier") or "").strip(),
        datestamp=(header.findtext(f"{_OAI}datestamp") or "").strip(),
        deleted=deleted,
        sets=[(s.text or "").strip() for s in header.iterfind(f"{_OAI}setSpec")],
        metadata=metadata,
        problem=problem,
    )
