"""Hostile feeds (issue 11, class 9): a feed that repeats or keeps growing its resumption token cannot
make a harvest run go on forever; the run fails with the reason and keeps what it stored."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from harvesters.feed_database import FeedDatabase, Museum
from harvesters.guard import FeedGuard
from harvesters.run import Harvester
from ontology.iris import IriMinter
from store.embedded import EmbeddedStore
from tests.support.lido_records import lido
from tests.support.loopback_server import LoopbackServer
from web.hub import database_path

MINTER = IriMinter("https://hub.example.org")
OAI = "http://www.openarchives.org/OAI/2.0/"


def _page(records: list[str], token: str | None) -> bytes:
    body = "".join(
        f'<record><header><identifier>{rid}</identifier><datestamp>2025-01-01</datestamp></header>'
        f'<metadata>{lido(rid, f"Object {rid}")}</metadata></record>' for rid in records)
    resumption = f"<resumptionToken>{token}</resumptionToken>" if token is not None else ""
    return (f'<?xml version="1.0"?><OAI-PMH xmlns="{OAI}"><responseDate>2025-01-02T00:00:00Z</responseDate>'
            f'<request verb="ListRecords">x</request><ListRecords>{body}{resumption}</ListRecords></OAI-PMH>'
            ).encode()


def looping_feed(kind: str) -> Any:
    """An OAI-PMH ListRecords that never ends: the same token again ("repeat"), or a new one each page
    ("grow"). Each page carries two records."""

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        args = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        token = args.get("resumptionToken")
        n = 0 if token is None else (int(token.split("-")[1]) if kind == "grow" else 1)
        nxt = f"t-{n + 1}" if kind == "grow" else "t-same"
        start_response("200 OK", [("Content-Type", "text/xml")])
        return [_page([f"oai:loop:{n}a", f"oai:loop:{n}b"], nxt)]

    return app


@pytest.fixture
def harvest_setup(tmp_path: Path) -> Iterator[tuple[EmbeddedStore, FeedDatabase]]:
    store = EmbeddedStore(None, MINTER.provenance_graph())
    registry = FeedDatabase(database_path(tmp_path))
    yield store, registry
    store.close()


def test_a_repeated_resumption_token_stops_the_run_with_the_reason(harvest_setup: Any) -> None:
    store, registry = harvest_setup
    with LoopbackServer(looping_feed("repeat")) as feed:
        registry.save_museum(Museum(id="loop", name="Loop", feed_url=f"{feed.url}/oai", format="lido"))
        run = Harvester(store, registry, MINTER, FeedGuard(["127.0.0.0/8"]), batch_size=2).harvest("loop")
        requests = len(feed.requests)
    assert run.outcome == "failed"
    assert "repeats itself" in (run.error or "") and "t-same" in (run.error or "")
    assert requests <= 4  # noticed on the first repeat, not after a timeout
    assert run.new >= 2  # what it stored before the loop stays


def test_a_token_that_keeps_growing_stops_at_the_page_cap(harvest_setup: Any) -> None:
    store, registry = harvest_setup
    with LoopbackServer(looping_feed("grow")) as feed:
        registry.save_museum(Museum(id="grow", name="Grow", feed_url=f"{feed.url}/oai", format="lido"))
        harvester = Harvester(store, registry, MINTER, FeedGuard(["127.0.0.0/8"]), batch_size=2, max_pages=25)
        run = harvester.harvest("grow")
        requests = len(feed.requests)
    assert run.outcome == "failed" and "harvest_max_pages" in (run.error or "")
    assert 25 <= requests <= 27


def test_the_record_cap_holds_too(harvest_setup: Any) -> None:
    store, registry = harvest_setup
    with LoopbackServer(looping_feed("grow")) as feed:
        registry.save_museum(Museum(id="grow", name="Grow", feed_url=f"{feed.url}/oai", format="lido"))
        run = Harvester(store, registry, MINTER, FeedGuard(["127.0.0.0/8"]), batch_size=2,
                        max_records=9).harvest("grow")
    assert run.outcome == "failed" and "harvest_max_records" in (run.error or "")


# --- class 6: one museum rewrites another's data ------------------------------------------------------
HOSTILE = Path(__file__).parent / "data" / "hostile"


def test_a_museum_cannot_describe_what_another_owns_nor_the_thesaurus(harvest_setup: Any) -> None:
    from tests.support.oai_test_server import OaiTestServer

    store, registry = harvest_setup
    with OaiTestServer() as victim_feed, OaiTestServer() as attacker_feed:
        victim_feed.put("V-1", "2025-01-01T00:00:00Z", lido("V-1", "The victim's own title"))
        attacker_feed.put("ATT-1", "2025-01-01T00:00:00Z",
                          (HOSTILE / "lido-foreign-terms.xml").read_text(encoding="utf-8").split("?>", 1)[1])
        harvester = Harvester(store, registry, MINTER, FeedGuard(["127.0.0.0/8"]))
        for museum, feed in (("victim", victim_feed), ("attacker", attacker_feed)):
            registry.save_museum(Museum(id=museum, name=museum.title(), feed_url=feed.url, format="lido"))
            run = harvester.harvest(museum)
            assert run.outcome == "ok" and run.new == 1, (museum, run.error, registry.quarantined(museum))
    victim_object = MINTER.object("victim", "V-1")
    samarkand = "https://w3id.org/srom/concept/place/samarkand"

    def values(subject: str, predicate: str) -> set[str]:
        rows = store.query(f"SELECT DISTINCT ?o WHERE {{ <{subject}> <{predicate}> ?o }}")
        return {r["o"].value for r in rows.dicts()}  # type: ignore[union-attr]

    label = "http://www.w3.org/2000/01/rdf-schema#label"
    assert values(victim_object, label) == {"The victim's own title"}
    assert "Fake Museum" not in values(MINTER.museum("victim"), label)
    points = values(samarkand, "http://www.cidoc-crm.org/cidoc-crm/P168_place_is_defined_by")
    assert len(points) == 1 and "0.5" not in next(iter(points))  # the thesaurus' point, no second one
    assert "Fake Samarkand" not in values(samarkand, label)
    assert "poison" not in values(MINTER.local_term("victim", "material", "silk"), label)
    # the attacker's record still links to those IRIs: links, never descriptions
    attacker_object = MINTER.object("attacker", "ATT-1")
    linked = store.query(f"ASK {{ <{attacker_object}> <http://www.cidoc-crm.org/cidoc-crm/P2_has_type> "
                         f"<{victim_object}> }}")
    assert linked.value  # type: ignore[union-attr]


# --- class 5: an entity bomb in an RDF/XML dump ------------------------------------------------------
BOMB_LIMIT_MB = 1536  # far below what the expanded entities need (~10 GB)


def _limited(code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter whose address space is capped: a blow-up ends that process,
    never the test run."""
    prelude = f"import resource; resource.setrlimit(resource.RLIMIT_AS, ({BOMB_LIMIT_MB} << 20,) * 2)\n"
    return subprocess.run([sys.executable, "-c", prelude + code], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[1])


