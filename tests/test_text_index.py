"""The full-text index: kept in step with the record graphs by real harvests (new, updated, deleted,
removed, resumed after a crash, museum deleted), rebuilt by ``srom index rebuild`` to the same index,
multilingual through the thesaurus, used by the keyword facet, and deaf to query syntax.

Real index folders in tmp_path, real harvests from the loopback OAI-PMH server, a real embedded store.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from click.testing import CliRunner

from harvesters.feed_database import FeedDatabase, Museum
from harvesters.guard import FeedGuard
from harvesters.run import Harvester
from ontology.namespaces import sparql_prologue
from store.embedded import EmbeddedStore
from store.text_documents import documents_from_ntriples, read_documents
from store.text_index import TextIndex, index_path
from tests.support.oai_test_server import OaiTestServer
from tests.test_harvest import MINTER
from web.exhibitions.document import Section
from web.exhibitions.facets import build
from web.exhibitions.keyword import CONTAINS_QUERY
from web.exhibitions.queries import check_query, run_section
from web.hub import Hub, database_path
from web.settings import load_settings

STAMP = "2025-01-01T00:00:00Z"
# key: (title, material term, its language, description)
RECORDS = {
    "S1": ("Brocade with paired rams", "Seide", "de", "Woven in Sogdiana."),
    "S2": ("Banner fragment", "絲綢", "zh-Hant", "From the Library Cave."),
    "S3": ("Robe", "丝绸", "zh", ""),
    "S4": ("Kaftan", "шёлк", "ru", "Found in the Caucasus."),
    "S5": ("Échantillon de tissu", "soie", "fr", ""),
    "C1": ("Sogdian coin", "bronze", "en", "A coin of Panjikent."),
    "C2": ("Kushan COIN of Kanishka", "gold", "en", ""),
    "M1": ("Mirror with lotus", "bronze", "en", "Cast bronze with a silk cord."),
    "G1": ("Cut-glass bowl", "glass", "en", "Sasanian; Sogdiána trade."),
    "P1": ("Manuscript page", "paper", "en", "Rams' heads in the margin."),
    "T1": ("敦煌絲綢殘片", "wool", "en", ""),  # traditional characters, searched in simplified ones
}
SILK = {"S1", "S2", "S3", "S4", "S5"}


def record(key: str, title: str, material: str, lang: str, description: str) -> str:
    note = ("<lido:objectDescriptionWrap><lido:objectDescriptionSet><lido:descriptiveNoteValue>"
            f"{escape(description)}</lido:descriptiveNoteValue></lido:objectDescriptionSet></lido:objectDescriptionWrap>"
            if description else "")
    return f"""<lido:lido xmlns:lido="http://www.lido-schema.org">
  <lido:lidoRecID lido:type="local">{key}</lido:lidoRecID>
  <lido:descriptiveMetadata xml:lang="en">
    <lido:objectClassificationWrap><lido:objectWorkTypeWrap><lido:objectWorkType><lido:term>object</lido:term>
    </lido:objectWorkType></lido:objectWorkTypeWrap></lido:objectClassificationWrap>
    <lido:objectIdentificationWrap><lido:titleWrap><lido:titleSet>
      <lido:appellationValue>{escape(title)}</lido:appellationValue></lido:titleSet></lido:titleWrap>
      <lido:repositoryWrap><lido:repositorySet><lido:workID>{key}</lido:workID></lido:repositorySet></lido:repositoryWrap>
      {note}
    </lido:objectIdentificationWrap>
    <lido:eventWrap><lido:eventSet><lido:event><lido:eventType><lido:term>Production</lido:term></lido:eventType>
      <lido:eventMaterialsTech><lido:materialsTech><lido:termMaterialsTech lido:type="material">
        <lido:term xml:lang="{lang}">{escape(material)}</lido:term></lido:termMaterialsTech></lido:materialsTech>
      </lido:eventMaterialsTech></lido:event></lido:eventSet></lido:eventWrap>
  </lido:descriptiveMetadata>
