"""Each fault a museum's server can throw at a harvest, injected by the loopback test server.

For every fault: the harvest completes and the store holds exactly the source's records (same object
IRIs, same checksum of titles). Retries do not wait: the retry policy's sleep is a recorder.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from harvesters.feed_database import FeedDatabase, Museum
from harvesters.guard import FeedGuard
from harvesters.http import RetryPolicy, parse_retry_after
from harvesters.run import Harvester
from store.embedded import EmbeddedStore
from tests.support.lido_records import lido
from tests.support.oai_test_server import OaiTestServer
from tests.test_harvest import MINTER, assert_store_matches
from web.hub import database_path

RECORDS = 30


@pytest.fixture
def source() -> Iterator[OaiTestServer]:
    server = OaiTestServer(page_size=5)
    for i in range(RECORDS):
        server.put(f"oai:test:{i:03d}", "2025-01-01T00:00:00Z", lido(f"R{i:03d}", f"Sogdian coin {i}"))
    with server:
        yield server


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def store() -> Iterator[EmbeddedStore]:
    s = EmbeddedStore(None, MINTER.provenance_graph())
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def registry(tmp_path: Path, source: OaiTestServer) -> FeedDatabase:
    registry = FeedDatabase(database_path(tmp_path))
    registry.save_museum(Museum(id="test", name="Test Museum", feed_url=source.url, format="lido"))
    return registry


def make_harvester(store: EmbeddedStore, registry: FeedDatabase, sleeps: Sleeps, *, timeout: float = 5.0,
                   retries: int = 3, batch_size: int = 10, **options: object) -> Harvester:
    retry = RetryPolicy(max_retries=retries, backoff_base=0.5, max_backoff=8.0, sleep=sleeps)
    return Harvester(store, registry, MINTER, FeedGuard(["127.0.0.0/8"]), batch_size=batch_size,
                     http_timeout=timeout, retry=retry, **options)  # type: ignore[arg-type]


@pytest.fixture
def harvester(store: EmbeddedStore, registry: FeedDatabase, sleeps: Sleeps) -> Harvester:
    return make_harvester(store, registry, sleeps)


def test_503_with_retry_after_seconds_is_honoured(harvester, store, source, sleeps) -> None:
    source.inject("status", status=503, retry_after="3", resumption=True, skip=1, times=2)
    run = harvester.harvest("test")
    assert run.outcome == "ok", run.error
    assert sleeps == [3.0, 3.0]
    assert run.new == RECORDS and any("HTTP 503" in m for m in run.messages)
    assert_store_matches(store, source)


def test_503_with_retry_after_as_http_date_is_capped(harvester, store, source, sleeps) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(hours=2), usegmt=True)
    source.inject("status", status=503, retry_after=when)
    run = harvester.harvest("test")
    assert run.outcome == "ok", run.error
    assert sleeps == [8.0]  # two hours asked, capped at max_backoff
    assert_store_matches(store, source)


def test_retry_after_parsing() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Thu, 01 Jan 2026 00:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("Wed, 31 Dec 2025 00:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_5xx_backs_off_exponentially(harvester, store, source, sleeps) -> None:
    source.inject("status", status=500, resumption=True, times=3)
    run = harvester.harvest("test")
    assert run.outcome == "ok", run.error
    assert sleeps == [0.5, 1.0, 2.0]
    assert_store_matches(store, source)


def test_connection_dropped_mid_response(harvester, store, source, sleeps) -> None:
    source.inject("drop", resumption=True, skip=2)
    run = harvester.harvest("test")
    assert run.outcome == "ok", run.error
    assert len(sleeps) == 1 and any("connection failed" in m for m in run.messages)
    assert_store_matches(store, source)


def test_timeout(store, registry, source, sleeps) -> None:
    harvester = make_harvester(store, registry, sleeps, timeout=0.3)
    source.inject("stall", seconds=1.0, resumption=True, skip=1)
    run = harvester.harvest("test")
    assert run.outcome == "ok", run.error
    assert any("timed out" in m for m in run.messages)
    assert_store_matches(store, source)


@pytest.mark.parametrize("kind", ["non-xml", "truncated"])
def test_unusable_page_is_fetched_again(harvester, store, source, sleeps, kind: str) -> None:
    source.inject(kind, resumption=True, skip=1)
    run = harvester.harvest("test")
    assert run.outcome == "ok", run.error
    assert len(sleeps) == 1 and any("not well-formed XML" in m for m in run.messages)
    assert_store_matches(store, source)


def test_expired_token_restarts_from_the_last_datestamp(harvester, store, source) -> None:
    # Datestamps in listing order: the list restarts from the last one seen, skipping nothing.
    for i in range(RECORDS):
        source.put(f"oai:test:{i:03d}", f"2025-01-{1 + i // 5:02d}T00:00:00Z", lido(f"R{i:03d}", f"Sogdian coin {i}"))
    source.inject("expire", resumption=True, skip=2)
    run = harvester.harvest("test")
    assert run.outcome == "ok", run.error
    restart = [r for r in source.requests if r.get("verb") == "ListRecords" and "from" in r]
    assert restart and restart[0]["from"] == "2025-01-03T00:00:00Z"
    assert run.new == RECORDS
    assert_store_matches(store, source)


def test_expired_token_in_an_unordered_list_restarts_the_whole_list(harvester, store, source) -> None:
    source.put("oai:test:001", "2025-06-01T00:00:00Z", lido("R001", "Sogdian coin 1, revised"))
    source.inject("expire", resumption=True, skip=2)
    run = harvester.harvest("test")
    assert run.outcome == "ok", run.error
    first_requests = [r for r in source.requests if r.get("verb") == "ListRecords" and "resumptionToken" not in r]
    assert len(first_requests) == 2 and "from" not in first_requests[1]
    # Records listed twice were written once: the replay finds them unchanged.
    assert (run.new, run.unchanged) == (RECORDS, 15)
    assert_store_matches(store, source)


def test_broken_record_is_quarantined_and_the_rest_land(harvester, store, source, registry) -> None:
    source.put("oai:test:007", "2025-01-01T00:00:00Z", "<lido:lido xmlns:lido='http://www.lido-schema.org'/>")
    run = harvester.harvest("test")
    assert run.outcome == "ok" and run.quarantined == 1 and run.new == RECORDS - 1
    assert [q["source_id"] for q in registry.quarantined("test")] == ["oai:test:007"]
    assert_store_matches(store, source)


def test_persistent_fault_fails_keeping_data_then_resumes(store, source, registry, sleeps) -> None:
    harvester = make_harvester(store, registry, sleeps)
    fault = source.inject("non-xml", resumption=True, skip=3, times=100)
    run = harvester.harvest("test")
    assert run.outcome == "failed" and "not well-formed XML" in (run.error or "")
    assert len(sleeps) == 3  # bounded: three retries, then the run fails
    stored = store.graph_names(prefix=MINTER.record_graph_prefix("test"))
    assert len(stored) == 20 and run.new == 20  # the batches before the fault stay, with their counts
    fault.times = 0  # the museum's server is fixed
    source.requests.clear()
    run = harvester.harvest("test")
    assert run.outcome == "ok", run.error
    assert run.attempts == 2 and run.new == RECORDS and run.unchanged == 0
    first = next(r for r in source.requests if r.get("verb") == "ListRecords")
    assert "resumptionToken" in first  # continued from the checkpoint, not from the start
    assert len(registry.runs("test")) == 1
    assert_store_matches(store, source)


class CrashingRegistry(FeedDatabase):
    """The real registry, with a crash injected between a batch's store write and its commit."""

    crash_at = 2

    def commit_batch(self, *args, **kwargs) -> None:
        self.crash_at -= 1
        if self.crash_at == 0:
            raise OSError("disk full (injected)")
        super().commit_batch(*args, **kwargs)


