"""HTTP for harvesters: one reused ``requests.Session`` with timeouts, guarded redirects and bounded retries.

Redirects are followed by hand so that every hop passes the :class:`~harvesters.guard.FeedGuard`
(a public feed must not be able to bounce the hub onto an internal address).

Transient faults are retried here, under one budget per request (:class:`RetryPolicy`): timeouts, refused
or dropped connections (also a body cut off mid-response: the body is read inside the retry loop), HTTP
429/5xx (a ``Retry-After`` in seconds or as an HTTP date is honoured, capped at ``max_backoff``), and answers
a protocol client declares unusable by raising :class:`ContentError` from its ``parse`` function (a page
that is not XML or is truncated). Other 4xx answers and guard refusals are never retried. The sleep
function is injectable so tests do not wait. Transports other than ``requests`` (SPARQLWrapper's urllib)
share the same budget through :meth:`GuardedSession.retrying` by raising :class:`TransientError`.

A streamed fetch (``fetch(..., stream=True)``) hands ``parse`` a response whose body is still on the wire;
``parse`` reads it in chunks through :func:`response_body` (a dump larger than memory), and a fault while
reading (a dropped connection, a stalled read) retries the whole request under the same budget.

This module knows HTTP only: it does not parse protocols, and it never decides what a failure means for
a harvest (the run does).
"""

from __future__ import annotations

import email.utils
import http.client
import io
import logging
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import urljoin

import requests
import requests.adapters
import urllib3

from harvesters.errors import HarvestError
from harvesters.guard import FeedGuard

USER_AGENT = "SROM-Hub-Harvester/0.1 (+https://github.com/srom-hub)"
MAX_REDIRECTS = 5
#: statuses worth another try: the server says it is busy or failed for now
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
#: faults while a body is read (requests wraps urllib3's; a parser reading ``response.raw`` sees urllib3's)
READ_FAULTS: tuple[type[BaseException], ...] = (
    requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError, urllib3.exceptions.HTTPError, http.client.HTTPException,
)
STREAM_CHUNK = 256 * 1024
#: a page held in memory whole and parsed (a JSON document, a small OAI-PMH answer such as Identify): a bigger
#: one is refused. lxml needs ~35x a page's bytes to parse it, so 32 MB already costs ~1.1 GB; ListRecords
#: pages are streamed through a spool (harvesters.oai_page) and RDF dumps to disk, each bounded separately.
MAX_PAGE_BYTES = 32 * 1024 * 1024
#: defaults of the settings harvest_max_page_mb (an OAI-PMH page, streamed through a spool: see
#: harvesters.oai_page) and harvest_max_record_mb (one record inside such a page)
DEFAULT_MAX_STREAMED_PAGE_BYTES = 256 * 1024 * 1024
DEFAULT_MAX_RECORD_BYTES = 16 * 1024 * 1024
#: the default bound of a streamed download (an RDF dump, spooled to disk): SROM_HARVEST_MAX_DOWNLOAD_MB
DEFAULT_MAX_DOWNLOAD_BYTES = 4096 * 1024 * 1024

log = logging.getLogger(__name__)
T = TypeVar("T")


