"""The SPARQL endpoint's results and negotiation: every results and RDF format parses back to the same
terms (pyoxigraph, rdflib, the specs' own rules for CSV/TSV/XML/JSON), and the format a request gets from
``Accept`` and ``format``. The protocol itself: tests/test_sparql_endpoint.py.
"""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest
import rdflib
import rdflib.compare
from lxml import etree

from sparql_endpoint import FORMATS, serialize_result
from sparql_endpoint.negotiation import NegotiationError, choose_format, parse_accept, prefers_html
from sparql_endpoint.results import find_format
from store.base import BooleanResult, GraphResult, SolutionsResult
from store.embedded import EmbeddedStore
from tests.support.sparql_dataset import (
    BROWSER_ACCEPT,
    CONSTRUCT_ALL,
    LABELS,
    NOTE_WITH_NEWLINES,
    TITLE_WITH_QUOTES,
    XSD,
    H,
    all_quads,
    body,
    rdflib_internal_deprecation_ignored,
    store,
)

__all__ = ["all_quads", "store"]  # fixtures used by this module's tests


# --- results: every format parses back to the same terms ----------------------------------------------
@pytest.mark.parametrize("name", ["json", "xml", "tsv"])
def test_results_round_trip_exactly_through_pyoxigraph(all_quads: SolutionsResult, name: str) -> None:
    results_format = ox.QueryResultsFormat.from_media_type(FORMATS[name].media_type)
    parsed = ox.parse_query_results(body(all_quads, name), results_format)
    assert isinstance(parsed, ox.QuerySolutions)
    assert [v.value for v in parsed.variables] == all_quads.variables
    assert [tuple(s) for s in parsed] == all_quads.rows


@pytest.mark.parametrize("name", ["json", "xml", "tsv"])
def test_rdf_12_terms_round_trip(name: str) -> None:
    directional = ox.Literal("حرير", language="ar", direction=ox.BaseDirection.RTL)
    triple = ox.Triple(ox.NamedNode(f"{H}/s"), ox.NamedNode(f"{H}/p"), ox.Literal("x\ty", language="en"))
    result = SolutionsResult(["d", "t", "u"], [(directional, triple, None)])  # type: ignore[list-item]
    results_format = ox.QueryResultsFormat.from_media_type(FORMATS[name].media_type)
    parsed = ox.parse_query_results(body(result, name), results_format)
    assert [tuple(s) for s in parsed] == result.rows  # type: ignore[union-attr]


def test_json_bindings_follow_the_spec(store: EmbeddedStore) -> None:
    doc = json.loads(body(store.query(LABELS), "json"))
    assert doc["head"]["vars"] == ["object", "label", "note"]
    bindings = doc["results"]["bindings"]
    zh = next(b for b in bindings if b["label"].get("xml:lang") == "zh")
    assert zh["label"] == {"type": "literal", "value": "丝绸长袍", "xml:lang": "zh"}
    assert zh["object"] == {"type": "uri", "value": f"{H}/id/object/hz/robe-1"}
    assert zh["note"] == {"type": "literal", "value": NOTE_WITH_NEWLINES}  # xsd:string: no datatype
    bowl = [b for b in bindings if b["object"]["value"].endswith("/bowl-2")]
    assert bowl and all("note" not in b for b in bowl)  # unbound: left out of the binding
    typed = json.loads(body(store.query(
        "SELECT ?d ?b WHERE { ?x <http://www.cidoc-crm.org/cidoc-crm/P43_has_dimension> ?d . "
        "?y <http://www.cidoc-crm.org/cidoc-crm/P108i_was_produced_by> ?b } ORDER BY ?d"), "json"))
    first = typed["results"]["bindings"][0]
    assert first["d"] == {"type": "literal", "value": "3.9", "datatype": f"{XSD}decimal"}
    assert first["b"]["type"] == "bnode"
    assert json.loads(body(BooleanResult(True), "json")) == {"head": {}, "boolean": True}


