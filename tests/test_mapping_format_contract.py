"""The metadata-format contract: one suite run against every registered format, plus a third party's.

Formats: the built-ins (lido, oai_dc, edm: TOML files; linked-art, crm-rdf: code mappings) over the
project's fixtures in tests/data, and a small XML catalogue format whose TOML file is written here and
registered through ``register_format``, the call a plugin author uses. Only the public entry points of
``mappings`` are used. For every format:

- determinism: the same record mapped twice, or after other documents, gives the same triples and IRIs;
- a broken record is a per-record error naming it, and the records after it map;
- every mapped record passes the hub's SHACL validation (``ontology.validation``), except the fixture
  records written to break a shape, which fail it with that shape's message;
- conformance: the third-party samples in ../shared/samples (``$SROM_SAMPLES``) map without a crash;
  skipped with a message when they (or samples of that format) are not there.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from lxml import etree

from harvesters.guard import FeedGuard
from harvesters.http import GuardedSession, RetryPolicy
from harvesters.protocols import source_class
from harvesters.source import FeedSpec
from mappings import (
    MappedRecord,
    MappingContext,
    RecordError,
    available_formats,
    get_mapping,
    map_stream,
    parse_bytes,
    register_format,
)
from ontology.iris import IriMinter
from ontology.validation import validate_record
from tests.support.conformance import SAMPLES, shape_counts, tally_xml_samples
from tests.support.file_server import FileServer

DATA = Path(__file__).resolve().parent / "data"
BASE = "https://hub.example.org"
Item = MappedRecord | RecordError


def context() -> MappingContext:
    """A new context each time: nothing may depend on reusing one."""
    return MappingContext(minter=IriMinter(BASE), museum="m1")


# --- the third party: a museum's own XML catalogue, mapped by a TOML file --------------------------------
CATALOGUE = "museum-catalogue"
CATALOGUE_NS = "urn:example:museum-catalogue"
CATALOGUE_TOML = f"""
[mapping]
name = "{CATALOGUE}"
version = "{CATALOGUE}/1"
record = "cat:item"
default_language = "en"

[namespaces]
cat = "{CATALOGUE_NS}"

[rules.record_id]
target = "record_id"
path = "cat:number"
first = true

[rules.title]
target = "title"
path = "cat:name"

[rules.kind]
target = "classification"
path = "cat:kind"

[rules.material]
target = "material"
path = "cat:material"

[rules.made]
target = "production.timespan"
path = "cat:made"
"""
CATALOGUE_XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<catalogue xmlns="{CATALOGUE_NS}">
  <item><number>CAT-1</number><name>Silk banner with phoenixes</name><kind>banner</kind>
    <material>silk</material><made>618-907</made></item>
  <item><number>CAT-2</number><name xml:lang="zh">鎏金银壶</name><name>Gilt silver ewer</name><kind>ewer</kind>
    <material>silver</material></item>
  <item><number>CAT-3</number><kind>coin</kind><made>c. 700</made></item>
</catalogue>
"""


