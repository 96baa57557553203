"""The demo museums, each served as a real OAI-PMH 2.0 repository (and image server) on loopback.

This module owns the *serving* of the bundled demo data: it runs ONE threaded werkzeug HTTP server
over the museums that ``museum.py`` reads (``museums/<id>/museum.toml`` and the generated ``records.xml``,
see ``build_records.py``), with the OAI-PMH answers of ``oai.py``. It answers, per museum,

- ``/<id>/oai``: OAI-PMH 2.0 through the PyPI ``oaipmh`` package's ``BatchingServer`` (batches of 10,
  so harvesters must follow resumption tokens), verbs Identify, ListMetadataFormats, ListSets,
  ListIdentifiers, ListRecords, GetRecord; ``from``/``until`` on fixed datestamps; deleted records
  reported persistently with ``<header status="deleted">``; sets are the museum's collection sections;
- ``/<id>/images/<file>``: the bundled drawings, standing in for the museum's web server.

LIDO museums disseminate ``lido`` (the stored ``<lido>`` element written as-is; for the museum that
delivers it without namespaces the envelope uses an ``oai:`` prefix so the bare ``<lido>`` stays in
no namespace) and ``oai_dc`` (a crosswalk from LIDO, since OAI-PMH requires every
repository to offer ``oai_dc``); the Dublin Core museum disseminates ``oai_dc`` only.

Records carry image links as ``@MUSEUM_BASE@/images/...``; the server replaces ``@MUSEUM_BASE@`` with
``http://HOST:PORT/<id>`` once it knows its port. Nothing here imports the rest of the hub.

    from demo.feeds import DemoFeedServer, load_demo_museums
    server = DemoFeedServer(load_demo_museums(), port=0)
    server.start(); print(server.feed_url("hz-silk")); server.stop()

``DemoMuseum``, ``DemoRecord`` and ``load_demo_museums`` (``museum.py``) are importable from here too.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from typing import Any

from lxml import etree
from oaipmh import error
from oaipmh.server import ServerBase, XMLTreeServer
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from demo.museum import MUSEUMS_DIR, DemoMuseum, DemoRecord, load_demo_museums
from demo.oai import BATCH_SIZE, MUSEUM_BASE, MuseumRepository, lido_to_dc, metadata_registry, oai_servers

__all__ = [
    "BATCH_SIZE",
    "MUSEUMS_DIR",
    "MUSEUM_BASE",
    "DemoFeedServer",
    "DemoMuseum",
    "DemoRecord",
    "MuseumRepository",
    "lido_to_dc",
    "load_demo_museums",
]

# Only plain file names: no separators, no leading dot, a known image extension.
IMAGE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}\.(svg|png|jpe?g|webp)$")
IMAGE_TYPES = {
    "svg": "image/svg+xml",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
}


# --------------------------------------------------------------------------------------------------
# The HTTP server


class _QuietRequestHandler(WSGIRequestHandler):
    """Logs errors only: a full harvest is hundreds of requests, which would drown the demo's output."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return


