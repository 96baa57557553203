"""A small OAI-PMH 2.0 repository written for the tests, whose records the tests change between runs.

It serves ListRecords (with resumption tokens, ``from``/``until``), Identify and GetRecord over a dict of
records held in memory, on a real loopback HTTP server (werkzeug in a thread). The tests use it where
they need to edit the source between harvests (deletions, changed datestamps, broken records); the demo
feeds and the third-party ``oaipmh`` server cover the rest.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

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
class OaiTestServer:
    page_size: int = 10
    now: str = "2026-01-01T00:00:00Z"
    granularity: str = "YYYY-MM-DDThh:mm:ssZ"
    records: dict[str, SourceRecord] = field(default_factory=dict)
    requests: list[dict[str, str]] = field(default_factory=list)

    def put(self, identifier: str, datestamp: str, metadata: str | None) -> None:
        self.records[identifier] = SourceRecord(identifier, datestamp, metadata)

    def delete(self, identifier: str, datestamp: str) -> None:
        self.records[identifier] = SourceRecord(identifier, datestamp, None)

    # --- HTTP --------------------------------------------------------------------------------
    def start(self) -> OaiTestServer:
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/oai"

    def _app(self, environ, start_response):  # noqa: ANN001, ANN202
        request = Request(environ)
        args = {k: v for k, v in request.args.items()}
        self.requests.append(args)
        body = self.respond(args)
        return Response(body, content_type="text/xml; charset=utf-8")(environ, start_response)

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
                offset_text, from_, until = args["resumptionToken"].split("|")
                offset = int(offset_text)
            except ValueError:
                return self._error("badResumptionToken", "unknown token")
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
                f"{end}|{from_ or ''}|{until or ''}</resumptionToken>"
            )
        elif offset:
            parts.append(f'<resumptionToken completeListSize="{len(selected)}" cursor="{offset}"/>')
        parts.append("</ListRecords>")
        return self._envelope("".join(parts))
