"""What every managed store server shares: a supervised subprocess on loopback ports, its state file and log.

``srom serve`` owns a store directory through one server process; other processes (``srom harvest``)
find it through a state file next to the directory and talk to it over HTTP. The engines
(``store.oxigraph_server``, ``store.virtuoso_server``) subclass :class:`ManagedServer` with how to spawn,
probe and stop their process.

This module must never bind anything but a loopback address: the servers accept updates.

Files next to the store directory ``DIR``: ``DIR.server.json`` (pid, url, location, started, engine) and
``DIR.log`` (the server's stdout and stderr, appended across runs).
"""

from __future__ import annotations

import abc
import datetime as dt
import ipaddress
import json
import logging
import os
import signal
import socket
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

from store.base import StoreUnavailable

log = logging.getLogger(__name__)


def state_path(location: Path) -> Path:
    return location.with_name(location.name + ".server.json")


def log_path(location: Path) -> Path:
    return location.with_name(location.name + ".log")


def read_state(location: Path, answers: Callable[[str], bool]) -> dict[str, object] | None:
    """The state of the server running on ``location`` if it answers (``answers(url)``), else None.

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
    if recorded != str(Path(location).resolve()) or not pid_alive(pid):
        _remove(path)
        return None
    return state if answers(url) else None


class ManagedServer(abc.ABC):
    """One server process on ``location``: start, readiness, state file, watchdog restart and stop."""

    #: engine name, in log lines and the state file
    engine = "server"

    def __init__(
        self, location: Path, host: str, port: int, *, start_timeout: float, grace_s: float
    ) -> None:
        if not is_loopback(host):
            raise ValueError(f"the managed {self.engine} server binds loopback addresses only, not {host!r}")
        self.location = Path(location).resolve()
        self.host = host
        self.port = port
        self._auto_port = port == 0
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

    # --- what an engine provides ---------------------------------------------------------------
    @abc.abstractmethod
    def _spawn(self) -> subprocess.Popen[bytes]:
        """Start the process on ``self.port`` and return it once it answers; StoreUnavailable if not."""

    @abc.abstractmethod
    def _running_elsewhere(self) -> str | None:
        """The URL of a server another process runs on this location, if any."""

    def _shutdown(self, process: subprocess.Popen[bytes]) -> None:
        """Ask the process to stop cleanly (default: SIGTERM); ``stop`` kills it after ``grace_s``."""
        process.send_signal(signal.SIGTERM)

    def _ports_taken(self, error: StoreUnavailable) -> bool:
        return "Address already in use" in str(error)

    def _pick_ports(self) -> None:
        self.port = free_port(self.host)

    def _state(self) -> dict[str, object]:
        return {"engine": self.engine}

    # --- lifecycle -----------------------------------------------------------------------------
    def start(self, *, watchdog_interval: float | None = None) -> str:
        """Start the server and wait until it answers; returns its URL.

        With ``watchdog_interval`` a daemon thread checks the process that often and restarts it.
        """
        with self._lock:
            if self.is_running():
                return self.url
            running = self._running_elsewhere()
            if running:
                raise StoreUnavailable(f"a {self.engine} server already runs on {self.location} at {running}")
            self._launch()
        if watchdog_interval is not None and self._watchdog is None:
            self._stop_watchdog.clear()
            self._watchdog = threading.Thread(
                target=self._watch, args=(watchdog_interval,), name=f"srom-{self.engine}-watchdog", daemon=True
            )
            self._watchdog.start()
        return self.url

    def ensure_running(self) -> bool:
        """Restart the server if its process has died; True when it was restarted."""
        with self._lock:
            if self._process is None or self.is_running():
                return False
            log.warning(
                "%s server on %s exited with %s; restarting", self.engine, self.location, self._process.returncode
            )
            self._process = None
            self._launch()  # same port first, so stores already pointed at the URL keep working
            self.restarts += 1
            return True

    def restart_runaway(self, pid: int, reason: str) -> bool:
        """Kill the server if it still is process ``pid`` and start it again on the same port.

        For work the server cannot stop itself (a query past its timeout): the kill ends the work and
        returns its memory. A server restarted since (``pid`` is gone), stopped or dead is left alone, so
        two runaway queries of one process cost one restart. True when this call restarted it.
        """
        with self._lock:
            process = self._process
            if process is None or process.pid != pid or process.poll() is not None:
                return False
            log.warning("restarting the %s server on %s (pid %s): %s", self.engine, self.location, pid, reason)
            process.kill()
            process.wait()
            self._process = None
            self._launch()
            self.restarts += 1
            return True

    def recover(self, pid: int | None) -> bool:
        """After a request to process ``pid`` failed: wait for a restart under way (or restart a dead server
        now, rather than at the watchdog's next look); True when another process answers now."""
        with self._lock:  # held while restart_runaway or ensure_running relaunches
            if self._process is None:
                return False
            if self.is_running():
                return self._process.pid != pid
            try:
                return self.ensure_running()
            except StoreUnavailable:
                log.exception("could not restart the %s server for %s", self.engine, self.location)
                return False

    def stop(self) -> None:
        """Stop the watchdog, then the server: a clean shutdown, and SIGKILL after ``grace_s``."""
        self._stop_watchdog.set()
        if self._watchdog is not None and self._watchdog is not threading.current_thread():
            self._watchdog.join()
        self._watchdog = None
        with self._lock:
            process, self._process = self._process, None
            if process is None:
                return
            if process.poll() is None:
                try:
                    self._shutdown(process)
                except Exception:  # a failed clean shutdown must not leave the process behind
                    log.exception("clean shutdown of the %s server failed", self.engine)
                    process.send_signal(signal.SIGTERM)
                try:
                    process.wait(self.grace_s)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            self._remove_state(process.pid)

    def __enter__(self) -> ManagedServer:
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
                self._pick_ports()
            try:
                process = self._spawn()
                break
            except StoreUnavailable as e:
                # Another process may take the port between picking and binding it: pick again.
                if not self._ports_taken(e) or attempt == attempts - 1:
                    raise
        self._process = process
        state = {"pid": process.pid, "url": self.url, "location": str(self.location), "started": now()}
        state |= self._state()
        tmp = state_path(self.location).with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=1), encoding="utf-8")
        os.replace(tmp, state_path(self.location))  # readers never see a half-written file
        log.info("%s server pid %s serving %s at %s", self.engine, process.pid, self.location, self.url)

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
                log.exception("could not restart the %s server for %s", self.engine, self.location)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def free_port(host: str) -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def pid_alive(pid: int) -> bool:
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


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def log_since(path: Path, offset: int, limit: int = 2000) -> str:
    try:
        with path.open("rb") as f:
            f.seek(offset)
            text = f.read().decode("utf-8", "replace").strip()
    except OSError:
        return ""
    return text if len(text) <= limit else text[: limit // 2] + "\n...\n" + text[-limit // 2 :]
