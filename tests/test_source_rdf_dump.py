"""RDF dump harvests from a loopback HTTP server: every syntax, gzip or not, split into one record per
object, resumable by checkpoint, and end to end through the harvest run (an update and a delete)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from harvesters import rdf_dump
from harvesters.guard import FeedGuard
from harvesters.http import GuardedSession, RetryPolicy
from harvesters.rdf_dump import RdfDumpError, RdfDumpSource
from harvesters.registry import Museum, Registry
from harvesters.run import Harvester
from harvesters.source import FeedSpec, source_class
from mappings import MappingContext, get_mapping
from ontology.iris import IriMinter
from store.base import SolutionsResult
from store.embedded import EmbeddedStore
from tests.file_server import FileServer

DATA = Path(__file__).resolve().parent / "data"
FIXTURE = DATA / "crm_rdf" / "samarkand-erlangen.ttl"
BASE = "http://collection.example-samarkand.org/id/object/"
OBJECTS = [BASE + "SAM-0001", BASE + "SAM-0002", BASE + "SAM-0003"]
MINTER = IriMinter("https://hub.example.org")
CTX = MappingContext(minter=MINTER, museum="sam")
GUARD = FeedGuard(["127.0.0.0/8"])


def fixture_quads() -> list[ox.Quad]:
    return list(ox.parse(path=str(FIXTURE)))


def serialise(quads: list[ox.Quad], fmt: ox.RdfFormat) -> bytes:
    if fmt.supports_datasets:
        # one named graph per object, as the British Museum's TriG has
        quads = [ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(_graph_of(q))) for q in quads]
        return ox.serialize(quads, format=fmt)
    return ox.serialize([q.triple for q in quads], format=fmt)


def _graph_of(q: ox.Quad) -> str:
    subject = q.subject.value if isinstance(q.subject, ox.NamedNode) else ""
    return next((o + "/graph" for o in OBJECTS if subject.startswith(o)), "urn:terms")


@pytest.fixture
def server() -> Iterator[FileServer]:
    srv = FileServer().start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def http() -> Iterator[GuardedSession]:
    session = GuardedSession(GUARD, timeout=10, retry=RetryPolicy(max_retries=0))
    try:
        yield session
    finally:
        session.close()


def harvest_pages(url: str, http: GuardedSession, **options: object) -> list:
    source = RdfDumpSource(FeedSpec(url, "crm-rdf", options=dict(options)), http)
    return list(source.pages())


def mapped_by_id(pages: list) -> dict[str, str]:
    mapping = get_mapping("crm-rdf")
    return {r.identifier: mapping.map_record(r.payload, CTX, r.identifier).ntriples for p in pages for r in p.records}


VARIANTS = [
    # (path, syntax, content type, served as: "plain" | "gzip-file" | "gzip-encoding")
    ("/dump.ttl", ox.RdfFormat.TURTLE, "text/turtle", "plain"),
    ("/dump.ttl.gz", ox.RdfFormat.TURTLE, "application/gzip", "gzip-file"),
    ("/dump.nt", ox.RdfFormat.N_TRIPLES, "application/n-triples", "gzip-encoding"),
    ("/dump.nq.gz", ox.RdfFormat.N_QUADS, "application/octet-stream", "gzip-file"),
    ("/dump.trig", ox.RdfFormat.TRIG, "application/trig", "plain"),
    ("/dump.rdf", ox.RdfFormat.RDF_XML, "application/rdf+xml", "plain"),
    ("/export", ox.RdfFormat.TURTLE, "text/turtle; charset=utf-8", "plain"),  # syntax from Content-Type
]


@pytest.mark.parametrize(("path", "fmt", "content_type", "served"), VARIANTS, ids=[v[0] for v in VARIANTS])
def test_every_syntax_gives_the_same_records(server: FileServer, http: GuardedSession, path: str,
                                             fmt: ox.RdfFormat, content_type: str, served: str) -> None:
    body = serialise(fixture_quads(), fmt)
    if served == "gzip-file":
        body = gzip.compress(body)
    url = server.put(path, body, content_type, encoding="gzip" if served == "gzip-encoding" else None)
    pages = harvest_pages(url, http)
    assert [r.identifier for p in pages for r in p.records] == OBJECTS
    assert all(not r.deleted for p in pages for r in p.records)
    reference = server.put("/reference.ttl", FIXTURE.read_bytes(), "text/turtle")
    assert mapped_by_id(pages) == mapped_by_id(harvest_pages(reference, http))


def test_records_carry_their_closure_and_their_terms_labels(server: FileServer, http: GuardedSession) -> None:
    pages = harvest_pages(server.put("/dump.ttl", FIXTURE.read_bytes(), "text/turtle"), http)
    first = pages[0].records[0]
    assert first.identifier == BASE + "SAM-0001"
    assert "SAM-0001/production/1/date" in first.payload  # two levels below the object
    assert "Samarkand" in first.payload  # the label of a place it points at
    assert "SAM-0002" not in first.payload and "P74_has_current_or_former_residence" not in first.payload
    assert pages[-1].complete_list_size == 3


@pytest.mark.parametrize("scratch", ["memory", "disk"])
def test_pages_checkpoint_and_resume(server: FileServer, http: GuardedSession, scratch: str,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    if scratch == "disk":  # as a dump too large to split in memory is
        monkeypatch.setattr(rdf_dump, "IN_MEMORY_BYTES", 0)
    url = server.put("/dump.ttl", FIXTURE.read_bytes(), "text/turtle")
    pages = harvest_pages(url, http, page_size=1)
    assert [[r.identifier for r in p.records] for p in pages] == [[o] for o in OBJECTS]
    assert [p.checkpoint for p in pages] == [{"after": OBJECTS[0]}, {"after": OBJECTS[1]}, None]
    source = RdfDumpSource(FeedSpec(url, "crm-rdf", options={"page_size": 1}), http)
    rest = list(source.pages(resume=pages[0].checkpoint))
    assert [r.identifier for p in rest for r in p.records] == OBJECTS[1:]
    assert source_class("rdf-dump").complete_listing is True


def test_linked_art_json_ld_dump_without_fetching_contexts(server: FileServer, http: GuardedSession) -> None:
    camel = json.loads((DATA / "linked_art" / "tang-sancai-camel.json").read_text(encoding="utf-8"))
    bowl = json.loads((DATA / "linked_art" / "sasanian-glass-bowl-old-model.json").read_text(encoding="utf-8"))
    dump = {"@context": "https://linked.art/ns/v1/linked-art.json", "@graph": [camel, bowl]}
    url = server.put("/objects.jsonld", json.dumps(dump), "application/ld+json")
    pages = harvest_pages(url, http)
    ids = sorted(r.identifier for p in pages for r in p.records)
    assert ids == sorted([camel["id"], bowl["id"]])
    records = {r.identifier: r for p in pages for r in p.records}
    rec = get_mapping("crm-rdf").map_record(records[camel["id"]].payload, CTX, camel["id"])
    assert rec.label == "Camel with three-colour (sancai) glaze"
    assert '"唐三彩骆驼"@zh' in rec.ntriples  # the language Linked Art gives as an AAT concept
    assert server.requests == ["/objects.jsonld"]  # nothing but the dump was fetched


def test_unreadable_dumps_are_errors(server: FileServer, http: GuardedSession) -> None:
    with pytest.raises(RdfDumpError, match="cannot tell the RDF syntax"):
        harvest_pages(server.put("/dump", b"<a> <b> <c> .", "text/plain"), http)
    with pytest.raises(RdfDumpError, match="not valid"):
        harvest_pages(server.put("/broken.ttl", b"@prefix x: <http://x/> .\nx:a x:b ", "text/turtle"), http)
    with pytest.raises(RdfDumpError, match="read to its end"):
        harvest_pages(server.put("/cut.ttl.gz", gzip.compress(FIXTURE.read_bytes())[:300], "application/gzip"), http)
    remote = json.dumps({"@context": "https://example.org/unknown-context.json", "@id": "http://x.org/1"})
    with pytest.raises(RdfDumpError, match="remote @context"):
        harvest_pages(server.put("/other.jsonld", remote, "application/ld+json"), http)
    with pytest.raises(RdfDumpError, match="unknown RDF format"):
        harvest_pages(server.put("/dump.ttl", FIXTURE.read_bytes(), "text/turtle"), http, rdf_format="excel")


def titles(store: EmbeddedStore) -> dict[str, str]:
    result = store.query(
        "SELECT ?o ?t WHERE { ?o a <http://www.cidoc-crm.org/cidoc-crm/E22_Human-Made_Object> ; "
        "<http://www.w3.org/2002/07/owl#sameAs> ?src ; <http://www.w3.org/2000/01/rdf-schema#label> ?t "
        'FILTER(LANG(?t) IN ("en", "")) }'
    )
    assert isinstance(result, SolutionsResult)
    return {row["o"].value: row["t"].value for row in result.dicts()}


def test_harvest_end_to_end_with_an_update_and_a_delete(server: FileServer, tmp_path: Path) -> None:
    quads = fixture_quads()
    url = server.put("/dump.ttl.gz", gzip.compress(serialise(quads, ox.RdfFormat.TURTLE)), "application/gzip")
    store = EmbeddedStore(None, MINTER.provenance_graph())
    registry = Registry(tmp_path / "hub.sqlite")
    registry.save_museum(Museum(id="sam", name="Samarkand Museum (example)", feed_url=url, format="crm-rdf",
                                protocol="rdf-dump", options={"page_size": 2}))
    # one of three records goes: above the default 15% mass-drop guard, which other tests cover
    harvester = Harvester(store, registry, MINTER, GUARD, batch_size=2, http_timeout=10, max_drop_share=0.5)
    try:
        run = harvester.harvest("sam")
        assert run.outcome == "ok", run.error
        assert (run.new, run.updated, run.deleted, run.quarantined) == (3, 0, 0, 0)
        assert set(titles(store)) == {MINTER.object("sam", o) for o in OBJECTS}

        # the museum renames one object and withdraws another; its dump is re-published
        renamed = ox.Literal("Gold dinar of Kanishka I with the Bactrian legend", language="en")
        changed = []
        for q in quads:
            subject = q.subject.value if isinstance(q.subject, ox.NamedNode) else ""
            if subject.startswith(OBJECTS[2]):
                continue
            if subject == OBJECTS[1] and q.predicate.value.endswith("#label"):
                q = ox.Quad(q.subject, q.predicate, renamed)
            changed.append(q)
        server.put("/dump.ttl.gz", gzip.compress(serialise(changed, ox.RdfFormat.TURTLE)), "application/gzip")

        run = harvester.harvest("sam")  # not asked to be full: a dump's every run is
        assert run.outcome == "ok", run.error
        assert (run.updated, run.deleted, run.unchanged) == (1, 1, 1)
        assert titles(store) == {
            MINTER.object("sam", OBJECTS[0]): "Silver bowl with a royal hunting scene",
            MINTER.object("sam", OBJECTS[1]): "Gold dinar of Kanishka I with the Bactrian legend",
        }
        assert sorted(store.graph_names(prefix=MINTER.record_graph_prefix("sam"))) == sorted(
            MINTER.record_graph("sam", o) for o in OBJECTS[:2]
        )
    finally:
        store.close()
