"""Issue 11: feed addresses that reach internal services through special-purpose or IPv4-carrying forms.

The fixture ``tests/data/hostile/feeds/addresses.tsv`` lists each form with its verdict. The guard is
asked the way the harvest asks it: a feed URL whose host resolves to the address (``check``), and a
connection whose peer is the address (``check_peer``, the DNS-rebinding path).
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from harvesters.guard import FeedGuard, FeedUrlRefused

FIXTURE = Path(__file__).parent / "data" / "hostile" / "feeds" / "addresses.tsv"
ROWS = [line.split("\t") for line in FIXTURE.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")]
REFUSED = [(a, form) for a, verdict, form in ROWS if verdict == "refused"]
PUBLIC = [(a, form) for a, verdict, form in ROWS if verdict == "public"]


def resolving_to(address: str, allowed: tuple[str, ...] = ()) -> FeedGuard:
    guard = FeedGuard(allowed)
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    guard.resolve = lambda host, port, **kw: [(family, socket.SOCK_STREAM, 6, "", (address, port))]
    return guard


class FakeSocket:
    def __init__(self, peer: str) -> None:
        self.peer, self.closed = peer, False

    def getpeername(self) -> tuple[str, int]:
        return (self.peer, 443)

    def close(self) -> None:
        self.closed = True


@pytest.mark.parametrize(("address", "form"), REFUSED, ids=[a for a, _ in REFUSED])
def test_not_globally_routable_forms_are_refused(address: str, form: str) -> None:
    with pytest.raises(FeedUrlRefused, match="private, loopback or link-local"):
        resolving_to(address).check("https://feed.example/oai")
    sock = FakeSocket(address)
    with pytest.raises(FeedUrlRefused):
        FeedGuard().check_peer(sock, "feed.example")  # type: ignore[arg-type]
    assert sock.closed


@pytest.mark.parametrize(("address", "form"), PUBLIC, ids=[a for a, _ in PUBLIC])
def test_globally_routable_forms_pass(address: str, form: str) -> None:
    resolving_to(address).check("https://feed.example/oai")
    FeedGuard().check_peer(FakeSocket(address), "feed.example")  # type: ignore[arg-type]


@pytest.mark.parametrize(("address", "network"), [
    ("100.100.100.200", "100.64.0.0/10"),
    ("::ffff:10.1.2.3", "10.0.0.0/8"),
    ("2002:0a01:0203::1", "10.0.0.0/8"),
    ("64:ff9b::a01:203", "10.0.0.0/8"),
    ("64:ff9b:1::1", "64:ff9b:1::/48"),
])
def test_an_admin_allowed_network_still_allows_them(address: str, network: str) -> None:
    resolving_to(address, (network,)).check("https://feed.example/oai")
    with pytest.raises(FeedUrlRefused):
        resolving_to(address, ("192.168.0.0/16",)).check("https://feed.example/oai")
