"""IIIF Change Discovery harvests from a loopback server publishing Activity Streams pages and Linked Art
JSON-LD: the processing algorithm (newest activity per object, walking back from `last` through `prev`,
stopping at the previous harvest), checkpoints, and end to end through the harvest run."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from harvesters.feed_database import FeedDatabase, Museum
from harvesters.guard import FeedGuard
from harvesters.http import GuardedSession, RetryPolicy
from harvesters.iiif_discovery import SAMPLE_PAGES, DiscoveryError, IiifDiscoverySource
from harvesters.probe import probe_feed
from harvesters.run import Harvester
from harvesters.source import FeedSpec
from ontology.iris import IriMinter
from store.base import SolutionsResult
from store.embedded import EmbeddedStore
from tests.support.file_server import FileServer, server
from web.hub import database_path

__all__ = ["server"]  # the FileServer fixture this module's tests use

DATA = Path(__file__).resolve().parent / "data" / "linked_art"
MINTER = IriMinter("https://hub.example.org")
GUARD = FeedGuard(["127.0.0.0/8"])
JSONLD = "application/ld+json"
DOCS = {"camel": "tang-sancai-camel.json", "bowl": "sasanian-glass-bowl-old-model.json",
        "samite": "samite-paired-ducks.json", "solidus": "byzantine-solidus.json"}


class Stream:
    """A museum's Change Discovery stream on the file server: objects, activities, pages of three."""

    def __init__(self, server: FileServer, page_size: int = 3) -> None:
        self.server = server
        self.page_size = page_size
        self.activities: list[dict] = []

    def object_url(self, key: str) -> str:
        return f"{self.server.url}/object/{key}"

    def publish_object(self, key: str, title: str | None = None) -> None:
        doc = json.loads((DATA / DOCS[key]).read_text(encoding="utf-8"))
        doc["id"] = self.object_url(key)  # a Linked Art id is where the document is
        if title:
            doc["_label"] = title
            doc["identified_by"][0]["content"] = title
        self.server.put(f"/object/{key}", json.dumps(doc), JSONLD)

    def add(self, kind: str, key: str, end: str, object_type: str = "HumanMadeObject") -> None:
        self.activities.append({"type": kind, "object": {"id": self.object_url(key), "type": object_type},
                                "endTime": end})
        self._publish_pages()

    def refresh(self, end: str) -> None:
        self.activities.append({"type": "Refresh", "endTime": end})
        self._publish_pages()

    def _publish_pages(self) -> None:
        pages = [self.activities[i : i + self.page_size] for i in range(0, len(self.activities), self.page_size)]
        ctx = "http://iiif.io/api/discovery/1/context.json"
        for n, items in enumerate(pages):
            page = {"@context": ctx, "id": self.page_url(n), "type": "OrderedCollectionPage",
                    "partOf": {"id": self.collection_url, "type": "OrderedCollection"}, "orderedItems": items}
            if n > 0:
                page["prev"] = {"id": self.page_url(n - 1), "type": "OrderedCollectionPage"}
            if n < len(pages) - 1:
                page["next"] = {"id": self.page_url(n + 1), "type": "OrderedCollectionPage"}
            self.server.put(f"/activity/page-{n}", json.dumps(page), JSONLD)
        collection = {"@context": ctx, "id": self.collection_url, "type": "OrderedCollection",
                      "totalItems": len(self.activities),
                      "first": {"id": self.page_url(0), "type": "OrderedCollectionPage"},
                      "last": {"id": self.page_url(len(pages) - 1), "type": "OrderedCollectionPage"}}
        self.server.put("/activity/all-changes", json.dumps(collection), JSONLD)

    def page_url(self, n: int) -> str:
        return f"{self.server.url}/activity/page-{n}"

    @property
    def collection_url(self) -> str:
        return f"{self.server.url}/activity/all-changes"