def test_xml_is_valid_and_uses_xml_lang_and_datatype(store: EmbeddedStore) -> None:
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    root = etree.fromstring(body(store.query(LABELS), "xml"))
    assert [v.get("name") for v in root.findall("r:head/r:variable", ns)] == ["object", "label", "note"]
    ru = root.xpath("//r:literal[@xml:lang='ru']", namespaces=ns)
    assert {e.text for e in ru} == {"Шёлковый халат", "Согдийская монета"}
    notes = root.xpath("//r:binding[@name='note']/r:literal", namespaces=ns)
    assert NOTE_WITH_NEWLINES in {e.text for e in notes} and all(e.get("datatype") is None for e in notes)
    typed = etree.fromstring(body(store.query("SELECT ?n WHERE { ?x ?p ?n FILTER(isNumeric(?n)) }"), "xml"))
    assert {e.get("datatype") for e in typed.iter("{*}literal")} == {
        f"{XSD}integer", f"{XSD}decimal", f"{XSD}double"}
    ask = etree.fromstring(body(BooleanResult(False), "xml"))
    assert ask.find("r:boolean", ns).text == "false"


def test_csv_is_rfc4180_with_plain_values(all_quads: SolutionsResult) -> None:
    text = body(all_quads, "csv").decode("utf-8")
    assert text.startswith("s,p,o,g\r\n") and text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == all_quads.variables
    expected = [[t.value if isinstance(t, ox.NamedNode | ox.Literal) else str(t) for t in row]
                for row in all_quads.rows]
    assert rows[1:] == expected
    values = {v for row in rows for v in row}
    assert {NOTE_WITH_NEWLINES, TITLE_WITH_QUOTES, "丝绸", "шёлк", "3"} <= values


def test_tsv_has_question_mark_header_and_one_line_per_row(all_quads: SolutionsResult) -> None:
    text = body(all_quads, "tsv").decode("utf-8")
    lines = text.split("\n")
    assert lines[0] == "?s\t?p\t?o\t?g" and lines[-1] == ""
    assert len(lines) == len(all_quads.rows) + 2  # escapes keep literal newlines and tabs out
    rows = list(csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE))
    assert all(len(r) == 4 for r in rows)
    assert '"丝绸"@zh' in {r[2] for r in rows}
    assert f'"3"^^<{XSD}integer>' in {r[2] for r in rows}


def test_ask_in_csv_and_tsv_is_a_bare_boolean() -> None:
    assert body(BooleanResult(True), "csv") == b"true"
    assert ox.parse_query_results(body(BooleanResult(False), "tsv"), ox.QueryResultsFormat.TSV) == \
        ox.parse_query_results("false", ox.QueryResultsFormat.TSV)


@pytest.mark.parametrize("name,rdflib_format", [
    ("turtle", "turtle"), ("ntriples", "nt"), ("jsonld", "json-ld"), ("rdfxml", "xml")])
def test_graph_formats_parse_back_isomorphic(store: EmbeddedStore, name: str, rdflib_format: str) -> None:
    result = store.query(CONSTRUCT_ALL)
    assert isinstance(result, GraphResult)
    data = body(result, name)
    expected = rdflib.Graph().parse(data=body(result, "ntriples").decode(), format="nt")
    with rdflib_internal_deprecation_ignored():
        got = rdflib.Graph().parse(data=data.decode("utf-8"), format=rdflib_format)
    assert len(got) == len(result.triples) and rdflib.compare.isomorphic(expected, got)
    triples = list(ox.parse(data, format=ox.RdfFormat.from_media_type(FORMATS[name].media_type)))
    assert len(triples) == len(result.triples)


def test_serialisation_streams_in_chunks() -> None:
    rows = [(ox.NamedNode(f"{H}/id/{i}"), ox.Literal(f"丝绸 № {i}", language="zh")) for i in range(10_000)]
    result = SolutionsResult(["s", "label"], rows)  # type: ignore[arg-type]
    for name in ("json", "xml", "csv", "tsv"):
        chunks = serialize_result(result, FORMATS[name])
        assert iter(chunks) is chunks  # a generator, not a prebuilt list
        pieces = list(chunks)
        assert len(pieces) > 5 and max(map(len, pieces)) < 512 * 1024
    triples = [ox.Triple(r[0], ox.NamedNode(f"{H}/p"), r[1]) for r in rows]
    assert len(list(serialize_result(GraphResult(triples), "ntriples"))) > 1


