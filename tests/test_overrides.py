"""Per-museum mapping overrides: the files in $SROM_HOME/mappings, checking and caching them, a harvest that
merges a museum's override onto the base mapping, and the `srom mappings` / `srom map --override` commands."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from click.testing import CliRunner

from harvesters.feed_database import FeedDatabase, Museum
from harvesters.guard import FeedGuard
from harvesters.mapping_overrides import MappingOverrides, OverrideError, compile_override
from harvesters.run import Harvester
from mappings import get_mapping
from ontology.iris import IriMinter
from store.base import SolutionsResult
from store.embedded import EmbeddedStore
from tests.support.oai_test_server import OaiTestServer
from web.cli import main
from web.hub import database_path

MINTER = IriMinter("https://hub.example.org")
PUBLISHED_ID = """
[rules.inventory]   # this museum writes its inventory number as the published id
path = "lido:objectPublishedID"
"""


def lido_published(record_id: str, title: str, published: str) -> str:
    """A LIDO record whose inventory number is in lido:objectPublishedID, not in repositorySet/workID."""
    return f"""<lido:lido xmlns:lido="http://www.lido-schema.org">
  <lido:lidoRecID lido:type="local">{escape(record_id)}</lido:lidoRecID>
  <lido:objectPublishedID lido:type="local">{escape(published)}</lido:objectPublishedID>
  <lido:descriptiveMetadata xml:lang="en"><lido:objectIdentificationWrap><lido:titleWrap><lido:titleSet>
    <lido:appellationValue>{escape(title)}</lido:appellationValue></lido:titleSet></lido:titleWrap>
  </lido:objectIdentificationWrap></lido:descriptiveMetadata>
