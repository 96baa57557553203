"""Harvest runs against a loopback OAI-PMH repository: first run, incremental runs, deletions,
quarantine, unchanged records, full harvests and the mass-drop guard, locks, schedules, the CLI and the
feed guard. The store is a real embedded pyoxigraph store.

Helpers shared with the fault, kill and third-party tests: :func:`assert_store_matches` (and ``MINTER``).
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from harvesters.feed_database import FeedDatabase, Museum
from harvesters.guard import FeedGuard, FeedUrlRefused
from harvesters.run import Harvester
from ontology.iris import IriMinter
from store.base import SolutionsResult
from store.embedded import EmbeddedStore
from tests.support.lido_records import lido
from tests.support.oai_test_server import OaiTestServer
from web.hub import database_path

MINTER = IriMinter("https://hub.example.org")
CRM = "http://www.cidoc-crm.org/cidoc-crm/"




@pytest.fixture
def source() -> Iterator[OaiTestServer]:
    server = OaiTestServer(page_size=7)
    for i in range(20):
        server.put(f"oai:test:{i:03d}", "2025-01-01T00:00:00Z", lido(f"R{i:03d}", f"Sogdian coin {i}"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def setup(tmp_path: Path, source: OaiTestServer) -> Iterator[tuple[Harvester, EmbeddedStore, FeedDatabase]]:
    store = EmbeddedStore(None, MINTER.provenance_graph())
    registry = FeedDatabase(database_path(tmp_path))
    registry.save_museum(Museum(id="test", name="Test Museum", feed_url=source.url, format="lido"))
    harvester = Harvester(store, registry, MINTER, FeedGuard(["127.0.0.0/8"]), batch_size=5, http_timeout=10)
    try:
        yield harvester, store, registry
    finally:
        store.close()


def titles(store: EmbeddedStore) -> dict[str, str]:
    result = store.query(
        f"SELECT ?o ?t WHERE {{ ?o a <{CRM}E22_Human-Made_Object> ; <http://www.w3.org/2000/01/rdf-schema#label> ?t }}"
    )
    assert isinstance(result, SolutionsResult)
    return {row["o"].value: row["t"].value for row in result.dicts()}


_TITLE = re.compile(r"<lido:appellationValue>(.*?)</lido:appellationValue>", re.S)


def expected_titles(server: OaiTestServer, museum: str = "test") -> dict[str, str]:
    """Object IRI → title of every record the source has (and that maps), read from the source's XML."""
    expected = {}
    for identifier, record in server.live().items():
        match = _TITLE.search(record.metadata or "")
        if match and "lidoRecID" in (record.metadata or ""):
            expected[MINTER.object(museum, identifier)] = html.unescape(match.group(1))
    return expected


def checksum(titles_by_iri: dict[str, str]) -> str:
    return hashlib.sha256("".join(f"{k}\t{v}\n" for k, v in sorted(titles_by_iri.items())).encode()).hexdigest()


def assert_store_matches(store, server: OaiTestServer, museum: str = "test") -> None:
    """The store holds exactly the source's records: same object IRIs, same titles, one graph each."""
    stored, expected = titles(store), expected_titles(server, museum)
    assert set(stored) == set(expected)
    assert checksum(stored) == checksum(expected)
    graphs = store.graph_names(prefix=MINTER.record_graph_prefix(museum))
    assert sorted(graphs) == sorted(MINTER.record_graph(museum, i) for i in server.live()
                                    if MINTER.object(museum, i) in expected)


def test_first_harvest_stores_every_record_with_provenance(setup, source: OaiTestServer) -> None:
    harvester, store, registry = setup
    run = harvester.harvest("test")
    assert run.outcome == "ok", run.error
    assert (run.new, run.updated, run.deleted, run.quarantined) == (20, 0, 0, 0)
    assert len(titles(store)) == 20
    graphs = store.graph_names(prefix=MINTER.record_graph_prefix("test"))
    assert len(graphs) == 20
    provenance = store.query(
        f"ASK {{ GRAPH <{MINTER.provenance_graph()}> {{ <{MINTER.record_graph('test', 'oai:test:003')}> "
        '<https://w3id.org/srom/ns#sourceIdentifier> "oai:test:003" } }'
    )
    assert provenance.value is True  # type: ignore[union-attr]
    assert any(r.get("verb") == "ListRecords" and "resumptionToken" in r for r in source.requests)