</lido:lido>"""


def put(server: OaiTestServer, key: str, *fields: str, stamp: str = STAMP) -> None:
    server.put(f"oai:t:{key}", stamp, record(key, *(fields or RECORDS[key])))


def obj(key: str, museum: str = "t") -> str:
    return MINTER.object(museum, f"oai:t:{key}")


def keys(iris: list[str]) -> set[str]:
    return {i.rsplit(":", 1)[-1] for i in iris}


@pytest.fixture
def source() -> Iterator[OaiTestServer]:
    server = OaiTestServer(page_size=3)
    for key in RECORDS:
        put(server, key)
    with server:
        yield server


@pytest.fixture
def store() -> Iterator[EmbeddedStore]:
    s = EmbeddedStore(None, MINTER.provenance_graph())
    yield s
    s.close()


@pytest.fixture
def index(tmp_path: Path) -> TextIndex:
    return TextIndex(tmp_path / "text-index")


def harvester(store: EmbeddedStore, source: OaiTestServer, tmp_path: Path, index: TextIndex | None,
              **options: object) -> Harvester:
    registry = FeedDatabase(database_path(tmp_path))
    if registry.get_museum("t") is None:
        registry.save_museum(Museum(id="t", name="Test Museum", feed_url=source.url, format="lido"))
    return Harvester(store, registry, MINTER, FeedGuard(["127.0.0.0/8"]), batch_size=4, http_timeout=10,
                     text_index=index, **options)  # type: ignore[arg-type]


def record_graphs(store: EmbeddedStore) -> set[str]:
    return set(store.graph_names(prefix=MINTER.record_graph_prefix("t")))


def search(index: TextIndex, text: str, **options: object) -> set[str]:
    return keys([h.iri for h in index.search(text, limit=100, **options)])  # type: ignore[arg-type]


def assert_in_step(index: TextIndex, store: EmbeddedStore) -> None:
    """The index holds exactly the store's objects, each as the store has it now."""
    graphs = record_graphs(store)
    assert index.indexed_graphs() == graphs and index.count() == len(graphs)
    fresh = TextIndex(index.path.with_name("reference-index"))
    fresh.rebuild(store, sorted(graphs))
    assert_same_answers(index, fresh)


WORDS = ("silk", "coin", "rams", "sogdiana", "bronze", "丝绸", "glass", "kanishka", "cord", "object", "cave", "b")


def answers(index: TextIndex) -> dict[tuple[str, str], set[str]]:
    """What each field of the index answers for some words. (Not the scores: BM25 counts deleted documents
    until their segment is merged, so an index with a history scores a little differently than a new one.)"""
    return {(word, name): search(index, word, fields=[name]) for word in WORDS
            for name in ("title", "terms", "body", "context")}


def assert_same_answers(index: TextIndex, other: TextIndex) -> None:
    assert answers(index) == answers(other)


# --- kept in step by the harvest -----------------------------------------------------------------------
def test_index_follows_new_updated_and_deleted_records(store, source, tmp_path, index) -> None:
    assert harvester(store, source, tmp_path, index).harvest("t").outcome == "ok"
    assert index.count() == len(RECORDS)
    assert_in_step(index, store)
    assert search(index, "kaftan") == {"S4"}

    source.now = "2026-02-01T00:00:00Z"
    put(source, "S4", "Riding coat", "шёлк", "ru", "", stamp="2026-02-01T10:00:00Z")  # updated at the source
    source.delete("oai:t:C2", "2026-02-01T10:00:00Z")  # deleted at the source
    run = harvester(store, source, tmp_path, index).harvest("t")
    assert (run.outcome, run.updated, run.deleted) == ("ok", 1, 1)
    assert search(index, "kaftan") == set() and search(index, "riding coat") == {"S4"}
    assert search(index, "kanishka") == set()
    assert index.count() == len(RECORDS) - 1
    assert_in_step(index, store)


def test_full_harvest_removal_leaves_the_index_too(store, source, tmp_path, index) -> None:
    harvester(store, source, tmp_path, index).harvest("t")
    source.records.pop("oai:t:M1")  # gone without a deletion mark: only a full harvest notices
    run = harvester(store, source, tmp_path, index, max_drop_share=0.5).harvest("t", full=True)
    assert (run.outcome, run.deleted) == ("ok", 1)
    assert search(index, "lotus") == set()
    assert_in_step(index, store)