</lido:lido>"""


# --- the files ---------------------------------------------------------------------------------------------


def test_save_read_remove(tmp_path: Path):
    overrides = MappingOverrides(tmp_path / "mappings")
    assert overrides.text("hz-silk") is None and overrides.museums() == []
    assert overrides.mapping("hz-silk", "lido") is get_mapping("lido")  # no file: the base mapping itself
    path = overrides.save("hz-silk", PUBLISHED_ID, "lido")
    assert path == tmp_path / "mappings" / "hz-silk.toml" and overrides.text("hz-silk") == PUBLISHED_ID
    assert overrides.museums() == ["hz-silk"]
    mapping = overrides.mapping("hz-silk", "lido")
    assert mapping.version == "lido/1+hz-silk"  # provenance tells overridden records apart
    assert overrides.mapping("hz-silk", "lido") is mapping  # compiled once per file version
    assert overrides.remove("hz-silk") and not overrides.remove("hz-silk")
    assert overrides.mapping("hz-silk", "lido") is get_mapping("lido")


def test_a_changed_file_is_compiled_again(tmp_path: Path):
    overrides = MappingOverrides(tmp_path)
    overrides.save("hz-silk", PUBLISHED_ID, "lido")
    first = overrides.mapping("hz-silk", "lido")
    path = overrides.save("hz-silk", '[mapping]\nversion = "lido/1+hz-2"\n' + PUBLISHED_ID, "lido")
    os.utime(path, ns=(1, 1))  # a different stamp even on filesystems with coarse times
    second = overrides.mapping("hz-silk", "lido")
    assert second is not first and second.version == "lido/1+hz-2"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[rules.inventory\npath = 1", "not valid TOML"),
        ('[rules.inventory]\npaht = "lido:x"\n', "unknown keys ['paht']"),
        ('[rules.inventory]\npath = "lido:x[["\n', "invalid XPath"),
        ('[rules.inventory]\npath = "marc:field"\n', "Undefined namespace prefix"),  # fails at load, not per record
        ('[rules.new_rule]\ntarget = "nowhere"\npath = "."\n', "target 'nowhere' is not allowed"),
        ("# " + "x" * 300_000, "larger than"),
    ],
)
def test_bad_overrides_are_refused_before_they_are_stored(tmp_path: Path, text: str, message: str):
    overrides = MappingOverrides(tmp_path)
    with pytest.raises(OverrideError, match=message.replace("[", r"\[").replace("(", r"\(")):
        overrides.save("hz-silk", text, "lido")
    assert overrides.text("hz-silk") is None


def test_an_override_that_no_longer_fits_fails_loudly(tmp_path: Path):
    overrides = MappingOverrides(tmp_path)
    overrides.save("hz-silk", '[rules.work_type]\npath = "lido:objectWorkType"\n', "lido")
    with pytest.raises(OverrideError, match="does not fit the oai_dc mapping"):
        overrides.mapping("hz-silk", "oai_dc")  # the museum switched format; oai_dc has no rule work_type


def test_museum_ids_are_checked(tmp_path: Path):
    with pytest.raises(ValueError, match="invalid museum id"):
        MappingOverrides(tmp_path).path("../etc/passwd")


# --- a harvest uses the museum's override --------------------------------------------------------------------


@pytest.fixture
def feed() -> Iterator[OaiTestServer]:
    server = OaiTestServer(page_size=5)
    for i in range(3):
        server.put(f"oai:pub:{i}", "2025-01-01T00:00:00Z", lido_published(f"P{i}", f"Silver ewer {i}", f"KG.{i}"))
    server.start()
    yield server
    server.stop()


def _inventory_numbers(store: EmbeddedStore) -> dict[str, str]:
    result = store.query(
        "SELECT ?v ?version WHERE { ?o <http://www.cidoc-crm.org/cidoc-crm/P1_is_identified_by> ?i ."
        " ?i <http://www.cidoc-crm.org/cidoc-crm/P2_has_type> <http://vocab.getty.edu/aat/300312355> ;"
        "    <http://www.cidoc-crm.org/cidoc-crm/P190_has_symbolic_content> ?v ."
        " ?g <https://w3id.org/srom/ns#object> ?o ; <https://w3id.org/srom/ns#mappingVersion> ?version }"
    )
    assert isinstance(result, SolutionsResult)
    return {row["v"].value: row["version"].value for row in result.dicts()}


def test_harvest_merges_the_museums_override(tmp_path: Path, feed: OaiTestServer):
    store = EmbeddedStore(None, MINTER.provenance_graph())
    registry = FeedDatabase(database_path(tmp_path))
    registry.save_museum(Museum(id="kg-test", name="Köln", feed_url=feed.url, format="lido"))
    harvester = Harvester(store, registry, MINTER, FeedGuard(["127.0.0.0/8"]), batch_size=5, http_timeout=10)
    try:
        assert harvester.harvest("kg-test").outcome == "ok"
        assert _inventory_numbers(store) == {}  # the base mapping looks in repositorySet/workID
        MappingOverrides.beside(database_path(tmp_path)).save("kg-test", PUBLISHED_ID, "lido")
        run = harvester.harvest("kg-test", full=True)
        assert run.outcome == "ok" and run.updated == 3, run.error
        assert _inventory_numbers(store) == {f"KG.{i}": "lido/1+kg-test" for i in range(3)}
        # an override that breaks is a failed run with the reason, never a silent fallback
        (tmp_path / "mappings" / "kg-test.toml").write_text('[rules.inventory]\npaht = "x"\n')
        failed = harvester.harvest("kg-test", full=True)
        assert failed.outcome == "failed" and "unknown keys" in (failed.error or "")
    finally:
        store.close()


# --- the command line -------------------------------------------------------------------------------------------


@pytest.fixture
def runner(instance: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("SROM_STORE", "embedded")
    return CliRunner()


def test_mappings_commands(runner: CliRunner, instance: Path, tmp_path: Path):
    shown = runner.invoke(main, ["mappings", "show", "edm"])
    assert shown.exit_code == 0 and 'name = "edm"' in shown.output and "[rules.title]" in shown.output
    assert runner.invoke(main, ["mappings", "show", "marc"]).exit_code != 0
    assert "edm" in runner.invoke(main, ["mappings", "list"]).output

    FeedDatabase(database_path(instance)).save_museum(
        Museum(id="kg-test", name="Köln", feed_url="http://127.0.0.1:9/oai", format="lido"))
    good = tmp_path / "override.toml"
    good.write_text(PUBLISHED_ID)
    saved = runner.invoke(main, ["mappings", "set", "kg-test", str(good)])
    assert saved.exit_code == 0, saved.output
    assert (instance / "mappings" / "kg-test.toml").read_text() == PUBLISHED_ID
    shown = runner.invoke(main, ["mappings", "show", "lido", "--museum", "kg-test"])
    assert "objectPublishedID" in shown.output

    bad = tmp_path / "bad.toml"
    bad.write_text('[rules.inventory]\npaht = "x"\n')
    refused = runner.invoke(main, ["mappings", "set", "kg-test", str(bad)])
    assert refused.exit_code != 0 and "unknown keys" in refused.output
    assert (instance / "mappings" / "kg-test.toml").read_text() == PUBLISHED_ID  # the good one stays
    assert runner.invoke(main, ["mappings", "set", "nobody", str(good)]).exit_code != 0

    assert runner.invoke(main, ["mappings", "remove", "kg-test"]).exit_code == 0
    assert runner.invoke(main, ["mappings", "remove", "kg-test"]).exit_code != 0


def test_map_with_an_override(runner: CliRunner, instance: Path, tmp_path: Path):
    source = tmp_path / "records.xml"
    source.write_text(lido_published("P1", "Silver ewer", "KG.77"))
    override = tmp_path / "override.toml"
    override.write_text(PUBLISHED_ID)
    plain = runner.invoke(main, ["map", "--format", "lido", str(source)])
    assert plain.exit_code == 0 and '"KG.77"' not in plain.output
    merged = runner.invoke(main, ["map", "--format", "lido", "--override", str(override), str(source)])
    assert merged.exit_code == 0 and '"KG.77"' in merged.output
    # a museum's stored override applies to `srom map --museum` too: records map as the harvest maps them
    MappingOverrides.beside(database_path(instance)).save("kg-test", PUBLISHED_ID, "lido")
    stored = runner.invoke(main, ["map", "--format", "lido", "--museum", "kg-test", str(source)])
    assert stored.exit_code == 0 and '"KG.77"' in stored.output
    broken = tmp_path / "broken.toml"
    broken.write_text("[rules")
    failed = runner.invoke(main, ["map", "--format", "lido", "--override", str(broken), str(source)])
    assert failed.exit_code != 0 and "not valid TOML" in failed.output


def test_compile_override_keeps_an_explicit_version():
    mapping = compile_override('[mapping]\nversion = "edm/1+mine"\n[rules.place_enrichment]\nenabled = false\n',
                               "edm", "xa-history")
    assert mapping.version == "edm/1+mine"


def test_an_override_adds_a_rule_for_a_local_classification_scheme():
    # This museum classifies with dc:subject terms of its own scheme: a new rule, nothing copied.
    import pyoxigraph as ox

    from mappings import MappingContext, map_stream

    text = """
[rules.local_scheme]
target = "classification"
use = "concept"
kind = "museum-scheme"
path = "edm:ProvidedCHO/dc:subject[not(@rdf:resource)]"
"""
    mapping = compile_override(text, "edm", "sam-afrosiab")
    ctx = MappingContext(minter=MINTER, museum="sam-afrosiab")
    path = Path(__file__).parent / "data" / "edm" / "external-zandaniji-silk.xml"
    (rec,) = list(map_stream(path.read_bytes(), mapping, ctx))
    store = ox.Store()
    store.load((rec.ntriples + rec.shared_ntriples).encode(), format=ox.RdfFormat.N_TRIPLES)
    term = "https://hub.example.org/id/term/sam-afrosiab/museum-scheme/rams"
    assert store.query(f"ASK {{ <{rec.object_iri}> <http://www.cidoc-crm.org/cidoc-crm/P2_has_type> <{term}> }}")
    assert rec.mapping_version == "edm/1+sam-afrosiab"