def test_incremental_harvest_applies_changes_and_deletions(setup, source: OaiTestServer) -> None:
    harvester, store, registry = setup
    assert harvester.harvest("test").outcome == "ok"
    source.now = "2026-02-01T00:00:00Z"
    source.put("oai:test:004", "2026-02-01T10:00:00Z", lido("R004", "Sogdian coin 4, re-catalogued"))
    source.delete("oai:test:007", "2026-02-01T10:00:00Z")
    source.put("oai:test:100", "2026-02-01T10:00:00Z", lido("R100", "Kaiyuan tongbao"))
    source.requests.clear()
    run = harvester.harvest("test")
    assert run.outcome == "ok", run.error
    assert (run.new, run.updated, run.deleted) == (1, 1, 1)
    first = next(r for r in source.requests if r.get("verb") == "ListRecords")
    assert first.get("from") == "2026-01-01T00:00:00Z"  # the previous run's responseDate
    stored = titles(store)
    assert len(stored) == 20
    assert stored[MINTER.object("test", "oai:test:004")] == "Sogdian coin 4, re-catalogued"
    assert MINTER.object("test", "oai:test:007") not in stored
    assert MINTER.record_graph("test", "oai:test:007") not in store.graph_names()


def test_empty_incremental_harvest_is_a_successful_run(setup, source: OaiTestServer) -> None:
    harvester, store, _ = setup
    harvester.harvest("test")
    source.now = "2026-03-01T00:00:00Z"
    run = harvester.harvest("test")  # nothing changed since: noRecordsMatch
    assert run.outcome == "ok"
    assert (run.new, run.updated, run.deleted) == (0, 0, 0)
    assert len(titles(store)) == 20


def test_a_broken_record_is_quarantined_and_the_rest_land(setup, source: OaiTestServer) -> None:
    harvester, store, registry = setup
    source.put("oai:test:005", "2025-01-01T00:00:00Z", '<lido:lido xmlns:lido="http://www.lido-schema.org"/>')
    source.put("oai:test:006", "2025-01-01T00:00:00Z", "<dc xmlns='urn:not-lido'><title>x</title></dc>")
    run = harvester.harvest("test")
    assert run.outcome == "ok"
    assert run.quarantined == 2 and run.new == 18
    quarantined = {q["source_id"]: q["reason"] for q in registry.quarantined("test")}
    assert set(quarantined) == {"oai:test:005", "oai:test:006"}
    assert all(reason for reason in quarantined.values())
    # The museum fixes the record: the next run maps it and releases it from quarantine.
    source.now = "2026-02-01T00:00:00Z"
    source.put("oai:test:005", "2026-02-01T00:00:00Z", lido("R005", "Sogdian coin 5"))
    run = harvester.harvest("test")
    assert run.new == 1
    assert set(q["source_id"] for q in registry.quarantined("test")) == {"oai:test:006"}


def test_a_feed_on_loopback_is_refused_unless_allowed(tmp_path: Path, source: OaiTestServer) -> None:
    with pytest.raises(FeedUrlRefused, match="SROM_ALLOWED_FEED_NETWORKS"):
        FeedGuard([]).check(source.url)
    FeedGuard(["127.0.0.0/8"]).check(source.url)
    with pytest.raises(FeedUrlRefused):
        FeedGuard([]).check("http://169.254.169.254/latest/meta-data/")
    with pytest.raises(FeedUrlRefused):
        FeedGuard([]).check("file:///etc/passwd")
    store = EmbeddedStore(None, MINTER.provenance_graph())
    try:
        registry = FeedDatabase(database_path(tmp_path))
        registry.save_museum(Museum(id="test", name="Test", feed_url=source.url, format="lido"))
        run = Harvester(store, registry, MINTER, FeedGuard([])).harvest("test")
        assert run.outcome == "failed"
        assert "private, loopback or link-local" in (run.error or "")
        assert store.count_quads() == 0 or not store.graph_names(prefix=MINTER.record_graph_prefix("test"))
    finally:
        store.close()


