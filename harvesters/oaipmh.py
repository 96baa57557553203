"""OAI-PMH 2.0 client: Identify and ListRecords with resumption tokens.

Owns the protocol (requests, page parsing, errors); it does not map, store or checkpoint — the harvest
run (``harvesters.run``) does. Unlike Sickle, every answer is parsed with the hub's safe parser, broken
XML is an error (never ``recover=True``), and ``noRecordsMatch`` is an empty, successful answer. A
ListRecords page is streamed (``harvesters.oai_page``: checked whole in a first pass, then read record
by record), so its size costs a spool, not memory; a large page reaches the harvest in parts of
:data:`RECORDS_PER_PART` records.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import IO

import requests
from lxml import etree

from harvesters.errors import HarvestError
from harvesters.http import ContentError, GuardedSession
from harvesters.oai_page import PageRecord, PageSummary, PageUnreadable, read_records, scan, spool
from harvesters.source import Source, SourcePage, SourceRecord
from mappings.xml import parse_bytes

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
_OAI = f"{{{OAI_NS}}}"


# --- errors ------------------------------------------------------------------------------------
class OaiError(HarvestError):
    """Base of every OAI-PMH failure; ``code`` is the protocol's error code where there is one."""

    code = "oaiError"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        if code:
            self.code = code


class OaiProtocolError(OaiError, ContentError):
    """The answer is not an OAI-PMH response (not XML, truncated, wrong root element).

    A :class:`~harvesters.http.ContentError`: the request is retried before this propagates.
    """

    code = "protocolError"


class BadResumptionToken(OaiError):
    code = "badResumptionToken"


class CannotDisseminateFormat(OaiError):
    code = "cannotDisseminateFormat"


_ERRORS: dict[str, type[OaiError]] = {
    "badResumptionToken": BadResumptionToken,
    "cannotDisseminateFormat": CannotDisseminateFormat,
}


# --- models ------------------------------------------------------------------------------------
#: one record of a ListRecords page (its metadata element is valid until the next record is taken)
OaiRecord = PageRecord


@dataclass
class ListRecordsPage:
    #: the page's records, read as they are taken (a page is streamed: ``harvesters.oai_page``)
    records: Iterator[OaiRecord]
    resumption_token: str | None  # None or "" on the last page
    complete_list_size: int | None
    cursor: int | None
    response_date: str
    record_count: int = 0
    #: the page's datestamps: the first, the latest, and whether each was at least the ones before it
    first_datestamp: str | None = None
    max_datestamp: str | None = None
    in_datestamp_order: bool = True


@dataclass
class MetadataFormat:
    prefix: str
    schema: str
    namespace: str


@dataclass
class OaiSet:
    spec: str
    name: str


@dataclass
class Identify:
    repository_name: str
    base_url: str
    protocol_version: str
    earliest_datestamp: str
    deleted_record: str
    granularity: str
    admin_emails: list[str] = field(default_factory=list)

    def format_datestamp(self, iso_utc: str) -> str:
        """``iso_utc`` (YYYY-MM-DDThh:mm:ssZ) in the repository's own granularity, for ``from``."""
        return iso_utc[:10] if self.granularity == "YYYY-MM-DD" else iso_utc


