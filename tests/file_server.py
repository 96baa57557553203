"""A loopback HTTP server serving documents from a dict, for the harvest tests of the RDF-native sources.

Tests put and remove documents while it runs (a museum changing its data between harvests) and read
which paths were requested. Real werkzeug on 127.0.0.1 in a thread; nothing else.
"""

from __future__ import annotations

import gzip
import threading
from dataclasses import dataclass, field

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response


@dataclass
class Document:
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: object, **kwargs: object) -> None:  # noqa: D102 - keep test output clean
        pass


class FileServer:
    def __init__(self) -> None:
        self.documents: dict[str, Document] = {}
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True, request_handler=_QuietHandler)
        # A short poll interval: shutdown() waits for the serving loop to notice (0.5 s by default).
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def put(
        self, path: str, body: bytes | str, content_type: str, *, encoding: str | None = None, status: int = 200
    ) -> str:
        """Serve ``body`` at ``path``; ``encoding="gzip"`` sends it with ``Content-Encoding: gzip``."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        headers = {}
        if encoding == "gzip":
            data, headers = gzip.compress(data), {"Content-Encoding": "gzip"}
        with self._lock:
            self.documents[path] = Document(data, content_type, headers, status)
        return self.url + path

    def remove(self, path: str) -> None:
        with self._lock:
            self.documents.pop(path, None)

    def _app(self, environ, start_response):  # noqa: ANN001, ANN202 - WSGI
        request = Request(environ)
        with self._lock:
            self.requests.append(request.full_path.rstrip("?"))
            doc = self.documents.get(request.path)
        if doc is None:
            return Response("not found", status=404)(environ, start_response)
        response = Response(doc.body, status=doc.status, content_type=doc.content_type, headers=doc.headers)
        return response(environ, start_response)

    def start(self) -> FileServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
