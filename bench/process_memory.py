"""Peak memory of processes, each its own: ``VmHWM`` from Linux's /proc, read while the process lives.

Not ``ru_maxrss``: Linux carries a process's high-water mark across ``exec``, so a child started by a
large process (a bench, a pytest run) reports its parent's size when its own is smaller, both from
``getrusage(RUSAGE_SELF)`` in the child and from ``wait4``/``RUSAGE_CHILDREN`` in the parent. ``VmHWM``
belongs to the address space ``exec`` made, and is gone once the process has exited, so a child is read
while it runs (:class:`PeakWatcher` polls it and keeps the last value seen) and a server just before it
is stopped.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

#: seconds between two reads of a watched process (a peak reached in its last moments may be missed)
POLL = 0.1


def vm_hwm_mb(pid: int | None = None) -> float | None:
    """Peak resident memory (``VmHWM``) of process ``pid`` (default: this one) in MB; None when it is gone
    or has exited (a zombie has no memory left to report)."""
    try:
        status = Path(f"/proc/{pid or 'self'}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def _children(pid: int) -> list[int]:
    """The live child processes of ``pid`` (from each process's ``stat``: the kernel may not offer
    ``/proc/PID/task/TID/children``)."""
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(f"/proc/{entry.name}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:  # field 4, after the command in parentheses
                found.append(int(entry.name))
    return found


class PeakWatcher:
    """Polls the ``VmHWM`` of ``pid`` (and, with ``children``, of every child it starts) in a thread until
    stopped: ``with PeakWatcher(pid) as watch: ...``, then ``watch.peak_mb`` (the process itself) and
    ``watch.largest_child_mb()``."""

    def __init__(self, pid: int, *, children: bool = False, poll: float = POLL) -> None:
        self.pid, self.children, self.poll = pid, children, poll
        self.peaks: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="srom-peak-watcher", daemon=True)

    def _read(self) -> None:
        for pid in [self.pid, *(_children(self.pid) if self.children else ())]:
            peak = vm_hwm_mb(pid)
            if peak is not None:
                self.peaks[pid] = max(peak, self.peaks.get(pid, 0.0))

    def _run(self) -> None:
        while True:
            self._read()
            if self._stop.wait(self.poll):
                return

    def __enter__(self) -> PeakWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._read()  # the process itself may still be there (the caller's own, or one not yet reaped)

    @property
    def peak_mb(self) -> float | None:
        return self.peaks.get(self.pid)

    def largest_child_mb(self, *, exclude: set[int | None] | None = None) -> float | None:
        """The largest peak among the children seen (but ``exclude``: e.g. a server); None if none."""
        others = [peak for pid, peak in self.peaks.items() if pid != self.pid and pid not in (exclude or set())]
        return max(others) if others else None
