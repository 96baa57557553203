"""A harvest killed with SIGKILL mid-run, then run again, ends with the same store as an uninterrupted one.

The harvest runs as the real command (``srom harvest`` in a subprocess, embedded store on disk) against a
slow loopback OAI-PMH server, and is killed once a few batches are committed. The next ``srom harvest``
resumes the same run from its checkpoint. The reference is an uninterrupted harvest of the same source.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from harvesters.feed_database import FeedDatabase, Museum
from harvesters.guard import FeedGuard
from harvesters.run import Harvester
from store.embedded import EmbeddedStore
from store.text_index import TextIndex, index_path
from tests.support.lido_records import lido
from tests.support.oai_test_server import OaiTestServer
from tests.test_harvest import MINTER, assert_store_matches
from web.hub import database_path

ROOT = Path(__file__).resolve().parents[1]
RECORDS = 200


@pytest.fixture
def source() -> Iterator[OaiTestServer]:
    server = OaiTestServer(page_size=10, delay=0.15)
    for i in range(RECORDS):
        server.put(f"oai:test:{i:04d}", "2025-01-01T00:00:00Z", lido(f"R{i:04d}", f"Kushan coin {i}"))
    server.put("oai:test:0033", "2025-01-01T00:00:00Z", None)  # a deletion mark for a record never stored
    with server:
        yield server


def record_quads(store: EmbeddedStore) -> set[str]:
    """Every quad of the museum's record graphs and vocabulary graph (not the provenance graph, whose
    times and run IRIs differ between harvests)."""
    result = store.query(
        "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } "
        f"FILTER(STRSTARTS(STR(?g), \"{MINTER.record_graph_prefix('test')}\") "
        f"|| ?g = <{MINTER.vocabulary_graph('test')}>) }}"
    )
    quads = {" ".join(str(t) for t in row) for row in result.rows}  # type: ignore[union-attr]
    assert len(quads) > 1000
    return quads


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state == "Z"


def srom(instance: Path, *args: str, worker_threshold: int = 0) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SROM_HOME": str(instance), "SROM_STORE": "embedded",
           "SROM_BASE_IRI": MINTER.base, "SROM_ALLOWED_FEED_NETWORKS": "127.0.0.0/8",
           "SROM_HARVEST_BATCH_SIZE": "10", "SROM_HARVEST_BACKOFF": "0.01",
           "SROM_HARVEST_MAP_WORKER_THRESHOLD": str(worker_threshold)}
    return subprocess.Popen([sys.executable, "-m", "web.cli", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


@pytest.mark.slow
@pytest.mark.parametrize("worker_threshold", [0, 50], ids=["in-process", "mapping-worker"])
def test_sigkill_mid_run_then_resume_gives_the_uninterrupted_store(
    tmp_path: Path, source: OaiTestServer, worker_threshold: int
) -> None:
    instance = tmp_path / "instance"
    registry = FeedDatabase(database_path(instance))
    registry.save_museum(Museum(id="test", name="Test Museum", feed_url=source.url, format="lido"))

    process = srom(instance, "harvest", "test", worker_threshold=worker_threshold)
    workers: list[int] = []
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            runs = registry.runs("test")
            workers = workers or children(process.pid)
            if runs and runs[0].records >= 70:
                break
            assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
            time.sleep(0.05)
        else:
            pytest.fail("the harvest made no progress")
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        if process.stdout:
            process.stdout.close()
    killed = registry.runs("test")[0]
    assert killed.outcome == "running" and 70 <= killed.records < RECORDS + 1
    if worker_threshold:  # the mapping worker notices that its harvest process is gone, and exits
        assert workers
        deadline = time.monotonic() + 20
        while not all(gone(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert all(gone(pid) for pid in workers)

    source.delay = 0
    again = srom(instance, "harvest", "test")
    output, _ = again.communicate(timeout=120)
    assert again.returncode == 0, output.decode()
    assert b"resumed" in output
    (run,) = registry.runs("test")
    assert run.outcome == "ok" and run.attempts == 2
    assert (run.new, run.updated, run.deleted, run.unchanged, run.quarantined) == (RECORDS - 1, 0, 0, 0, 0)
    assert run.records == RECORDS  # each listed record counted once, replayed ones included

    stored = EmbeddedStore(instance / "store", MINTER.provenance_graph())
    reference = EmbeddedStore(None, MINTER.provenance_graph())
    try:
        ref_registry = FeedDatabase(tmp_path / "reference.sqlite")
        ref_registry.save_museum(Museum(id="test", name="Test Museum", feed_url=source.url, format="lido"))
        ref_run = Harvester(reference, ref_registry, MINTER, FeedGuard(["127.0.0.0/8"]), batch_size=10).harvest("test")
        assert ref_run.outcome == "ok"
        assert_store_matches(stored, source)
        assert record_quads(stored) == record_quads(reference)
        # the text index (written by the same batches, before their checkpoints) holds the same objects
        assert TextIndex(index_path(instance)).indexed_graphs() == set(
            stored.graph_names(prefix=MINTER.record_graph_prefix("test")))
    finally:
        stored.close()
        reference.close()
