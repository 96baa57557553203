"""Untrusted input is probed in a child process with a memory cap (issue 11, classes 5 and 8): a feed that
makes a parser blow up costs one failed probe with a message, never the process that asked."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from harvesters.guard import FeedGuard
from harvesters.isolation import IsolatedFailure, run_isolated
from ontology.iris import IriMinter
from tests.support.loopback_server import LoopbackServer
from web.museums.probes import FeedProbe, probe_and_preview


def allocate(megabytes: int) -> int:
    return len(bytearray(megabytes * 1024 * 1024))


def crash() -> None:
    os.abort()  # what a native parser's failed allocation does


def sleep(seconds: float) -> None:
    time.sleep(seconds)


def test_the_result_comes_back() -> None:
    assert run_isolated(allocate, (10,), memory_mb=512, timeout=60) == 10 * 1024 * 1024


def test_running_out_of_memory_ends_the_child_not_the_parent() -> None:
    with pytest.raises(IsolatedFailure, match="out of memory"):
        run_isolated(allocate, (2048,), memory_mb=256, timeout=60)


def test_a_native_crash_is_reported() -> None:
    with pytest.raises(IsolatedFailure, match="died"):
        run_isolated(crash, memory_mb=256, timeout=60)


def test_a_child_past_its_time_is_stopped() -> None:
    started = time.monotonic()
    with pytest.raises(IsolatedFailure, match="longer than"):
        run_isolated(sleep, (30,), memory_mb=256, timeout=1)
    assert time.monotonic() - started < 10


def _bulky_oai(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """An Identify answer padded with 30 MB of comments: parsing it needs far more than the cap below."""
    start_response("200 OK", [("Content-Type", "text/xml")])
    padding = b"<!--" + b"x" * (30 * 1024 * 1024) + b"-->"
    return [b'<?xml version="1.0"?>' + padding + b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
            b"<responseDate>2025-01-01T00:00:00Z</responseDate><Identify><repositoryName>x</repositoryName>"
            b"</Identify></OAI-PMH>"]


def test_a_probe_that_blows_its_memory_cap_is_a_failed_probe(tmp_path: Path) -> None:
    with LoopbackServer(_bulky_oai) as feed:
        report = probe_and_preview(FeedProbe("bulky", f"{feed.url}/oai"), guard=FeedGuard(["127.0.0.0/8"]),
                                   minter=IriMinter("https://hub.example.org"), database=tmp_path / "hub.sqlite",
                                   timeout=10, memory_mb=120)
    assert not report.ok
    assert any("stopped" in m.text for m in report.messages), [m.text for m in report.messages]


# --- harvests started from the web run in a worker process when the store is a server ----------------
def _hub_with_server(instance: Path, **settings: Any) -> Any:
    from store.oxigraph_server import ManagedOxigraphServer
    from web.hub import Hub
    from web.settings import load_settings

    hub = Hub(instance, load_settings(instance, overrides=settings or None))
    server = ManagedOxigraphServer(hub.store_location, timeout_s=10)
    server.start()
    hub.use_store(server.store(hub.minter.provenance_graph()))
    return hub, server


def _harvest_from_the_web(hub: Any, feed_url: str) -> Any:
    from harvesters.feed_database import Museum

    hub.feeds.save_museum(Museum(id="m", name="M", feed_url=feed_url, format="lido"))
    hub.museums.start_harvest("m")
    return hub.museums.jobs.wait("m", 120)


def test_a_web_harvest_runs_in_a_worker_and_lands(instance: Path) -> None:
    from tests.support.lido_records import lido
    from tests.support.oai_test_server import OaiTestServer

    hub, server = _hub_with_server(instance)
    try:
        with OaiTestServer() as feed:
            for n in range(3):
                feed.put(f"R-{n}", "2025-01-01T00:00:00Z", lido(f"R-{n}", f"Object {n}"))
            job = _harvest_from_the_web(hub, feed.url)
        assert job.error is None and job.run["outcome"] == "ok" and job.run["new"] == 3
        assert job.progress.get("records") == 3  # progress came back from the worker
        assert hub.museums.object_count("m") == 3
    finally:
        hub.close()
        server.stop()


def test_a_worker_that_runs_out_of_memory_fails_the_job_not_the_web_process(instance: Path) -> None:
    from tests.support.oai_test_server import OaiTestServer

    hub, server = _hub_with_server(instance, HARVEST_WORKER_MEMORY_MB=40)  # too little to even start
    try:
        with OaiTestServer() as feed:
            job = _harvest_from_the_web(hub, feed.url)
        assert job.run is None and "worker ended without a run" in (job.error or "")
    finally:
        hub.close()
        server.stop()
