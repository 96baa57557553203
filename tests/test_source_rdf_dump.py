"""RDF dump harvests from a loopback HTTP server: every syntax, gzip or not, split into one record per
object, resumable by checkpoint, and end to end through the harvest run (an update and a delete)."""

from __future__ import annotations

import gzip
import io
import json
import random
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from harvesters import rdf_dump, rdf_load
from harvesters.feed_database import FeedDatabase, Museum
from harvesters.guard import FeedGuard, FeedUrlRefused
from harvesters.http import GuardedSession, HarvestHttpError, RetryPolicy
from harvesters.protocols import source_class
from harvesters.rdf_dump import RdfDumpError, RdfDumpSource
from harvesters.run import Harvester
from harvesters.source import FeedSpec
from mappings import MappingContext, get_mapping
from mappings.rdf.description import E22
from ontology.iris import IriMinter
from store.base import SolutionsResult
from store.embedded import EmbeddedStore
from tests.support.file_server import FileServer, server
from tests.support.loopback_server import LoopbackServer, cut_off, file_chunks
from web.hub import database_path

__all__ = ["server"]  # the FileServer fixture this module's tests use

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
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
        monkeypatch.setattr(rdf_load, "IN_MEMORY_BYTES", 0)
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
    registry = FeedDatabase(database_path(tmp_path))
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


# --- streaming: large dumps, chunked bodies, transfer faults -------------------------------------------
class Dumps:
    """A dump server's app: files from disk, sent in chunks without Content-Length (so chunked), as a
    museum's export script streams them; redirects; and faults for the next requests."""

    def __init__(self) -> None:
        self.files: dict[str, Path] = {}
        self.redirects: dict[str, str] = {}
        self.faults: list[str] = []  # "cut" (connection closed mid-body) or "stall" (body stops for 2 s)

    def __call__(self, environ, start_response):  # WSGI
        path = environ["PATH_INFO"]
        if path in self.redirects:
            start_response("302 Found", [("Location", self.redirects[path])])
            return [b""]
        file = self.files.get(path)
        if file is None:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        chunks = file_chunks(str(file))
        fault = self.faults.pop(0) if self.faults else None
        if fault == "cut":
            return cut_off(environ, chunks, after=file.stat().st_size // 2)
        if fault == "stall":
            return self._stall(chunks)
        return chunks

    @staticmethod
    def _stall(chunks: Iterator[bytes]) -> Iterator[bytes]:
        yield next(chunks)
        time.sleep(2.0)
        yield from chunks


@pytest.fixture
def dumps() -> Iterator[tuple[Dumps, LoopbackServer]]:
    app = Dumps()
    with LoopbackServer(app) as srv:
        yield app, srv


def fixture_copies(copies: int) -> bytes:
    """N-Triples of ``copies`` renamed copies of the fixture (3 objects each, with their blank nodes), the
    lines shuffled: an object's triples, and a blank node's, are spread over the whole file."""
    text = serialise(fixture_quads(), ox.RdfFormat.N_TRIPLES).decode()
    lines: list[str] = []
    for k in range(copies):
        copy = text.replace(BASE + "SAM-", f"{BASE}C{k:04d}-SAM-").replace("_:", f"_:c{k}x")
        lines.extend(copy.splitlines(keepends=True))
    random.Random(3).shuffle(lines)
    return "".join(lines).encode()


def described(data: bytes) -> dict[str, set[str]]:
    """What each object's record must hold: the dump parsed whole, split as the source splits it."""
    store = ox.Store()
    store.extend(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))  # blank node labels kept, as the source keeps them
    return {o.value: set(rdf_dump.describe(store, o).splitlines()) for o in rdf_dump.list_objects(store)}