def test_format_lookup_and_kind_mismatch() -> None:
    assert find_format("application/sparql-results+json; charset=utf-8", "results") is FORMATS["json"]
    assert find_format("json", "graph") is FORMATS["jsonld"]
    assert find_format("xml", "graph") is FORMATS["rdfxml"]
    assert find_format("text/turtle", "results") is None
    assert {(f.name, f.extension) for f in FORMATS.values()} >= {("csv", "csv"), ("turtle", "ttl")}
    with pytest.raises(ValueError):
        list(serialize_result(BooleanResult(True), "turtle"))


# --- negotiation --------------------------------------------------------------------------------------
def test_parse_accept_reads_q_values_and_ignores_charset() -> None:
    ranges = parse_accept("text/csv; charset=utf-8; q=0.5, application/*;q=0.9, */*;q=bogus, nonsense")
    assert [(r.type, r.subtype, r.q) for r in ranges] == [
        ("text", "csv", 0.5), ("application", "*", 0.9), ("*", "*", 0.0)]


@pytest.mark.parametrize("kind,accept,expected", [
    ("results", None, "json"),
    ("results", "*/*", "json"),
    ("results", "application/sparql-results+xml", "xml"),
    ("results", "application/sparql-results+json; charset=utf-8", "json"),
    ("results", "text/csv; charset=UTF-8", "csv"),
    ("results", "application/sparql-results+xml;q=0.5, text/tab-separated-values", "tsv"),
    ("results", "text/csv;q=0.2, application/sparql-results+xml;q=0.8, */*;q=0.1", "xml"),
    ("results", "application/sparql-results+xml, application/sparql-results+json", "xml"),
    ("results", "text/*", "csv"),
    ("results", "application/json", "json"),
    ("results", BROWSER_ACCEPT, "json"),  # not the application/xml browsers also list
    ("results", "image/png", "json"),  # nothing usable named: the default rather than a 406
    ("graph", None, "turtle"),
    ("graph", "*/*", "turtle"),
    ("graph", "application/ld+json", "jsonld"),
    ("graph", "application/rdf+xml;q=0.9, text/turtle;q=0.1", "rdfxml"),
    ("graph", "application/n-triples", "ntriples"),
    ("graph", "text/turtle, */*;q=0.1", "turtle"),
    ("graph", BROWSER_ACCEPT, "turtle"),
])
def test_choose_format_from_accept(kind: str, accept: str | None, expected: str) -> None:
    assert choose_format(kind, accept).name == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("kind,values,expected", [
    ("results", ["csv"], "csv"),
    ("results", ["tsv", "text/tab-separated-values"], "tsv"),  # what SPARQLWrapper sends
    ("results", ["application/sparql-results+xml"], "xml"),
    ("graph", ["json"], "jsonld"),
    ("graph", ["xml"], "rdfxml"),
    ("graph", ["rdf+xml", "application/rdf+xml"], "rdfxml"),
    ("graph", ["ntriples"], "ntriples"),
])
def test_format_parameter_overrides_accept(kind: str, values: list[str], expected: str) -> None:
    accept = "application/sparql-results+xml, text/turtle"
    assert choose_format(kind, accept, values).name == expected  # type: ignore[arg-type]


def test_unusable_format_requests_are_refused() -> None:
    with pytest.raises(NegotiationError) as unknown:
        choose_format("results", None, ["excel"])
    assert unknown.value.status == 400 and "json" in unknown.value.message
    with pytest.raises(NegotiationError) as wrong_kind:
        choose_format("graph", None, ["csv"])
    assert wrong_kind.value.status == 406 and "turtle" in wrong_kind.value.message
    with pytest.raises(NegotiationError) as refused:
        choose_format("results", "application/sparql-results+json;q=0, image/png")
    assert refused.value.status == 406


def test_prefers_html_only_for_browsers() -> None:
    assert prefers_html(BROWSER_ACCEPT)
    assert not prefers_html("*/*") and not prefers_html(None)
    assert not prefers_html("application/sparql-results+json,application/json")
    assert not prefers_html("text/html;q=0.1, application/sparql-results+json")