# --- unchanged records, full harvests and the mass-drop guard -------------------------------------------
def generated_by(store: EmbeddedStore, identifier: str) -> str:
    result = store.query(
        f"SELECT ?run WHERE {{ GRAPH <{MINTER.provenance_graph()}> {{ <{MINTER.record_graph('test', identifier)}> "
        "<http://www.w3.org/ns/prov#wasGeneratedBy> ?run } }"
    )
    return result.rows[0][0].value  # type: ignore[union-attr]


def test_unchanged_records_are_counted_and_not_rewritten(setup, source: OaiTestServer) -> None:
    harvester, store, _ = setup
    first = harvester.harvest("test")
    source.put("oai:test:003", "2025-01-01T00:00:00Z", lido("R003", "Sogdian coin 3, cleaned"))
    run = harvester.harvest("test", full=True)
    assert run.outcome == "ok", run.error
    assert (run.new, run.updated, run.unchanged, run.deleted) == (0, 1, 19, 0)
    assert generated_by(store, "oai:test:004") == MINTER.harvest_run("test", first.id)  # not written again
    assert generated_by(store, "oai:test:003") == MINTER.harvest_run("test", run.id)
    assert_store_matches(store, source)


def test_a_museum_harvested_before_new_keys_is_harvested_in_full_next_time(setup, source: OaiTestServer) -> None:
    """The keys the hub derives on each object changed (srom:dateOrder): the next run of a museum whose last
    run wrote older keys maps every record again, where an incremental run would leave them keyless."""
    harvester, store, registry = setup
    assert harvester.harvest("test").outcome == "ok"
    # the store as the previous version left it: no srom:dateOrder, content hashes of the records without it
    store.update("DELETE WHERE { GRAPH ?g { ?o <https://w3id.org/srom/ns#dateOrder> ?k } }")
    prov, digest = MINTER.provenance_graph(), "<https://w3id.org/srom/ns#contentHash>"
    store.update(f"""DELETE {{ GRAPH <{prov}> {{ ?g {digest} ?h }} }}
                     INSERT {{ GRAPH <{prov}> {{ ?g {digest} "old" }} }}
                     WHERE {{ GRAPH <{prov}> {{ ?g {digest} ?h }} }}""")
    with registry._connect() as db:
        db.execute("UPDATE harvest_runs SET keys_version = 1")
    upgraded = harvester.harvest("test")
    assert upgraded.outcome == "ok" and upgraded.full and upgraded.updated == 20, upgraded
    assert any("keys the hub writes" in m for m in upgraded.messages)
    keyed = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?o <https://w3id.org/srom/ns#dateOrder> ?k }")
    assert keyed.rows[0][0].value == "20"  # type: ignore[union-attr]
    again = harvester.harvest("test")
    assert not again.full  # back to incremental runs


def test_full_harvest_removes_what_the_source_no_longer_has(setup, source: OaiTestServer) -> None:
    harvester, store, registry = setup
    harvester.harvest("test")
    del source.records["oai:test:002"]  # gone without a deletion mark (deletedRecord=no servers)
    assert harvester.harvest("test").deleted == 0  # an incremental run cannot know
    run = harvester.harvest("test", full=True)
    assert (run.deleted, run.held) == (1, 0)
    assert registry.pending_removal("test") is None
    assert_store_matches(store, source)


def test_mass_drop_is_held_until_confirmed(setup, source: OaiTestServer) -> None:
    harvester, store, registry = setup
    harvester.harvest("test")
    for i in range(4, 10):  # 6 of 20 = 30 % > 15 %
        del source.records[f"oai:test:{i:03d}"]
    run = harvester.harvest("test", full=True)
    assert run.outcome == "ok" and (run.deleted, run.held) == (0, 6)
    assert len(titles(store)) == 20  # nothing removed yet
    pending = registry.pending_removal("test")
    assert pending is not None and (pending["count"], pending["total"], pending["run_id"]) == (6, 20, run.id)
    # The source gets one back before anyone confirms: it leaves the list.
    source.now = "2026-02-01T00:00:00Z"
    source.put("oai:test:005", "2026-02-01T00:00:00Z", lido("R005", "Sogdian coin 5"))
    harvester.harvest("test")
    assert registry.pending_removal("test")["count"] == 5  # type: ignore[index]
    assert harvester.confirm_removal("test", by="museum:test") == 5
    assert registry.pending_removal("test") is None
    held_run = registry.get_run(run.id)
    assert held_run is not None and (held_run.deleted, held_run.held) == (5, 1)
    assert_store_matches(store, source)