@pytest.fixture
def stream(server: FileServer) -> Stream:
    s = Stream(server)
    for key in DOCS:
        s.publish_object(key)
    s.add("Create", "camel", "2025-03-01T10:00:00Z")
    s.add("Create", "bowl", "2025-03-01T11:00:00Z")
    s.add("Create", "samite", "2025-03-02T09:00:00Z")
    s.add("Update", "camel", "2025-03-03T08:00:00Z")
    s.add("Create", "camel", "2025-03-03T09:00:00Z", object_type="Manifest")  # not an object: skipped
    s.add("Update", "bowl", "2025-03-04T12:00:00Z")
    return s


def listing(stream: Stream, http: GuardedSession, since: str | None = None, resume: dict | None = None,
            **options: object) -> list:
    source = IiifDiscoverySource(FeedSpec(stream.collection_url, "linked-art", options=dict(options)), http)
    return list(source.pages(since=since, resume=resume))


def test_newest_activity_per_object_walking_back_from_last(stream: Stream, http: GuardedSession) -> None:
    pages = listing(stream, http)
    records = [r for p in pages for r in p.records]
    assert [(r.identifier, r.datestamp) for r in records] == [
        (stream.object_url("bowl"), "2025-03-04T12:00:00Z"),
        (stream.object_url("camel"), "2025-03-03T08:00:00Z"),
        (stream.object_url("samite"), "2025-03-02T09:00:00Z"),
    ]
    assert records[0].payload["label"] == "Cut-glass bowl with honeycomb facets"  # the older model
    assert all(p.response_date == "2025-03-04T12:00:00Z" for p in pages)
    # the last page first, then back through `prev`
    pages_read = [r for r in stream.server.requests if r.startswith("/activity/page")]
    assert pages_read == ["/activity/page-1", "/activity/page-0"]


def test_incremental_stops_at_the_previous_harvest_and_sees_deletes(stream: Stream, http: GuardedSession) -> None:
    stream.publish_object("samite", title="Samite with paired ducks (conserved 2025)")
    stream.add("Update", "samite", "2025-03-05T10:00:00Z")
    stream.add("Delete", "bowl", "2025-03-06T10:00:00Z")
    stream.server.requests.clear()
    pages = listing(stream, http, since="2025-03-04T12:00:00Z")
    records = [r for p in pages for r in p.records]
    assert [(r.identifier, r.deleted) for r in records] == [
        (stream.object_url("bowl"), True),
        (stream.object_url("samite"), False),
    ]
    assert records[1].payload["_label"] == "Samite with paired ducks (conserved 2025)"
    assert pages[-1].response_date == "2025-03-06T10:00:00Z"
    assert "/activity/page-0" not in stream.server.requests  # it stopped before the older pages
    assert "/object/camel" not in stream.server.requests
    # nothing new: an empty listing that keeps the same starting point
    empty = listing(stream, http, since="2025-03-06T10:00:01Z")
    assert [r for p in empty for r in p.records] == [] and empty[-1].response_date == "2025-03-06T10:00:01Z"


def test_refresh_and_move(stream: Stream, http: GuardedSession) -> None:
    stream.refresh("2025-03-05T00:00:00Z")
    stream.add("Update", "solidus", "2025-03-05T01:00:00Z")
    # first harvest: a Refresh means the activities after it are the whole state
    first = [r.identifier for p in listing(stream, http) for r in p.records]
    assert first == [stream.object_url("solidus")]
    # later harvests: before a Refresh, only deletions still count
    stream.activities.insert(5, {"type": "Delete", "object": {"id": stream.object_url("samite"),
                                                             "type": "HumanMadeObject"},
                                 "endTime": "2025-03-04T13:00:00Z"})
    stream.add("Move", "camel", "2025-03-06T00:00:00Z")
    stream.activities[-1]["target"] = {"id": stream.object_url("samite"), "type": "HumanMadeObject"}
    stream.add("Update", "bowl", "2025-03-06T00:00:01Z")
    later = [(r.identifier, r.deleted) for p in listing(stream, http, since="2025-03-04T00:00:00Z") for r in p.records]
    assert later == [
        (stream.object_url("bowl"), False),
        (stream.object_url("camel"), True),  # moved away...
        (stream.object_url("samite"), False),  # ...to here (its older Delete does not count any more)
        (stream.object_url("solidus"), False),
    ]


