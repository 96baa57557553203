"""Typed parameters: every value is validated against its type and bound as one RDF term through the
store's substitutions, so quotes, braces, SPARQL keywords and newlines are data and never executed."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from store.embedded import EmbeddedStore
from web.exhibitions.document import Parameter, Section
from web.exhibitions.parameters import XSD, ParameterError, bind, choices, to_term
from web.exhibitions.queries import run_section

EX = "https://example.org/"
HOSTILE = [
    '" } ; DROP ALL ; { "',
    "} ; DROP ALL ; {",
    "'); DELETE WHERE { ?s ?p ?o } #",
    'a "quoted" \\ value',
    "SELECT * WHERE { ?s ?p ?o }",
    "line one\nline two\r\n} INSERT DATA { <x:a> <x:b> <x:c> }",
    "UNION { ?object ?p ?o }",
    "${object}",
]


@pytest.fixture
def store() -> Iterator[EmbeddedStore]:
    s = EmbeddedStore(None, "https://hub.example.org/graph/provenance")
    turtle = "\n".join(
        f'<{EX}o{i}> a <http://www.cidoc-crm.org/cidoc-crm/E22_Human-Made_Object> ;'
        f' <http://www.w3.org/2000/01/rdf-schema#label> {ox.Literal(title)} .'
        for i, title in enumerate(["plain title", *HOSTILE])
    )
    s.update(f"INSERT DATA {{ GRAPH <{EX}g> {{ {turtle} }} }}")
    try:
        yield s
    finally:
        s.close()


def by_title(parameter_type: str = "literal") -> Section:
    return Section(
        id="s", title={}, text={},
        query="SELECT ?object WHERE { ?object rdfs:label ?title . FILTER(STR(?title) = ?wanted) }",
        parameters=[Parameter(name="wanted", type=parameter_type, label={"en": "Title"})],
    )


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_are_bound_as_literals_and_never_executed(store: EmbeddedStore, value: str) -> None:
    before = store.count_quads()
    section = by_title()
    section.arguments = {"wanted": value}
    found = run_section(store, section, timeout=10)
    assert len(found) == 1  # exactly the object whose title is that text, nothing more
    assert store.count_quads() == before  # nothing dropped, deleted or inserted
    assert bind(section.parameters, {"wanted": value}) == {"wanted": ox.Literal(value)}


def test_a_value_matching_nothing_finds_nothing(store: EmbeddedStore) -> None:
    section = by_title()
    section.arguments = {"wanted": "no such title"}
    assert run_section(store, section, timeout=10) == []


def test_an_iri_parameter_is_bound_as_a_named_node(store: EmbeddedStore) -> None:
    section = Section(id="s", title={}, text={}, query="SELECT ?object WHERE { ?object a ?class }",
                      parameters=[Parameter(name="class", type="iri")],
                      arguments={"class": "http://www.cidoc-crm.org/cidoc-crm/E22_Human-Made_Object"})
    assert len(run_section(store, section, timeout=10)) == len(HOSTILE) + 1


@pytest.mark.parametrize("kind, value, term", [
    ("iri", " https://example.org/a ", ox.NamedNode("https://example.org/a")),
    ("iri", "urn:x-museum:42", ox.NamedNode("urn:x-museum:42")),
    ("literal", "  keeps spaces ", ox.Literal("  keeps spaces ")),
    ("language", "zh-Hant", ox.Literal("zh-hant")),
    ("date", "618", ox.Literal("0618-01-01T00:00:00", datatype=ox.NamedNode(XSD + "dateTime"))),
    ("date", "-206", ox.Literal("-0206-01-01T00:00:00", datatype=ox.NamedNode(XSD + "dateTime"))),
    ("date", "0907-06-01", ox.Literal("0907-06-01T00:00:00", datatype=ox.NamedNode(XSD + "dateTime"))),
    ("number", "42", ox.Literal("42", datatype=ox.NamedNode(XSD + "integer"))),
    ("number", "-12.5", ox.Literal("-12.5", datatype=ox.NamedNode(XSD + "decimal"))),
])
def test_values_convert_to_typed_terms(kind: str, value: str, term: object) -> None:
    assert to_term(Parameter(name="p", type=kind), value) == term


@pytest.mark.parametrize("kind, value, reason", [
    ("iri", "not an iri", "not an absolute IRI"),
    ("iri", "https://example.org/a> } ; DROP ALL ; { <x:y", "not an absolute IRI"),
    ("iri", "relative/path", "not an absolute IRI"),
    ("language", "english language", "not a language tag"),
    ("language", 'en" } DROP ALL', "not a language tag"),
    ("date", "Tang dynasty", "not a date"),
    ("date", "2024-13-01", "not a valid date"),
    ("date", "2024-01-01T25:00:00", "not a valid date"),
    ("number", "12 OR 1=1", "not a number"),
    ("number", "NaN", "not a number"),
    ("number", "1e400", "not a number"),
    ("literal", "x" * 5000, "longer than"),
])
def test_bad_values_give_clear_errors_naming_the_parameter(kind: str, value: str, reason: str) -> None:
    with pytest.raises(ParameterError, match=reason) as info:
        to_term(Parameter(name="when", type=kind), value)
    assert "'when'" in str(info.value) and kind in str(info.value)


def test_bind_needs_every_value_refuses_unknown_names_and_uses_defaults() -> None:
    params = [Parameter(name="a", type="number", default="3"), Parameter(name="b", type="literal")]
    with pytest.raises(ParameterError, match="'b'.*needs a value"):
        bind(params, {})
    with pytest.raises(ParameterError, match="no parameter named 'c'"):
        bind(params, {"b": "x", "c": "y"})
    assert bind(params, {"b": ""}) == {"a": ox.Literal("3", datatype=ox.NamedNode(XSD + "integer")),
                                        "b": ox.Literal("")}
    with pytest.raises(ParameterError, match="variable name"):
        bind([Parameter(name="a b", type="literal")], {"a b": "x"})
    with pytest.raises(ParameterError, match="unknown type"):
        bind([Parameter(name="a", type="sql")], {"a": "x"})


def test_run_section_raises_value_error_on_a_bad_argument(store: EmbeddedStore) -> None:
    section = by_title("number")
    section.arguments = {"wanted": "} ; DROP ALL ; {"}
    with pytest.raises(ValueError, match="not a number"):
        run_section(store, section, timeout=10)


def test_a_choice_must_be_one_of_the_values_its_query_returns(store: EmbeddedStore) -> None:
    choice = Parameter(name="obj", type="choice", label={"en": "Object"},
                       choices_query="SELECT ?value ?label WHERE { ?value rdfs:label ?label }")
    options = choices(store, choice)
    assert len(options) == len(HOSTILE) + 1
    hostile = next(o for o in options if o["label"] == "} ; DROP ALL ; {")
    assert to_term(choice, hostile["value"], store) == ox.NamedNode(hostile["value"])
    with pytest.raises(ParameterError, match="not one of the choices"):
        to_term(choice, f"{EX}elsewhere", store)
    with pytest.raises(ParameterError, match="needs the store"):
        to_term(choice, hostile["value"])
    federated = Parameter(name="obj", type="choice",
                          choices_query="SELECT ?value WHERE { SERVICE <http://127.0.0.1:9/> { ?value ?p ?o } }")
    with pytest.raises(ParameterError, match="SERVICE"):
        choices(store, federated)
    section = Section(id="s", title={}, text={},
                      query="SELECT ?object WHERE { ?object rdfs:label ?l . FILTER(?object = ?obj) }",
                      parameters=[choice], arguments={"obj": hostile["value"]})
    assert run_section(store, section, timeout=10) == [hostile["value"]]
