"""The exhibition repository (SQLite) and its results: revisions, drafts, publication, pinned snapshots,
restore, the live cache, the TOML import and the document rules (sanitised HTML, no SERVICE)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from store.embedded import EmbeddedStore
from tests.support.exhibition_fixtures import harvested_store, iri
from web.exhibitions.cache import ExhibitionCache
from web.exhibitions.document import ExhibitionDoc, ExhibitionError, Parameter, Section
from web.exhibitions.queries import check_query, run_section
from web.exhibitions.repository import ExhibitionRepository
from web.exhibitions.service import ExhibitionService
from web.hub import Hub, database_path
from web.settings import load_settings

DEMO = Path(__file__).resolve().parents[1] / "demo" / "exhibitions"
SILK = """SELECT DISTINCT ?object WHERE {
  ?object crm:P45_consists_of/rdfs:label "silk"@en .
  OPTIONAL { ?object crm:P108i_was_produced_by/crm:P4_has_time-span/crm:P82a_begin_of_the_begin ?begin }
} ORDER BY ?begin"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStore]:
    with harvested_store(tmp_path_factory.mktemp("model")) as s:
        yield s


@pytest.fixture
def exhibitions(tmp_path: Path, store: EmbeddedStore) -> ExhibitionService:
    """The exhibition service of a fresh instance, over the module's harvested store."""
    hub = Hub(tmp_path, load_settings(tmp_path, overrides={"STORE": "memory"}))
    hub.use_store(store)
    return hub.exhibitions


@pytest.fixture
def repo(exhibitions: ExhibitionService) -> ExhibitionRepository:
    return exhibitions.repository


def doc(slug: str = "silk", **changes: object) -> ExhibitionDoc:
    base = ExhibitionDoc(
        slug=slug, title={"en": "Silk", "zh": "丝绸"}, subtitle={"en": "Woven across Eurasia"},
        intro={"en": "<p>Silk <em>travelled</em>.</p>"},
        sections=[Section(id="silk", title={"en": "All silk"}, text={}, query=SILK)],
    )
    for key, value in changes.items():
        setattr(base, key, value)
    return base


def test_create_save_and_get_revisions(repo: ExhibitionRepository) -> None:
    assert repo.create(doc(), "ann") == 1
    changed = doc(title={"en": "Silk roads"})
    assert repo.save(changed, "bo") == 2
    assert repo.get("silk").title == {"en": "Silk roads"}
    assert repo.get("silk", 1).title == {"en": "Silk", "zh": "丝绸"}
    assert repo.get("silk", 3) is None and repo.get("nothing") is None
    revisions = repo.revisions("silk")
    assert [(r["number"], r["author"], r["published"]) for r in revisions] == [(2, "bo", False), (1, "ann", False)]
    assert all(r["saved"].endswith("Z") for r in revisions)
    with pytest.raises(ExhibitionError, match="already exists"):
        repo.create(doc(), "ann")
    with pytest.raises(ExhibitionError, match="no exhibition"):
        repo.save(doc("other"), "ann")


def test_drafts_are_private_until_published(repo: ExhibitionRepository) -> None:
    repo.create(doc(), "ann")
    assert repo.published("silk") is None
    assert repo.list() == []
    assert [i["slug"] for i in repo.list(published_only=False)] == ["silk"]
    repo.publish("silk", 1)
    repo.save(doc(title={"en": "Draft title"}), "ann")
    revision, published = repo.published("silk")
    assert revision == 1 and published.title["en"] == "Silk"  # the newer draft stays private
    listed = repo.list()
    assert listed[0]["title"]["en"] == "Silk" and listed[0]["revision"] == 1 and listed[0]["latest_revision"] == 2
    assert repo.list(published_only=False)[0]["title"]["en"] == "Draft title"
    assert [r["published"] for r in repo.revisions("silk")] == [False, True]
    repo.unpublish("silk")
    assert repo.published("silk") is None and repo.list() == []
    with pytest.raises(ExhibitionError, match="no revision 9"):
        repo.publish("silk", 9)


def test_search_matches_titles_in_every_language(repo: ExhibitionRepository) -> None:
    repo.create(doc(), "ann")
    repo.create(doc("glass", title={"en": "Glass", "zh": "琉璃"}, subtitle={}), "ann")
    for slug in ("silk", "glass"):
        repo.publish(slug, 1)
    assert [i["slug"] for i in repo.list(search="琉璃")] == ["glass"]
    assert [i["slug"] for i in repo.list(search="EURASIA")] == ["silk"]
    assert repo.list(search="porcelain") == []