# --- client ------------------------------------------------------------------------------------
class OaiClient:
    def __init__(self, base_url: str, http: GuardedSession) -> None:
        self.base_url = base_url
        self.http = http

    def _request(self, params: dict[str, str]) -> etree._Element:
        # Parsing happens inside the session's retry loop: a page that is not XML or is cut short is
        # fetched again (never parsed with recover=True).
        root = self.http.fetch(self.base_url, params, lambda response: self._parse(response.content, params))
        for error in root.iterfind(f"{_OAI}error"):
            code = error.get("code", "")
            if code == "noRecordsMatch":
                continue  # an empty list is a successful answer
            message = (error.text or "").strip() or code
            raise _ERRORS.get(code, OaiError)(f"{code}: {message}", code=code)
        return root

    def _parse(self, data: bytes, params: dict[str, str]) -> etree._Element:
        try:
            root = parse_bytes(data)
        except etree.XMLSyntaxError as exc:
            raise OaiProtocolError(
                f"not well-formed XML from {self.base_url} ({params.get('verb')}): {exc}"
            ) from exc
        if root.tag != f"{_OAI}OAI-PMH":
            raise OaiProtocolError(f"not an OAI-PMH response: root element {root.tag!r}")
        return root

    def identify(self) -> Identify:
        root = self._request({"verb": "Identify"})
        node = root.find(f"{_OAI}Identify")
        if node is None:
            raise OaiProtocolError("Identify response has no <Identify> element")

        def text(name: str, default: str = "") -> str:
            return (node.findtext(f"{_OAI}{name}") or default).strip()

        return Identify(
            repository_name=text("repositoryName"),
            base_url=text("baseURL"),
            protocol_version=text("protocolVersion"),
            earliest_datestamp=text("earliestDatestamp"),
            deleted_record=text("deletedRecord", "no"),
            granularity=text("granularity", "YYYY-MM-DD"),
            admin_emails=[(e.text or "").strip() for e in node.iterfind(f"{_OAI}adminEmail")],
        )

    def list_metadata_formats(self) -> list[MetadataFormat]:
        root = self._request({"verb": "ListMetadataFormats"})
        return [
            MetadataFormat(
                prefix=(f.findtext(f"{_OAI}metadataPrefix") or "").strip(),
                schema=(f.findtext(f"{_OAI}schema") or "").strip(),
                namespace=(f.findtext(f"{_OAI}metadataNamespace") or "").strip(),
            )
            for f in root.iterfind(f"{_OAI}ListMetadataFormats/{_OAI}metadataFormat")
        ]

    def list_sets(self, max_pages: int = 20) -> list[OaiSet]:
        """The repository's sets (first ``max_pages`` pages); empty when it has no set hierarchy."""
        sets: list[OaiSet] = []
        params = {"verb": "ListSets"}
        for _ in range(max_pages):
            try:
                root = self._request(params)
            except OaiError as exc:
                if exc.code == "noSetHierarchy":
                    return []
                raise
            node = root.find(f"{_OAI}ListSets")
            if node is None:
                break
            for s in node.iterfind(f"{_OAI}set"):
                sets.append(
                    OaiSet((s.findtext(f"{_OAI}setSpec") or "").strip(), (s.findtext(f"{_OAI}setName") or "").strip())
                )
            token = (node.findtext(f"{_OAI}resumptionToken") or "").strip()
            if not token:
                break
            params = {"verb": "ListSets", "resumptionToken": token}
        return sets

    def list_records_page(
        self,
        metadata_prefix: str | None = None,
        *,
        set_spec: str | None = None,
        from_: str | None = None,
        until: str | None = None,
        resumption_token: str | None = None,
    ) -> ListRecordsPage:
        """One ListRecords request: the first (by arguments) or a continuation (by token)."""
        if resumption_token:
            params = {"verb": "ListRecords", "resumptionToken": resumption_token}
        else:
            if not metadata_prefix:
                raise ValueError("metadata_prefix is required for the first ListRecords request")
            params = {"verb": "ListRecords", "metadataPrefix": metadata_prefix}
            if set_spec:
                params["set"] = set_spec
            if from_:
                params["from"] = from_
            if until:
                params["until"] = until
        fp, summary = self.http.fetch(self.base_url, params, self._scan_page, stream=True,
                                      max_bytes=self.http.max_page_bytes)
        try:
            self._raise_errors(summary)
        except BaseException:
            fp.close()
            raise
        if summary.element != "ListRecords":  # noRecordsMatch
            fp.close()
            return ListRecordsPage(iter(()), None, 0, 0, summary.response_date)
        return ListRecordsPage(
            read_records(fp, summary, self.http.max_record_bytes), summary.resumption_token,
            _int(summary.complete_list_size), _int(summary.cursor), summary.response_date,
            record_count=summary.records, first_datestamp=summary.first_datestamp,
            max_datestamp=summary.max_datestamp, in_datestamp_order=summary.in_datestamp_order,
        )

    def _scan_page(self, response: requests.Response) -> tuple[IO[bytes], PageSummary]:
        """A ListRecords answer spooled and checked (inside the retry loop: a broken page is fetched again)."""
        fp = spool(response)
        try:
            return fp, scan(fp, self.http.max_record_bytes)
        except PageUnreadable as exc:
            fp.close()
            raise OaiProtocolError(f"{exc} (from {self.base_url}, ListRecords)") from exc
        except BaseException:
            fp.close()
            raise

    @staticmethod
    def _raise_errors(summary: PageSummary) -> None:
        for code, text in summary.errors:
            if code == "noRecordsMatch":
                continue
            raise _ERRORS.get(code, OaiError)(f"{code}: {text or code}", code=code)

    def list_records(self, metadata_prefix: str, **kwargs: str | None) -> Iterator[ListRecordsPage]:
        """Every page of a ListRecords list, following resumption tokens."""
        page = self.list_records_page(metadata_prefix, **kwargs)
        yield page
        while page.resumption_token:
            page = self.list_records_page(resumption_token=page.resumption_token)
            yield page


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


