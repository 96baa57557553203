"""Peak memory of the bench's processes is each process's own (``bench.process_memory``), not the size of
the process that started it: a child of this (large) pytest process that allocates nothing reports a
small peak, one that allocates 150 MB reports at least that, and so does a grandchild watched through
its parent. Real processes, read from /proc."""

from __future__ import annotations

import os
import subprocess
import sys

from bench.process_memory import PeakWatcher, vm_hwm_mb
from bench.scale_engines import run_measured

ALLOCATE = "b = bytearray({mb} << 20); b[::4096] = b'\\x01' * len(b[::4096]); import time; time.sleep(0.5)"


def test_a_child_reports_its_own_peak_not_its_parents() -> None:
    ballast = bytearray(300 << 20)  # this process is large now, whatever ran before
    ballast[::4096] = b"\x01" * len(ballast[::4096])
    parent = vm_hwm_mb()
    assert parent is not None and parent > 300
    _, small = run_measured([sys.executable, "-c", ALLOCATE.format(mb=0)])
    _, big = run_measured([sys.executable, "-c", ALLOCATE.format(mb=150)])
    assert small is not None and small < 60, small
    assert big is not None and 150 <= big < 250, big
    child = subprocess.Popen([sys.executable, "-c", ALLOCATE.format(mb=0)])
    _, _, usage = os.wait4(child.pid, 0)
    assert usage.ru_maxrss / 1024 > 300  # what wait4 says of the same small child: the parent's size


def test_the_largest_child_of_a_watched_process() -> None:
    script = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {ALLOCATE.format(mb=120)!r}])"
    process = subprocess.Popen([sys.executable, "-c", script])
    with PeakWatcher(process.pid, children=True) as watch:
        process.wait()
    assert watch.peak_mb is not None and watch.peak_mb < 60
    largest = watch.largest_child_mb()
    assert largest is not None and largest >= 120
    assert watch.largest_child_mb(exclude=set(watch.peaks) - {process.pid}) is None