def test_restore_saves_an_old_revision_as_the_newest(repo: ExhibitionRepository) -> None:
    repo.create(doc(), "ann")
    repo.save(doc(title={"en": "Wrong"}), "bo")
    assert repo.restore("silk", 1, "ann") == 3
    assert repo.get("silk").title == {"en": "Silk", "zh": "丝绸"}
    assert len(repo.revisions("silk")) == 3  # history is kept, never rewritten


def test_curator_html_is_sanitised_and_texts_are_optional_per_language(repo: ExhibitionRepository) -> None:
    hostile = '<p onclick="steal()">Hi<script>alert(1)</script><a href="javascript:x()">a</a></p><img src=x onerror=y>'
    section = Section(id="s", title={"en": "", "zh": "第一"}, text={"en": hostile}, query=SILK)
    repo.create(doc(intro={"en": hostile, "zh": "  "}, sections=[section]), "ann")
    stored = repo.get("silk")
    for html in (stored.intro["en"], stored.sections[0].text["en"]):
        assert "<script" not in html and "onclick" not in html and "javascript:" not in html
        assert "onerror" not in html and "Hi" in html
    assert "zh" not in stored.intro and stored.sections[0].title == {"zh": "第一"}


@pytest.mark.parametrize("changes, message", [
    ({"slug": "Bad Slug"}, "slug"),
    ({"title": {}}, "needs a title"),
    ({"theme": "neon"}, "theme"),
    ({"mode": "sometimes"}, "mode"),
    ({"time_budget": 0}, "time budget"),
    ({"cover_image": "javascript:alert(1)"}, "cover image"),
    ({"sections": [Section(id="a", title={}, text={}, query=SILK, layout="carousel")]}, "layout"),
    ({"sections": [Section(id="a", title={}, text={}, query=SILK), Section(id="a", title={}, text={}, query=SILK)]},
     "same id"),
    ({"sections": [Section(id="a", title={}, text={}, query="SELECT ?object WHERE { SERVICE <http://127.0.0.1:1/> "
                                                                "{ ?object ?p ?o } }")]}, "SERVICE"),
    ({"sections": [Section(id="a", title={}, text={}, query=SILK, pinned=["not an iri"])]}, "IRI"),
    ({"sections": [Section(id="a", title={}, text={}, query=SILK, parameters=[Parameter(
        name="m", type="choice", choices_query="SELECT ?value { SERVICE <http://127.0.0.1:9/> { ?value ?p ?o } }")])]},
     "SERVICE"),
])
def test_documents_breaking_a_rule_are_refused(repo: ExhibitionRepository, changes: dict, message: str) -> None:
    with pytest.raises(ExhibitionError, match=message):
        repo.create(doc(**changes), "ann")


def test_run_section_puts_pinned_objects_first(store: EmbeddedStore) -> None:
    section = Section(id="s", title={}, text={}, query=SILK, pinned=[iri("W2"), iri("W3")])
    assert run_section(store, section, timeout=10) == [iri("W2"), iri("W3"), iri("E1"), iri("E4")]
    with pytest.raises(ExhibitionError, match="binding \\?object"):
        run_section(store, Section(id="s", title={}, text={}, query="SELECT ?x WHERE { ?x ?p ?o }"), timeout=10)


def test_pinned_snapshot_is_stable_until_refreshed(repo: ExhibitionRepository,
                                                   exhibitions: ExhibitionService) -> None:
    repo.create(doc(), "ann")
    repo.publish("silk", 1)
    assert repo.snapshot("silk", 1) is None
    first = exhibitions.section_objects("silk", 1, repo.get("silk", 1))  # taken on first view
    assert first == {"silk": [iri("E1"), iri("W3"), iri("E4")]}
    assert repo.snapshot("silk", 1) == first and repo.snapshot_taken("silk", 1)
    repo.save_snapshot("silk", 1, {"silk": [iri("W3")]})  # e.g. an older harvest
    assert exhibitions.section_objects("silk", 1, repo.get("silk", 1)) == {"silk": [iri("W3")]}
    assert exhibitions.take_snapshot("silk", 1) == first  # the curator's refresh
    assert repo.snapshot("silk", 1) == first


