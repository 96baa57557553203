"""A loopback HTTP server serving documents from a dict, for the harvest tests of the RDF-native sources.

Tests put and remove documents while it runs (a museum changing its data between harvests) and read
which paths were requested. Real werkzeug on 127.0.0.1 in a thread; nothing else.
"""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from werkzeug.wrappers import Request, Response

from tests.support.loopback_server import LoopbackServer


@dataclass
class Document:
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200


class FileServer:
    def __init__(self) -> None:
        self.documents: dict[str, Document] = {}
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self._http = LoopbackServer(self._app)

    @property
    def url(self) -> str:
        return self._http.url

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

    def _app(self, environ, start_response):  # WSGI
        request = Request(environ)
        with self._lock:
            self.requests.append(request.full_path.rstrip("?"))
            doc = self.documents.get(request.path)
        if doc is None:
            return Response("not found", status=404)(environ, start_response)
        response = Response(doc.body, status=doc.status, content_type=doc.content_type, headers=doc.headers)
        return response(environ, start_response)

    def start(self) -> FileServer:
        self._http.start()
        return self

    def stop(self) -> None:
        self._http.stop()


@pytest.fixture
def server() -> Iterator[FileServer]:
    """A running FileServer (import it into a test module to use it as that module's ``server``)."""
    srv = FileServer().start()
    try:
        yield srv
    finally:
        srv.stop()
