"""Per-feed harvest schedules: cron expressions (five fields, UTC) and the hub's scheduler thread.

A feed is due when the first cron time after its latest run started (or after it was registered, before
its first run) has passed. A hub that was down over several cron times runs the feed once, not once per
missed time. The scheduler harvests due feeds one after the other in its own thread; the registry's
harvest lock keeps it from running a museum that ``srom harvest`` or a web request is harvesting
already (that museum is simply skipped until its next due time).

The clock is injectable (``Scheduler(clock=...)``) so the logic is tested without waiting for minutes.
This module decides *when*; ``harvesters.run`` does the harvesting.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from croniter import croniter

from harvesters.errors import HarvestBusy
from ontology.clock import parse_utc

log = logging.getLogger(__name__)

#: seconds between two looks at the schedules (a cron minute is the finest resolution anyway)
DEFAULT_TICK = 30.0


def check_schedule(expression: str) -> str:
    """``expression`` if it is a five-field cron expression (e.g. ``0 3 * * *``), else ValueError."""
    expression = " ".join(expression.split())
    if len(expression.split(" ")) != 5 or not croniter.is_valid(expression):
        raise ValueError(
            f"invalid schedule {expression!r}: use a cron expression of five fields (minute hour day month "
            "weekday, UTC), e.g. '0 3 * * *' for every night at 03:00"
        )
    return expression


def next_time(expression: str, after: datetime) -> datetime:
    """The first time of ``expression`` strictly after ``after`` (UTC)."""
    return croniter(expression, after.astimezone(UTC)).get_next(datetime)


def due_museums(registry, now: datetime) -> list[str]:  # harvesters.feed_database.FeedDatabase
    """Ids of museums whose schedule says a harvest is due at ``now``, in id order."""
    due = []
    for museum in registry.museums():
        if not museum.schedule:
            continue
        runs = registry.runs(museum.id, limit=1)
        base = runs[0].started if runs else (museum.created or None)
        if base is None:
            continue
        try:
            if next_time(museum.schedule, parse_utc(base)) <= now:
                due.append(museum.id)
        except ValueError as exc:  # a schedule saved before it was checked: log it, skip the museum
            log.warning("museum %s: unusable schedule %r: %s", museum.id, museum.schedule, exc)
    return due


class Scheduler:
    """Runs due harvests: :meth:`run_pending` once (tests), or :meth:`start` a thread that calls it every tick.

    ``harvest(museum_id)`` runs one harvest (``Harvester.harvest``); a museum whose harvest lock is taken
    raises ``HarvestBusy`` there and is skipped.
    """

    def __init__(
        self,
        registry,  # harvesters.feed_database.FeedDatabase
        harvest: Callable[[str], object],
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        tick: float = DEFAULT_TICK,
    ) -> None:
        self.registry = registry
        self.harvest = harvest
        self.clock = clock
        self.tick = tick
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_pending(self) -> list[str]:
        """Harvest every museum due now; returns the ids harvested (whatever the runs' outcomes)."""
        done = []
        for museum_id in due_museums(self.registry, self.clock()):
            if self._stop.is_set():
                break
            try:
                self.harvest(museum_id)
            except HarvestBusy:
                log.info("scheduled harvest of %s skipped: a harvest of it is running", museum_id)
                continue
            except Exception:  # one museum's failure must not stop the scheduler
                log.exception("scheduled harvest of %s failed", museum_id)
            done.append(museum_id)
        return done

    def start(self) -> Scheduler:
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="srom-harvest-scheduler", daemon=True)
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_pending()
            except Exception:  # e.g. the registry briefly locked; try again next tick
                log.exception("harvest scheduler tick failed")
            self._stop.wait(self.tick)

    def stop(self, timeout: float | None = 10.0) -> None:
        """Stop after the harvest in progress (if any); waits up to ``timeout`` seconds for it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
