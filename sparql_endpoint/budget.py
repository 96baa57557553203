"""What one client may spend on the public endpoint, and how many public queries run at once.

Modelled on the Wikidata Query Service's limits: each client (its address) has a budget of query time
(60 s per minute) and of failed queries (30 per minute: timeouts, syntax errors, refusals); past either
it gets 429 with ``Retry-After`` until the minute has moved on. And public queries run in a bounded
number of slots (``sparql_workers``), so however many arrive, the web server's other threads stay free
for pages: a query that finds no free slot within a moment gets 503 with ``Retry-After``.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager

from store.base import QueryTimeout

WINDOW_S = 60.0
#: how long a query waits for a free slot before it is told to come back
SLOT_WAIT_S = 2.0


class Busy(Exception):
    """No slot for another public query now; ``retry_after`` seconds is a fair wait."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("the endpoint is busy with other queries; retry shortly")
        self.retry_after = retry_after


class OverBudget(Exception):
    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class QueryBudget:
    """Per client: query seconds and errors in the last minute, each with its ceiling."""

    def __init__(self, seconds_per_minute: float = 60.0, errors_per_minute: int = 30) -> None:
        self.seconds_per_minute = seconds_per_minute
        self.errors_per_minute = errors_per_minute
        self._spent: dict[str, deque[tuple[float, float]]] = defaultdict(deque)
        self._errors: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _trim(self, client: str, now: float) -> None:
        spent, errors = self._spent[client], self._errors[client]
        while spent and spent[0][0] < now - WINDOW_S:
            spent.popleft()
        while errors and errors[0] < now - WINDOW_S:
            errors.popleft()

    def admit(self, client: str) -> None:
        """Raise :class:`OverBudget` when ``client`` has spent its minute's time or errors."""
        with self._lock:
            now = time.monotonic()
            self._trim(client, now)
            spent, errors = self._spent[client], self._errors[client]
            if sum(s for _, s in spent) >= self.seconds_per_minute:
                wait = int(spent[0][0] + WINDOW_S - now) + 1
                raise OverBudget(f"this client used its {self.seconds_per_minute:g} s of query time per minute; "
                                 "retry later, or make queries more selective", max(wait, 1))
            if len(errors) >= self.errors_per_minute:
                wait = int(errors[0] + WINDOW_S - now) + 1
                raise OverBudget(f"this client had {self.errors_per_minute} failed queries in a minute; "
                                 "retry later", max(wait, 1))

    def charge(self, client: str, seconds: float, *, failed: bool) -> None:
        with self._lock:
            now = time.monotonic()
            self._spent[client].append((now, seconds))
            if failed:
                self._errors[client].append(now)
            if len(self._spent) > 10_000:  # forget idle clients instead of growing without bound
                for idle in [c for c, v in self._spent.items() if not v or v[-1][0] < now - WINDOW_S]:
                    self._spent.pop(idle, None)
                    self._errors.pop(idle, None)


class QuerySlots:
    """At most ``size`` public queries at once, counting those a store could not stop at their timeout."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._slots = threading.BoundedSemaphore(size)

    @contextmanager
    def slot(self) -> Iterator[None]:
        if not self._slots.acquire(timeout=SLOT_WAIT_S):
            raise Busy(retry_after=5)
        try:
            yield
        except QueryTimeout as e:
            if e.still_running is None or not e.still_running.is_alive():
                self._slots.release()
            else:  # the query still runs (embedded store): its slot is free when it ends, not before
                threading.Thread(target=self._release_after, args=(e.still_running,), daemon=True,
                                 name="srom-slot-held").start()
            raise
        except BaseException:
            self._slots.release()
            raise
        else:
            self._slots.release()

    def _release_after(self, work: threading.Thread) -> None:
        work.join()
        self._slots.release()
