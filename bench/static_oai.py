"""A fast synthetic OAI-PMH repository for benchmarks, run in its own process.

It answers Identify and ListRecords over N synthetic LIDO records, ``page_size`` per page, generating
each page on request. It runs in a separate process so that serving does not compete with the
harvester for the GIL (it still shares the machine's two cores, as a real remote server would not).
"""

from __future__ import annotations

import multiprocessing
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from bench.synthetic import lido_record

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
    "<responseDate>2026-01-01T00:00:00Z</responseDate><request>http://127.0.0.1/oai</request>"
)
IDENTIFY = (
    HEAD + "<Identify><repositoryName>Bench</repositoryName><baseURL>http://127.0.0.1/oai</baseURL>"
    "<protocolVersion>2.0</protocolVersion><adminEmail>bench@example.org</adminEmail>"
    "<earliestDatestamp>2000-01-01T00:00:00Z</earliestDatestamp><deletedRecord>persistent</deletedRecord>"
    "<granularity>YYYY-MM-DDThh:mm:ssZ</granularity></Identify></OAI-PMH>"
)


def render_page(page: int, total: int, page_size: int) -> bytes:
    start = page * page_size
    end = min(total, start + page_size)
    parts = [HEAD, "<ListRecords>"]
    for i in range(start, end):
        parts.append(
            f"<record><header><identifier>oai:bench:{i:07d}</identifier>"
            f"<datestamp>2025-06-01T00:00:00Z</datestamp></header><metadata>{lido_record(i)}</metadata></record>"
        )
    if end < total:
        parts.append(f'<resumptionToken completeListSize="{total}" cursor="{start}">{page + 1}</resumptionToken>')
    parts.append("</ListRecords></OAI-PMH>")
    return "".join(parts).encode()


def _serve(port_queue: multiprocessing.Queue, total: int, page_size: int) -> None:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            query = parse_qs(urlsplit(self.path).query)
            verb = query.get("verb", [""])[0]
            if verb == "Identify":
                body = IDENTIFY.encode()
            else:
                page = int(query.get("resumptionToken", ["0"])[0])
                body = render_page(page, total, page_size)
            self.send_response(200)
            self.send_header("Content-Type", "text/xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port_queue.put(server.server_address[1])
    server.serve_forever()


class BenchOaiServer:
    def __init__(self, total: int, page_size: int = 500) -> None:
        self.total = total
        self.page_size = page_size

    def __enter__(self) -> BenchOaiServer:
        ctx = multiprocessing.get_context("spawn")
        queue = ctx.Queue()
        self.process = ctx.Process(target=_serve, args=(queue, self.total, self.page_size), daemon=True)
        self.process.start()
        self.url = f"http://127.0.0.1:{queue.get(timeout=30)}/oai"
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.join(10)
