"""The managed Oxigraph server: ``oxigraph serve`` as a supervised subprocess on a loopback port.

``srom serve`` owns the store directory through this server: one owner of the RocksDB lock, native
multi-threaded queries and real (server-side) timeouts, while other processes, such as ``srom harvest``,
find it through a state file next to the directory and write over HTTP (``find_running_server``).

This module owns the process: start, readiness, state file, log file, restart and stop. It must not
talk SPARQL beyond a readiness probe (``store.sparql_protocol`` does) and must never bind anything but
a loopback address: the server has no authentication and accepts updates.

Files next to the store directory ``DIR``: ``DIR.server.json`` (pid, url, location, started) and
``DIR.log`` (the server's stdout and stderr, appended across runs).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import logging
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

from store.base import StoreUnavailable
from store.sparql_protocol import SparqlProtocolStore

log = logging.getLogger(__name__)

BACKEND = "oxigraph-server"
_PROBE_TIMEOUT = 2.0


def state_path(location: Path) -> Path:
    return location.with_name(location.name + ".server.json")


def log_path(location: Path) -> Path:
    return location.with_name(location.name + ".log")


def server_store(url: str, provenance_graph: str, **kwargs: object) -> SparqlProtocolStore:
    """A store talking to the Oxigraph server at ``url`` (its query, update and GSP endpoints)."""
    return SparqlProtocolStore(
        f"{url}/query", f"{url}/update", f"{url}/store", provenance_graph, backend=BACKEND,
        bulk_load_query="no_transaction", **kwargs,
    )  # type: ignore[arg-type]


def find_running_server(location: Path) -> str | None:
    """The URL of the managed server running on ``location``, or None.

    A state file whose process is gone is removed. One whose process lives but does not answer (busy,
    or the pid was reused) is kept and None returned: the caller then fails on the directory lock
    with a clear message rather than silently writing elsewhere.
    """
    path = state_path(Path(location))
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        pid, url, recorded = int(state["pid"]), str(state["url"]), str(state["location"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        _remove(path)
        return None
    if recorded != str(Path(location).resolve()) or not _pid_alive(pid):
        _remove(path)
        return None
    return url if _answers(url) else None


class ManagedOxigraphServer:
    """One ``oxigraph serve --union-default-graph`` process on ``location``."""

    def __init__(
        self,
        location: Path,
        host: str = "127.0.0.1",
        port: int = 0,
        timeout_s: float = 30.0,
        executable: str | Path | None = None,
        *,
        start_timeout: float = 30.0,
        grace_s: float = 5.0,
    ) -> None:
        if not _is_loopback(host):
            raise ValueError(f"the managed Oxigraph server binds loopback addresses only, not {host!r}")
        self.location = Path(location).resolve()
        self.host = host
        self.port = port
        self._auto_port = port == 0
        # --timeout-s takes whole seconds (0.5.13 rejects "0.5"); round up so it never cuts earlier.
        self.timeout_s = max(1, math.ceil(timeout_s))
        self.executable = str(executable) if executable else _default_executable()
        self.start_timeout = start_timeout
        self.grace_s = grace_s
        self.restarts = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.RLock()
        self._stop_watchdog = threading.Event()
        self._watchdog: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def is_running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    # --- lifecycle -----------------------------------------------------------------------------
    def start(self, *, watchdog_interval: float | None = None) -> str:
        """Start the server and wait until it answers; returns its URL.

        With ``watchdog_interval`` a daemon thread checks the process that often and restarts it.
        """
        with self._lock:
            if self.is_running():
                return self.url
            running = find_running_server(self.location)
            if running:
                raise StoreUnavailable(f"an Oxigraph server already runs on {self.location} at {running}")
            self._launch()
        if watchdog_interval is not None and self._watchdog is None:
            self._stop_watchdog.clear()
            self._watchdog = threading.Thread(
                target=self._watch, args=(watchdog_interval,), name="srom-oxigraph-watchdog", daemon=True
            )
            self._watchdog.start()
        return self.url

    def ensure_running(self) -> bool:
        """Restart the server if its process has died; True when it was restarted."""
        with self._lock:
            if self._process is None or self.is_running():
                return False
            log.warning(
                "Oxigraph server on %s exited with %s; restarting", self.location, self._process.returncode
            )
            self._process = None
            self._launch()  # same port first, so stores already pointed at the URL keep working
            self.restarts += 1
            return True

    def stop(self) -> None:
        """Stop the watchdog, then the server: SIGTERM, and SIGKILL after ``grace_s``."""
        self._stop_watchdog.set()
        if self._watchdog is not None and self._watchdog is not threading.current_thread():
            self._watchdog.join()
        self._watchdog = None
        with self._lock:
            process, self._process = self._process, None
            if process is None:
                return
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(self.grace_s)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            self._remove_state(process.pid)

    def store(self, provenance_graph: str, **kwargs: object) -> SparqlProtocolStore:
        """A store for this server (backend name ``oxigraph-server``)."""
        return server_store(self.url, provenance_graph, **kwargs)

    def __enter__(self) -> ManagedOxigraphServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- internals -----------------------------------------------------------------------------
    def _launch(self) -> None:
        self.location.parent.mkdir(parents=True, exist_ok=True)
        attempts = 3 if self._auto_port else 1
        for attempt in range(attempts):
            if self._auto_port and (attempt > 0 or self.port == 0):
                self.port = _free_port(self.host)
            try:
                self._spawn()
                return
            except StoreUnavailable as e:
                # Another process may take the port between picking and binding it: pick again.
                if "Address already in use" not in str(e) or attempt == attempts - 1:
                    raise

    def _spawn(self) -> None:
        bind = f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"
        command = [self.executable, "serve", "--location", str(self.location), "--bind", bind]
        command += ["--union-default-graph", "--timeout-s", str(self.timeout_s)]
        logfile = log_path(self.location)
        with logfile.open("ab") as out:
            out.write(f"\n--- {_now()} {' '.join(command)}\n".encode())
            out.flush()
            offset = out.tell()
            # Own session: Ctrl-C in `srom serve` reaches Python, which then stops the server cleanly.
            # anyhow prints a long backtrace with RUST_BACKTRACE=1; the error line is what helps.
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                # Each request's thread gets a 64 MiB stack (Rust's default is 2 MiB): deep query trees
                # overflow the parser's stack and abort the whole server; store.query_guard bounds them
                # too. Reserved address space, only the pages used are committed.
                env={**os.environ, "RUST_LIB_BACKTRACE": "0", "RUST_MIN_STACK": str(64 * 1024 * 1024)},
            )
        deadline = time.monotonic() + self.start_timeout
        while True:
            if process.poll() is not None:
                raise StoreUnavailable(
                    f"the Oxigraph server for {self.location} exited with code {process.returncode}; "
                    f"{logfile} says:\n{_log_since(logfile, offset)}"
                )
            if _answers(self.url) and process.poll() is None:  # not another server on the same port
                break
            if time.monotonic() > deadline:
                process.kill()
                process.wait()
                raise StoreUnavailable(
                    f"the Oxigraph server for {self.location} did not answer at {self.url} within "
                    f"{self.start_timeout:g} s; {logfile}:\n{_log_since(logfile, offset)}"
                )
            time.sleep(0.05)
        self._process = process
        state = {"pid": process.pid, "url": self.url, "location": str(self.location), "started": _now()}
        tmp = state_path(self.location).with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=1), encoding="utf-8")
        os.replace(tmp, state_path(self.location))  # readers never see a half-written file
        log.info("Oxigraph server pid %s serving %s at %s", process.pid, self.location, self.url)

    def _remove_state(self, pid: int) -> None:
        path = state_path(self.location)
        try:
            if json.loads(path.read_text(encoding="utf-8")).get("pid") == pid:
                path.unlink()
        except (OSError, ValueError):
            pass

    def _watch(self, interval: float) -> None:
        while not self._stop_watchdog.wait(interval):
            try:
                self.ensure_running()
            except StoreUnavailable:
                log.exception("could not restart the Oxigraph server for %s", self.location)


def _default_executable() -> str:
    beside = Path(sys.executable).with_name("oxigraph")
    if beside.exists():
        return str(beside)
    found = shutil.which("oxigraph")
    if not found:
        raise StoreUnavailable("no `oxigraph` executable found: pip install oxigraph")
    return found


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _free_port(host: str) -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with requests.post(
            f"{url}/query",
            data=b"ASK {}",
            headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
            timeout=_PROBE_TIMEOUT,
        ) as response:
            return response.status_code == 200
    except requests.RequestException:
        return False


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _log_since(path: Path, offset: int, limit: int = 2000) -> str:
    try:
        with path.open("rb") as f:
            f.seek(offset)
            text = f.read().decode("utf-8", "replace").strip()
    except OSError:
        return ""
    return text if len(text) <= limit else text[: limit // 2] + "\n...\n" + text[-limit // 2 :]
