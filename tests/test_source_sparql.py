"""Partner SPARQL endpoint harvests against a real endpoint on loopback (a managed ``oxigraph serve``
loaded with the Samarkand CRM fixture): paging, the default and configured queries, the guard, and end to
end through the harvest run (an update and a delete at the partner)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from werkzeug.wrappers import Request

from harvesters.feed_database import FeedDatabase, Museum
from harvesters.guard import FeedGuard, FeedUrlRefused
from harvesters.http import GuardedSession, HarvestHttpError, RetryPolicy
from harvesters.probe import probe_feed
from harvesters.protocols import source_class
from harvesters.rdf_dump import describe, list_objects
from harvesters.run import Harvester
from harvesters.source import FeedSpec
from harvesters.sparql_source import SparqlSource
from mappings import MappingContext, get_mapping
from ontology.iris import IriMinter
from store.base import SolutionsResult
from store.embedded import EmbeddedStore
from store.oxigraph_server import ManagedOxigraphServer
from store.sparql_protocol import SparqlProtocolStore
from tests.support.loopback_server import LoopbackServer, cut_off
from web.hub import database_path

FIXTURE = Path(__file__).resolve().parent / "data" / "crm_rdf" / "samarkand-erlangen.ttl"
BASE = "http://collection.example-samarkand.org/id/object/"
OBJECTS = [BASE + "SAM-0001", BASE + "SAM-0002", BASE + "SAM-0003"]
MINTER = IriMinter("https://hub.example.org")
CTX = MappingContext(minter=MINTER, museum="sam")
GUARD = FeedGuard(["127.0.0.0/8"])


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, SparqlProtocolStore]]:
    server = ManagedOxigraphServer(tmp_path_factory.mktemp("partner") / "store", timeout_s=30)
    server.start()
    try:
        with server.store("urn:unused:provenance") as partner:
            yield server.url + "/query", partner
    finally:
        server.stop()


@pytest.fixture
def partner(endpoint: tuple[str, SparqlProtocolStore]) -> tuple[str, SparqlProtocolStore]:
    url, store = endpoint
    store.update("DROP ALL")
    store.bulk_load(ox.serialize(ox.parse(path=str(FIXTURE)), format=ox.RdfFormat.N_QUADS))
    return url, store


def listing(url: str, http: GuardedSession, resume: dict | None = None, **options: object) -> list:
    return list(SparqlSource(FeedSpec(url, "crm-rdf", options=dict(options)), http).pages(resume=resume))


def mapped(records: list) -> dict[str, str]:
    mapping = get_mapping("crm-rdf")
    return {r.identifier: mapping.map_record(r.payload, CTX, r.identifier).ntriples for r in records}


def test_objects_paged_in_iri_order_with_checkpoints(partner: tuple, http: GuardedSession) -> None:
    url, _ = partner
    pages = listing(url, http, page_size=2)
    # four E22 subjects are listed; SAM-0001/part/1 is minted under SAM-0001: a part, not a record
    assert [[r.identifier for r in p.records] for p in pages] == [OBJECTS[:1], OBJECTS[1:], []]
    assert [p.checkpoint for p in pages] == [{"offset": 2}, {"offset": 4}, None]
    assert "SAM-0001/part/1" in pages[0].records[0].payload
    rest = listing(url, http, resume={"offset": 2}, page_size=2)
    assert [r.identifier for p in rest for r in p.records] == OBJECTS[1:]
    assert source_class("sparql").complete_listing is True


def test_default_construct_gives_what_a_dump_gives(partner: tuple, http: GuardedSession) -> None:
    """The default CONSTRUCT reaches every node a record owns (four levels, blank nodes included)."""
    url, _ = partner
    from_endpoint = mapped([r for p in listing(url, http) for r in p.records])
    local = ox.Store()
    local.load(path=str(FIXTURE))
    from_dump = {o.value: get_mapping("crm-rdf").map_record(describe(local, o), CTX, o.value).ntriples
                 for o in list_objects(local)}
    assert from_endpoint == from_dump
    assert "0601-01-01T00:00:00" in from_endpoint[OBJECTS[0]]  # production -> part -> time-span -> bound


def test_configured_queries(partner: tuple, http: GuardedSession) -> None:
    url, _ = partner
    objects_query = (
        "SELECT ?object WHERE { ?object <http://www.cidoc-crm.org/cidoc-crm/P45_consists_of> "
        "<http://vocab.getty.edu/aat/300010957> }"
    )
    construct_query = "CONSTRUCT { ?object ?p ?o } WHERE { ?object ?p ?o }"
    records = [r for p in listing(url, http, objects_query=objects_query, construct_query=construct_query)
               for r in p.records]
    assert [r.identifier for r in records] == [OBJECTS[2]]
    assert "SAM-0003/production>" in records[0].payload
    assert "Tang dynasty" not in records[0].payload  # only the object's own triples were asked for


def test_guard_and_endpoint_errors(partner: tuple) -> None:
    url, _ = partner
    strict = GuardedSession(FeedGuard(), timeout=10)
    try:
        with pytest.raises(FeedUrlRefused):
            listing(url, strict)
    finally:
        strict.close()
    session = GuardedSession(GUARD, timeout=10, retry=RetryPolicy(max_retries=0))
    try:
        with pytest.raises(HarvestHttpError, match="objects query failed|HTTP 400"):
            listing(url, session, objects_query="SELECT ?object WHERE { ?object")
    finally:
        session.close()


def titles(store: EmbeddedStore) -> dict[str, str]:
    result = store.query(
        "SELECT ?o ?t WHERE { ?o a <http://www.cidoc-crm.org/cidoc-crm/E22_Human-Made_Object> ; "
        "<http://www.w3.org/2000/01/rdf-schema#label> ?t FILTER(LANG(?t) IN ('en', '')) }"
    )
    assert isinstance(result, SolutionsResult)
    return {row["o"].value: row["t"].value for row in result.dicts()}


def test_harvest_end_to_end_with_an_update_and_a_delete(partner: tuple, tmp_path: Path) -> None:
    url, remote = partner
    store = EmbeddedStore(None, MINTER.provenance_graph())
    registry = FeedDatabase(database_path(tmp_path))
    registry.save_museum(Museum(id="sam", name="Samarkand Museum (example)", feed_url=url, format="crm-rdf",
                                protocol="sparql", options={"page_size": 2}))
    harvester = Harvester(store, registry, MINTER, GUARD, batch_size=2, http_timeout=10, max_drop_share=0.5)
    try:
        run = harvester.harvest("sam")
        assert run.outcome == "ok", run.error
        assert (run.new, run.quarantined) == (3, 0)

        # at the partner: one object renamed, one withdrawn
        remote.update(f"""
            DELETE WHERE {{ <{BASE}SAM-0003> ?p ?o }} ;
            DELETE {{ <{BASE}SAM-0002> <http://www.w3.org/2000/01/rdf-schema#label> ?t }}
            INSERT {{ <{BASE}SAM-0002> <http://www.w3.org/2000/01/rdf-schema#label>
                      "Gold dinar of Kanishka I, Balkh mint"@en }}
            WHERE {{ <{BASE}SAM-0002> <http://www.w3.org/2000/01/rdf-schema#label> ?t }}""")
        run = harvester.harvest("sam")
        assert run.outcome == "ok", run.error
        assert (run.updated, run.deleted, run.unchanged) == (1, 1, 1)
        assert titles(store) == {
            MINTER.object("sam", OBJECTS[0]): "Silver bowl with a royal hunting scene",
            MINTER.object("sam", OBJECTS[1]): "Gold dinar of Kanishka I, Balkh mint",
        }
    finally:
        store.close()


# --- faults: the harvest's retry policy applies to SPARQLWrapper's requests too -----------------------
class FaultProxy:
    """The partner endpoint as a misbehaving server: each request is forwarded to the real endpoint
    (``oxigraph serve``) unless the next queued fault says otherwise. Faults, one per request in order
    (None: behave): ``("status", 503, "7")`` answers 503 with Retry-After 7; ``("cut",)`` sends half the
    real answer, then closes the connection; ``("stall", s)`` waits ``s`` seconds before answering;
    ``("redirect", code, location)`` redirects."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rsplit("/", 1)[0]  # the oxigraph server's root
        self.faults: list[tuple | None] = []

    def __call__(self, environ, start_response):  # WSGI
        request = Request(environ)
        fault = self.faults.pop(0) if self.faults else None
        kind = fault[0] if fault else None
        if kind == "status":
            start_response(f"{fault[1]} Busy", [("Retry-After", fault[2]), ("Content-Type", "text/plain")])
            return [b"busy, come back later\n"]
        if kind == "redirect":
            start_response(f"{fault[1]} Moved", [("Location", fault[2]), ("Content-Length", "0")])
            return [b""]
        if kind == "stall":
            time.sleep(fault[1])
        answer = requests.post(self.upstream + "/query", data=request.get_data(), timeout=10, headers={
            "Content-Type": request.content_type, "Accept": request.headers.get("Accept", "*/*")})
        body = answer.content
        start_response(f"{answer.status_code} Answer", [("Content-Type", answer.headers.get("Content-Type", "")),
                                                        ("Content-Length", str(len(body)))])
        if kind == "cut":
            return cut_off(environ, [body], len(body) // 2)
        return [body]


@pytest.fixture
def faulty(partner: tuple) -> Iterator[tuple[FaultProxy, LoopbackServer]]:
    proxy = FaultProxy(partner[0])
    with LoopbackServer(proxy) as srv:
        yield proxy, srv


def patient_session(sleeps: list[float], messages: list[str], timeout: float = 10) -> GuardedSession:
    retry = RetryPolicy(max_retries=3, backoff_base=0.5, max_backoff=30.0, sleep=sleeps.append)
    return GuardedSession(GUARD, timeout=timeout, retry=retry, on_retry=messages.append)


def test_503_with_retry_after_is_waited_out_in_a_harvest(faulty: tuple, tmp_path: Path) -> None:
    proxy, srv = faulty
    proxy.faults = [("status", 503, "7")]
    sleeps: list[float] = []
    store = EmbeddedStore(None, MINTER.provenance_graph())
    registry = FeedDatabase(database_path(tmp_path))
    registry.save_museum(Museum(id="sam", name="Samarkand Museum (example)", feed_url=srv.url + "/query",
                                format="crm-rdf", protocol="sparql"))
    retry = RetryPolicy(max_retries=3, backoff_base=0.5, sleep=sleeps.append)  # the harvest's own policy
    harvester = Harvester(store, registry, MINTER, GUARD, http_timeout=10, retry=retry)
    try:
        run = harvester.harvest("sam")
        assert run.outcome == "ok", run.error
        assert run.new == 3
        assert sleeps == [7.0]  # the endpoint's Retry-After, not the backoff
        assert any("HTTP 503" in m and "retry 1/3 in 7 s" in m for m in run.messages)
        assert [r.split("?")[0] for r in srv.requests] == ["POST /query"] * 4  # 503, objects, parts, construct
    finally:
        store.close()


@pytest.mark.parametrize(("fault", "at"), [(("cut",), 0), (("cut",), 2), (("stall", 1.5), 2)],
                         ids=["cut-select", "cut-construct", "stall-construct"])
def test_a_dropped_or_stalled_answer_is_asked_again(faulty: tuple, fault: tuple, at: int) -> None:
    proxy, srv = faulty
    proxy.faults = [None] * at + [fault]
    sleeps: list[float] = []
    messages: list[str] = []
    http = patient_session(sleeps, messages, timeout=0.5)
    try:
        records = [r for p in listing(srv.url + "/query", http) for r in p.records]
    finally:
        http.close()
    assert [r.identifier for r in records] == OBJECTS
    assert mapped(records) == mapped([r for p in listing(proxy.upstream + "/query", http) for r in p.records])
    assert sleeps == [0.5] and len(messages) == 1
    assert ("timed out after 0.5 s" if fault[0] == "stall" else "broke off") in messages[0]
    assert len(srv.requests) == 4


def test_without_retries_faults_fail_with_clear_messages(faulty: tuple) -> None:
    proxy, srv = faulty
    http = GuardedSession(GUARD, timeout=10, retry=RetryPolicy(max_retries=0))
    try:
        proxy.faults = [("status", 503, "7")]
        with pytest.raises(HarvestHttpError, match=r"HTTP 503 from the SPARQL endpoint .* \(gave up after 1 tries\)"):
            listing(srv.url + "/query", http)
        # a query the endpoint rejects is not retried, and its own words come along
        with pytest.raises(HarvestHttpError, match=r"HTTP 400 from the SPARQL endpoint .*: error at \d+:\d+: expected"):
            listing(srv.url + "/query", http, objects_query="SELECT ?object WHERE { ?object")
    finally:
        http.close()


def test_redirects_keep_the_query_and_pass_the_guard(faulty: tuple) -> None:
    proxy, srv = faulty
    strict = GuardedSession(FeedGuard(["127.0.0.1/32"]), timeout=10)
    try:
        proxy.faults = [("redirect", 301, "/sparql")]  # a POSTed query is POSTed again, not lost
        records = [r for p in listing(srv.url + "/query", strict) for r in p.records]
        assert [r.identifier for r in records] == OBJECTS
        assert [r.split("?")[0] for r in srv.requests[:2]] == ["POST /query", "POST /sparql"]
        srv.requests.clear()
        proxy.faults = [("redirect", 307, f"http://127.0.0.2:{srv.port}/query")]  # loopback, not allowed
        with pytest.raises(FeedUrlRefused, match="127.0.0.2"):
            listing(srv.url + "/query", strict)
        assert srv.requests == ["POST /query"]
    finally:
        strict.close()


def test_probe_reads_a_sample_not_a_page(faulty: tuple) -> None:
    proxy, srv = faulty
    report = probe_feed(srv.url + "/query", "sparql", None, guard=GUARD, minter=MINTER, sample_size=2)
    assert report.ok, report.messages
    assert [s.identifier for s in report.samples] == OBJECTS[:2]
    assert all(s.mapped for s in report.samples)
    # two listed (SAM-0001 and its part), their parts asked for, one description; once more for SAM-0002
    assert len(srv.requests) == 6
