"""The feed guard against DNS rebinding: a host name that resolves to a public address when the hub checks
it and to a private one when the HTTP client connects is refused at the connection, before any request is
sent, by both transports (requests for OAI-PMH, Change Discovery and dumps; urllib for SPARQLWrapper).

The rebinding answer is a resolver handed to the guard (the attacker's DNS); the connections are real,
to a real server on 127.0.0.1, which must see no request at all.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from harvesters.guard import FeedGuard, FeedUrlRefused
from harvesters.http import GuardedSession
from harvesters.source import FeedSpec
from harvesters.sparql_source import SparqlSource
from tests.support.loopback_server import LoopbackServer

PUBLIC = "93.184.216.34"  # what the rebinding DNS answers the guard's own lookup


def app(environ, start_response):  # WSGI
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"internal data"]


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer(app) as srv:
        yield srv


def rebinding_guard() -> FeedGuard:
    guard = FeedGuard()  # loopback not allowed: the hub's default
    guard.resolve = lambda host, port, **kw: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC, port))]
    return guard


def test_the_guard_refuses_loopback_by_name(server: LoopbackServer) -> None:
    with pytest.raises(FeedUrlRefused, match="127.0.0.1"):
        FeedGuard().check(server.url + "/oai")


def test_requests_refuses_a_connection_that_lands_on_loopback(server: LoopbackServer) -> None:
    http = GuardedSession(rebinding_guard(), timeout=5)
    try:
        with pytest.raises(FeedUrlRefused, match="led to 127.0.0.1"):
            http.get(server.url + "/oai")
    finally:
        http.close()
    assert server.requests == []  # nothing was sent


def test_sparqlwrapper_refuses_a_connection_that_lands_on_loopback(server: LoopbackServer) -> None:
    http = GuardedSession(rebinding_guard(), timeout=5)
    source = SparqlSource(FeedSpec(server.url + "/sparql", "crm-rdf"), http)
    try:
        with pytest.raises(FeedUrlRefused, match="led to 127.0.0.1"):
            source.list_objects("SELECT ?object WHERE { ?object a ?c }", 10, 0)
    finally:
        http.close()
    assert server.requests == []


def test_allowed_networks_pass_both_checks(server: LoopbackServer) -> None:
    http = GuardedSession(FeedGuard(["127.0.0.0/8"]), timeout=5)
    try:
        assert http.get(server.url + "/oai").text == "internal data"
    finally:
        http.close()
    assert server.requests == ["GET /oai"]