#: how often one listing may be restarted after badResumptionToken before the run gives up
MAX_LIST_RESTARTS = 3
#: a page's records reach the harvest in parts of at most this many (their mapped triples are held per part)
RECORDS_PER_PART = 500


class OaiPmhSource(Source):
    """OAI-PMH 2.0 ListRecords; the feed's ``format`` is the metadataPrefix (lido, oai_dc, edm...).

    Checkpoint (after each page): ``token`` (the resumption token, None on the last page), ``from`` (the
    list's own ``from`` argument), ``last`` (the latest datestamp listed so far) and ``ordered`` (whether
    the list came in datestamp order so far). A token the server no longer knows (badResumptionToken,
    e.g. it expired while the hub was down) restarts the list: from ``last`` when the list is in
    datestamp order — nothing listed later can have an earlier datestamp, so nothing is skipped — and
    from the list's own ``from`` otherwise. Records listed twice are written twice; the run makes that
    idempotent.
    """

    protocol = "oai-pmh"
    formats = ("lido", "oai_dc")

    def client(self) -> OaiClient:
        return OaiClient(self.feed.url, self.http)

    def pages(self, since: str | None = None, resume: dict | None = None) -> Generator[SourcePage]:
        client = self.client()
        state = dict(resume or {})
        if not resume:
            state = {"from": client.identify().format_datestamp(since) if since else None,
                     "last": None, "ordered": True, "token": None}
        restarts = 0
        token = state.get("token")
        while True:
            start = dict(state)  # where this page is fetched from: the checkpoint of its first parts
            try:
                if token:
                    page = client.list_records_page(resumption_token=token)
                else:
                    page = client.list_records_page(
                        self.feed.format, set_spec=self.feed.set_spec, from_=state.get("from")
                    )
            except BadResumptionToken:
                if not token or restarts >= MAX_LIST_RESTARTS:
                    raise
                restarts += 1
                if state.get("ordered") and state.get("last"):
                    state["from"] = state["last"]
                token = None
                continue
            if page.first_datestamp:
                last = state.get("last")
                if not page.in_datestamp_order or (last and page.first_datestamp < last):
                    state["ordered"] = False
                state["last"] = max(page.max_datestamp or "", last or "")
            token = page.resumption_token
            state["token"] = token
            yield from _parts(page, start, dict(state) if token else None)
            if not token:
                return


def _parts(page: ListRecordsPage, start: dict, checkpoint: dict | None) -> Iterator[SourcePage]:
    """A page as SourcePages of at most RECORDS_PER_PART records; all but the last are ``partial``, their
    checkpoint the page's start (a run stopped half-way through the page reads it again)."""
    parts = max(1, -(-page.record_count // RECORDS_PER_PART))
    for part in range(parts):
        last = part == parts - 1
        records = page.records if last else islice(page.records, RECORDS_PER_PART)
        yield SourcePage(
            records=(SourceRecord(r.identifier, r.datestamp, r.deleted, r.metadata, r.problem) for r in records),
            checkpoint=checkpoint if last else start,
            complete_list_size=page.complete_list_size,
            response_date=page.response_date or None,
            partial=not last,
        )