def test_confirmed_removal_is_applied_by_the_next_harvest(setup, source: OaiTestServer) -> None:
    harvester, store, registry = setup
    harvester.harvest("test")
    for i in range(10):
        del source.records[f"oai:test:{i:03d}"]
    harvester.harvest("test", full=True)
    registry.confirm_removals("test", "admin")  # what the web dashboard calls
    harvester.harvest("test")
    assert registry.pending_removal("test") is None
    assert_store_matches(store, source)


def test_one_harvest_per_museum_at_a_time(setup) -> None:
    from harvesters.errors import HarvestBusy

    harvester, _, registry = setup
    assert registry.acquire_lock("test", "someone-else")
    with pytest.raises(HarvestBusy):
        harvester.harvest("test")
    registry.release_lock("test", "someone-else")
    assert harvester.harvest("test").outcome == "ok"


def test_a_dead_holders_lock_is_taken_over(setup) -> None:
    import subprocess
    import sys

    _, _, registry = setup
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    with registry._connect() as db:
        db.execute("INSERT INTO harvest_locks VALUES ('test', 'gone', ?, ?, '2026-01-01T00:00:00Z', 0)",
                   (int(child.stdout), __import__("socket").gethostname()))
    assert registry.acquire_lock("test", "me")


def test_registry_formats_and_protocols_are_live() -> None:
    from harvesters.feed_database import FORMATS, PROTOCOLS
    from mappings import available_formats

    assert list(FORMATS) == available_formats() and "lido" in FORMATS
    assert "oai-pmh" in PROTOCOLS and "gopher" not in PROTOCOLS


# --- schedules -------------------------------------------------------------------------------------
def test_schedules_are_checked(tmp_path: Path) -> None:
    from harvesters.feed_database import FeedDatabaseError
    from harvesters.schedule import check_schedule

    assert check_schedule("0  3 * * *") == "0 3 * * *"
    for bad in ("every night", "61 * * * *", "* * * *", "0 0 * * * *"):
        with pytest.raises(ValueError):
            check_schedule(bad)
    registry = FeedDatabase(database_path(tmp_path))
    with pytest.raises(FeedDatabaseError, match="cron"):
        registry.save_museum(Museum(id="m", name="M", feed_url="http://x/oai", format="lido", schedule="nightly"))


def test_due_schedules_with_an_injected_clock(setup, source: OaiTestServer) -> None:
    from datetime import timedelta

    from harvesters.schedule import Scheduler, due_museums, next_time
    from ontology.clock import parse_utc

    harvester, store, registry = setup
    museum = registry.get_museum("test")
    assert museum is not None
    museum.schedule = "*/10 * * * *"
    registry.save_museum(museum)
    created = parse_utc(museum.created)
    next_slot = created.replace(second=0, microsecond=0, minute=created.minute - created.minute % 10) + timedelta(
        minutes=10)
    now = {"t": next_slot - timedelta(seconds=1)}
    scheduler = Scheduler(registry, harvester.harvest, clock=lambda: now["t"])
    assert due_museums(registry, now["t"]) == [] and scheduler.run_pending() == []
    now["t"] = next_slot + timedelta(seconds=1)
    assert scheduler.run_pending() == ["test"]
    assert registry.runs("test")[0].outcome == "ok" and len(titles(store)) == 20
    # The run just started counts as the latest: the feed is due again at the first slot after it.
    started = parse_utc(registry.runs("test")[0].started)
    following = next_time(museum.schedule, started)
    assert due_museums(registry, following - timedelta(seconds=1)) == []
    assert due_museums(registry, following) == ["test"]