class CrashingIndex(TextIndex):
    """Fails once, on its ``fail_at``-th batch, after the batch's store writes (before its checkpoint)."""

    fail_at = 2
    calls = 0

    def index_records(self, records, drops=()) -> None:
        type(self).calls += 1
        if type(self).calls == self.fail_at:
            raise RuntimeError("killed between the store write and the index commit")
        super().index_records(records, drops)


def test_a_harvest_resumed_after_a_crash_before_the_index_commit_ends_in_step(store, source, tmp_path,
                                                                              index) -> None:
    CrashingIndex.calls = 0
    crashing = CrashingIndex(index.path)
    failed = harvester(store, source, tmp_path, crashing).harvest("t")
    assert failed.outcome == "failed" and "killed" in (failed.error or "")
    assert index.indexed_graphs() != record_graphs(store)  # the lost batch is in the store, not the index
    resumed = harvester(store, source, tmp_path, index).harvest("t")
    assert resumed.outcome == "ok" and resumed.attempts == 2
    assert_in_step(index, store)


def test_a_harvest_resumed_after_a_crash_after_the_index_commit_ends_in_step(store, source, tmp_path, index,
                                                                             monkeypatch) -> None:
    h = harvester(store, source, tmp_path, index)
    real, calls = h.registry.commit_batch, []

    def commit_batch(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("killed between the index commit and the checkpoint")
        return real(*args, **kwargs)

    monkeypatch.setattr(h.registry, "commit_batch", commit_batch)
    assert h.harvest("t").outcome == "failed"
    monkeypatch.undo()
    resumed = harvester(store, source, tmp_path, index).harvest("t")  # replays the batch: indexed again
    assert resumed.outcome == "ok" and resumed.new == len(RECORDS)
    assert_in_step(index, store)


@pytest.mark.parametrize("fail_at", [1, 2], ids=["failed-before-its-first-checkpoint", "abandoned"])
def test_a_run_not_resumed_after_a_crash_leaves_the_index_as_the_store(store, source, tmp_path, index,
                                                                        fail_at) -> None:
    assert harvester(store, source, tmp_path, index).harvest("t").outcome == "ok"
    source.now = "2026-02-01T00:00:00Z"
    for key, (title, material, lang, note) in RECORDS.items():  # all updated: two batches
        put(source, key, f"Re-catalogued {title}", material, lang, note, stamp="2026-02-01T10:00:00Z")
    CrashingIndex.calls, CrashingIndex.fail_at = 0, fail_at
    try:
        failed = harvester(store, source, tmp_path, CrashingIndex(index.path)).harvest("t")
    finally:
        CrashingIndex.fail_at = 2
    assert failed.outcome == "failed" and (failed.checkpoint is not None) == (fail_at == 2)
    assert search(index, "catalogued") != set(RECORDS)  # the store has every new title, the index not
    # A new run (the interrupted one abandoned, or not resumable) lists the records again, which the store
    # now calls unchanged: the lost batch's documents must be read back from the store.
    run = harvester(store, source, tmp_path, index).harvest("t", restart=True)
    assert run.outcome == "ok" and run.id != failed.id and run.unchanged > 0
    assert search(index, "catalogued") == set(RECORDS)
    assert_in_step(index, store)


# --- multilingual -----------------------------------------------------------------------------------------
def test_silk_finds_every_museums_word_for_it_through_the_thesaurus(store, source, tmp_path, index) -> None:
    harvester(store, source, tmp_path, index).harvest("t")
    # no title says silk; each museum wrote its own word, reconciled to the one concept
    assert search(index, "silk") == SILK | {"M1"}  # M1: "silk cord" in its description
    assert search(index, "silk", fields=["terms"]) == SILK
    for word in ("Seide", "SEIDE", "丝绸", "絲綢", "шёлк", "шелк", "soie"):
        assert search(index, word, fields=["terms"]) == SILK, word
    assert search(index, "絲") >= SILK  # one character of a phrase: as CONTAINS would
    assert search(index, "丝绸残片", fields=["title"]) == search(index, "絲綢殘片") == {"T1"}  # t2s
    assert search(index, "敦煌 残片") == {"T1"} and search(index, "煌敦") == set()  # characters in their order
    assert search(index, "sogdiana") == {"S1", "G1"}  # "Sogdiána": diacritics folded
    assert search(index, "echantillon") == {"S5"}
    assert search(index, "coin") == {"C1", "C2"}  # case folded
    assert search(index, "co") == set()  # too short to be a prefix
    assert search(index, "kushan coin") == {"C2"}  # every word must match
    assert search(index, "silk", museum=MINTER.museum("t")) == SILK | {"M1"}
    assert search(index, "silk", museum=MINTER.museum("elsewhere")) == set()


def test_documents_from_the_harvest_and_from_the_store_are_the_same(store, source, tmp_path) -> None:
    from harvesters.map_worker import map_source_record
    from harvesters.run import validate_hook
    from harvesters.source import SourceRecord
    from mappings import MappingContext, get_mapping
    from mappings.xml import parse_bytes

    harvester(store, source, tmp_path, None).harvest("t")
    mapping, context = get_mapping("lido"), MappingContext(minter=MINTER, museum="t")
    records = [SourceRecord(f"oai:t:{k}", STAMP, False, parse_bytes(source.records[f"oai:t:{k}"].metadata.encode()))
               for k in RECORDS]
    mapped = [(r.identifier, map_source_record(r, mapping, context)) for r in records]
    assert all(validate_hook(m, None, None) for _, m in mapped)  # type: ignore[arg-type]
    from_harvest = documents_from_ntriples([(MINTER.record_graph("t", i), m.ntriples, m.shared_ntriples)
                                            for i, m in mapped])
    from_store = read_documents(store, sorted(record_graphs(store)))
    assert sorted(from_harvest, key=lambda d: d.iri) == from_store
    silk = next(d for d in from_store if d.iri == obj("S1"))
    assert "seide" in silk.terms and "丝 绸" in silk.terms and "silk" in silk.terms


# --- museum deleted, srom index rebuild ------------------------------------------------------------------
def hub_for(instance: Path, source: OaiTestServer) -> Hub:
    settings = load_settings(instance, environ={"SROM_STORE": "embedded", "SROM_BASE_IRI": MINTER.base,
                                                "SROM_ALLOWED_FEED_NETWORKS": "127.0.0.0/8"})
    hub = Hub(instance, settings)
    for museum in ("t", "u"):
        hub.feeds.save_museum(Museum(id=museum, name=f"Museum {museum}", feed_url=source.url, format="lido"))
    return hub


def test_deleting_a_museum_drops_its_documents(tmp_path, source) -> None:
    hub = hub_for(tmp_path / "instance", source)
    try:
        for museum in ("t", "u"):
            assert hub.museums.harvester().harvest(museum).outcome == "ok"
        index = hub.text_index()
        assert index.path == index_path(hub.instance) and index.count() == 2 * len(RECORDS)
        hub.museums.delete("u")
        assert index.count() == len(RECORDS)
        assert {h.museum for h in index.search("silk", limit=100)} == {MINTER.museum("t")}
    finally:
        hub.close()


def test_srom_index_rebuild_gives_the_incremental_index(tmp_path, source, monkeypatch) -> None:
    from web.cli import main

    instance = tmp_path / "instance"
    hub = hub_for(instance, source)
    try:
        hub.museums.harvester().harvest("t")
        source.now = "2026-02-01T00:00:00Z"
        put(source, "S3", "Silk robe with cranes", "丝绸", "zh", "", stamp="2026-02-01T10:00:00Z")
        source.delete("oai:t:G1", "2026-02-01T10:00:00Z")
        hub.museums.harvester().harvest("t")
        index = hub.text_index()
        incremental = answers(index)
        graphs = index.indexed_graphs()
    finally:
        hub.close()
    import shutil

    shutil.rmtree(index.path)
    monkeypatch.setenv("SROM_HOME", str(instance))
    monkeypatch.setenv("SROM_STORE", "embedded")
    monkeypatch.setenv("SROM_BASE_IRI", MINTER.base)
    status = CliRunner().invoke(main, ["index", "status"])
    assert status.exit_code == 0 and "srom index rebuild" in status.output
    result = CliRunner().invoke(main, ["index", "rebuild", "--chunk", "3"])
    assert result.exit_code == 0, result.output
    assert f"indexed {len(RECORDS) - 1} objects" in result.output
    rebuilt = TextIndex(index.path)
    assert rebuilt.indexed_graphs() == graphs
    assert answers(rebuilt) == incremental
    found = CliRunner().invoke(main, ["index", "search", "cranes", "--json"])
    assert found.exit_code == 0 and obj("S3") in found.output


# --- the keyword facet ------------------------------------------------------------------------------------
def facet(store: EmbeddedStore, index: TextIndex | None, keyword: str, **state: object) -> set[str]:
    built = build({"keyword": keyword, **state})
    assert check_query(built.query, built.parameters)["ok"], built.query
    section = Section(id="s", title={}, text={}, query=built.query, parameters=built.parameters,
                      arguments=built.arguments)
    return keys(run_section(store, section, timeout=10, text_index=index))


def contains(store: EmbeddedStore, keyword: str) -> set[str]:
    import pyoxigraph as ox

    result = store.query(sparql_prologue() + CONTAINS_QUERY, substitutions={"keyword": ox.Literal(keyword)})
    return keys([row[0].value for row in result.rows])  # type: ignore[union-attr]


def test_keyword_facet_finds_what_contains_found(store, source, tmp_path, index) -> None:
    harvester(store, source, tmp_path, index).harvest("t")
    built = build({"keyword": "coin"})
    assert "CONTAINS" not in built.query and built.parameters[-1].type == "search"
    # whole words and word starts of titles and descriptions: the same objects as the old CONTAINS shape
    for word in ("coin", "COIN", "rams", "bronze", "kanish", "panjikent", "cave", "fragment", "mirror with"):
        assert search(index, word, fields=["title", "body"]) == contains(store, word), word
        assert facet(store, index, word) >= contains(store, word), word
    assert facet(store, index, "cave") == contains(store, "cave") == {"S2"}
    assert facet(store, index, "bronze") == {"C1", "M1"}  # C1 through its material only
    assert contains(store, "sogdian") == {"C1", "S1"}
    assert facet(store, index, "sogdian") == {"C1", "S1", "G1"}  # G1: "Sogdiána", diacritics folded
    assert facet(store, index, "silk") == SILK | {"M1"}  # more: the materials' own words
    assert contains(store, "silk") == {"M1"}
    assert facet(store, index, "silk", material=["https://w3id.org/srom/concept/material/bronze"]) == {"M1"}


def test_keyword_facet_without_an_index_falls_back_to_contains(store, source, tmp_path, index,
                                                               caplog) -> None:
    harvester(store, source, tmp_path, None).harvest("t")
    with caplog.at_level(logging.WARNING):
        assert facet(store, index, "coin") == {"C1", "C2"} == facet(store, None, "coin")
    assert "srom index rebuild" in caplog.text
    index.rebuild(store, [])  # an index that exists but is empty falls back as well
    assert index.exists() and not index.usable()
    assert facet(store, index, "rams") == contains(store, "rams") == {"S1", "P1"}


HOSTILE = ['title:x OR *', '*', '"unclosed', 'silk"', "a AND NOT b", "(silk", "silk^10", "silk~2", "iri:*",
           "graph:http://x", "\\", "' OR 1=1 --", "} ; DROP ALL ; {", "silk " * 400, "x" * 1999, "🐫 camel",
           "\x00\x01", "", "   ", "[a TO z]", "/.*/", "+silk -silk"]


def test_hostile_search_text_is_plain_words_and_never_errors(store, source, tmp_path, index) -> None:
    harvester(store, source, tmp_path, index).harvest("t")
    for text in HOSTILE:
        hits = index.search(text, limit=10)
        assert all(h.iri.startswith(MINTER.base) for h in hits), text
        if text.strip():
            facet(store, index, text)
    assert search(index, "title:x OR *") == set()  # the words title, x, or: no object has all three
    assert search(index, "silk^10") == search(index, "silk 10") == set()
    assert search(index, "(silk") == search(index, "silk")
    assert search(index, "+silk -silk") == search(index, "silk")  # no operators: the same word twice
