"""A loopback HTTP server around a WSGI app, and the transfer faults the harvest tests inject with it.

Real werkzeug on 127.0.0.1 in a thread (HTTP/1.1: a body without Content-Length goes out chunked). The
tests' apps decide what to answer; :func:`cut_off` sends part of a body and then closes the connection,
the way a museum's server dies mid-answer. Every request's method and path are recorded.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: object, **kwargs: object) -> None:  # keep test output clean
        pass

    def log_error(self, *args: object) -> None:  # a cut-off answer is the test's intent
        pass


class LoopbackServer:
    def __init__(self, app: WsgiApp) -> None:
        self.app = app
        self.requests: list[str] = []  # "METHOD /path?query"
        self._lock = threading.Lock()
        self._server = make_server("127.0.0.1", 0, self._recorded, threaded=True, request_handler=_QuietHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _recorded(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        query = environ.get("QUERY_STRING")
        with self._lock:
            self.requests.append(f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}" + (f"?{query}" if query else ""))
        return self.app(environ, start_response)

    def start(self) -> LoopbackServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def cut_off(environ: dict[str, Any], chunks: Iterable[bytes], after: int) -> Iterator[bytes]:
    """Send ``chunks`` until ``after`` bytes went out, then shut the connection (mid-body)."""
    sent = 0
    for chunk in chunks:
        if sent + len(chunk) >= after:
            yield chunk[: after - sent]
            break
        sent += len(chunk)
        yield chunk
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def file_chunks(path: str, size: int = 64 * 1024) -> Iterator[bytes]:
    """A file's bytes in chunks, never the whole file at once (the server side of a large dump)."""
    with open(path, "rb") as file:
        while chunk := file.read(size):
            yield chunk


def serve_file_main(argv: list[str]) -> None:
    """``python -m tests.support.loopback_server FILE``: serve FILE at every path, chunked, in a process of its own
    (a test measuring its own memory must not count the server's); prints the port, runs until killed."""
    import sys
    import time

    path = argv[0]

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return file_chunks(path)

    with LoopbackServer(app) as server:
        sys.stdout.write(f"{server.port}\n")
        sys.stdout.flush()
        while True:
            time.sleep(60)


if __name__ == "__main__":
    import sys

    serve_file_main(sys.argv[1:])