def test_live_mode_caches_per_revision_and_arguments(repo: ExhibitionRepository,
                                                    exhibitions: ExhibitionService) -> None:
    section = Section(
        id="m", title={}, text={},
        query="SELECT ?object WHERE { ?object crm:P45_consists_of/rdfs:label ?m . FILTER(STR(?m) = ?material) }"
              " ORDER BY ?object",
        parameters=[Parameter(name="material", type="literal", default="silk")],
    )
    repo.create(doc(mode="live", cache_seconds=60, sections=[section]), "ann")
    live = repo.get("silk", 1)
    assert exhibitions.section_objects("silk", 1, live) == {"m": sorted([iri("E1"), iri("E4"), iri("W3")])}
    assert exhibitions.section_objects("silk", 1, live, arguments={"m": {"material": "glass"}}) == {"m": [iri("W1")]}
    key = ("live", "silk", 1, "m", (("material", "glass"),))
    assert exhibitions.cache.get(key) == [iri("W1")]
    exhibitions.cache.put(key, 60, ["cached"])  # a second view is served from the cache, not the store
    assert exhibitions.section_objects("silk", 1, live, arguments={"m": {"material": "glass"}}) == {"m": ["cached"]}
    with pytest.raises(ValueError, match="no parameter named 'colour'"):
        exhibitions.section_objects("silk", 1, live, arguments={"m": {"colour": "red"}})
    assert repo.snapshot("silk", 1) is None  # live mode never pins


def test_live_cache_expires(tmp_path: Path) -> None:
    cache = ExhibitionCache(database_path(tmp_path), size=2)
    cache.put(("a",), 0.05, ["x"])
    cache.put(("b",), 0, ["y"])  # cache_seconds 0: never kept
    assert cache.get(("a",)) == ["x"] and cache.get(("b",)) is None
    import time

    time.sleep(0.06)
    assert cache.get(("a",)) is None
    for k in "cde":
        cache.put((k,), 60, [k])
    assert cache.get(("c",)) is None and cache.get(("e",)) == ["e"]  # bounded: the oldest goes first


def import_toml(exhibitions: ExhibitionService, path: Path, author: str = "demo") -> str:
    """Import as ``srom demo`` does before a harvest: published, the snapshot left for the first view."""
    return exhibitions.import_toml(path, author, pin=False)[0]


def test_import_toml_creates_publishes_and_leaves_existing_alone(repo: ExhibitionRepository, tmp_path: Path,
                                                                 exhibitions: ExhibitionService) -> None:
    slug = import_toml(exhibitions, DEMO / "silk-across-the-road.toml", author="demo")
    revision, imported = repo.published(slug)
    assert revision == 1 and imported.title["zh"] == "丝路之丝" and len(imported.sections) == 1
    assert imported.intro["en"].startswith("<p>Silk woven in China") and "?object" in imported.sections[0].query
    assert imported.sections[0].limit == 120
    repo.save(imported, "curator")
    assert import_toml(exhibitions, DEMO / "silk-across-the-road.toml") == slug
    assert len(repo.revisions(slug)) == 2  # the curator's revision survives a second import
    sectioned = tmp_path / "two-rooms.toml"
    sectioned.write_text(
        'title = { en = "Two rooms", zh = "两个展厅" }\ntheme = "lapis"\nmode = "live"\n'
        '[[sections]]\nid = "silk"\nlayout = "map"\ntitle = { en = "Silk" }\n'
        'query = "SELECT ?object WHERE { ?object a crm:E22_Human-Made_Object }"\n'
        '[[sections]]\nid = "coins"\nlayout = "timeline"\ntext = { en = "<p>Coins<script>x()</script></p>" }\n'
        'query = "SELECT ?object WHERE { ?object a crm:E22_Human-Made_Object }"\n', encoding="utf-8")
    two = repo.published(import_toml(exhibitions, sectioned))[1]
    assert [(s.id, s.layout) for s in two.sections] == [("silk", "map"), ("coins", "timeline")]
    assert two.theme == "lapis" and two.mode == "live" and two.sections[1].text["en"] == "<p>Coins</p>"


def test_every_bundled_exhibition_imports_and_its_query_checks(repo: ExhibitionRepository,
                                                               exhibitions: ExhibitionService) -> None:
    for path in sorted(DEMO.glob("*.toml")):
        published = repo.published(import_toml(exhibitions, path))
        assert published is not None
        for section in published[1].sections:
            assert check_query(section.query, section.parameters)["ok"], (path, section.id)


