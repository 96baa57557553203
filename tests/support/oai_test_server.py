"""A small OAI-PMH 2.0 repository written for the tests, whose records and faults the tests control.

It serves ListRecords (with resumption tokens, ``from``/``until``), Identify and GetRecord over a dict of
records held in memory, on a real loopback HTTP server (werkzeug in a thread). The tests edit the
source between harvests (deletions, changed datestamps, broken records) and inject faults the way real
museum servers misbehave (:class:`Fault`):

- ``status``: an HTTP error (e.g. 503 with ``Retry-After`` in seconds or as an HTTP date, or 500);
- ``drop``: the connection is closed half-way through the body (the headers promised the whole length);
- ``stall``: the answer comes after ``seconds`` (longer than the harvester's timeout);
- ``non-xml``: an HTML error page with HTTP 200; ``truncated``: the XML cut in the middle;
- ``expire``: every resumption token issued so far stops working (the request gets badResumptionToken).

``delay`` slows every ListRecords page down (for the tests that kill a harvest mid-run).
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from werkzeug.wrappers import Request, Response

from tests.support.loopback_server import LoopbackServer

OAI_HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<responseDate>{now}</responseDate><request>{base}</request>"
)


@dataclass
class SourceRecord:
    identifier: str
    datestamp: str
    metadata: str | None  # the record's XML; None when deleted


@dataclass
class Fault:
    """A misbehaviour for matching requests: the ``skip`` first ones pass, the next ``times`` get it.

    ``resumption``: True matches only requests with a resumptionToken, False only first requests,
    None both. ``verb`` limits it to one OAI verb.
    """

    kind: str  # status | drop | stall | non-xml | truncated | expire
    verb: str | None = "ListRecords"
    resumption: bool | None = None
    skip: int = 0
    times: int = 1
    status: int = 503
    retry_after: str | None = None
    seconds: float = 0.0
    fired: int = 0

    def matches(self, args: dict[str, str]) -> bool:
        if self.verb and args.get("verb") != self.verb:
            return False
        if self.resumption is not None and ("resumptionToken" in args) != self.resumption:
            return False
        return True


@dataclass
class OaiTestServer:
    page_size: int = 10
    now: str = "2026-01-01T00:00:00Z"
    granularity: str = "YYYY-MM-DDThh:mm:ssZ"
    records: dict[str, SourceRecord] = field(default_factory=dict)
    requests: list[dict[str, str]] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    #: seconds every ListRecords page takes (a slow server)
    delay: float = 0.0
    #: bumped by an ``expire`` fault: tokens of an older generation are refused
    generation: int = 0

    def put(self, identifier: str, datestamp: str, metadata: str | None) -> None:
        self.records[identifier] = SourceRecord(identifier, datestamp, metadata)

    def delete(self, identifier: str, datestamp: str) -> None:
        self.records[identifier] = SourceRecord(identifier, datestamp, None)

    def inject(self, kind: str, **options: object) -> Fault:
        fault = Fault(kind, **options)  # type: ignore[arg-type]
        self.faults.append(fault)
        return fault

    def live(self) -> dict[str, SourceRecord]:
        """The records the source has now (not deleted)."""
        return {k: r for k, r in self.records.items() if r.metadata is not None}

    # --- HTTP --------------------------------------------------------------------------------
    def start(self) -> OaiTestServer:
        self._lock = threading.Lock()
        self._http = LoopbackServer(self._app).start()  # a new port on every start, like a restarted server
        return self

    def stop(self) -> None:
        self._http.stop()

    def __enter__(self) -> OaiTestServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"{self._http.url}/oai"

    def _fault_for(self, args: dict[str, str]) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.matches(args):
                    if fault.skip > 0:
                        fault.skip -= 1
                        continue
                    if fault.fired < fault.times:
                        fault.fired += 1
                        return fault
        return None

    def _app(self, environ, start_response):
        request = Request(environ)
        args = {k: v for k, v in request.args.items()}
        self.requests.append(args)
        fault = self._fault_for(args)
        if args.get("verb") == "ListRecords" and self.delay:
            time.sleep(self.delay)
        if fault is not None and fault.kind == "expire":
            self.generation += 1
            fault = None
        if fault is not None and fault.kind == "stall":
            time.sleep(fault.seconds)
            fault = None
        if fault is not None and fault.kind == "status":
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            response = Response("busy\n", status=fault.status, mimetype="text/plain", headers=headers)
            return response(environ, start_response)
        if fault is not None and fault.kind == "non-xml":
            page = "<!DOCTYPE html><html><body><h1>Service temporarily unavailable</h1><p>Try later.</body>"
            return Response(page, mimetype="text/html")(environ, start_response)
        body = self.respond(args).encode()
        if fault is not None and fault.kind == "truncated":
            return Response(body[: len(body) // 2], content_type="text/xml; charset=utf-8")(environ, start_response)
        if fault is not None and fault.kind == "drop":
            return self._drop(environ, start_response, body)
        return Response(body, content_type="text/xml; charset=utf-8")(environ, start_response)

    @staticmethod
    def _drop(environ, start_response, body: bytes):
        """Promise the whole body, send half of it, then close the connection."""
        start_response("200 OK", [("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(body)))])
        sock = environ.get("werkzeug.socket")

        def chunks():
            yield body[: len(body) // 2]
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        return chunks()

    # --- protocol ------------------------------------------------------------------------------
    def _envelope(self, inner: str) -> str:
        return OAI_HEADER.format(now=self.now, base=escape(self.url)) + inner + "</OAI-PMH>"

    def _error(self, code: str, message: str) -> str:
        return self._envelope(f'<error code="{code}">{escape(message)}</error>')

    def respond(self, args: dict[str, str]) -> str:
        verb = args.get("verb")
        if verb == "Identify":
            return self._envelope(
                "<Identify><repositoryName>Test repository</repositoryName>"
                f"<baseURL>{escape(self.url)}</baseURL><protocolVersion>2.0</protocolVersion>"
                "<adminEmail>admin@example.org</adminEmail>"
                "<earliestDatestamp>2000-01-01T00:00:00Z</earliestDatestamp>"
                f"<deletedRecord>persistent</deletedRecord><granularity>{self.granularity}</granularity>"
                "</Identify>"
            )
        if verb == "ListRecords":
            return self._list_records(args)
        return self._error("badVerb", f"unsupported verb {verb!r}")

    def _selected(self, from_: str | None, until: str | None) -> list[SourceRecord]:
        def key(stamp: str) -> str:
            return stamp[: len(from_ or until or stamp)]

        return [
            r
            for r in sorted(self.records.values(), key=lambda r: r.identifier)
            if (not from_ or key(r.datestamp) >= from_) and (not until or key(r.datestamp) <= until)
        ]

    def _list_records(self, args: dict[str, str]) -> str:
        if "resumptionToken" in args:
            try:
                generation, offset_text, from_, until = args["resumptionToken"].split("|")
                offset = int(offset_text)
            except ValueError:
                return self._error("badResumptionToken", "unknown token")
            if generation != f"g{self.generation}":
                return self._error("badResumptionToken", "the token has expired")
        else:
            offset, from_, until = 0, args.get("from", ""), args.get("until", "")
        selected = self._selected(from_ or None, until or None)
        if not selected:
            return self._error("noRecordsMatch", "no records")
        page = selected[offset : offset + self.page_size]
        parts = ["<ListRecords>"]
        for r in page:
            status = ' status="deleted"' if r.metadata is None else ""
            parts.append(
                f"<record><header{status}><identifier>{escape(r.identifier)}</identifier>"
                f"<datestamp>{r.datestamp}</datestamp></header>"
            )
            if r.metadata is not None:
                parts.append(f"<metadata>{r.metadata}</metadata>")
            parts.append("</record>")
        end = offset + self.page_size
        if end < len(selected):
            parts.append(
                f'<resumptionToken completeListSize="{len(selected)}" cursor="{offset}">'
                f"g{self.generation}|{end}|{from_ or ''}|{until or ''}</resumptionToken>"
            )
        elif offset:
            parts.append(f'<resumptionToken completeListSize="{len(selected)}" cursor="{offset}"/>')
        parts.append("</ListRecords>")
        return self._envelope("".join(parts))
