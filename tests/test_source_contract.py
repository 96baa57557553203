"""The Source contract: one suite run against every protocol the hub harvests, plus a third party's.

Every feed publishes the same museum — six objects, then a renamed one, a withdrawn one and a new one —
on a real server on 127.0.0.1: OAI-PMH on tests/support/oai_test_server.py, IIIF Change Discovery and RDF
dumps on the file server, SPARQL on ``oxigraph serve`` (behind a loopback proxy that counts requests).
The third party is a JSON-lines change feed, a :class:`Source` written here and registered through
``register_source``, the call a plugin author uses. Each feed is harvested through the real
``Harvester`` into an embedded in-memory store: a full listing, an incremental harvest, an update and a
delete end to end, and a run that resumes after an interruption.

What a protocol cannot do is declared on its Source class, and read here: ``complete_listing`` (every
run lists every record: no incremental form), ``resumes_cheaply`` (False: continuing from a checkpoint
costs a whole listing again). Those tests skip with that reason.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harvesters.feed_database import PROTOCOLS, FeedDatabase, HarvestRun, Museum
from harvesters.http import RetryPolicy
from harvesters.protocols import SOURCES, register_source, source_class
from harvesters.run import Harvester
from harvesters.source import Source, SourcePage, SourceRecord
from mappings import MappedRecord
from store import EmbeddedStore, ManagedOxigraphServer, SolutionsResult
from tests.support.museum_feeds import (
    CRM,
    GUARD,
    LABEL,
    MINTER,
    MUSEUM,
    PAGE,
    DiscoveryFeed,
    DumpFeed,
    Feed,
    FileFeed,
    OaiFeed,
    SparqlFeed,
)

FIRST = {f"k{i}": f"Object {i} of the contract museum" for i in range(1, 7)}
INTERRUPT_AT = 5  # the first attempt stops when the fifth record arrives: two pages are stored


# --- the third party: a JSON-lines change feed, registered as a plugin would register it -----------------
class JsonLinesSource(Source):
    """A museum's objects as JSON lines, oldest change first, in pages linked by a last line ``{"next": url}``.

    A page starts with ``{"generated": time}`` (the feed's clock: the next harvest's ``since``); then one
    line per object, ``{"id", "modified", "object"}`` (a Linked Art document) or ``{"id", "modified",
    "deleted": true}``. The checkpoint is the next page's URL.
    """

    protocol = "jsonl-changes"
    formats = ("linked-art",)

    def pages(self, since: str | None = None, resume: dict[str, Any] | None = None) -> Iterator[SourcePage]:
        url: str | None = (resume or {}).get("page") or self.feed.url
        while url:
            response = self.http.get(url)
            try:
                header, *entries = [json.loads(line) for line in response.content.splitlines() if line.strip()]
            finally:
                response.close()
            url = entries.pop()["next"] if entries and "next" in entries[-1] else None
            records = [SourceRecord(e["id"], e["modified"], bool(e.get("deleted")), e.get("object"))
                       for e in entries if since is None or e["modified"] >= since]
            yield SourcePage(records, {"page": url} if url else None, response_date=header["generated"])


@pytest.fixture(scope="module", autouse=True)
def third_party_source() -> Iterator[type[Source]]:
    register_source(JsonLinesSource)
    try:
        yield JsonLinesSource
    finally:
        SOURCES.pop(JsonLinesSource.protocol, None)


# --- its feed (the built-in protocols' feeds: tests/support/museum_feeds.py) -----------------------------
class JsonLinesFeed(FileFeed):
    protocol, format, options = JsonLinesSource.protocol, "linked-art", {}

    def render(self) -> None:
        entries = [{"id": self.identifier(k), "modified": self.stamps[k], "deleted": True} if k in self.gone
                   else {"id": self.identifier(k), "modified": self.stamps[k], "object": self.linked_art(k)}
                   for k in self.by_time()]
        pages = [entries[i : i + PAGE] for i in range(0, len(entries), PAGE)]
        for n, page_entries in enumerate(pages):
            lines = [{"generated": self.now}, *page_entries]
            if n < len(pages) - 1:
                lines.append({"next": f"{self.server.url}{self.path(n + 1)}"})
            self.server.put(self.path(n), "".join(json.dumps(line) + "\n" for line in lines), "application/jsonl")

    @staticmethod
    def path(n: int) -> str:
        return "/changes.jsonl" if n == 0 else f"/changes-{n}.jsonl"

    @property
    def url(self) -> str:
        return f"{self.server.url}{self.path(0)}"


FEEDS = {cls.protocol: cls for cls in (OaiFeed, DiscoveryFeed, DumpFeed, SparqlFeed, JsonLinesFeed)}


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ManagedOxigraphServer]:
    server = ManagedOxigraphServer(tmp_path_factory.mktemp("partner") / "store", timeout_s=30)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=sorted(FEEDS))
def feed(request: pytest.FixtureRequest) -> Iterator[Feed]:
    cls = FEEDS[request.param]
    f = cls(request.getfixturevalue("oxigraph")) if cls is SparqlFeed else cls()
    try:
        f.change(**FIRST)
        yield f
    finally:
        f.close()  # type: ignore[attr-defined]


# --- the hub: a real harvest into an embedded in-memory store ----------------------------------------
class Interrupted(Exception):
    """The harvest's process "dies" (raised by a record hook, so the run stops between two pages)."""


