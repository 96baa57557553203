"""OAI-PMH 2.0 client: Identify and ListRecords with resumption tokens.

Owns the protocol (requests, page parsing, errors); it does not map, store or checkpoint — the harvest
run (``harvesters.run``) does. Unlike Sickle, every page is parsed once with the hub's safe parser,
broken XML is an error (never ``recover=True``), and ``noRecordsMatch`` is an empty, successful answer.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass, field

from lxml import etree

from harvesters.errors import HarvestError
from harvesters.http import ContentError, GuardedSession
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
@dataclass
class OaiRecord:
    identifier: str
    datestamp: str
    deleted: bool
    sets: list[str]
    metadata: etree._Element | None  # the first element inside <metadata>; None for deleted records


@dataclass
class ListRecordsPage:
    records: list[OaiRecord]
    resumption_token: str | None  # None or "" on the last page
    complete_list_size: int | None
    cursor: int | None
    response_date: str


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
        root = self._request(params)
        return _parse_list_records(root)

    def list_records(self, metadata_prefix: str, **kwargs: str | None) -> Iterator[ListRecordsPage]:
        """Every page of a ListRecords list, following resumption tokens."""
        page = self.list_records_page(metadata_prefix, **kwargs)
        yield page
        while page.resumption_token:
            page = self.list_records_page(resumption_token=page.resumption_token)
            yield page


def _parse_list_records(root: etree._Element) -> ListRecordsPage:
    response_date = (root.findtext(f"{_OAI}responseDate") or "").strip()
    node = root.find(f"{_OAI}ListRecords")
    if node is None:  # noRecordsMatch
        return ListRecordsPage([], None, 0, 0, response_date)
    records = []
    for rec in node.iterfind(f"{_OAI}record"):
        header = rec.find(f"{_OAI}header")
        if header is None:
            raise OaiProtocolError("a <record> without <header>")
        identifier = (header.findtext(f"{_OAI}identifier") or "").strip()
        if not identifier:
            raise OaiProtocolError("a record header without <identifier>")
        deleted = header.get("status") == "deleted"
        metadata = None
        if not deleted:
            container = rec.find(f"{_OAI}metadata")
            if container is not None:
                metadata = next((child for child in container if isinstance(child.tag, str)), None)
        records.append(
            OaiRecord(
                identifier=identifier,
                datestamp=(header.findtext(f"{_OAI}datestamp") or "").strip(),
                deleted=deleted,
                sets=[(s.text or "").strip() for s in header.iterfind(f"{_OAI}setSpec")],
                metadata=metadata,
            )
        )
    token_node = node.find(f"{_OAI}resumptionToken")
    token = size = cursor = None
    if token_node is not None:
        token = (token_node.text or "").strip() or None
        size = _int(token_node.get("completeListSize"))
        cursor = _int(token_node.get("cursor"))
    return ListRecordsPage(records, token, size, cursor, response_date)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


#: how often one listing may be restarted after badResumptionToken before the run gives up
MAX_LIST_RESTARTS = 3


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
            for r in page.records:
                if r.datestamp:
                    if state.get("last") and r.datestamp < state["last"]:
                        state["ordered"] = False
                    state["last"] = max(r.datestamp, state.get("last") or "")
            token = page.resumption_token
            state["token"] = token
            yield SourcePage(
                records=[SourceRecord(r.identifier, r.datestamp, r.deleted, r.metadata) for r in page.records],
                checkpoint=dict(state) if token else None,
                complete_list_size=page.complete_list_size,
                response_date=page.response_date or None,
            )
            if not token:
                return