def test_checkpoints_resume_the_same_listing(stream: Stream, http: GuardedSession) -> None:
    pages = listing(stream, http, page_size=1)
    assert [p.checkpoint for p in pages] == [
        {"since": None, "horizon": "2025-03-04T12:00:00Z", "done": 1},
        {"since": None, "horizon": "2025-03-04T12:00:00Z", "done": 2},
        None,
    ]
    # the stream moves on before the interrupted run resumes: the rest of *its* listing comes, not the new
    stream.add("Update", "solidus", "2025-03-07T00:00:00Z")
    rest = listing(stream, http, resume=pages[0].checkpoint, page_size=1)
    assert [r.identifier for p in rest for r in p.records] == [stream.object_url("camel"), stream.object_url("samite")]
    assert rest[-1].response_date == "2025-03-04T12:00:00Z"


def test_inaccessible_objects_and_broken_streams(stream: Stream, http: GuardedSession, server: FileServer) -> None:
    server.remove("/object/samite")
    records = [r for p in listing(stream, http) for r in p.records]
    samite = next(r for r in records if r.identifier == stream.object_url("samite"))
    assert samite.payload is None and not samite.deleted  # quarantined by the run, not deleted
    server.put("/activity/all-changes", "not json", JSONLD)
    with pytest.raises(DiscoveryError, match="not JSON"):
        listing(stream, http)
    server.put("/activity/all-changes", json.dumps({"type": "Manifest"}), JSONLD)
    with pytest.raises(DiscoveryError, match="not an Activity Streams"):
        listing(stream, http)


def titles(store: EmbeddedStore) -> dict[str, str]:
    result = store.query(
        "SELECT ?o ?t WHERE { ?o a <http://www.cidoc-crm.org/cidoc-crm/E22_Human-Made_Object> ; "
        "<http://www.w3.org/2000/01/rdf-schema#label> ?t FILTER(LANG(?t) IN ('en', '')) }"
    )
    assert isinstance(result, SolutionsResult)
    return {row["o"].value: row["t"].value for row in result.dicts()}


def test_harvest_end_to_end_with_an_update_and_a_delete(stream: Stream, tmp_path: Path) -> None:
    store = EmbeddedStore(None, MINTER.provenance_graph())
    registry = FeedDatabase(database_path(tmp_path))
    registry.save_museum(Museum(id="xa", name="Xi'an (example)", feed_url=stream.collection_url,
                                format="linked-art", protocol="iiif-discovery", options={"page_size": 2}))
    harvester = Harvester(store, registry, MINTER, GUARD, batch_size=2, http_timeout=10)
    obj = {key: MINTER.object("xa", stream.object_url(key)) for key in DOCS}
    try:
        run = harvester.harvest("xa")
        assert run.outcome == "ok", run.error
        assert registry.quarantined("xa") == []
        assert (run.new, run.updated, run.deleted, run.quarantined) == (3, 0, 0, 0)
        assert set(titles(store)) == {obj["camel"], obj["bowl"], obj["samite"]}

        stream.publish_object("samite", title="Samite with paired ducks (conserved 2025)")
        stream.add("Update", "samite", "2025-03-05T10:00:00Z")
        stream.add("Delete", "bowl", "2025-03-06T10:00:00Z")
        run = harvester.harvest("xa")
        assert run.outcome == "ok", run.error
        assert run.harvest_from == "2025-03-04T12:00:00Z"
        assert (run.new, run.deleted) == (0, 1)
        assert titles(store) == {obj["camel"]: "Camel with three-colour (sancai) glaze",
                                 obj["samite"]: "Samite with paired ducks (conserved 2025)"}
        assert sorted(store.graph_names(prefix=MINTER.record_graph_prefix("xa"))) == sorted(
            MINTER.record_graph("xa", stream.object_url(k)) for k in ("camel", "samite")
        )
    finally:
        store.close()