def test_gzipped_ntriples_dump_of_many_records_streams_in_batches(
    dumps: tuple[Dumps, LoopbackServer], http: GuardedSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, srv = dumps
    data = fixture_copies(400)  # 1,200 objects, 5.6 MB
    (tmp_path / "dump.nt.gz").write_bytes(gzip.compress(data, compresslevel=1))
    app.files["/dump.nt.gz"] = tmp_path / "dump.nt.gz"
    # small batches: every object's triples and blank nodes are cut across batches; the scratch store
    # moves to disk a fifth of the way through, and is filled there by bulk loads of 5,000 quads
    monkeypatch.setattr(rdf_load, "BATCH_BYTES", 64 * 1024)
    monkeypatch.setattr(rdf_load, "IN_MEMORY_BYTES", 1024 * 1024)
    monkeypatch.setattr(rdf_load, "SEGMENT_QUADS", 5000)
    headers = http.fetch(srv.url + "/dump.nt.gz", None, lambda r: dict(r.headers), stream=True)
    assert "Content-Length" not in headers and headers["Transfer-Encoding"] == "chunked"

    pages = harvest_pages(srv.url + "/dump.nt.gz", http, page_size=250)
    expected = described(data)
    assert len(expected) == 1200
    records = [r for p in pages for r in p.records]
    assert [r.identifier for r in records] == sorted(expected)
    assert [len(p.records) for p in pages] == [250, 250, 250, 250, 200]
    assert pages[0].checkpoint == {"after": records[249].identifier} and pages[-1].checkpoint is None
    assert all(p.complete_list_size == 1200 for p in pages)
    assert {r.identifier: set(r.payload.splitlines()) for r in records} == expected
    mapping = get_mapping("crm-rdf")
    bowl = next(r for r in records if r.identifier == f"{BASE}C0399-SAM-0001")
    assert mapping.map_record(bowl.payload, CTX, bowl.identifier).label == "Silver bowl with a royal hunting scene"


@pytest.mark.parametrize("limit", [0, 64 * 1024 * 1024], ids=["disk", "memory"])
def test_scratch_joins_blank_nodes_across_batches(limit: int, monkeypatch: pytest.MonkeyPatch) -> None:
    data = fixture_copies(20)
    monkeypatch.setattr(rdf_load, "BATCH_BYTES", 4096)
    monkeypatch.setattr(rdf_load, "SEGMENT_QUADS", 100)
    scratch = rdf_load.Scratch(limit)
    try:
        scratch.add_lines(io.BufferedReader(io.BytesIO(data)), ox.RdfFormat.N_TRIPLES)  # type: ignore[arg-type]
        assert scratch.on_disk is (limit == 0)
        assert scratch.store is not None
        reference = ox.Store()
        reference.extend(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
        assert set(scratch.store) == set(reference)
    finally:
        scratch.close()
    assert scratch.folder is None


def test_a_30_mb_dump_is_never_held_in_memory(http: GuardedSession, tmp_path: Path) -> None:
    path = tmp_path / "big.nt"  # not compressed: a body held whole would be the whole 30 MB
    note = "A bowl of hammered silver with a king hunting lions. " * 370  # ~20 KB a record
    with path.open("wb") as out:
        for i in range(1500):
            obj = f"<{BASE}BIG-{i:05d}>"
            out.write((
                f"{obj} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> {E22} .\n"
                f'{obj} <http://www.w3.org/2000/01/rdf-schema#label> "Bowl {i}"@en .\n'
                f'{obj} <http://www.cidoc-crm.org/cidoc-crm/P3_has_note> "{i}: {note}" .\n'
            ).encode())
    size = path.stat().st_size
    assert size > 28_000_000
    # The server runs in a process of its own: tracemalloc counts every thread of this one.
    server = subprocess.Popen([sys.executable, "-m", "tests.support.loopback_server", str(path)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        url = f"http://127.0.0.1:{port}/big.nt"
        source = RdfDumpSource(FeedSpec(url, "crm-rdf", options={"page_size": 20}), http)
        count = 0
        tracemalloc.start()
        try:
            for page in source.pages():  # pages are consumed one at a time, as the harvest run does
                count += len(page.records)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    finally:
        server.kill()
        server.wait()
        if server.stdout:
            server.stdout.close()
    assert count == 1500
    # measured: ~2.5 MB (one batch of lines, one HTTP chunk, one page of records)
    assert peak < size / 6, f"peak {peak / 1e6:.1f} MB of Python memory for a {size / 1e6:.1f} MB dump"


@pytest.mark.parametrize("fault", ["cut", "stall"])
def test_a_broken_transfer_restarts_the_download(dumps: tuple[Dumps, LoopbackServer], tmp_path: Path,
                                                 fault: str) -> None:
    app, srv = dumps
    data = fixture_copies(60)
    (tmp_path / "dump.nt.gz").write_bytes(gzip.compress(data))
    app.files["/dump.nt.gz"] = tmp_path / "dump.nt.gz"
    sleeps: list[float] = []
    messages: list[str] = []
    patient = GuardedSession(GUARD, timeout=0.5, retry=RetryPolicy(max_retries=2, backoff_base=0.25,
                                                                 sleep=sleeps.append), on_retry=messages.append)
    impatient = GuardedSession(GUARD, timeout=0.5, retry=RetryPolicy(max_retries=0))
    try:
        app.faults.append(fault)
        pages = harvest_pages(srv.url + "/dump.nt.gz", patient)
        assert [r.identifier for p in pages for r in p.records] == sorted(described(data))
        assert sleeps == [0.25] and len(messages) == 1
        assert "connection failed while reading" in messages[0] and "retry 1/2" in messages[0]
        assert srv.requests == ["GET /dump.nt.gz", "GET /dump.nt.gz"]

        app.faults.append(fault)
        with pytest.raises(HarvestHttpError, match="gave up after 1 tries"):
            harvest_pages(srv.url + "/dump.nt.gz", impatient)
    finally:
        patient.close()
        impatient.close()


def test_redirects_are_guarded_on_every_hop(dumps: tuple[Dumps, LoopbackServer], tmp_path: Path) -> None:
    app, srv = dumps
    (tmp_path / "dump.nt").write_bytes(serialise(fixture_quads(), ox.RdfFormat.N_TRIPLES))
    app.files["/dump.nt"] = tmp_path / "dump.nt"
    app.redirects["/latest.nt"] = "/dump.nt"
    app.redirects["/elsewhere.nt"] = f"http://127.0.0.2:{srv.port}/dump.nt"  # loopback, but not allowed
    session = GuardedSession(FeedGuard(["127.0.0.1/32"]), timeout=5)
    try:
        assert [r.identifier for p in harvest_pages(srv.url + "/latest.nt", session) for r in p.records] == OBJECTS
        srv.requests.clear()
        with pytest.raises(FeedUrlRefused, match="127.0.0.2"):
            harvest_pages(srv.url + "/elsewhere.nt", session)
        assert srv.requests == ["GET /elsewhere.nt"]  # refused before any connection to the target
    finally:
        session.close()


def test_a_broken_line_is_reported_by_its_number(dumps: tuple[Dumps, LoopbackServer], http: GuardedSession,
                                                  tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app, srv = dumps
    lines = fixture_copies(30).splitlines(keepends=True)
    lines[1999] = b'<http://x.org/a> <http://x.org/b> "no end .\n'
    (tmp_path / "dump.nq").write_bytes(b"".join(lines))
    app.files["/dump.nq"] = tmp_path / "dump.nq"
    monkeypatch.setattr(rdf_load, "BATCH_BYTES", 8192)
    with pytest.raises(RdfDumpError, match="not valid N-Quads at line 2000: "):
        harvest_pages(srv.url + "/dump.nq", http)


def test_a_dump_above_the_worker_threshold_is_downloaded_once(dumps: tuple[Dumps, LoopbackServer],
                                                              tmp_path: Path) -> None:
    # A big OAI-PMH feed is handed to the mapping worker after its first page, and the worker resumes the
    # listing from the checkpoint. A dump cannot resume without reading the whole file again, so it stays
    # in the harvest process (Source.resumes_cheaply).
    app, srv = dumps
    (tmp_path / "dump.nt.gz").write_bytes(gzip.compress(fixture_copies(20), compresslevel=1))  # 60 objects
    app.files["/dump.nt.gz"] = tmp_path / "dump.nt.gz"
    store = EmbeddedStore(None, MINTER.provenance_graph())
    registry = FeedDatabase(database_path(tmp_path))
    registry.save_museum(Museum(id="sam", name="Samarkand Museum (example)", feed_url=srv.url + "/dump.nt.gz",
                                format="crm-rdf", protocol="rdf-dump", options={"page_size": 10}))
    harvester = Harvester(store, registry, MINTER, GUARD, batch_size=10, http_timeout=10, map_worker_threshold=20)
    try:
        run = harvester.harvest("sam")
        assert run.outcome == "ok", run.error
        assert run.new == 60
        assert srv.requests == ["GET /dump.nt.gz"]
    finally:
        store.close()