class Hub:
    def __init__(self, folder: Path, feed: Feed) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.store = EmbeddedStore(None, MINTER.provenance_graph())
        self.registry = FeedDatabase(folder / "hub.sqlite")
        self.registry.save_museum(Museum(id=MUSEUM, name="Contract Museum", feed_url=feed.url, format=feed.format,
                                         protocol=feed.protocol, options=dict(feed.options)))
        # one record gone of six is above the default mass-drop guard (15%), which other tests cover
        self.harvester = Harvester(self.store, self.registry, MINTER, GUARD, batch_size=PAGE, http_timeout=10,
                                   retry=RetryPolicy(max_retries=0), max_drop_share=0.5, map_worker_threshold=None,
                                   record_hooks=[self._note])
        self.listed: list[str] = []  # identifiers of the records that reached the hooks in the last attempt
        self.interrupt_at: int | None = None

    def _note(self, mapped: MappedRecord, record: SourceRecord, museum: Museum) -> MappedRecord:
        if self.interrupt_at is not None and len(self.listed) + 1 >= self.interrupt_at:
            raise Interrupted(f"stopped at record {self.interrupt_at}")
        self.listed.append(record.identifier)
        return mapped

    def harvest(self, **kwargs: bool) -> HarvestRun:
        self.listed = []
        return self.harvester.harvest(MUSEUM, **kwargs)

    def titles(self) -> dict[str, str]:
        result = self.store.query(
            f"SELECT ?o ?t WHERE {{ ?o a <{CRM}E22_Human-Made_Object> ; <{LABEL}> ?t FILTER(LANG(?t) IN ('en', '')) }}"
        )
        assert isinstance(result, SolutionsResult)
        return {row["o"].value: row["t"].value for row in result.dicts()}

    def graphs(self) -> list[str]:
        return sorted(self.store.graph_names(prefix=MINTER.record_graph_prefix(MUSEUM)))

    def assert_matches(self, feed: Feed) -> None:
        """The store holds exactly the feed's objects: same IRIs, same titles, one record graph each."""
        assert self.titles() == feed.expected()
        assert self.graphs() == sorted(MINTER.record_graph(MUSEUM, feed.identifier(k)) for k in feed.titles)


@pytest.fixture
def hub(tmp_path: Path, feed: Feed) -> Iterator[Hub]:
    h = Hub(tmp_path / "hub", feed)
    try:
        yield h
    finally:
        h.store.close()


def renamed_withdrawn_added(feed: Feed) -> set[str]:
    """The museum's changes after the first harvest; returns the identifiers of the records to fetch."""
    feed.change(k2="Object 2 of the contract museum, re-catalogued", k3=None, k7="Object 7, newly acquired")
    return {feed.identifier("k2"), feed.identifier("k7")}


# --- the contract ------------------------------------------------------------------------------------
def test_every_registered_protocol_is_under_contract() -> None:
    assert JsonLinesSource.protocol in PROTOCOLS  # registered like a plugin, accepted like a built-in
    assert sorted(PROTOCOLS) == sorted(FEEDS), "a protocol without a contract feed here, or a feed without one"
    for protocol in FEEDS:
        assert FEEDS[protocol].format in source_class(protocol).formats