class DemoFeedServer:
    """One threaded HTTP server on loopback, serving every demo museum at ``/<id>/oai`` and ``/<id>/images/``.

    ``start()`` binds (port 0 picks a free port) and serves from a daemon thread; ``stop()`` shuts the
    server down and closes its socket. Usable as a context manager.
    """

    def __init__(
        self,
        museums: Sequence[DemoMuseum],
        host: str = "127.0.0.1",
        port: int = 0,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self.museums = {m.id: m for m in museums}
        self.host = host
        self._requested_port = port
        self.batch_size = batch_size
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._oai: dict[str, ServerBase] = {}
        self._errors: dict[str, XMLTreeServer] = {}

    # -- lifecycle -------------------------------------------------------------------------------------

    def start(self) -> None:
        if self._server is not None:
            raise RuntimeError("DemoFeedServer already started")
        # Bind first: the port (when 0) is only known then, and the records' image links need it.
        server = make_server(
            self.host,
            self._requested_port,
            self.wsgi_app,
            threaded=True,
            request_handler=_QuietRequestHandler,
        )
        self._server = server
        try:
            registry = metadata_registry()
            for museum_id, museum in self.museums.items():
                repo = MuseumRepository(museum, f"{self.base_url}/{museum_id}")
                oai, errors = oai_servers(repo, registry, self.batch_size)
                self._oai[museum_id] = oai
                self._errors[museum_id] = errors
        except BaseException:
            server.server_close()
            self._server = None
            raise
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="srom-demo-feeds", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> DemoFeedServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses -------------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("DemoFeedServer not started")
        return int(self._server.server_port)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def feed_url(self, museum_id: str) -> str:
        if museum_id not in self.museums:
            raise KeyError(museum_id)
        return f"{self.base_url}/{museum_id}/oai"

    def image_url(self, museum_id: str, filename: str) -> str:
        return f"{self.base_url}/{museum_id}/images/{filename}"

    # -- WSGI ------------------------------------------------------------------------------------------

    def wsgi_app(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        response = self._dispatch(request)
        return response(environ, start_response)

    def _dispatch(self, request: Request) -> Response:
        # PATH_INFO arrives percent-decoded: "..%2F" is already "../" here and splits into more parts.
        parts = request.path.strip("/").split("/") if request.path.strip("/") else []
        if not parts:
            return self._index()
        museum_id = parts[0]
        if museum_id not in self.museums:
            return Response("not found\n", status=404, mimetype="text/plain")
        if parts[1:] == ["oai"]:
            if request.method not in ("GET", "POST"):
                return Response(
                    "method not allowed\n", status=405, mimetype="text/plain", headers={"Allow": "GET, POST"}
                )
            return self._oai_response(museum_id, request)
        if len(parts) == 3 and parts[1] == "images":
            if request.method not in ("GET", "HEAD"):
                return Response(
                    "method not allowed\n", status=405, mimetype="text/plain", headers={"Allow": "GET, HEAD"}
                )
            return self._image(museum_id, parts[2])
        return Response("not found\n", status=404, mimetype="text/plain")

    def _index(self) -> Response:
        lines = [f"{m.id}\t{self.feed_url(m.id)}\t{m.metadata_format}" for m in self.museums.values()]
        return Response(
            "SROM demo museum feeds (OAI-PMH 2.0)\n" + "\n".join(lines) + "\n", mimetype="text/plain"
        )

    def _oai_response(self, museum_id: str, request: Request) -> Response:
        values = request.values  # query string and form body: OAI-PMH allows GET and POST
        args: dict[str, str] = {}
        repeated = [key for key in values if len(values.getlist(key)) > 1]
        if repeated:
            # OAI-PMH: a repeated argument is a badArgument; the oaipmh package only sees a dict.
            tree = self._errors[museum_id].handleException(
                error.BadArgumentError(f"Repeated argument: {', '.join(sorted(repeated))}")
            )
            body = etree.tostring(tree.getroot(), encoding="UTF-8", xml_declaration=True)
        else:
            args = {key: values[key] for key in values}
            body = self._oai[museum_id].handleRequest(args)
        return Response(body, mimetype="text/xml", content_type="text/xml; charset=utf-8")

    def _image(self, museum_id: str, name: str) -> Response:
        if not IMAGE_NAME.match(name):
            return Response("not found\n", status=404, mimetype="text/plain")
        images = self.museums[museum_id].images_dir.resolve()
        path = (images / name).resolve()
        if path.parent != images or not path.is_file():
            return Response("not found\n", status=404, mimetype="text/plain")
        content_type = IMAGE_TYPES[name.rsplit(".", 1)[1].lower()]
        return Response(
            path.read_bytes(),
            content_type=content_type,
            headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
        )