@pytest.mark.parametrize("query, message", [
    ("", "empty"),
    ("SELECT ?object WHERE { ?object ?p }", "line 1"),
    ("SELECT ?x WHERE { ?x ?p ?o }", "must bind ?object"),
    ("ASK { ?s ?p ?o }", "must be a SELECT"),
    ("SELECT ?object WHERE { SERVICE <http://127.0.0.1:9/> { ?object ?p ?o } }", "SERVICE"),
])
def test_check_query_reports_problems_with_the_curators_lines(query: str, message: str) -> None:
    result = check_query(query)
    assert not result["ok"] and message in result["error"]


def test_check_query_accepts_the_hub_prefixes_and_names_unused_parameters() -> None:
    ok = check_query("SELECT ?object WHERE {\n  ?object a crm:E22_Human-Made_Object ; la:access_point ?x\n}")
    assert ok == {"ok": True, "error": None, "variables": ["object"]}
    unused = check_query("SELECT ?object WHERE { ?object ?p ?o }", [Parameter(name="museum", type="iri")])
    assert not unused["ok"] and "?museum" in unused["error"]
    assert check_query("SELECT ?object WHERE { ?object ?p \"SERVICE\" }")["ok"]  # a string is not a keyword


def test_cli_imports_lists_and_publishes(instance: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from web.cli import main

    monkeypatch.setenv("SROM_STORE", "memory")  # --snapshot opens the store: an empty one here

    runner = CliRunner()
    imported = runner.invoke(main, ["exhibitions", "import", "--no-publish", "--author", "ann",
                                    str(DEMO / "glass-from-the-west.toml"), str(DEMO / "coins-of-the-silk-road.toml")])
    assert imported.exit_code == 0, imported.output
    assert "glass-from-the-west: imported as a draft" in imported.output
    assert runner.invoke(main, ["exhibitions", "list"]).output == ""
    listed = runner.invoke(main, ["exhibitions", "list", "--all", "--json"])
    envelope = json.loads(listed.output)  # the API's envelope, as every --json output
    assert envelope["ok"] is True and envelope["count"] == 2
    assert {i["slug"] for i in envelope["exhibitions"]} == {"glass-from-the-west", "coins-of-the-silk-road"}
    published = runner.invoke(main, ["exhibitions", "publish", "glass-from-the-west"])
    assert published.exit_code == 0 and "revision 1 published" in published.output
    table = runner.invoke(main, ["exhibitions", "list"]).output
    assert "glass-from-the-west" in table and "published r1" in table and "coins" not in table
    assert runner.invoke(main, ["exhibitions", "publish", "nothing-here"]).exit_code != 0
    again = runner.invoke(main, ["exhibitions", "import", str(DEMO / "glass-from-the-west.toml")])
    assert "exists already" in again.output
    assert runner.invoke(main, ["exhibitions", "publish", "--unpublish", "glass-from-the-west"]).exit_code == 0
    assert runner.invoke(main, ["exhibitions", "list"]).output == ""
    pinned = runner.invoke(main, ["exhibitions", "publish", "coins-of-the-silk-road", "--snapshot"])
    assert pinned.exit_code == 0 and "0 objects pinned" in pinned.output, pinned.output
    assert ExhibitionRepository(database_path(instance)).snapshot("coins-of-the-silk-road", 1) == {"objects": []}


def test_cli_publish_and_unpublish_write_and_drop_the_graph_as_the_editor_does(
        instance: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 9: the CLI went around the graph; now it calls the same service as the editor."""
    from click.testing import CliRunner

    from web.cli import main

    monkeypatch.setenv("SROM_STORE", "embedded")  # one store directory, opened by each command in turn
    runner = CliRunner()
    imported = runner.invoke(main, ["exhibitions", "import", "--publish", str(DEMO / "glass-from-the-west.toml")])
    assert imported.exit_code == 0, imported.output
    hub = Hub(instance, load_settings(instance))
    ask = f"ASK {{ GRAPH <{hub.minter.base}/graph/exhibition/glass-from-the-west> {{ ?s ?p ?o }} }}"

    def in_graph() -> bool:
        answer = runner.invoke(main, ["query", ask])
        assert answer.exit_code == 0, answer.output
        return json.loads(answer.output)["boolean"]

    assert in_graph() is True
    assert runner.invoke(main, ["exhibitions", "publish", "--unpublish", "glass-from-the-west"]).exit_code == 0
    assert in_graph() is False
    assert runner.invoke(main, ["exhibitions", "publish", "glass-from-the-west"]).exit_code == 0
    assert in_graph() is True