def test_a_first_harvest_lists_every_record_and_a_full_one_finds_nothing_changed(feed: Feed, hub: Hub) -> None:
    run = hub.harvest()
    assert run.outcome == "ok", run.error
    assert (run.new, run.updated, run.deleted, run.quarantined) == (6, 0, 0, 0)
    assert sorted(hub.listed) == sorted(feed.identifier(k) for k in FIRST)
    hub.assert_matches(feed)

    again = hub.harvest(full=True)
    assert again.outcome == "ok", again.error
    assert again.full and again.harvest_from is None
    assert (again.new, again.updated, again.deleted, again.unchanged) == (0, 0, 0, 6)
    hub.assert_matches(feed)


def test_an_update_and_a_delete_end_to_end(feed: Feed, hub: Hub) -> None:
    assert hub.harvest().outcome == "ok"
    renamed_withdrawn_added(feed)
    run = hub.harvest()
    assert run.outcome == "ok", run.error
    assert (run.new, run.updated, run.deleted, run.quarantined) == (1, 1, 1, 0)
    hub.assert_matches(feed)
    assert MINTER.object(MUSEUM, feed.identifier("k3")) not in hub.titles()


def test_an_incremental_harvest_lists_only_what_changed(feed: Feed, hub: Hub) -> None:
    cls = source_class(feed.protocol)
    if cls.complete_listing:
        pytest.skip(f"{cls.__name__}.complete_listing is True: every {feed.protocol} run lists every record, "
                    "so there is no incremental harvest")
    first = hub.harvest()
    assert first.outcome == "ok", first.error
    assert first.response_date is not None
    changed = renamed_withdrawn_added(feed)
    run = hub.harvest()
    assert run.outcome == "ok", run.error
    assert not run.full and run.harvest_from == first.response_date
    # Boundaries are inclusive (OAI-PMH `from`; Change Discovery reads back to the previous run's newest
    # activity): a record stamped exactly at the previous response date may come again, unchanged.
    boundary = {feed.identifier(k) for k in FIRST if feed.stamps[k] == first.response_date}
    assert changed <= set(hub.listed) <= changed | boundary
    assert (run.new, run.updated, run.deleted, run.unchanged) == (1, 1, 1, len(set(hub.listed) - changed))
    hub.assert_matches(feed)


def test_an_interrupted_harvest_resumes_from_its_checkpoint(feed: Feed, hub: Hub) -> None:
    hub.interrupt_at = INTERRUPT_AT
    failed = hub.harvest()
    assert failed.outcome == "failed" and "Interrupted" in (failed.error or "")
    stored = hub.graphs()
    assert len(stored) == INTERRUPT_AT - 1  # what was listed before the interruption, and no more
    assert failed.checkpoint and failed.checkpoint.get("source") is not None

    hub.interrupt_at = None
    run = hub.harvest()
    assert run.outcome == "ok", run.error
    assert run.id == failed.id and run.attempts == 2  # the same run, continued
    # it went on from where it stopped: what was stored before is not listed again, the rest is
    identifiers = {MINTER.record_graph(MUSEUM, feed.identifier(k)): feed.identifier(k) for k in FIRST}
    assert sorted(hub.listed) == sorted(i for g, i in identifiers.items() if g not in stored)
    assert (run.new, run.quarantined) == (6, 0)
    hub.assert_matches(feed)


def test_resuming_costs_less_than_starting_over(feed: Feed, hub: Hub, tmp_path: Path) -> None:
    cls = source_class(feed.protocol)
    if not cls.resumes_cheaply:
        pytest.skip(f"{cls.__name__}.resumes_cheaply is False: continuing a {feed.protocol} listing from its "
                    "checkpoint costs as much as starting over")
    reference = Hub(tmp_path / "reference", feed)
    try:
        before = feed.requests()
        assert reference.harvest().outcome == "ok"
        whole = feed.requests() - before
    finally:
        reference.store.close()
    hub.interrupt_at = INTERRUPT_AT
    assert hub.harvest().outcome == "failed"
    hub.interrupt_at = None
    before = feed.requests()
    assert hub.harvest().outcome == "ok"
    assert feed.requests() - before < whole
    hub.assert_matches(feed)
