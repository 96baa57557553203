"""Harvest from a third-party OAI-PMH server: the PyPI ``oaipmh`` package's ``BatchingServer``.

The backend serves the project's LIDO fixtures (``tests/data/lido/``) in batches of two (so every list
pages with the package's own resumption tokens), over werkzeug on loopback. Checked: a first harvest
stores exactly the fixtures' mappable records (graph by graph, triple by triple), the unmappable ones are
quarantined, and an incremental harvest picks up the package's deleted records and changed datestamps.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyoxigraph as ox
import pytest
from lxml import etree
from oaipmh import common, error
from oaipmh.metadata import MetadataRegistry
from oaipmh.server import BatchingServer
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from harvesters.feed_database import FeedDatabase, Museum
from harvesters.guard import FeedGuard
from harvesters.run import Harvester
from mappings import MappingContext, RecordError, get_mapping, parse_bytes
from store.embedded import EmbeddedStore
from tests.test_harvest import MINTER
from web.hub import database_path

LIDO = "http://www.lido-schema.org"
# Not served: a document that does not parse, and namespace-less LIDO (a default-namespace OAI envelope,
# which this package writes, would capture its elements; the demo feeds cover it with a prefixed one).
SKIPPED = {"not-well-formed.xml", "no-namespace-samarkand.xml"}


@dataclass
class FixtureRecord:
    identifier: str
    datestamp: datetime  # naive UTC, as the package wants
    element: etree._Element
    deleted: bool = False


def fixture_records(data_dir: Path) -> list[FixtureRecord]:
    records = []
    for path in sorted((data_dir / "lido").glob("*.xml")):
        if path.name in SKIPPED:
            continue
        root = parse_bytes(path.read_bytes())
        for n, element in enumerate(root.iter(f"{{{LIDO}}}lido")):
            records.append(FixtureRecord(f"oai:fixtures:{path.stem}:{n}", datetime(2025, 1, 1), element))
    return records


class FixtureRepository:
    """The fixtures behind the ``oaipmh`` package's IBatchingOAI interface."""

    def __init__(self, records: list[FixtureRecord], base_url: str) -> None:
        self.records = {r.identifier: r for r in records}
        self.base_url = base_url
        self.lock = threading.Lock()

    def identify(self) -> common.Identify:
        return common.Identify(
            repositoryName="SROM fixtures", baseURL=self.base_url, protocolVersion="2.0",
            adminEmails=["tests@example.org"], earliestDatestamp=datetime(2000, 1, 1), deletedRecord="persistent",
            granularity="YYYY-MM-DDThh:mm:ssZ", compression=["identity"],
        )

    def listMetadataFormats(self, identifier: str | None = None) -> list[tuple[str, str, str]]:
        return [("lido", "http://www.lido-schema.org/schema/v1.1/lido-v1.1.xsd", LIDO)]

    def listSets(self, cursor: int = 0, batch_size: int = 10) -> list:
        raise error.NoSetHierarchyError("no sets")

    def _select(self, prefix: str, from_: datetime | None, until: datetime | None) -> list[FixtureRecord]:
        if prefix != "lido":
            raise error.CannotDisseminateFormatError(prefix)
        with self.lock:
            return [r for _, r in sorted(self.records.items())
                    if (from_ is None or r.datestamp >= from_) and (until is None or r.datestamp <= until)]

    def _item(self, r: FixtureRecord) -> tuple[common.Header, common.Metadata | None, None]:
        header = common.Header(None, r.identifier, r.datestamp, [], r.deleted)
        return header, None if r.deleted else common.Metadata(copy.deepcopy(r.element), {}), None

    def listRecords(self, metadataPrefix: str, set: str | None = None, from_: datetime | None = None,
                    until: datetime | None = None, cursor: int = 0, batch_size: int = 10) -> list:
        return [self._item(r) for r in self._select(metadataPrefix, from_, until)[cursor : cursor + batch_size]]

    def listIdentifiers(self, metadataPrefix: str, set: str | None = None, from_: datetime | None = None,
                        until: datetime | None = None, cursor: int = 0, batch_size: int = 10) -> list:
        return [self._item(r)[0] for r in self._select(metadataPrefix, from_, until)[cursor : cursor + batch_size]]

    def getRecord(self, metadataPrefix: str, identifier: str) -> tuple:
        if identifier not in self.records:
            raise error.IdDoesNotExistError(identifier)
        return self._item(self.records[identifier])


