"""Harvests started from the web (the dashboard, the JSON API): one background thread per museum.

:class:`HarvestJobs` starts a harvest, at most one per museum from this process, and remembers its
progress for the dashboard. The run itself is recorded by the harvester in the feed database, and a
harvest another process runs (``srom harvest``, the scheduler) holds the database's lock: the job then
ends at once with the harvester's message as its error.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import resource
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harvesters.errors import HarvestError
from harvesters.feed_database import HarvestRun
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


def harvest_in_worker(instance: Path, memory_mb: int, get_run: Callable[[int], HarvestRun | None]) -> HarvestFunction:
    """A harvest function that runs ``srom harvest`` in a child process capped at ``memory_mb``: a feed
    that makes the mapping blow up ends that process, never the web server. The child uses the store
    server the hub runs (found through its state file) and reports progress as JSON lines."""

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb << 20, memory_mb << 20))

    def harvest(museum_id: str, *, full: bool = False, progress: Callable[[HarvestProgress], None] | None = None,
                **_: Any) -> HarvestRun:
        command = [sys.executable, "-m", "web.cli", "harvest", museum_id, "--progress-json",
                   *(["--full"] if full else [])]
        env = {**os.environ, "SROM_HOME": str(instance)}
        with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True,
                              preexec_fn=limit_memory) as child:
            assert child.stdout is not None
            run: dict[str, Any] | None = None
            for line in child.stdout:
                message = json.loads(line)
                if "progress" in message and progress is not None:
                    progress(HarvestProgress(**message["progress"]))
                run = message.get("run", run)
        recorded = get_run(int(run["id"])) if run else None
        if recorded is None:
            raise HarvestError(f"the harvest worker ended without a run (exit status {child.returncode}; "
                               f"out of memory past {memory_mb} MB?)")
        return recorded

    return harvest


class HarvestJobs:
    """Harvests started from the web, one thread per museum at a time (the work itself in this process or
    in a worker process: see :func:`harvest_in_worker`)."""

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


