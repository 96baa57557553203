"""The managed Oxigraph server: ``oxigraph serve`` as a supervised subprocess on a loopback port.

``srom serve`` owns the store directory through this server: one owner of the RocksDB lock, native
multi-threaded queries and real (server-side) timeouts, while other processes, such as ``srom harvest``,
find it through a state file next to the directory and write over HTTP (``find_running_server``).

This module owns the process: start, readiness, state file, log file, restart and stop. It must not
talk SPARQL beyond a readiness probe (``store.sparql_protocol`` does) and must never bind anything but
a loopback address: the server has no authentication and accepts updates.

The process lifecycle it shares with the other managed engines (state file ``DIR.server.json``, log file
``DIR.log``, watchdog, stop) lives in ``store.managed``.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import TypedDict, Unpack

import requests

from store.base import StoreUnavailable
from store.managed import ManagedServer, log_path, log_since, now, read_state, state_path
from store.runaway import CANCEL_GRACE_S, RestartableServer, WatchedServerStore
from store.sparql_protocol import SparqlProtocolStore

__all__ = ["BACKEND", "ManagedOxigraphServer", "find_running_server", "log_path", "server_store", "state_path"]

BACKEND = "oxigraph-server"
_PROBE_TIMEOUT = 2.0


class StoreOptions(TypedDict, total=False):
    """The options of :class:`SparqlProtocolStore` a caller of :func:`server_store` may set."""

    session: requests.Session | None
    request_timeout: float
    query_timeout: float | None


def server_store(url: str, provenance_graph: str, *, owner: RestartableServer | None = None,
                 **kwargs: Unpack[StoreOptions]) -> SparqlProtocolStore:
    """A store talking to the Oxigraph server at ``url`` (its query, update and GSP endpoints).

    ``owner``: the server, when this process runs it; a query it does not stop then restarts it
    (``store.runaway``).
    """
    endpoints = (f"{url}/query", f"{url}/update", f"{url}/store", provenance_graph)
    if owner is not None:
        return WatchedServerStore(owner, *endpoints, backend=BACKEND, bulk_load_query="no_transaction", **kwargs)
    return SparqlProtocolStore(*endpoints, backend=BACKEND, bulk_load_query="no_transaction", **kwargs)


def find_running_server(location: Path) -> str | None:
    """The URL of the managed Oxigraph server running on ``location``, or None (see ``managed.read_state``)."""
    state = read_state(location, _answers)
    if state is None or state.get("engine", "oxigraph") != "oxigraph":
        return None
    return str(state["url"])


class ManagedOxigraphServer(ManagedServer):
    """One ``oxigraph serve --union-default-graph`` process on ``location``."""

    engine = "oxigraph"

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
        cancel_grace_s: float = CANCEL_GRACE_S,
    ) -> None:
        super().__init__(location, host, port, start_timeout=start_timeout, grace_s=grace_s)
        #: how long past ``timeout_s`` a query may run before the server is restarted (``store.runaway``)
        self.cancel_grace_s = cancel_grace_s
        # --timeout-s takes whole seconds (0.5.13 rejects "0.5"); round up so it never cuts earlier.
        self.timeout_s = max(1, math.ceil(timeout_s))
        self.executable = str(executable) if executable else _default_executable()

    def store(self, provenance_graph: str, **kwargs: Unpack[StoreOptions]) -> SparqlProtocolStore:
        """A store for this server (backend name ``oxigraph-server``), for the process that runs it: a
        query the server does not stop at its timeout restarts it (``store.runaway``)."""
        return server_store(self.url, provenance_graph, owner=self, **kwargs)

    def _running_elsewhere(self) -> str | None:
        return find_running_server(self.location)

    def _spawn(self) -> subprocess.Popen[bytes]:
        bind = f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"
        command = [self.executable, "serve", "--location", str(self.location), "--bind", bind]
        command += ["--union-default-graph", "--timeout-s", str(self.timeout_s)]
        logfile = log_path(self.location)
        with logfile.open("ab") as out:
            out.write(f"\n--- {now()} {' '.join(command)}\n".encode())
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
                    f"{logfile} says:\n{log_since(logfile, offset)}"
                )
            if _answers(self.url) and process.poll() is None:  # not another server on the same port
                return process
            if time.monotonic() > deadline:
                process.kill()
                process.wait()
                raise StoreUnavailable(
                    f"the Oxigraph server for {self.location} did not answer at {self.url} within "
                    f"{self.start_timeout:g} s; {logfile}:\n{log_since(logfile, offset)}"
                )
            time.sleep(0.05)


def _default_executable() -> str:
    beside = Path(sys.executable).with_name("oxigraph")
    if beside.exists():
        return str(beside)
    found = shutil.which("oxigraph")
    if not found:
        raise StoreUnavailable("no `oxigraph` executable found: pip install oxigraph")
    return found


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
