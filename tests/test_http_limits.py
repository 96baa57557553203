"""A feed cannot fill the hub's memory or disk: answers larger than the session's bound are refused, whether
the size is declared (Content-Length), sent chunked without one, or hidden by gzip Content-Encoding."""

from __future__ import annotations

import gzip
from collections.abc import Iterator

import pytest

from harvesters.guard import FeedGuard
from harvesters.http import GuardedSession, HarvestHttpError, response_body
from tests.support.loopback_server import LoopbackServer

BIG = b"<x>" + b"a" * 50_000 + b"</x>"


def app(environ, start_response):  # WSGI
    path = environ["PATH_INFO"]
    if path == "/declared":
        start_response("200 OK", [("Content-Type", "text/xml"), ("Content-Length", str(len(BIG)))])
        return [BIG]
    if path == "/chunked":  # no Content-Length: werkzeug sends it chunked
        start_response("200 OK", [("Content-Type", "text/xml")])
        return (BIG[i : i + 4096] for i in range(0, len(BIG), 4096))
    if path == "/gzip-bomb":  # small on the wire, large once decoded
        body = gzip.compress(BIG)
        start_response("200 OK", [("Content-Type", "text/xml"), ("Content-Encoding", "gzip"),
                                  ("Content-Length", str(len(body)))])
        return [body]
    start_response("200 OK", [("Content-Type", "text/xml")])
    return [b"<ok/>"]


@pytest.fixture
def http() -> Iterator[tuple[GuardedSession, LoopbackServer]]:
    with LoopbackServer(app) as srv:
        session = GuardedSession(FeedGuard(["127.0.0.0/8"]), timeout=5, max_download_bytes=10_000)
        try:
            yield session, srv
        finally:
            session.close()


@pytest.mark.parametrize("path", ["/declared", "/chunked", "/gzip-bomb"])
def test_a_page_over_the_bound_is_refused(http: tuple[GuardedSession, LoopbackServer], path: str) -> None:
    session, srv = http
    with pytest.raises(HarvestHttpError, match="larger than 10,000 bytes, the most the hub reads"):
        session.get(srv.url + path)
    assert session.get(srv.url + "/small").content == b"<ok/>"  # the session still works


@pytest.mark.parametrize("path", ["/chunked", "/gzip-bomb"])
def test_a_streamed_download_stops_at_the_bound(http: tuple[GuardedSession, LoopbackServer], path: str) -> None:
    session, srv = http
    with pytest.raises(HarvestHttpError, match="the most the hub reads"):
        session.fetch(srv.url + path, None, lambda response: response_body(response, 1024).read(), stream=True)


def test_within_the_bound_everything_is_read(http: tuple[GuardedSession, LoopbackServer]) -> None:
    session, srv = http
    session.max_download_bytes = 100_000
    assert session.get(srv.url + "/chunked").content == BIG
    assert session.get(srv.url + "/gzip-bomb").content == BIG
    assert session.fetch(srv.url + "/chunked", None, lambda r: response_body(r, 1024).read(), stream=True) == BIG