def test_an_entity_bomb_in_an_rdf_dump_is_refused_before_parsing() -> None:
    bomb = HOSTILE / "entity-bomb.rdf"
    assert bomb.stat().st_size < 1500
    done = _limited(
        "import pyoxigraph as ox\n"
        "from harvesters.rdf_load import Scratch, RdfDumpError\n"
        "scratch = Scratch()\n"
        "try:\n"
        f"    scratch.add_file(open({str(bomb)!r}, 'rb'), ox.RdfFormat.RDF_XML)\n"
        "    print('LOADED')\n"
        "except RdfDumpError as exc:\n"
        "    print('REFUSED', exc)\n"
        "finally:\n"
        "    scratch.close()\n")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("REFUSED") and "entities" in done.stdout


def test_srom_map_refuses_the_bomb_with_a_clear_error() -> None:
    done = _limited("import sys; sys.argv = ['srom', 'map', '--format', 'crm-rdf', "
                    f"{str(HOSTILE / 'entity-bomb.rdf')!r}]\nfrom web.cli import main\nmain()")
    assert done.returncode == 1, done.stderr[-2000:]
    assert "entities" in done.stderr and "Traceback" not in done.stderr


# --- class 10: one bad IRI must not block a whole feed ----------------------------------------------------
def test_an_invalid_iri_quarantines_its_record_not_the_batch(harvest_setup: Any) -> None:
    from tests.support.oai_test_server import OaiTestServer

    store, registry = harvest_setup
    broken = (HOSTILE / "lido-invalid-iri.xml").read_text(encoding="utf-8").split("-->", 1)[1]
    with OaiTestServer() as feed:
        feed.put("GOOD-1", "2025-01-01T00:00:00Z", lido("GOOD-1", "A good coin"))
        feed.put("BAD-IRI", "2025-01-01T00:00:00Z", broken)
        feed.put("GOOD-2", "2025-01-01T00:00:00Z", lido("GOOD-2", "Another good coin"))
        registry.save_museum(Museum(id="m", name="M", feed_url=feed.url, format="lido"))
        run = Harvester(store, registry, MINTER, FeedGuard(["127.0.0.0/8"]), batch_size=10).harvest("m")
    assert run.outcome == "ok", run.error
    assert (run.new, run.quarantined) == (2, 1)
    [quarantined] = registry.quarantined("m")
    assert quarantined["source_id"] == "BAD-IRI" and "invalid IRI" in quarantined["reason"]


