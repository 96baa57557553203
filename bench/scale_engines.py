"""The engines the scale bench loads and queries, behind one small interface.

An :class:`Engine` bulk-loads an N-Quads file into a fresh database of its own, serves it on loopback,
hands out a store (``store.base.Store``) to query it, names its processes (for their peak memory) and
stops. Oxigraph: ``oxigraph load`` into a fresh directory, then ``oxigraph serve-read-only
--union-default-graph --timeout-s T`` (the managed server's command line, read-only: the bench never
writes). Virtuoso: the hub's managed Virtuoso server (``store.virtuoso_server``) and its bulk loader,
when this checkout has them; ``engine("virtuoso")`` says so when it does not.
"""

from __future__ import annotations

import importlib.util
import math
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench.process_memory import PeakWatcher, vm_hwm_mb
from bench.scale_data import BASE, chunks
from store.base import Store, StoreUnavailable

ENGINES = ("oxigraph", "virtuoso")


class EngineUnavailable(Exception):
    """The engine cannot run in this checkout or on this machine (the bench skips it and says why)."""


def run_measured(command: list[str], **kwargs: object) -> tuple[float, float | None]:
    """Run ``command`` to its end; (seconds, peak RSS in MB of that process: its own VmHWM, polled)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kwargs)  # type: ignore[call-overload]
    with PeakWatcher(process.pid) as watch:
        output = process.stdout.read() if process.stdout else b""
        process.wait()
    if process.returncode != 0:
        raise StoreUnavailable(f"{' '.join(command[:2])} failed ({process.returncode}):\n{output.decode()[-2000:]}")
    return time.perf_counter() - started, watch.peak_mb


class Engine:
    """One engine's database for one bench run."""

    name = "abstract"

    def __init__(self, work: Path, timeout_s: float) -> None:
        self.work = work
        self.timeout_s = timeout_s

    def load(self, nquads: Path) -> dict[str, float | None]:
        """Bulk-load ``nquads`` into a fresh database: ``{"seconds", "peak_rss_mb"}`` (of the loader, when
        it is a process of its own)."""
        raise NotImplementedError

    def start(self) -> Store:
        """Serve the loaded database; a store to query it."""
        raise NotImplementedError

    def processes(self) -> dict[str, int]:
        """Label → pid of the engine's running processes."""
        raise NotImplementedError

    def stop(self) -> dict[str, float | None]:
        """Stop; label → peak RSS (MB) of each process, read just before it stopped."""
        raise NotImplementedError

    def peaks(self) -> dict[str, float | None]:
        return {label: vm_hwm_mb(pid) for label, pid in self.processes().items()}


def oxigraph_executable() -> str:
    beside = Path(sys.executable).with_name("oxigraph")
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if not found:
        raise EngineUnavailable("no `oxigraph` executable (pip install oxigraph)")
    return found


class OxigraphEngine(Engine):
    name = "oxigraph"

    def __init__(self, work: Path, timeout_s: float, location: Path | None = None) -> None:
        super().__init__(work, timeout_s)
        self.location = location or work / "oxigraph"
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""

    def load(self, nquads: Path) -> dict[str, float | None]:
        shutil.rmtree(self.location, ignore_errors=True)
        command = [oxigraph_executable(), "load", "--location", str(self.location), "--file", str(nquads)]
        seconds, rss = run_measured(command, env={**os.environ, "RUST_LIB_BACKTRACE": "0"})
        return {"seconds": seconds, "peak_rss_mb": rss}

    def start(self) -> Store:
        from store.oxigraph_server import server_store

        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        seconds = str(max(1, math.ceil(self.timeout_s)))  # whole seconds, rounded up
        command = [oxigraph_executable(), "serve-read-only", "--location", str(self.location),
                   "--bind", f"127.0.0.1:{port}", "--union-default-graph", "--timeout-s", seconds]
        log = (self.work / "oxigraph.log").open("ab")
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        log.close()
        store = server_store(self.url, f"{BASE}/graph/provenance", query_timeout=self.timeout_s)
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise StoreUnavailable(f"oxigraph serve-read-only exited ({self.process.returncode}); "
                                       f"see {self.work / 'oxigraph.log'}")
            try:
                store.query("ASK {}", timeout=2)
                return store
            except StoreUnavailable:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def processes(self) -> dict[str, int]:
        return {"oxigraph serve-read-only": self.process.pid} if self.process else {}

    def stop(self) -> dict[str, float | None]:
        peaks = self.peaks()
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None
        return peaks


class VirtuosoEngine(Engine):
    """The hub's managed Virtuoso server (``store.virtuoso_server``), loaded through the store's bulk path,
    then restarted to serve the queries."""

    name = "virtuoso"

    def __init__(self, work: Path, timeout_s: float, memory_mb: int = 2048, location: Path | None = None) -> None:
        super().__init__(work, timeout_s)
        if importlib.util.find_spec("store.virtuoso_server") is None:
            raise EngineUnavailable("not available in this checkout (no store/virtuoso_server.py)")
        if not shutil.which("virtuoso-t"):
            raise EngineUnavailable("no virtuoso-t (Debian package virtuoso-opensource-7)")
        self.location = location or work / "virtuoso"
        self.memory_mb = memory_mb
        self.server = None
        self.store: Store | None = None

    def _start_server(self) -> Store:
        from store.virtuoso_server import ManagedVirtuosoServer

        if self.server is None:
            self.server = ManagedVirtuosoServer(self.location, timeout_s=self.timeout_s, memory_mb=self.memory_mb)
            self.server.start()
            self.store = self.server.store(f"{BASE}/graph/provenance", query_timeout=self.timeout_s)
        assert self.store is not None
        return self.store

    def load(self, nquads: Path) -> dict[str, float | None]:
        shutil.rmtree(self.location, ignore_errors=True)
        store = self._start_server()
        started = time.perf_counter()
        for part in chunks(nquads):  # the store's public bulk path (Virtuoso's loader on a spool file)
            store.bulk_load(part)
        seconds = time.perf_counter() - started
        # The loader is the server: its peak so far is the load's. It is then stopped, and ``start`` serves
        # the database from a fresh process, as Oxigraph's does (load, then serve): the server that has
        # just loaded can keep a worse plan for some queries (one object's record graph at 100,000
        # objects: 595-933 ms in two bench runs, 8 ms from a restarted server on the same data).
        peak = vm_hwm_mb(self.server.pid if self.server is not None else None)
        self.stop()
        return {"seconds": seconds, "peak_rss_mb": peak}

    def start(self) -> Store:
        return self._start_server()

    def processes(self) -> dict[str, int]:
        pid = self.server.pid if self.server is not None else None
        return {"virtuoso-t": pid} if pid else {}

    def stop(self) -> dict[str, float | None]:
        peaks = self.peaks()
        if self.store is not None:
            self.store.close()
        if self.server is not None:
            self.server.stop()
        self.server = self.store = None
        return peaks


def engine(name: str, work: Path, timeout_s: float, *, virtuoso_memory_mb: int = 2048,
           location: Path | None = None) -> Engine:
    """The engine ``name`` in ``work`` (raises EngineUnavailable with the reason it cannot run);
    ``location``: a database the engine already holds (then only ``start`` it, no ``load``)."""
    work.mkdir(parents=True, exist_ok=True)
    if name == "oxigraph":
        oxigraph_executable()
        return OxigraphEngine(work, timeout_s, location)
    if name == "virtuoso":
        return VirtuosoEngine(work, timeout_s, virtuoso_memory_mb, location)
    raise EngineUnavailable(f"unknown engine {name!r} (one of {', '.join(ENGINES)})")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
