"""Harvests started from the web (the dashboard, the JSON API): one background thread per museum.

:class:`HarvestJobs` starts a harvest, at most one per museum from this process, and remembers its
progress for the dashboard. The run itself is recorded by the harvester in the feed database, and a
harvest another process runs (``srom harvest``, the scheduler) holds the database's lock: the job then
ends at once with the harvester's message as its error.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from harvesters.registry import HarvestRun
from harvesters.run import HarvestProgress
from ontology.clock import utc_now

log = logging.getLogger(__name__)

#: runs one harvest: (museum id, full?, progress callback) -> the run
HarvestFunction = Callable[..., HarvestRun]


@dataclass
class HarvestJob:
    museum_id: str
    full: bool
    started: str = field(default_factory=utc_now)
    finished: str | None = None
    progress: dict[str, Any] = field(default_factory=dict)
    run: dict[str, Any] | None = None
    error: str | None = None
    thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def running(self) -> bool:
        return self.finished is None

    def as_json(self) -> dict[str, Any]:
        return {"museum_id": self.museum_id, "full": self.full, "running": self.running, "started": self.started,
                "finished": self.finished, "progress": self.progress, "run": self.run, "error": self.error}


class HarvestJobs:
    """Harvests started from the web, one thread per museum at a time."""

    def __init__(self, harvest: HarvestFunction) -> None:
        self._harvest = harvest
        self._jobs: dict[str, HarvestJob] = {}
        self._lock = threading.Lock()

    def start(self, museum_id: str, *, full: bool = False) -> HarvestJob | None:
        """Start a harvest of ``museum_id``; None when one started here is running for it.

        A harvest that another process runs (``srom harvest``, the scheduler) holds the registry's lock:
        the job then ends at once with the harvester's HarvestBusy message as its error.
        """
        with self._lock:
            current = self._jobs.get(museum_id)
            if current is not None and current.running:
                return None
            job = self._jobs[museum_id] = HarvestJob(museum_id, full)
            job.thread = threading.Thread(target=self._run, args=(job,), name=f"harvest-{museum_id}",
                                          daemon=True)
            job.thread.start()
        return job

    def _run(self, job: HarvestJob) -> None:
        def progress(state: HarvestProgress) -> None:
            job.progress = {k: v for k, v in dataclasses.asdict(state).items() if k != "errors"}

        try:
            run = self._harvest(job.museum_id, full=job.full, progress=progress)
            job.run = run.as_json()
            job.error = run.error
        except Exception as exc:  # reported on the dashboard; the harvester records its own runs
            log.exception("background harvest of %s failed", job.museum_id)
            job.error = f"{type(exc).__name__}: {exc}"
        finally:
            job.finished = utc_now()

    def get(self, museum_id: str) -> HarvestJob | None:
        return self._jobs.get(museum_id)

    def wait(self, museum_id: str, timeout: float | None = None) -> HarvestJob | None:
        job = self._jobs.get(museum_id)
        if job is not None and job.thread is not None:
            job.thread.join(timeout)
        return job

    def wait_all(self, timeout: float | None = None) -> None:
        for job in list(self._jobs.values()):
            if job.thread is not None:
                job.thread.join(timeout)