class HarvestHttpError(HarvestError):
    """A feed request failed at the HTTP level (status, connection, timeout), after its retries."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ContentError(HarvestError):
    """Raised by a ``parse`` function: the answer arrived but cannot be used (not XML, truncated).

    The request is retried under the same budget as network faults; after the last try it propagates.
    """


@dataclass
class RetryPolicy:
    """Bounded exponential backoff: try ``max_retries + 1`` times, waiting ``base * 2**n`` (capped).

    ``sleep`` is injectable (tests pass a recorder); ``max_backoff`` also caps a server's Retry-After,
    so a feed cannot park a harvest for hours.
    """

    max_retries: int = 5
    backoff_base: float = 1.0
    max_backoff: float = 60.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before try ``attempt + 1`` (attempt counts from 0)."""
        if retry_after is not None:
            return max(0.0, min(retry_after, self.max_backoff))
        return min(self.backoff_base * (2**attempt), self.max_backoff)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date; None when absent or invalid."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class TransientError(HarvestError):
    """One try failed in a way worth another (message, optional Retry-After seconds and HTTP status).

    Raised inside :meth:`GuardedSession.retrying`; after the last try it becomes a :class:`HarvestHttpError`.
    """

    def __init__(self, message: str, retry_after: float | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.status = status


class GuardedSession:
    """GET with a guard on every hop, a timeout, retries, and one connection pool per harvest.

    ``on_retry(message)`` is told about every retried fault (the run records them as the run's errors).
    Without a ``retry`` policy nothing is retried (a probe answers the person waiting at once); the
    harvester passes its own.
    """

    def __init__(
        self,
        guard: FeedGuard,
        timeout: float = 60.0,
        session: requests.Session | None = None,
        *,
        retry: RetryPolicy | None = None,
        on_retry: Callable[[str], None] | None = None,
        max_download_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES,
        max_page_bytes: int = DEFAULT_MAX_STREAMED_PAGE_BYTES,
        max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
    ) -> None:
        self.guard = guard
        #: the largest page a protocol streams through a spool (OAI-PMH), and one record inside it
        self.max_page_bytes = max_page_bytes
        self.max_record_bytes = max_record_bytes
        #: a response body larger than this is refused (pages: also at most MAX_PAGE_BYTES), so a feed
        #: cannot fill the hub's memory or disk
        self.max_download_bytes = max_download_bytes
        self.timeout = timeout
        self.session = session or requests.Session()
        adapter = GuardedAdapter(guard)  # every connection's peer passes the guard too (DNS rebinding)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers.setdefault("User-Agent", USER_AGENT)
        self.retry = retry or RetryPolicy(max_retries=0)
        self.on_retry = on_retry

    def get(self, url: str, params: dict[str, str] | None = None, *,
            headers: dict[str, str] | None = None) -> requests.Response:
        """The response (body already read) of a GET, after guarded redirects and retries."""
        return self.fetch(url, params, lambda response: response, headers=headers)

    def fetch(
        self, url: str, params: dict[str, str] | None, parse: Callable[[requests.Response], T], *, stream: bool = False,
        headers: dict[str, str] | None = None, max_bytes: int | None = None,
    ) -> T:
        """GET ``url`` and return ``parse(response)``; a :class:`ContentError` from ``parse`` is retried.

        ``stream=True``: the body is not read before ``parse`` is called; ``parse`` reads it (see
        :func:`response_body`), and a fault while it reads retries the whole request, so ``parse`` must
        start afresh on every call (it is called once per try) and clean up what it made when it raises.
        ``max_bytes`` bounds a streamed body below ``max_download_bytes`` (an OAI-PMH page).
        """

        def attempt() -> T:
            response = self._get_once(url, params, stream, headers, max_bytes)
            try:
                return parse(response)
            except READ_FAULTS as exc:
                raise TransientError(f"connection failed while reading {url}: {exc}") from exc
            finally:
                response.close()

        return self.retrying(attempt)

    def retrying(self, attempt: Callable[[], T]) -> T:
        """``attempt()`` under the retry budget: a :class:`TransientError` or :class:`ContentError` it raises
        is told to ``on_retry``, waited out (``Retry-After`` or backoff) and tried again, up to
        ``max_retries`` times. After the last try a TransientError becomes :class:`HarvestHttpError` and a
        ContentError propagates. Used by :meth:`fetch` and by transports of their own (SPARQLWrapper)."""
        tries = 0
        while True:
            try:
                return attempt()
            except (TransientError, ContentError) as fault:
                if tries >= self.retry.max_retries:
                    if isinstance(fault, ContentError):
                        raise
                    raise HarvestHttpError(
                        f"{fault} (gave up after {tries + 1} tries)", status=fault.status
                    ) from None
                retry_after = fault.retry_after if isinstance(fault, TransientError) else None
                wait = self.retry.delay(tries, retry_after)
                message = f"{fault}; retry {tries + 1}/{self.retry.max_retries} in {wait:g} s"
                log.warning("%s", message)
                if self.on_retry:
                    self.on_retry(message)
                self.retry.sleep(wait)
                tries += 1

    def _get_once(self, url: str, params: dict[str, str] | None, stream: bool = False,
                  headers: dict[str, str] | None = None, max_bytes: int | None = None) -> requests.Response:
        for _hop in range(MAX_REDIRECTS + 1):
            self.guard.check(url)  # every hop: a redirect must not reach an address the first URL could not
            try:
                # Only the headers are read here. Not streamed: the body is read below, bounded, so a
                # connection dropped mid-body surfaces inside the retry loop (urllib3 enforces
                # Content-Length). Streamed: ``fetch`` catches the faults of the body read in ``parse``.
                response = self.session.get(url, params=params, timeout=self.timeout, allow_redirects=False,
                                            stream=True, headers=headers)
            except requests.Timeout as exc:
                raise TransientError(f"timed out after {self.timeout:g} s: {url}") from exc
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError,
                    requests.exceptions.ContentDecodingError) as exc:
                raise TransientError(f"connection failed: {url}: {exc}") from exc
            except requests.RequestException as exc:
                raise HarvestHttpError(f"request failed: {url}: {exc}") from exc
            if response.is_redirect and "location" in response.headers:
                url = urljoin(response.url, response.headers["location"])
                params = None  # the Location carries the full query
                response.close()
                continue
            if response.status_code >= 400:
                status = response.status_code
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                response.close()
                if status in RETRY_STATUSES:
                    raise TransientError(f"HTTP {status} from {response.url}", retry_after, status)
                raise HarvestHttpError(f"HTTP {status} from {response.url}", status=status)
            limit = self.max_download_bytes if stream else min(self.max_download_bytes, MAX_PAGE_BYTES)
            limit = min(limit, max_bytes) if max_bytes is not None else limit
            response.max_bytes = limit  # type: ignore[attr-defined]  # the hub's own attribute, read by response_body()
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > limit:
                response.close()
                raise HarvestHttpError(_too_large(response.url, limit))
            if not stream:
                self._read_body(response, limit)
            return response
        raise HarvestHttpError(f"more than {MAX_REDIRECTS} redirects from {url}")

    def _read_body(self, response: requests.Response, limit: int) -> None:
        """Read a page's body into ``response.content``, refusing one larger than ``limit`` bytes."""
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(STREAM_CHUNK):
                size += len(chunk)
                if size > limit:
                    response.close()
                    raise HarvestHttpError(_too_large(response.url, limit))
                chunks.append(chunk)
        except requests.Timeout as exc:
            response.close()
            raise TransientError(f"timed out after {self.timeout:g} s: {response.url}") from exc
        except READ_FAULTS as exc:
            response.close()
            raise TransientError(f"connection failed: {response.url}: {exc}") from exc
        # requests' own cache of the body: .content and .text read it from here
        response._content = b"".join(chunks)
        response._content_consumed = True  # type: ignore[attr-defined]  # private to requests, not in its stubs

    def close(self) -> None:
        self.session.close()


