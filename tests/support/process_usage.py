"""What a store server process is spending, read from Linux's /proc (no psutil in the project's deps)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of ``pid`` so far (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime (fields 14 and 15 of stat)


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def busy_share(pid: int, window: float = 1.0) -> float:
    """Share of one core ``pid`` used over the next ``window`` seconds (1.0: one core flat out)."""
    before = cpu_seconds(pid)
    time.sleep(window)
    return (cpu_seconds(pid) - before) / window


def settles(current_pid: Callable[[], int | None], *, within: float, max_busy: float, max_rss_mb: float
            ) -> tuple[bool, str]:
    """Whether the process (``current_pid()``: it may be restarted meanwhile) is idle and small again
    within ``within`` seconds; with what was seen last, for the assertion message."""
    deadline = time.monotonic() + within
    seen = "never measured"
    while time.monotonic() < deadline:
        pid = current_pid()
        try:
            if pid is not None:
                busy, rss = busy_share(pid, 1.0), rss_mb(pid)
                seen = f"pid {pid}: {busy:.0%} of a core, {rss:.0f} MB"
                if busy <= max_busy and rss <= max_rss_mb:
                    return True, seen
        except FileNotFoundError:  # restarted between the two reads
            pass
        time.sleep(0.1)
    return False, seen
