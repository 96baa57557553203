"""HTTP for harvesters: one reused ``requests.Session`` with timeouts and guarded redirects.

Redirects are followed by hand so that every hop passes the :class:`~harvesters.guard.FeedGuard`
(a public feed must not be able to bounce the hub onto an internal address).
"""

from __future__ import annotations

from urllib.parse import urljoin

import requests

from harvesters.guard import FeedGuard

USER_AGENT = "SROM-Hub-Harvester/0.1 (+https://github.com/srom-hub)"
MAX_REDIRECTS = 5


class HarvestHttpError(Exception):
    """A feed request failed at the HTTP level (status, connection, timeout)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class GuardedSession:
    """GET with a guard on every hop, a timeout, and one connection pool per harvest."""

    def __init__(self, guard: FeedGuard, timeout: float = 60.0, session: requests.Session | None = None):
        self.guard = guard
        self.timeout = timeout
        self.session = session or requests.Session()
        self.session.headers.setdefault("User-Agent", USER_AGENT)

    def get(self, url: str, params: dict[str, str] | None = None) -> requests.Response:
        for _hop in range(MAX_REDIRECTS + 1):
            self.guard.check(url)
            try:
                response = self.session.get(url, params=params, timeout=self.timeout, allow_redirects=False)
            except requests.Timeout as exc:
                raise HarvestHttpError(f"timed out after {self.timeout:g} s: {url}") from exc
            except requests.RequestException as exc:
                raise HarvestHttpError(f"request failed: {url}: {exc}") from exc
            if response.is_redirect and "location" in response.headers:
                url = urljoin(response.url, response.headers["location"])
                params = None  # the Location carries the full query
                response.close()
                continue
            if response.status_code >= 400:
                status = response.status_code
                response.close()
                raise HarvestHttpError(f"HTTP {status} from {response.url}", status=status)
            return response
        raise HarvestHttpError(f"more than {MAX_REDIRECTS} redirects from {url}")

    def close(self) -> None:
        self.session.close()