def test_srom_map_never_prints_an_invalid_iri(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from web.cli import main

    document = tmp_path / "records.xml"
    broken = (HOSTILE / "lido-invalid-iri.xml").read_text(encoding="utf-8").split("-->", 1)[1]
    document.write_text(f'<lido:lidoWrap xmlns:lido="http://www.lido-schema.org">{lido("GOOD-1", "Good")}'
                        f"{broken}</lido:lidoWrap>", encoding="utf-8")
    result = CliRunner().invoke(main, ["map", "--format", "lido", str(document)])
    assert result.exit_code == 0
    assert "#coin#drachm" not in result.stdout and "invalid IRI" in result.stderr
    import pyoxigraph as ox

    assert list(ox.parse(result.stdout.encode(), format=ox.RdfFormat.N_QUADS))  # what it printed parses


# --- class 8: memory from one page ---------------------------------------------------------------------
PAGE_RECORDS = 1000  # of ~100 KB each: a 100 MB ListRecords page, with one 20 MB record after them
PADDING = "<dc:publisher>" + "p" * 86 + "</dc:publisher>"  # 100 bytes the oai_dc mapping does not read
# The harvest's peak memory, as a share of what parsing the same page whole takes, measured in the same run
# (the streamed harvest peaks at ~130 MB, the whole parse at ~580 MB). Peaks are the child's own VmHWM
# (bench.process_memory): Linux carries ru_maxrss across exec, so a child of pytest reported pytest's size.
PEAK_SHARE_OF_WHOLE_PARSE = 0.6
WHOLE_PAGE_PARSE = """
import requests
from bench.process_memory import vm_hwm_mb
from mappings.xml import parse_bytes
body = requests.get(URL, timeout=600).content
root = parse_bytes(body)
print(vm_hwm_mb(), len(root))
"""


def _oai_dc(n: int, padding: int) -> bytes:
    return (f'<record><header><identifier>oai:big:{n}</identifier><datestamp>2025-01-01</datestamp></header>'
            f'<metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"'
            f' xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Big page object {n}</dc:title>'
            f'<dc:identifier>BIG-{n}</dc:identifier>{PADDING * padding}</oai_dc:dc></metadata></record>').encode()


def big_page(environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
    """One ListRecords page of ~120 MB, generated as it is sent (the test process never holds it)."""
    start_response("200 OK", [("Content-Type", "text/xml")])
    yield (f'<?xml version="1.0"?><OAI-PMH xmlns="{OAI}"><responseDate>2025-01-02T00:00:00Z</responseDate>'
           f'<request verb="ListRecords">x</request><ListRecords>').encode()
    for n in range(PAGE_RECORDS):
        yield _oai_dc(n, 1000)
    yield _oai_dc(PAGE_RECORDS, 200_000)  # 20 MB: more than harvest_max_record_mb allows
    yield b"</ListRecords></OAI-PMH>"


def test_a_100_mb_oai_page_is_harvested_in_bounded_memory(tmp_path: Path) -> None:
    import json

    with LoopbackServer(big_page) as feed:
        done = subprocess.run([sys.executable, "-c", f"""
import json
from bench.process_memory import vm_hwm_mb
from harvesters.feed_database import FeedDatabase, Museum
from harvesters.guard import FeedGuard
from harvesters.run import Harvester
from ontology.iris import IriMinter
from store.embedded import EmbeddedStore
from web.hub import database_path
from pathlib import Path
minter = IriMinter("https://hub.example.org")
store = EmbeddedStore(None, minter.provenance_graph())
registry = FeedDatabase(database_path(Path({str(tmp_path)!r})))
registry.save_museum(Museum(id="big", name="Big", feed_url={feed.url + '/oai'!r}, format="oai_dc"))
run = Harvester(store, registry, minter, FeedGuard(["127.0.0.0/8"]), map_worker_threshold=None).harvest("big")
print(json.dumps({{"outcome": run.outcome, "error": run.error, "new": run.new,
                  "quarantined": registry.quarantined("big"),
                  "peak_mb": vm_hwm_mb()}},
                 default=str))
"""], capture_output=True, text=True, timeout=600, cwd=Path(__file__).resolve().parents[1])
        whole = subprocess.run([sys.executable, "-c", f"URL = {feed.url + '/oai'!r}" + WHOLE_PAGE_PARSE],
                               capture_output=True, text=True, timeout=600, cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == 0, done.stderr[-3000:]
    assert whole.returncode == 0, whole.stderr[-3000:]
    whole_peak_mb = float(whole.stdout.split()[0])
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["outcome"] == "ok", result["error"]
    assert result["new"] == PAGE_RECORDS
    [quarantined] = result["quarantined"]
    assert quarantined["source_id"] == f"oai:big:{PAGE_RECORDS}" and "harvest_max_record_mb" in quarantined["reason"]
    print(f"peak RSS of the harvest: {result['peak_mb']:.0f} MB; of parsing the page whole: {whole_peak_mb:.0f} MB")
    assert result["peak_mb"] < PEAK_SHARE_OF_WHOLE_PARSE * whole_peak_mb, (result, whole_peak_mb)


def test_a_large_page_reaches_the_run_in_parts_that_resume_at_the_page_start(harvest_setup: Any) -> None:
    from harvesters.http import GuardedSession
    from harvesters.oaipmh import RECORDS_PER_PART, OaiPmhSource
    from harvesters.source import FeedSpec

    def two_pages(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        first = "resumptionToken" not in environ.get("QUERY_STRING", "")
        ids = [f"oai:p:{n}" for n in range(RECORDS_PER_PART * 2 + 3)] if first else ["oai:p:last"]
        start_response("200 OK", [("Content-Type", "text/xml")])
        return [_page(ids, "t-2" if first else None)]

    with LoopbackServer(two_pages) as feed:
        source = OaiPmhSource(FeedSpec(f"{feed.url}/oai", "lido"), GuardedSession(FeedGuard(["127.0.0.0/8"])))
        parts = []
        for page in source.pages(resume={"from": None, "last": None, "ordered": True, "token": None}):
            parts.append((len([r.payload.tag for r in page.records]), page.partial, page.checkpoint))
    start = {"from": None, "last": None, "ordered": True, "token": None}
    assert parts[0] == (RECORDS_PER_PART, True, start) and parts[1] == (RECORDS_PER_PART, True, start)
    assert parts[2][:2] == (3, False) and parts[2][2]["token"] == "t-2"
    assert parts[3] == (1, False, None)
    # the run harvests it all, and the parts sharing the page's start are no repeated resumption point
    store, registry = harvest_setup
    with LoopbackServer(two_pages) as feed:
        registry.save_museum(Museum(id="parts", name="Parts", feed_url=f"{feed.url}/oai", format="lido"))
        run = Harvester(store, registry, MINTER, FeedGuard(["127.0.0.0/8"]), batch_size=100).harvest("parts")
    assert run.outcome == "ok" and run.new == RECORDS_PER_PART * 2 + 4, run.error