def test_a_failed_run_resumes_from_its_checkpoint(stream: Stream, server: FileServer, tmp_path: Path) -> None:
    store = EmbeddedStore(None, MINTER.provenance_graph())
    registry = FeedDatabase(database_path(tmp_path))
    registry.save_museum(Museum(id="xa", name="Xi'an (example)", feed_url=stream.collection_url,
                                format="linked-art", protocol="iiif-discovery", options={"page_size": 1}))
    harvester = Harvester(store, registry, MINTER, GUARD, batch_size=1, http_timeout=10,
                          retry=RetryPolicy(max_retries=0))
    try:
        # the third object (the oldest change) is down: the run fails after storing the first two
        body = server.documents["/object/samite"].body
        server.put("/object/samite", "busy", "text/plain", status=503)
        run = harvester.harvest("xa")
        assert run.outcome == "failed" and "503" in (run.error or "")
        assert len(store.graph_names(prefix=MINTER.record_graph_prefix("xa"))) == 2
        server.requests.clear()
        server.put("/object/samite", body, JSONLD)
        again = harvester.harvest("xa")
        assert again.outcome == "ok", again.error
        assert again.id == run.id and again.attempts == 2  # the same run, continued
        assert [r for r in server.requests if r.startswith("/object/")] == ["/object/samite"]
        assert len(store.graph_names(prefix=MINTER.record_graph_prefix("xa"))) == 3
        assert again.response_date == "2025-03-04T12:00:00Z"
    finally:
        store.close()


def long_stream(server: FileServer, activities: int, page_size: int = 2) -> Stream:
    """A stream of ``activities`` updates cycling over the four objects, ``page_size`` to a page."""
    s = Stream(server, page_size=page_size)
    keys = list(DOCS)
    for key in keys:
        s.publish_object(key)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for i in range(activities):
        end = (start + timedelta(hours=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        s.activities.append({"type": "Create" if i < 4 else "Update",
                             "object": {"id": s.object_url(keys[i % 4]), "type": "HumanMadeObject"}, "endTime": end})
    s._publish_pages()  # once, not per activity
    return s


def test_probe_reads_a_bounded_number_of_pages(server: FileServer) -> None:
    stream = long_stream(server, 400)  # 200 activity pages
    server.requests.clear()
    report = probe_feed(stream.collection_url, "iiif-discovery", None, guard=GUARD, minter=MINTER, sample_size=3)
    assert report.ok, report.messages
    assert [s.identifier for s in report.samples] == [stream.object_url(k) for k in ("solidus", "samite", "bowl")]
    assert all(s.mapped and s.label for s in report.samples), report.samples
    # the collection, the last page and the one before it (two activities a page), the three objects
    assert server.requests == ["/activity/all-changes", "/activity/page-199", "/activity/page-198",
                               "/object/solidus", "/object/samite", "/object/bowl"]

    # the newest pages hold only deletions: the probe gives up after SAMPLE_PAGES pages, it does not walk on
    for n in range(30):
        stream.activities.append({"type": "Delete", "object": {"id": f"{server.url}/object/gone-{n}",
                                                                "type": "HumanMadeObject"},
                                  "endTime": f"2025-06-01T00:00:{n:02d}Z"})
    stream._publish_pages()
    server.requests.clear()
    report = probe_feed(stream.collection_url, "iiif-discovery", None, guard=GUARD, minter=MINTER, sample_size=3)
    assert report.samples == [] and any("no records" in m.text for m in report.messages)
    assert len(server.requests) == 1 + SAMPLE_PAGES and not any(r.startswith("/object/") for r in server.requests)


def test_a_harvest_still_walks_every_page(server: FileServer, http: GuardedSession) -> None:
    stream = long_stream(server, 40)
    server.requests.clear()
    records = [r for p in listing(stream, http) for r in p.records]
    assert len(records) == 4
    assert len([r for r in server.requests if r.startswith("/activity/page-")]) == 20
