"""SHACL validation: the shapes (ontology/shapes.ttl), the compiled evaluator (ontology.shacl) and its
equivalence with pyshacl on every fixture and sample record, plus records broken on purpose."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from harvesters.rdf_dump import describe, list_objects, load_dump, rdf_format
from mappings import MappedRecord, MappingContext, RecordError, get_mapping, map_stream
from ontology.iris import IriMinter
from ontology.shacl import ShapesError, Validator, index_ntriples
from ontology.validation import SHAPES_PATH, pyshacl_report, validate_record
from tests.support.conformance import SAMPLES

DATA = Path(__file__).parent / "data"
CTX = MappingContext(minter=IriMinter("https://hub.example.org"), museum="checks")

CRM = "http://www.cidoc-crm.org/cidoc-crm/"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
KEEPER = f"<{CRM}P50_has_current_keeper>"
E42 = f"<{CRM}E42_Identifier>"
PRODUCED = f"<{CRM}P108i_was_produced_by>"
SHOWN_BY = "<https://linked.art/ns/terms/digitally_shown_by>"
P82A = f"<{CRM}P82a_begin_of_the_begin>"


def _files() -> Iterator[tuple[str, Path]]:
    for fmt in ("lido", "oai_dc", "edm"):
        for path in sorted((DATA / fmt).glob("*.xml")):
            yield fmt, path
    if SAMPLES.is_dir():
        for path in sorted((SAMPLES / "lido").rglob("*.xml")):
            if "schema" not in path.parts:
                yield "lido", path
        for extra in (SAMPLES / "oai-pmh" / "kenom" / "ListRecords-lido-page1.xml",
                      SAMPLES / "mappings" / "forth-lido07" / "lido07-sample.xml"):
            if extra.is_file():
                yield "lido", extra
        for path in sorted((SAMPLES / "edm").glob("*.xml")):
            yield "edm", path


def _rdf_native() -> Iterator[MappedRecord]:
    """Linked Art JSON-LD documents and CIDOC-CRM RDF objects (split as the RDF-dump harvester splits them)."""
    linked_art, crm_rdf = get_mapping("linked-art"), get_mapping("crm-rdf")
    json_files = sorted((DATA / "linked_art").glob("*.json"))
    rdf_files = sorted((DATA / "crm_rdf").glob("*.ttl"))
    if SAMPLES.is_dir():
        json_files += sorted((SAMPLES / "linked-art" / "examples").rglob("*.json"))
        rdf_files += sorted((SAMPLES / "cidoc-crm-rdf").glob("*.trig"))
    for path in json_files:
        try:
            yield linked_art.map_record(path.read_bytes(), CTX)
        except RecordError:
            continue  # not an object, or not Linked Art: nothing to validate
    for path in rdf_files:
        store = ox.Store()
        load_dump(store, io.BytesIO(path.read_bytes()), rdf_format(path.name, None))
        for obj in list_objects(store):
            try:
                yield crm_rdf.map_record(describe(store, obj), CTX, obj.value)
            except RecordError:
                continue


def every_record() -> list[MappedRecord]:
    out = []
    for fmt, path in _files():
        with path.open("rb") as fh:
            out += [r for r in map_stream(fh, fmt, CTX) if isinstance(r, MappedRecord)]
    return out + list(_rdf_native())


@pytest.fixture(scope="module")
def mapped() -> list[MappedRecord]:
    return every_record()


def _by_label(records: list[MappedRecord], label: str) -> MappedRecord:
    return next(r for r in records if r.label == label)


def drop(text: str, *needles: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if not any(n in line for n in needles))


def broken_variants(rec: MappedRecord) -> dict[str, str]:
    """Records that break each shape, made from a good one by removing or changing lines."""
    obj = f"<{rec.object_iri}>"
    text = rec.ntriples
    return {
        "no title": drop(text, f"{obj} {LABEL}"),
        "no keeper": drop(text, KEEPER),
        "keeper is text": text.replace(f"{KEEPER} <{CTX.museum_iri}>", f'{KEEPER} "Hangzhou Silk Museum"'),
        "no identifier": drop(text, E42),
        "no date": drop(text, P82A),
        "no image": drop(text, SHOWN_BY),
        "two productions": text + f"{obj} {PRODUCED} <{rec.object_iri}/production/2> .\n",
        "bad dimension": re.sub(r'"[^"]*"(\^\^<http://www.w3.org/2001/XMLSchema#decimal>)', r'"24,5"\1', text),
        "title is a link": re.sub(rf"^({re.escape(obj)} {LABEL}) .*$", r"\1 <https://example.org/title> .", text,
                                  flags=re.M),
    }


# --- what the shapes say ---------------------------------------------------------------------------------


def test_a_complete_record_conforms_without_warnings(mapped):
    rec = _by_label(mapped, "Samite with paired birds in pearl roundels")
    report = validate_record(rec.ntriples, rec.shared_ntriples)
    assert report.conforms and report.results == ()


@pytest.mark.parametrize(
    ("variant", "severity", "message"),
    [
        ("no title", "Violation", "no title"),
        ("no keeper", "Violation", "no keeper"),
        ("keeper is text", "Violation", "must be the museum's IRI"),
        ("no identifier", "Violation", "no identifier"),
        ("title is a link", "Violation", "must be text"),
        ("no date", "Warning", "no date span"),
        ("no image", "Warning", "no image"),
        ("two productions", "Warning", "at most one production"),
        ("bad dimension", "Warning", "xsd:decimal"),
    ],
)
def test_each_shape(mapped, variant, severity, message):
    rec = _by_label(mapped, "Samite with paired birds in pearl roundels")
    report = validate_record(broken_variants(rec)[variant])
    assert report.results and {r.severity for r in report.results} == {severity}, report.results
    assert all(message in r.message for r in report.results)
    assert report.conforms is (severity != "Violation")
    if severity == "Violation":
        assert report.reason().startswith("SHACL: ") and message in report.reason()


def test_dimension_must_be_a_decimal():
    obj = "<https://hub.example.org/id/object/checks/1>"
    dim = "<https://hub.example.org/id/object/checks/1/dimension/1>"
    base = (f"{dim} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{CRM}E54_Dimension> .\n"
            f"{obj} <{CRM}P43_has_dimension> {dim} .\n")
    good = base + f'{dim} <{CRM}P90_has_value> "24.5"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n'
    bad = base + f'{dim} <{CRM}P90_has_value> "24,5"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n'
    text = base + f'{dim} <{CRM}P90_has_value> "24.5" .\n'
    assert validate_record(good).results == ()
    for data in (bad, text, base):
        (result,) = validate_record(data).results
        assert result.severity == "Warning" and result.focus == dim


def test_subclass_instances_are_targets():
    # sh:targetClass reaches instances of subclasses declared in the data (rdf:type/rdfs:subClassOf*).
    obj = "<https://hub.example.org/id/object/checks/coin>"
    subclass = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"
    data = (f"<https://example.org/Coin> {subclass} <{CRM}E22_Human-Made_Object> .\n"
            f"{obj} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://example.org/Coin> .\n")
    fast = validate_record(data)
    assert {r.component for r in fast.violations} == {"hasValue", "minCount"}
    assert fast.keys() == pyshacl_report(data).keys()


def test_unsupported_shacl_is_refused():
    ttl = SHAPES_PATH.read_text().replace("sh:minCount 1 ;", "sh:minCount 1 ; sh:pattern \"^x\" ;", 1)
    with pytest.raises(ShapesError, match="sh:pattern is not supported"):
        Validator.from_turtle(ttl)
    with pytest.raises(ShapesError, match="only predicate and sequence paths"):
        Validator.from_turtle(SHAPES_PATH.read_text().replace(
            "sh:path rdfs:label ;", "sh:path [ sh:inversePath rdfs:label ] ;", 1))


@pytest.mark.parametrize("tab", [False, True])
def test_reading_ntriples_tolerates_other_white_space(tab):
    # What other writers may produce: runs of spaces, leading space, tabs, comments, "<o>." and a comment
    # after the triple. The fast reading must never misread them (a lost triple would be a false violation).
    text = ('<a>  <p> "x y"@en .\n# <p> <p> a comment\n\n<a> <p>  <b>   .\n_:b <q> "z" .\n<a> <p> "q "  .\n'
            ' <a> <p> <c> .\n<a> <p> <d>.\n<a> <p> "1"^^<http://x#d> . # c\n<a> <other> <e> .\n')
    if tab:
        text = text.replace("<a>  <p>", "<a>\t<p>")
    expected = {"<a>": {"<p>": ['"x y"@en', "<b>", '"q "', "<c>", "<d>", '"1"^^<http://x#d>']},
                "_:b": {"<q>": ['"z"']}}
    assert index_ntriples(text, frozenset({"<p>", "<q>"})) == expected
    assert index_ntriples(text)["<a>"]["<other>"] == ["<e>"]


# --- the same results as pyshacl ----------------------------------------------------------------------------


def test_every_fixture_and_sample_record_agrees_with_pyshacl(mapped):
    """Conformance and the (focus, path, severity) set are the same for both evaluators, on every record
    the project's fixtures and the third-party samples give, and on broken variants of some of them."""
    cases: list[tuple[str, str]] = [(r.source_id, r.ntriples + r.shared_ntriples) for r in mapped]
    for label in ("Samite with paired birds in pearl roundels", "Gold solidus of Justinian I"):
        rec = _by_label(mapped, label)
        cases += [(f"{rec.source_id} ({name})", text) for name, text in broken_variants(rec).items()]
    assert len(cases) > 40
    disagreements = []
    outcomes = {"conforms": 0, "violations": 0, "warnings": 0}
    for name, text in cases:
        fast, reference = validate_record(text), pyshacl_report(text)
        if fast.conforms != reference.conforms or fast.keys() != reference.keys():
            disagreements.append((name, fast.keys() ^ reference.keys()))
        outcomes["conforms"] += fast.conforms
        outcomes["violations"] += bool(fast.violations)
        outcomes["warnings"] += bool(fast.warnings)
    assert not disagreements
    # the comparison covered both outcomes and both severities
    assert outcomes["conforms"] and outcomes["violations"] and outcomes["warnings"]