@pytest.fixture(scope="module", autouse=True)
def third_party_format(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("plugin")
    (folder / f"{CATALOGUE}.toml").write_text(CATALOGUE_TOML, encoding="utf-8")
    (folder / "catalogue.xml").write_text(CATALOGUE_XML, encoding="utf-8")
    register_format(CATALOGUE, folder / f"{CATALOGUE}.toml")
    try:
        yield folder
    finally:
        _unregister(CATALOGUE)


def _unregister(name: str) -> None:
    # mappings has no public way back (register_format replaces, never removes): forget the test's
    # format so that later tests see the registry as it was. Best effort if the registry moves.
    import mappings

    for table in ("_FORMATS", "_CLASSES", "_CACHE"):
        getattr(mappings, table, {}).pop(name, None)


# --- the formats and their fixtures --------------------------------------------------------------------
@dataclass
class Format:
    """A format's fixture documents and how a stream of its records is read.

    ``documents``: (name, input) pairs, each mapped as one stream; ``broken``: a stream with broken
    records among good ones, and for each of its items whether it is an error; ``violations``: source id
    -> the SHACL message of a fixture record written to break a shape; ``samples``: third-party files.
    """

    name: str
    documents: Callable[[Reader], list[tuple[str, object]]]
    broken: Callable[[Reader], tuple[object, list[bool]]]
    violations: dict[str, str] = field(default_factory=dict)
    samples: Callable[[], list[Path]] = list


class Reader:
    """How each kind of format turns an input into a stream of mapped records or record errors."""

    def __init__(self, server: FileServer, http: GuardedSession, plugin: Path) -> None:
        self.server, self.http, self.plugin = server, http, plugin

    def map(self, fmt: Format, source: object) -> list[Item]:
        mapping = get_mapping(fmt.name)
        if mapping.root_tags:  # XML: the streaming reader, which gives a record error and goes on
            data = source.read_bytes() if isinstance(source, Path) else source
            return list(map_stream(io.BytesIO(data), fmt.name, context()))
        out: list[Item] = []
        ctx = context()
        for source_id, payload in source:  # records as a Source gives them, one by one
            try:
                out.append(mapping.map_record(payload, ctx, source_id))
            except RecordError as exc:
                out.append(exc)
        return out

    def dump_records(self, path: Path) -> list[tuple[str, str]]:
        """The objects of an RDF file as the rdf-dump Source splits it (each with its own triples)."""
        url = self.server.put(f"/{path.name}", path.read_bytes(), "application/octet-stream")
        source = source_class("rdf-dump")(FeedSpec(url, "crm-rdf"), self.http)
        return [(r.identifier, r.payload) for page in source.pages() for r in page.records]


def errors(items: list[Item]) -> list[bool]:
    return [isinstance(i, RecordError) for i in items]


def xml_with_an_empty_record(path: Path, fmt: str) -> tuple[bytes, list[bool]]:
    """The document with an empty record element (no identifier, no title) after its first record; each
    item after it is what it is without it (an error where the fixture has one)."""
    before = errors(list(map_stream(path.read_bytes(), fmt, context())))
    assert len(before) >= 2 and not before[0], f"{path.name} does not suit the broken-record test"
    root = parse_bytes(path.read_bytes())
    first = next(root.iter(*get_mapping(fmt).root_tags))
    first.addnext(etree.Element(first.tag))
    return etree.tostring(root), [False, True, *before[1:]]


def dump_with_a_broken_record(reader: Reader) -> tuple[list[tuple[str, str]], list[bool]]:
    records = reader.dump_records(SAMARKAND)
    broken = ("http://collection.example-samarkand.org/id/object/BROKEN", "<not> N-Triples")
    return records[:1] + [broken] + records[1:], [False, True] + [False] * (len(records) - 1)


def json_documents(*names: str) -> list[tuple[str, object]]:
    """Linked Art documents as a Source gives them: (where it was found, parsed JSON or the raw text when it
    is not JSON); a document's own id is where it was found."""
    out = []
    for name in names:
        text = (DATA / "linked_art" / name).read_text(encoding="utf-8")
        try:
            doc: object = json.loads(text)
        except ValueError:
            doc = text
        out.append((doc.get("id") if isinstance(doc, dict) else f"http://fixtures.example.org/{name}", doc))
    return out


def samples_under(folder: str, pattern: str) -> Callable[[], list[Path]]:
    return lambda: sorted(p for p in (SAMPLES / folder).rglob(pattern) if "schema" not in p.parts)


LINKED_ART = ["tang-sancai-camel.json", "samite-paired-ducks.json", "byzantine-solidus.json",
              "sasanian-glass-bowl-old-model.json", "not-an-object.json", "truncated.json"]
SAMARKAND = DATA / "crm_rdf" / "samarkand-erlangen.ttl"

FORMATS = {f.name: f for f in [
    Format(
        "lido",
        lambda r: [(p.name, p) for p in sorted((DATA / "lido").glob("*.xml"))],
        lambda r: xml_with_an_empty_record(DATA / "lido" / "lido10-wrap-hangzhou.xml", "lido"),
        samples=lambda: samples_under("lido", "*.xml")() + [
            p for p in (SAMPLES / "oai-pmh" / "kenom" / "ListRecords-lido-page1.xml",
                        SAMPLES / "mappings" / "forth-lido07" / "lido07-sample.xml") if p.is_file()],
    ),
    Format(
        "oai_dc",
        lambda r: [(p.name, p) for p in sorted((DATA / "oai_dc").glob("*.xml"))],
        lambda r: xml_with_an_empty_record(DATA / "oai_dc" / "listrecords-silk-road.xml", "oai_dc"),
        samples=samples_under("oai-pmh", "*.xml"),
    ),
    Format(
        "edm",
        lambda r: [(p.name, p) for p in sorted((DATA / "edm").glob("*.xml"))],
        lambda r: xml_with_an_empty_record(DATA / "edm" / "oai-listrecords-edm.xml", "edm"),
        violations={"https://museum.example.org/object/XA.1988.41": "no title"},
        samples=samples_under("edm", "*.xml"),
    ),
    Format(
        "linked-art",
        lambda r: [(name, json_documents(name)) for name in LINKED_ART],
        lambda r: (json_documents("tang-sancai-camel.json", "truncated.json", "samite-paired-ducks.json",
                                  "not-an-object.json", "byzantine-solidus.json"), [False, True, False, True, False]),
        samples=samples_under("linked-art/examples", "*.json"),
    ),
    Format(
        "crm-rdf",
        lambda r: [(SAMARKAND.name, r.dump_records(SAMARKAND))],
        dump_with_a_broken_record,
        samples=samples_under("cidoc-crm-rdf", "*.trig"),
    ),
    Format(
        CATALOGUE,
        lambda r: [("catalogue.xml", r.plugin / "catalogue.xml")],
        lambda r: xml_with_an_empty_record(r.plugin / "catalogue.xml", CATALOGUE),
    ),
]}


@pytest.fixture(scope="module")
def reader(third_party_format: Path) -> Iterator[Reader]:
    server = FileServer().start()
    http = GuardedSession(FeedGuard(["127.0.0.0/8"]), timeout=10, retry=RetryPolicy(max_retries=0))
    try:
        yield Reader(server, http, third_party_format)
    finally:
        http.close()
        server.stop()


@pytest.fixture(params=sorted(FORMATS))
def fmt(request: pytest.FixtureRequest) -> Format:
    return FORMATS[request.param]


def outcome(item: Item) -> tuple:
    """Everything a mapped record or an error says, for comparing two mappings of the same input."""
    if isinstance(item, RecordError):
        return ("error", item.source_id, item.reason)
    return ("record", item.source_id, item.object_iri, item.graph_iri, item.label, item.mapping_version,
            item.ntriples, item.shared_ntriples, item.unmatched)


def mapped(items: list[Item]) -> list[MappedRecord]:
    return [i for i in items if isinstance(i, MappedRecord)]


# --- the contract --------------------------------------------------------------------------------------
def test_every_registered_format_is_under_contract() -> None:
    assert CATALOGUE in available_formats()  # registered like a plugin, offered like a built-in
    assert sorted(available_formats()) == sorted(FORMATS), "a format without fixtures here, or fixtures without one"


def test_the_same_record_maps_to_the_same_triples_and_iris(fmt: Format, reader: Reader) -> None:
    documents = fmt.documents(reader)
    first = {name: [outcome(i) for i in reader.map(fmt, doc)] for name, doc in documents}
    assert any(o[0] == "record" for items in first.values() for o in items), "the fixtures map nothing"
    # again, and with the documents in the other order: nothing carries over from one record to the next
    again = {name: [outcome(i) for i in reader.map(fmt, doc)] for name, doc in reversed(documents)}
    assert again == first
    for items in first.values():
        for o in items:
            if o[0] == "record":
                assert "_:" not in o[6] + o[7], f"{o[1]}: blank nodes would get new labels on every run"
                assert o[2] in o[6], f"{o[1]}: the object IRI is not in its triples"


def test_a_broken_record_is_an_error_of_its_own_and_the_rest_maps(fmt: Format, reader: Reader) -> None:
    stream, expected = fmt.broken(reader)
    items = reader.map(fmt, stream)
    assert errors(items) == expected
    for item in items:
        if isinstance(item, RecordError):
            assert item.source_id and item.reason, item  # it names the record and says why
        else:
            assert item.triple_count > 0 and item.label


def test_mapped_records_pass_the_shacl_shapes(fmt: Format, reader: Reader) -> None:
    records = [r for _, doc in fmt.documents(reader) for r in mapped(reader.map(fmt, doc))]
    failing = {}
    for rec in records:
        report = validate_record(rec.ntriples, rec.shared_ntriples)
        if not report.conforms:
            failing[rec.source_id] = report.reason()
    assert set(failing) == set(fmt.violations), failing
    for source_id, message in fmt.violations.items():
        assert message in failing[source_id]


def test_third_party_samples_map_without_a_crash(fmt: Format, reader: Reader,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    if not SAMPLES.is_dir():
        pytest.skip(f"conformance data not present: {SAMPLES} (set SROM_SAMPLES, or see README)")
    files = fmt.samples()
    if not files:
        pytest.skip(f"no third-party samples of the {fmt.name} format under {SAMPLES}")
    if get_mapping(fmt.name).root_tags:
        stats, problems = tally_xml_samples(files, fmt.name, validate=True)
        tally = {k: sum(s[k] for s in stats.values()) for k in ("mapped", "errors", "keeper", "valid")}
    else:
        items = [i for path in files for i in reader.map(fmt, _records_of(fmt, path, reader))]
        problems = [str(i) for i in items if isinstance(i, RecordError)]
        records = mapped(items)
        assert all(r.triple_count > 0 and "_:" not in r.ntriples + r.shared_ntriples for r in records)
        tally = {"mapped": len(records), "errors": len(problems),
                 "keeper": sum(shape_counts(r)["keeper"] for r in records),
                 "valid": sum(validate_record(r.ntriples, r.shared_ntriples).conforms for r in records)}
    with capsys.disabled():
        print(f"\n{fmt.name}: {len(files)} sample files, {tally['mapped']} records mapped, {tally['errors']} "
              f"errors, {tally['valid']} passing the SHACL shapes")
    assert tally["mapped"] > 0
    assert tally["keeper"] == tally["mapped"]
    assert not [p for p in problems if "mapping failed" in p], problems  # a crash reads "mapping failed: ..."


def _records_of(fmt: Format, path: Path, reader: Reader) -> list[tuple[str | None, object]]:
    if fmt.name == "crm-rdf":
        return reader.dump_records(path)
    return [(None, path.read_bytes())]


def _production_keys(rec: MappedRecord) -> dict[str, object]:
    """What the sort and filter keys must say, read from the record's own triples with SPARQL."""
    import pyoxigraph as ox

    from ontology.dates import year_of
    from ontology.namespaces import sparql_prologue

    store = ox.Store()
    store.load(rec.ntriples.encode(), format=ox.RdfFormat.N_TRIPLES)
    obj = ox.NamedNode(rec.object_iri)

    def column(pattern: str) -> list[ox.NamedNode | ox.Literal]:
        query = sparql_prologue() + f"SELECT ?v ?o WHERE {{ ?o crm:P108i_was_produced_by ?p . {pattern} }}"
        return [row[0] for row in store.query(query, substitutions={ox.Variable("o"): obj})]

    begins = [year_of(t.value) for t in column("?p crm:P4_has_time-span/crm:P82a_begin_of_the_begin ?v")]
    ends = [year_of(t.value) for t in column("?p crm:P4_has_time-span/crm:P82b_end_of_the_end ?v")]
    return {"begin": min((b for b in begins if b is not None), default=None),
            "end": max((e for e in ends if e is not None), default=None),
            "places": sorted({t.value for t in column("?p crm:P7_took_place_at ?v")}),
            "periods": sorted({t.value for t in column("?p crm:P10_falls_within ?v")})}


def _written_keys(rec: MappedRecord) -> dict[str, object]:
    import pyoxigraph as ox

    from ontology.namespaces import SROM

    triples = list(ox.parse(rec.ntriples.encode(), format=ox.RdfFormat.N_TRIPLES))

    def values(name: str) -> list[ox.NamedNode | ox.Literal]:
        return [t.object for t in triples if t.subject == ox.NamedNode(rec.object_iri)
                and t.predicate == ox.NamedNode(str(SROM) + name)]

    years = {name: [int(v.value) for v in values(name)] for name in ("beginYear", "endYear")}
    for name, found in years.items():
        assert len(found) <= 1, f"{rec.source_id}: {len(found)} srom:{name}"
        for v in values(name):
            assert v.datatype == ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    return {"begin": (years["beginYear"] or [None])[0], "end": (years["endYear"] or [None])[0],
            "places": sorted(v.value for v in values("productionPlace")),
            "periods": sorted(v.value for v in values("productionPeriod"))}


def test_every_object_carries_its_sort_and_filter_keys(fmt: Format, reader: Reader) -> None:
    """srom:beginYear/endYear (integers, BCE negative), srom:productionPlace/Period: one hop for the facets."""
    records = [r for _, doc in fmt.documents(reader) for r in mapped(reader.map(fmt, doc))]
    dated = 0
    for rec in records:
        expected = _production_keys(rec)
        assert _written_keys(rec) == expected, rec.source_id
        dated += expected["begin"] is not None
    assert dated, f"no {fmt.name} fixture record has a production date: the keys go untested"