class GuardedAdapter(requests.adapters.HTTPAdapter):
    """A requests adapter whose connections refuse a peer the guard refuses (see ``harvesters.guard``)."""

    def __init__(self, guard: FeedGuard) -> None:
        self._guard = guard
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        guard = self._guard

        class Http(urllib3.connection.HTTPConnection):
            def _new_conn(self) -> socket.socket:
                sock = super()._new_conn()
                guard.check_peer(sock, self.host)
                return sock

        class Https(urllib3.connection.HTTPSConnection):
            def _new_conn(self) -> socket.socket:
                sock = super()._new_conn()
                guard.check_peer(sock, self.host)  # before the TLS handshake
                return sock

        self.poolmanager.pool_classes_by_scheme = {
            "http": type("GuardedHTTPPool", (urllib3.HTTPConnectionPool,), {"ConnectionCls": Http}),
            "https": type("GuardedHTTPSPool", (urllib3.HTTPSConnectionPool,), {"ConnectionCls": Https}),
        }


def _too_large(url: str, limit: int) -> str:
    size = f"{limit // (1024 * 1024):,} MB" if limit >= 1024 * 1024 else f"{limit:,} bytes"
    return (f"the answer from {url} is larger than {size}, the most the hub reads (harvest_max_download_mb; "
            "an OAI-PMH page: harvest_max_page_mb)")


class _ResponseBody(io.RawIOBase):
    """A streamed response's body as a raw binary file, read chunk by chunk (Content-Encoding undone)."""

    def __init__(self, response: requests.Response, chunk_size: int) -> None:
        self._chunks = response.iter_content(chunk_size)
        self._chunk = memoryview(b"")
        self.bytes_read = 0
        self._url = response.url
        self._limit: int | None = getattr(response, "max_bytes", None)  # set by GuardedSession

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._chunk:
            try:
                self._chunk = memoryview(next(self._chunks))
            except StopIteration:
                return 0
        n = min(len(buffer), len(self._chunk))
        buffer[:n] = self._chunk[:n]
        self._chunk = self._chunk[n:]
        self.bytes_read += n
        if self._limit is not None and self.bytes_read > self._limit:  # decoded bytes: a gzip bomb stops too
            raise HarvestHttpError(_too_large(self._url, self._limit))
        return n


def response_body(response: requests.Response, chunk_size: int = STREAM_CHUNK) -> io.BufferedReader:
    """The body of a response fetched with ``stream=True`` as a buffered binary file (``read``, ``readline``,
    ``peek``), holding one chunk at a time. Transfer faults surface from ``read`` as requests' exceptions,
    which :meth:`GuardedSession.fetch` retries."""
    return io.BufferedReader(_ResponseBody(response, chunk_size), buffer_size=chunk_size)