class _Quiet(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@pytest.fixture
def repository(data_dir: Path) -> Iterator[FixtureRepository]:
    metadata = MetadataRegistry()
    metadata.registerWriter("lido", lambda element, md: element.append(md.element()))
    holder: dict[str, BatchingServer] = {}

    def app(environ, start_response):
        request = Request(environ)
        body = holder["oai"].handleRequest({k: request.values[k] for k in request.values})
        return Response(body, content_type="text/xml; charset=utf-8")(environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
    url = f"http://127.0.0.1:{server.server_port}/oai"
    repo = FixtureRepository(fixture_records(data_dir), url)
    holder["oai"] = BatchingServer(repo, metadata, resumption_batch_size=2)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield repo
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def expected_graphs(repo: FixtureRepository) -> tuple[dict[str, set[str]], set[str]]:
    """Graph IRI → N-Triples lines of every mappable live record; and the identifiers that do not map."""
    mapping = get_mapping("lido")
    context = MappingContext(minter=MINTER, museum="fixtures")
    graphs, broken = {}, set()
    for r in repo.records.values():
        if r.deleted:
            continue
        try:
            mapped = mapping.map_record(copy.deepcopy(r.element), context, source_id=r.identifier)
        except RecordError:
            broken.add(r.identifier)
            continue
        graphs[mapped.graph_iri] = set(mapped.ntriples.splitlines())
    return graphs, broken


def stored_graphs(store: EmbeddedStore) -> dict[str, set[str]]:
    graphs = {}
    for g in store.graph_names(prefix=MINTER.record_graph_prefix("fixtures")):
        quads = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}")
        graphs[g] = {f"{t.subject} {t.predicate} {t.object} ." for t in quads.triples}  # type: ignore[union-attr]
    return graphs


def canonical(graphs: dict[str, set[str]]) -> dict[str, set[str]]:
    """Through pyoxigraph, so that both sides write terms the same way."""
    out = {}
    for g, lines in graphs.items():
        parsed = ox.parse("\n".join(lines).encode() + b"\n", format=ox.RdfFormat.N_TRIPLES)
        out[g] = {f"{q.subject} {q.predicate} {q.object} ." for q in parsed}
    return out


def assert_store_holds_the_source(store: EmbeddedStore, registry: FeedDatabase, repo: FixtureRepository) -> None:
    """Every live record is either stored (with at least its mapped triples: record hooks may add some)
    or quarantined with a reason; unmappable ones are quarantined; nothing else is stored."""
    expected, broken = expected_graphs(repo)
    stored = canonical(stored_graphs(store))
    quarantined = {MINTER.record_graph("fixtures", q["source_id"]): q["reason"]
                   for q in registry.quarantined("fixtures")}
    live = {MINTER.record_graph("fixtures", i) for i, r in repo.records.items() if not r.deleted}
    assert set(stored) | set(quarantined) == live and not set(stored) & set(quarantined)
    assert {MINTER.record_graph("fixtures", i) for i in broken} <= set(quarantined)
    assert all(quarantined.values())
    mapped = canonical(expected)
    for graph, triples in stored.items():
        assert mapped[graph] <= triples


def test_harvest_from_the_oaipmh_package_server_with_deletions(tmp_path: Path, repository: FixtureRepository) -> None:
    store = EmbeddedStore(None, MINTER.provenance_graph())
    try:
        registry = FeedDatabase(database_path(tmp_path))
        registry.save_museum(Museum(id="fixtures", name="Fixtures", feed_url=repository.base_url, format="lido"))
        harvester = Harvester(store, registry, MINTER, FeedGuard(["127.0.0.0/8"]), batch_size=3)
        expected, broken = expected_graphs(repository)
        assert len(expected) >= 5 and broken  # the fixtures hold both kinds

        run = harvester.harvest("fixtures")
        assert run.outcome == "ok", run.error
        assert run.new + run.quarantined == len(repository.records) and run.new >= 5
        assert_store_holds_the_source(store, registry, repository)

        # At the source: one record deleted, one changed (new datestamp), after the first run's responseDate.
        later = (datetime.now(UTC) + timedelta(seconds=5)).replace(tzinfo=None, microsecond=0)
        stored = sorted(store.graph_names(prefix=MINTER.record_graph_prefix("fixtures")))
        deleted, changed = stored[0], stored[1]
        by_graph = {MINTER.record_graph("fixtures", i): r for i, r in repository.records.items()}
        with repository.lock:
            by_graph[deleted].deleted, by_graph[deleted].datestamp = True, later
            by_graph[changed].datestamp = later
            title = by_graph[changed].element.find(f".//{{{LIDO}}}appellationValue")
            assert title is not None
            title.text = (title.text or "") + " (re-catalogued)"
        run = harvester.harvest("fixtures")
        assert run.outcome == "ok", run.error
        assert run.harvest_from is not None
        assert (run.new, run.updated, run.deleted, run.unchanged) == (0, 1, 1, 0)
        assert deleted not in store.graph_names(prefix=MINTER.record_graph_prefix("fixtures"))
        assert_store_holds_the_source(store, registry, repository)
    finally:
        store.close()
