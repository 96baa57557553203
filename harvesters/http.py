"""HTTP for harvesters: one reused ``requests.Session`` with timeouts, guarded redirects and bounded retries.

Redirects are followed by hand so that every hop passes the :class:`~harvesters.guard.FeedGuard`
(a public feed must not be able to bounce the hub onto an internal address).

Transient faults are retried here, under one budget per request (:class:`RetryPolicy`): timeouts, refused
or dropped connections (also a body cut off mid-response: the body is read inside the retry loop), HTTP
429/5xx (a ``Retry-After`` in seconds or as an HTTP date is honoured, capped at ``max_backoff``), and answers
a protocol client declares unusable by raising :class:`ContentError` from its ``parse`` function (a page
that is not XML or is truncated). Other 4xx answers and guard refusals are never retried. The sleep
function is injectable so tests do not wait.

This module knows HTTP only: it does not parse protocols, and it never decides what a failure means for
a harvest (the run does).
"""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar
from urllib.parse import urljoin

import requests

from harvesters.guard import FeedGuard

USER_AGENT = "SROM-Hub-Harvester/0.1 (+https://github.com/srom-hub)"
MAX_REDIRECTS = 5
#: statuses worth another try: the server says it is busy or failed for now
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})

log = logging.getLogger(__name__)
T = TypeVar("T")


class HarvestHttpError(Exception):
    """A feed request failed at the HTTP level (status, connection, timeout), after its retries."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ContentError(Exception):
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


class _Retry(Exception):
    """Internal: one try failed in a way worth another (message, optional Retry-After seconds)."""

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
    ) -> None:
        self.guard = guard
        self.timeout = timeout
        self.session = session or requests.Session()
        self.session.headers.setdefault("User-Agent", USER_AGENT)
        self.retry = retry or RetryPolicy(max_retries=0)
        self.on_retry = on_retry

    def get(self, url: str, params: dict[str, str] | None = None) -> requests.Response:
        """The response (body already read) of a GET, after guarded redirects and retries."""
        return self.fetch(url, params, lambda response: response)

    def fetch(self, url: str, params: dict[str, str] | None, parse: Callable[[requests.Response], T]) -> T:
        """GET ``url`` and return ``parse(response)``; a :class:`ContentError` from ``parse`` is retried."""
        attempt = 0
        while True:
            try:
                response = self._get_once(url, params)
                try:
                    return parse(response)
                except ContentError as exc:
                    raise _Retry(str(exc)) from exc
                finally:
                    response.close()
            except _Retry as fault:
                if attempt >= self.retry.max_retries:
                    cause = fault.__cause__
                    if isinstance(cause, ContentError):
                        raise cause from None
                    raise HarvestHttpError(
                        f"{fault} (gave up after {attempt + 1} tries)", status=fault.status
                    ) from None
                wait = self.retry.delay(attempt, fault.retry_after)
                message = f"{fault}; retry {attempt + 1}/{self.retry.max_retries} in {wait:g} s"
                log.warning("%s", message)
                if self.on_retry:
                    self.on_retry(message)
                self.retry.sleep(wait)
                attempt += 1

    def _get_once(self, url: str, params: dict[str, str] | None) -> requests.Response:
        for _hop in range(MAX_REDIRECTS + 1):
            self.guard.check(url)
            try:
                # Not streamed: requests reads the whole body here, so a connection dropped mid-body
                # surfaces inside the retry loop (urllib3 enforces Content-Length).
                response = self.session.get(url, params=params, timeout=self.timeout, allow_redirects=False)
            except requests.Timeout as exc:
                raise _Retry(f"timed out after {self.timeout:g} s: {url}") from exc
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError,
                    requests.exceptions.ContentDecodingError) as exc:
                raise _Retry(f"connection failed: {url}: {exc}") from exc
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
                    raise _Retry(f"HTTP {status} from {response.url}", retry_after, status)
                raise HarvestHttpError(f"HTTP {status} from {response.url}", status=status)
            return response
        raise HarvestHttpError(f"more than {MAX_REDIRECTS} redirects from {url}")

    def close(self) -> None:
        self.session.close()