def test_crash_between_store_write_and_commit_keeps_counts_exact(tmp_path, store, source, sleeps) -> None:
    registry = CrashingRegistry(database_path(tmp_path))
    registry.save_museum(Museum(id="test", name="Test Museum", feed_url=source.url, format="lido"))
    harvester = make_harvester(store, registry, sleeps)
    source.put("oai:test:012", "2025-01-01T00:00:00Z", None)  # a deletion inside the batch that is lost
    run = harvester.harvest("test")
    assert run.outcome == "failed" and "injected" in (run.error or "")
    assert registry.pending_batch(run.id)  # the journal of the lost batch
    run = harvester.harvest("test")
    assert run.outcome == "ok", run.error
    assert (run.new, run.updated, run.deleted, run.unchanged) == (RECORDS - 1, 0, 0, 0)
    assert not registry.pending_batch(run.id)
    assert_store_matches(store, source)


def test_changes_between_runs_deletions_and_new_datestamps(harvester, store, source) -> None:
    assert harvester.harvest("test").outcome == "ok"
    source.now = "2026-02-01T00:00:00Z"
    source.put("oai:test:004", "2026-02-01T10:00:00Z", lido("R004", "Sogdian coin 4, re-catalogued"))
    source.put("oai:test:005", "2026-02-01T10:00:00Z", lido("R005", "Sogdian coin 5"))  # new datestamp only
    source.delete("oai:test:007", "2026-02-01T10:00:00Z")
    run = harvester.harvest("test")
    assert (run.new, run.updated, run.unchanged, run.deleted) == (0, 1, 1, 1)
    assert_store_matches(store, source)


def test_a_large_feed_is_mapped_in_a_worker_process(store, registry, source, sleeps) -> None:
    harvester = make_harvester(store, registry, sleeps, retries=1, map_worker_threshold=10)
    source.put("oai:test:027", "2025-01-01T00:00:00Z", "<lido:lido xmlns:lido='http://www.lido-schema.org'/>")
    source.inject("status", status=503, retry_after="0", resumption=True, skip=2)
    fault = source.inject("non-xml", resumption=True, skip=4, times=100)
    run = harvester.harvest("test")
    assert run.outcome == "failed" and "not well-formed XML" in (run.error or "")
    assert any("HTTP 503" in m for m in run.messages)  # retried in the worker, recorded on the run
    assert sleeps == []  # the worker sleeps itself
    fault.times = 0
    run = harvester.harvest("test")
    assert run.outcome == "ok", run.error
    assert run.attempts == 2 and (run.new, run.quarantined) == (RECORDS - 1, 1)
    assert [q["source_id"] for q in registry.quarantined("test")] == ["oai:test:027"]
    assert_store_matches(store, source)
