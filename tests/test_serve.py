"""`srom serve` as a newcomer runs it: a real process with its managed Oxigraph server, stopped cleanly."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from store.oxigraph_server import find_running_server

pytestmark = pytest.mark.slow
SROM = str(Path(sys.executable).with_name("srom"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, deadline: float) -> requests.Response:
    while True:
        try:
            return requests.get(url, timeout=2)
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_serve_starts_the_store_serves_the_hub_and_stops_cleanly(instance: Path) -> None:
    port = free_port()
    env = {**os.environ, "SROM_HOME": str(instance), "PORT": str(port)}
    process = subprocess.Popen([SROM, "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        home = wait_for(f"http://127.0.0.1:{port}/", time.monotonic() + 60)
        assert home.status_code == 200 and "Silk Road" in home.text
        store_url = find_running_server(instance / "store")
        assert store_url and store_url.startswith("http://127.0.0.1:")
        answer = requests.get(f"http://127.0.0.1:{port}/sparql", params={"query": "ASK { }"},
                              headers={"Accept": "application/sparql-results+json"}, timeout=10)
        assert json.loads(answer.text) == {"head": {}, "boolean": True}
        # A one-shot command while the hub serves goes through the same store server.
        out = subprocess.run([SROM, "query", "ASK { }"], env=env, capture_output=True, timeout=60)
        assert out.returncode == 0 and json.loads(out.stdout)["boolean"] is True
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        finally:
            process.stdout.close()
            process.stderr.close()
    assert find_running_server(instance / "store") is None  # the store server went down with the hub