def test_scheduler_thread_runs_a_due_feed_and_skips_a_busy_one(setup, source: OaiTestServer) -> None:
    import time
    from datetime import UTC, datetime, timedelta

    from harvesters.schedule import Scheduler

    harvester, store, registry = setup
    museum = registry.get_museum("test")
    assert museum is not None
    museum.schedule = "0 3 * * *"
    registry.save_museum(museum)
    far = datetime.now(UTC) + timedelta(days=2)
    registry.acquire_lock("test", "cli")  # `srom harvest test` is running in a terminal
    scheduler = Scheduler(registry, harvester.harvest, clock=lambda: far, tick=0.05).start()
    try:
        time.sleep(0.3)
        assert registry.runs("test") == []  # skipped, no crash
        registry.release_lock("test", "cli")
        deadline = time.monotonic() + 10
        while not registry.runs("test") and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        scheduler.stop()
    assert registry.runs("test")[-1].outcome == "ok"


# --- the command line ------------------------------------------------------------------------------
def test_cli_harvest_runs_quarantine_and_removals(instance: Path, source: OaiTestServer, monkeypatch) -> None:
    import json

    from click.testing import CliRunner

    from web.cli import main

    monkeypatch.setenv("SROM_STORE", "embedded")
    monkeypatch.setenv("SROM_BASE_IRI", "https://hub.example.org")
    source.put("oai:test:006", "2025-01-01T00:00:00Z", "<dc xmlns='urn:not-lido'><title>x</title></dc>")
    cli = CliRunner()
    added = cli.invoke(main, ["museums", "add", "test", "--name", "Test", "--feed", source.url, "--format", "lido",
                              "--schedule", "0 3 * * *", "--option", "note=a=b"])
    assert added.exit_code == 0, added.output
    listed = json.loads(cli.invoke(main, ["museums", "list", "--json"]).output)["museums"][0]
    assert listed["schedule"] == "0 3 * * *" and listed["options"] == {"note": "a=b"}
    bad = cli.invoke(main, ["museums", "add", "test2", "--name", "T", "--feed", source.url, "--format", "lido",
                            "--schedule", "whenever"])
    assert bad.exit_code != 0 and "cron" in bad.output
    result = cli.invoke(main, ["harvest", "test"])
    assert result.exit_code == 0, result.output
    assert "new 19" in result.output and "quarantined 1" in result.output and "unchanged 0" in result.output
    runs = json.loads(cli.invoke(main, ["runs", "test", "--json"]).output)["runs"]
    assert runs[0]["outcome"] == "ok" and runs[0]["new"] == 19 and runs[0]["unchanged"] == 0
    quarantined = json.loads(cli.invoke(main, ["quarantine", "test", "--json"]).output)
    assert quarantined["ok"] and [q["source_id"] for q in quarantined["quarantined"]] == ["oai:test:006"]
    assert quarantined["quarantined"][0]["reason"]
    for i in range(10):
        del source.records[f"oai:test:{i:03d}"]
    held = cli.invoke(main, ["harvest", "test", "--full"])
    assert held.exit_code == 0 and "srom removals test --confirm" in held.output
    shown = cli.invoke(main, ["removals", "test"])
    assert "9 of 19 records" in shown.output, shown.output
    confirmed = cli.invoke(main, ["harvest", "test", "--confirm-removal"])
    assert "removed 9 records" in confirmed.output, confirmed.output
    assert json.loads(cli.invoke(main, ["removals", "test", "--json"]).output)["pending"] is None


def test_serve_runs_the_scheduler_thread_unless_switched_off(instance: Path) -> None:
    import threading

    from web.cli.serving import harvest_scheduler
    from web.hub import Hub
    from web.settings import load_settings

    def running() -> bool:
        return any(t.name == "srom-harvest-scheduler" and t.is_alive() for t in threading.enumerate())

    settings = load_settings(instance, environ={"SROM_STORE": "memory", "SROM_HARVEST_MAX_DROP_SHARE": "0.5",
                                                "SROM_HARVEST_MAX_RETRIES": "2"})
    hub = Hub(instance, settings)
    try:
        harvester = hub.museums.harvester()
        assert harvester.max_drop_share == 0.5 and harvester.retry.max_retries == 2
        with harvest_scheduler(hub):
            assert running()
        assert not running()
        hub.settings["HARVEST_SCHEDULER"] = False
        with harvest_scheduler(hub):
            assert not running()
    finally:
        hub.close()
