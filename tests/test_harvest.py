"""Harvest runs against a loopback OAI-PMH repository: first run, incremental runs, deletions,
quarantine and the feed guard. The store is a real embedded pyoxigraph store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from harvesters.guard import FeedGuard, FeedUrlRefused
from harvesters.registry import Museum, Registry
from harvesters.run import Harvester
from ontology.iris import IriMinter
from store.base import SolutionsResult
from store.embedded import EmbeddedStore
from tests.oai_test_server import OaiTestServer

MINTER = IriMinter("https://hub.example.org")
CRM = "http://www.cidoc-crm.org/cidoc-crm/"


def lido(record_id: str, title: str, work_type: str = "coin") -> str:
    return f"""<lido:lido xmlns:lido="http://www.lido-schema.org">
  <lido:lidoRecID lido:source="test" lido:type="local">{escape(record_id)}</lido:lidoRecID>
  <lido:descriptiveMetadata xml:lang="en">
    <lido:objectClassificationWrap><lido:objectWorkTypeWrap><lido:objectWorkType>
      <lido:term>{escape(work_type)}</lido:term></lido:objectWorkType></lido:objectWorkTypeWrap></lido:objectClassificationWrap>
    <lido:objectIdentificationWrap><lido:titleWrap><lido:titleSet>
      <lido:appellationValue>{escape(title)}</lido:appellationValue></lido:titleSet></lido:titleWrap>
    </lido:objectIdentificationWrap>
  </lido:descriptiveMetadata>
  <lido:administrativeMetadata xml:lang="en"><lido:recordWrap>
    <lido:recordID lido:type="local">{escape(record_id)}</lido:recordID>
    <lido:recordType><lido:term>item</lido:term></lido:recordType>
    <lido:recordSource><lido:legalBodyName><lido:appellationValue>Test Museum</lido:appellationValue>
    </lido:legalBodyName></lido:recordSource></lido:recordWrap></lido:administrativeMetadata>
</lido:lido>"""


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
def setup(tmp_path: Path, source: OaiTestServer) -> Iterator[tuple[Harvester, EmbeddedStore, Registry]]:
    store = EmbeddedStore(None, MINTER.provenance_graph())
    registry = Registry(tmp_path / "hub.sqlite")
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


def test_first_harvest_stores_every_record_with_provenance(setup, source: OaiTestServer) -> None:  # noqa: ANN001
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


def test_incremental_harvest_applies_changes_and_deletions(setup, source: OaiTestServer) -> None:  # noqa: ANN001
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


def test_empty_incremental_harvest_is_a_successful_run(setup, source: OaiTestServer) -> None:  # noqa: ANN001
    harvester, store, _ = setup
    harvester.harvest("test")
    source.now = "2026-03-01T00:00:00Z"
    run = harvester.harvest("test")  # nothing changed since: noRecordsMatch
    assert run.outcome == "ok"
    assert (run.new, run.updated, run.deleted) == (0, 0, 0)
    assert len(titles(store)) == 20


def test_a_broken_record_is_quarantined_and_the_rest_land(setup, source: OaiTestServer) -> None:  # noqa: ANN001
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
        registry = Registry(tmp_path / "hub.sqlite")
        registry.save_museum(Museum(id="test", name="Test", feed_url=source.url, format="lido"))
        run = Harvester(store, registry, MINTER, FeedGuard([])).harvest("test")
        assert run.outcome == "failed"
        assert "private, loopback or link-local" in (run.error or "")
        assert store.count_quads() == 0 or not store.graph_names(prefix=MINTER.record_graph_prefix("test"))
    finally:
        store.close()
