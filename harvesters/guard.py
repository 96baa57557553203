"""The feed-URL guard: museum feeds may not reach private networks unless the admin allows it.

A registered feed URL is fetched by the hub's own servers; without this guard anyone who can register a
feed could make the hub probe its internal network (server-side request forgery). Every address the
host name resolves to is checked, and so is every redirect target (see ``harvesters.http``). The check
before a request is not enough on its own: a host name can resolve to a public address for the check and
to a private one a moment later, when the HTTP client resolves it again to connect (DNS rebinding). So
the transports also check the address each connection actually reached, before sending anything on it
(:meth:`FeedGuard.create_connection`: ``harvesters.http`` for requests, ``harvesters.sparql_source`` for
SPARQLWrapper's urllib).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from harvesters.errors import HarvestError

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class FeedUrlRefused(HarvestError, ValueError):
    """The URL is malformed, not http(s), or resolves to an address the hub may not reach."""


def parse_networks(values: Iterable[str]) -> list[IPNetwork]:
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value, strict=False))
        except ValueError as exc:
            raise ValueError(f"invalid network {value!r} in ALLOWED_FEED_NETWORKS: {exc}") from exc
    return networks


def _is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


class FeedGuard:
    """Decides whether the hub may fetch a URL. ``allowed`` lists networks exempt from the rule."""

    def __init__(self, allowed: Iterable[str] = ()) -> None:
        self.allowed = parse_networks(allowed)
        #: how host names are resolved for :meth:`check` (``socket.getaddrinfo``'s signature)
        self.resolve = socket.getaddrinfo

    def create_connection(self, address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        """``socket.create_connection``, refusing a socket whose peer is an address the hub may not reach.

        Checked after the TCP handshake and before a byte is sent (no request, no TLS hello)."""
        sock = socket.create_connection(address, *args, **kwargs)
        self.check_peer(sock, address[0])
        return sock

    def check_peer(self, sock: socket.socket, host: str) -> None:
        """Close ``sock`` and raise :class:`FeedUrlRefused` if it is connected to a refused address."""
        peer = ipaddress.ip_address(sock.getpeername()[0].split("%", 1)[0])
        if not self._allowed(peer):
            sock.close()
            raise FeedUrlRefused(
                f"the feed's host {host!r} led to {peer}, a private, loopback or link-local address, when "
                "connecting (its name resolved differently a moment before); the hub admin can allow such "
                "networks with SROM_ALLOWED_FEED_NETWORKS"
            )

    def _allowed(self, address: IPAddress) -> bool:
        if _is_public(address):
            return True
        return any(address in net for net in self.allowed if net.version == address.version)

    def check(self, url: str) -> None:
        """Raise :class:`FeedUrlRefused` unless every address of ``url``'s host may be reached."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise FeedUrlRefused(f"feed URL must be http or https, not {parts.scheme or 'none'!r}: {url}")
        if not parts.hostname:
            raise FeedUrlRefused(f"feed URL has no host: {url}")
        if parts.username or parts.password:
            raise FeedUrlRefused("feed URL must not carry a user name or password")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:
            raise FeedUrlRefused(f"feed URL has an invalid port: {url}") from exc
        try:
            infos = self.resolve(parts.hostname, port, proto=socket.IPPROTO_TCP)
        except socket.gaierror as exc:
            raise FeedUrlRefused(f"cannot resolve the feed's host {parts.hostname!r}: {exc}") from exc
        for info in infos:
            host = info[4][0]
            assert isinstance(host, str)  # a TCP address is an IPv4/IPv6 sockaddr: (host, port, ...)
            address = ipaddress.ip_address(host.split("%", 1)[0])
            if not self._allowed(address):
                raise FeedUrlRefused(
                    f"feed URL {url} resolves to {address}, a private, loopback or link-local address; "
                    "the hub admin can allow such networks with SROM_ALLOWED_FEED_NETWORKS"
                )
