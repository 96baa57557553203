"""Rate limits for the doors anyone can knock on: sign-in and museum self-registration.

:class:`RateLimiter` counts events per key in a sliding window (in memory, per process: enough to slow a
guesser or a flood down, not a distributed defence). Sign-in failures are counted three ways, so that
neither many passwords against one name nor one password against many names goes unslowed: per
(address, user name), per address, and per account name from any address. Registrations are counted
per address.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Hashable

#: bounds on what a limiter remembers: stale keys are forgotten beyond this many
_MAX_KEYS = 10_000


class RateLimiter:
    """At most ``limit`` events per key in ``window_s`` seconds."""

    def __init__(self, limit: int, window_s: float) -> None:
        self.limit = limit
        self.window_s = window_s
        self._events: dict[Hashable, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: Hashable, now: float) -> deque[float]:
        times = self._events[key]
        while times and times[0] < now - self.window_s:
            times.popleft()
        return times

    def blocked(self, key: Hashable) -> bool:
        with self._lock:
            return len(self._recent(key, time.monotonic())) >= self.limit

    def retry_after(self, key: Hashable) -> int:
        """Seconds until the oldest counted event leaves the window (0 when not blocked)."""
        with self._lock:
            now = time.monotonic()
            times = self._recent(key, now)
            if len(times) < self.limit:
                return 0
            return max(1, int(times[0] + self.window_s - now) + 1)

    def hit(self, key: Hashable) -> None:
        with self._lock:
            now = time.monotonic()
            self._recent(key, now).append(now)
            if len(self._events) > _MAX_KEYS:
                for stale in [k for k, v in self._events.items() if not v or v[-1] < now - self.window_s]:
                    del self._events[stale]

    def clear(self, key: Hashable) -> None:
        with self._lock:
            self._events.pop(key, None)


WINDOW_S = 15 * 60


class LoginThrottle:
    """Failed sign-ins: 8 per (address, name), 30 per address, 20 per name, each in 15 minutes."""

    def __init__(self, per_pair: int = 8, per_address: int = 30, per_account: int = 20) -> None:
        self.pairs = RateLimiter(per_pair, WINDOW_S)
        self.addresses = RateLimiter(per_address, WINDOW_S)
        self.accounts = RateLimiter(per_account, WINDOW_S)

    def blocked(self, address: str, username: str) -> bool:
        name = username.lower()
        return (self.pairs.blocked((address, name)) or self.addresses.blocked(address)
                or self.accounts.blocked(name))

    def failed(self, address: str, username: str) -> None:
        name = username.lower()
        self.pairs.hit((address, name))
        self.addresses.hit(address)
        self.accounts.hit(name)

    def succeeded(self, address: str, username: str) -> None:
        # A right password clears that pair only: it says nothing about other names tried from the address.
        self.pairs.clear((address, username.lower()))
