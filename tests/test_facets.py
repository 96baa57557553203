"""The facet builder: each facet's SPARQL runs over a small harvested store and selects the right objects;
values travel as parameters (never in the text), and the query stays readable and editable."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from store.base import Store
from store.embedded import EmbeddedStore
from tests.support.engines import ENGINES, engine_store
from tests.support.exhibition_fixtures import MINTER, harvested_store, iri
from web.exhibitions.document import Section
from web.exhibitions.facets import FacetError, build, options
from web.exhibitions.queries import check_query, run_section


@pytest.fixture(scope="module", params=ENGINES)
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The facet builder's queries run on every engine: Virtuoso's compiler refuses shapes Oxigraph takes."""
    with harvested_store(tmp_path_factory.mktemp("facets"), engine_store(request, MINTER.provenance_graph())) as s:
        yield s


def objects(store: Store, state: dict) -> list[str]:
    built = build(state)
    assert check_query(built.query, built.parameters)["ok"], built.query
    section = Section(id="s", title={}, text={}, query=built.query, parameters=built.parameters,
                      arguments=built.arguments)
    return run_section(store, section, timeout=10)


def keys(iris: list[str]) -> set[str]:
    return {i.rsplit(":", 1)[-1] for i in iris}


def option(store: Store, facet: str, label: str) -> str:
    return next(o["value"] for o in options(store, facet) if o["label"] == label)


def test_no_facet_selects_every_object(store: Store) -> None:
    assert keys(objects(store, {})) == {"E1", "E2", "E3", "E4", "E5", "W1", "W2", "W3"}


def test_museum_facet(store: Store) -> None:
    assert keys(objects(store, {"museum": [MINTER.museum("west")]})) == {"W1", "W2", "W3"}
    assert keys(objects(store, {"museum": [MINTER.museum("west"), MINTER.museum("east")]})) == {
        "E1", "E2", "E3", "E4", "E5", "W1", "W2", "W3"}


def test_material_option_groups_the_museums_silk_into_one(store: Store) -> None:
    silk = next(o for o in options(store, "material") if o["label"] == "silk")
    assert silk["count"] == 3  # east's and west's "silk" (their own terms, or the shared concept) counted once
    assert keys(objects(store, {"material": [silk["value"]]})) == {"E1", "E4", "W3"}


def test_type_and_place_facets_combine_with_and(store: Store) -> None:
    assert keys(objects(store, {"type": [option(store, "type", "coin")]})) == {"E2", "W2"}
    assert keys(objects(store, {"place": [option(store, "place", "Samarkand")]})) == {"E1", "W3"}
    both = {"type": [option(store, "type", "textile")], "place": [option(store, "place", "Samarkand")]}
    assert keys(objects(store, both)) == {"E1", "W3"}
    several = {"place": [option(store, "place", "Dunhuang"), option(store, "place", "Ctesiphon")]}
    assert keys(objects(store, several)) == {"E4", "W1"}


def test_period_name_facet_matches_the_time_span_name(store: Store) -> None:
    assert keys(objects(store, {"period_name": "tang"})) == {"E1", "E2", "E4"}


def test_period_facet_uses_the_reconciled_periods_and_their_sub_periods(store: Store) -> None:
    periods = {o["label"]: o for o in options(store, "period")}
    tang = next(o for label, o in periods.items() if label.startswith("Tang"))
    assert tang["count"] == 3 and keys(objects(store, {"period": [tang["value"]]})) == {"E1", "E2", "E4"}
    han = "https://w3id.org/srom/concept/period/han"  # Western Han (E3) is within Han (skos:broader)
    assert keys(objects(store, {"period": [han]})) == {"E3"}


def test_date_range_selects_overlapping_spans_including_bce(store: Store) -> None:
    assert keys(objects(store, {"date_from": "601", "date_to": "700"})) == {"E1", "E2", "W3"}
    assert keys(objects(store, {"date_from": "600", "date_to": "600"})) == {"W1"}  # years are inclusive
    assert keys(objects(store, {"date_to": "-100"})) == {"E3"}  # 206 BCE – 8 CE
    assert keys(objects(store, {"date_from": "850"})) == {"E2", "E4", "E5"}


def test_keyword_facet_searches_titles_and_descriptions(store: Store) -> None:
    assert keys(objects(store, {"keyword": "RAMS"})) == {"E1", "W3"}  # a title and a description
    assert keys(objects(store, {"keyword": "tlv"})) == {"E3"}


def test_keyword_with_sparql_syntax_is_a_value(store: Store) -> None:
    built = build({"keyword": "} ; DROP ALL ; {"})
    assert "DROP" not in built.query and built.arguments["keyword"] == "} ; DROP ALL ; {"
    assert keys(objects(store, {"keyword": "} ; DROP ALL ; {"})) == {"E4"}
    assert store.count_quads() > 0


def test_has_image_facet(store: Store) -> None:
    assert keys(objects(store, {"has_image": True})) == {"E1", "E3", "W1", "W2"}
    assert keys(objects(store, {"has_image": "on", "material": [option(store, "material", "bronze")]})) == {"E3"}


def test_order_by_date_is_the_default_and_title_is_offered(store: Store) -> None:
    by_date = objects(store, {"museum": [MINTER.museum("east")]})
    assert by_date == [iri("E3"), iri("E1"), iri("E2"), iri("E4"), iri("E5")]
    by_title = objects(store, {"museum": [MINTER.museum("east")], "order": "title"})
    assert by_title == [iri("E5"), iri("E3"), iri("E2"), iri("E4"), iri("E1")]  # "<b>wool..." sorts first


def test_the_query_is_readable_and_carries_no_values(store: Store) -> None:
    built = build({"material": ["https://hub.example.org/id/term/east/material/silk"], "period_name": "Tang",
                   "keyword": "rams", "has_image": True})
    assert "# material" in built.query and "# has an image" in built.query
    assert "?material_1" in built.query and "?period_name" in built.query and "?keyword" in built.query
    for value in built.arguments.values():
        assert value not in built.query
    assert {p.name: p.type for p in built.parameters} == {"material_1": "iri", "period_name": "literal",
                                                          "keyword": "search"}
    assert built.facets["has_image"] is True


@pytest.mark.parametrize("state, message", [
    ({"museum": ["not an iri"]}, "museum_1"),
    ({"date_from": "the Tang"}, "date_from"),
    ({"order": "random"}, "order"),
])
def test_bad_facet_values_are_refused_with_the_facet_named(state: dict, message: str) -> None:
    with pytest.raises(FacetError, match=message):
        build(state)


def test_options_show_labels_and_counts(store: Store) -> None:
    museums = options(store, "museum")
    assert {o["value"] for o in museums} == {MINTER.museum("east"), MINTER.museum("west")}
    assert [o["count"] for o in museums] == [5, 3]
    with pytest.raises(FacetError):
        options(store, "keyword")


def test_empty_store_gives_no_objects_and_no_options(tmp_path: Path) -> None:
    empty = EmbeddedStore(None, MINTER.provenance_graph())
    try:
        assert objects(empty, {"keyword": "silk"}) == []
        assert options(empty, "material") == []
    finally:
        empty.close()
