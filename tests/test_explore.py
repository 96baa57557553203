"""Explore (search and browse every museum) through the Flask test client, over the demo museums harvested
into each engine: the URL is the state, the objects are the facet builder's, the counts are the facets'
own (counted over the other choices, bounded), results page in a stable order and come as the
exhibitions' gallery, map and timeline, the search goes through the text index (or says it cannot), what
museums wrote is escaped, and a curator turns a search into an exhibition draft."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from ontology.namespaces import sparql_prologue
from store.text_index import TextIndex
from tests.support.exhibition_dataset import MARKUP_MUSEUM, Dataset, client, data
from web.exhibitions.document import Section
from web.exhibitions.facets import FacetError, build
from web.exhibitions.queries import run_section
from web.explore import search as explore_search
from web.explore.state import ExploreState

pytestmark = pytest.mark.slow
__all__ = ["client", "data"]  # the module's fixtures (tests/support/exhibition_dataset.py)

SILK = "https://w3id.org/srom/concept/material/silk"
PASSWORD = "correct horse battery"


def csrf_of(client: FlaskClient, path: str = "/login") -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token in {path}"
    return match.group(1)


def state(**args: str | list[str]) -> ExploreState:
    return ExploreState.from_args(MultiDict(args))


def explore(client: FlaskClient, query: str = "") -> dict:
    response = client.get(f"/explore.json{query}")
    assert response.status_code == 200, response.data[:300]
    return response.get_json()


def every_object(data: Dataset) -> set[str]:
    rows = data.hub.store().query(sparql_prologue() + "SELECT DISTINCT ?o WHERE { ?o a crm:E22_Human-Made_Object }")
    return {r[0].value for r in rows.rows}  # type: ignore[union-attr]


def builder_objects(data: Dataset, facet_state: dict) -> list[str]:
    """What the facet builder's own section query selects for a state (the oracle Explore must agree with)."""
    built = build(facet_state)
    section = Section(id="s", title={}, text={}, query=built.query, parameters=built.parameters,
                      arguments=built.arguments, limit=2000)
    return run_section(data.hub.store(), section, timeout=30, text_index=data.hub.text_index())


# --- the URL is the state (no store) ----------------------------------------------------------------------
def test_a_state_and_its_url_are_one() -> None:
    st = state(q=" silk\x00road ", material=[SILK, SILK], place=["a:b c:d"], has_image="on", view="map",
               page="3", **{"from": "-206", "to": "+907"})
    assert st.q == "silk road" and st.terms == {"material": (SILK,), "place": ("a:b c:d",)}
    assert (st.year_from, st.year_to, st.view, st.page, st.has_image) == ("-206", "907", "map", 3, True)
    again = ExploreState.from_args(MultiDict(parse_qsl(st.query_string()[1:])))
    assert again == st  # the URL round-trips
    assert st.facet_state() == {"material": [SILK], "place": ["a:b c:d"], "has_image": True, "date_from": "-206",
                                "date_to": "907", "keyword": "silk road"}
    assert st.facet_state(without="material", keyword=False) == {"place": ["a:b c:d"], "has_image": True,
                                                                 "date_from": "-206", "date_to": "907"}


def test_links_toggle_one_choice_and_start_again_at_page_one() -> None:
    st = state(material=SILK, page="4")
    assert st.toggled("material", SILK).terms == {} and st.toggled("material", SILK).page == 1
    both = st.toggled("material", "https://w3id.org/srom/concept/material/glass")
    assert both.terms["material"] == (SILK, "https://w3id.org/srom/concept/material/glass")
    assert st.changed(page=5).page == 5 and st.changed(view="timeline").page == 1
    assert ("material", SILK) in st.hidden_fields() and ("page", "4") not in st.hidden_fields()
    assert state().query_string() == "" and not state().narrowed and state(to="9").narrowed


@pytest.mark.parametrize("args", [{"from": "the Tang"}, {"to": "9" * 9}, {"museum": [f"m{i}" for i in range(30)]}])
def test_values_no_page_offers_are_refused(args: dict) -> None:
    with pytest.raises(FacetError):
        state(**args)


@pytest.mark.parametrize("junk", ["-3", "x", "²", "1e9", ""])
def test_a_page_that_is_no_page_is_the_first(junk: str) -> None:
    assert state(page=junk).page == 1
    assert state(view="carousel", order="random").view == "gallery"


def test_order_is_relevance_only_for_a_search() -> None:
    assert state().effective_order == "date" and state(q="silk").effective_order == "relevance"
    assert state(order="relevance").effective_order == "date" and state(q="x", order="title").effective_order == "title"


# --- over each engine -------------------------------------------------------------------------------------
def test_the_landing_page_counts_every_object_of_every_museum(client: FlaskClient, data: Dataset) -> None:
    found = explore(client)
    everything = every_object(data)
    assert found["total"] == len(everything) and not found["total_capped"]
    museums = found["facets"]["museum"]
    assert len(museums) == len(data.museums) and sum(m["count"] for m in museums) == len(everything)
    assert {m["label"] for m in museums} >= {'Museum <i>of</i> "Markup"'}
    assert all(found["facets"][f] for f in ("material", "type", "place", "period"))
    assert len(found["objects"]) == 48 and found["page_size"] == 48


def test_a_facet_click_gives_the_facet_builders_objects(client: FlaskClient, data: Dataset) -> None:
    found = explore(client, f"?material={SILK}&view=timeline")
    expected = builder_objects(data, {"material": [SILK]})
    assert found["total"] == len(expected) > 10
    assert [o["iri"] for o in found["objects"]] == expected[:200]  # by date, then IRI: the builder's order
    silk = [o for o in found["facets"]["material"] if o["selected"]]  # the option of silk's terms
    assert [o["label"] for o in silk] == ["silk"] and SILK in silk[0]["value"].split()
    assert silk[0]["count"] == found["total"]
    # a material's counts are over the other choices: glass stays on offer next to the chosen silk
    assert any(o["label"] == "glass" and o["count"] > 0 for o in found["facets"]["material"])
    # other facets count within silk
    assert sum(m["count"] for m in found["facets"]["museum"]) == found["total"]


def test_facets_combine_and_has_image_is_counted(client: FlaskClient, data: Dataset) -> None:
    base = explore(client, f"?material={SILK}")
    with_image = explore(client, f"?material={SILK}&has_image=1")
    assert with_image["total"] == base["has_image"] == len(builder_objects(data, {"material": [SILK],
                                                                                  "has_image": True}))
    assert all(o["image"] for o in with_image["objects"])
    place = base["facets"]["place"][0]
    both = explore(client, f"?material={SILK}&place={place['value']}")
    # (the builder's own query for both at once trips Virtuoso 7.2's compiler, "no SPART_VARR_FIXED", over its
    # two-column VALUES row; Explore writes one VALUES block per value: the oracle here is the intersection)
    expected = set(builder_objects(data, {"material": [SILK]})) & set(
        builder_objects(data, {"place": place["value"].split()}))
    assert both["total"] == place["count"] == len(expected)


def test_pages_are_disjoint_and_stable(client: FlaskClient, data: Dataset) -> None:
    first, second = explore(client, "?page=1"), explore(client, "?page=2")
    one, two = [o["iri"] for o in first["objects"]], [o["iri"] for o in second["objects"]]
    assert len(two) == 48 and not set(one) & set(two)
    assert one + two == builder_objects(data, {})[:96]
    beyond = explore(client, "?page=999")
    assert beyond["objects"] == [] and beyond["total"] == first["total"]


def test_searches_in_any_script_find_the_same_silk(client: FlaskClient, data: Dataset) -> None:
    simplified, traditional = explore(client, "?q=丝绸"), explore(client, "?q=絲綢")
    assert simplified["indexed"] and simplified["order"] == "relevance"
    assert simplified["total"] == traditional["total"] > 5
    museums = {o["museum"] for o in simplified["objects"]}
    assert data.hub.minter.museum("koeln-glass") in museums  # titled in German and English only
    narrowed = explore(client, "?q=丝绸&museum=" + data.hub.minter.museum("koeln-glass"))
    assert 0 < narrowed["total"] < simplified["total"]
    assert {o["museum"] for o in narrowed["objects"]} == {data.hub.minter.museum("koeln-glass")}
    assert explore(client, "?q=zzzqqqxx")["total"] == 0


def test_without_a_text_index_the_search_falls_back_and_says_so(client: FlaskClient, data: Dataset,
                                                                tmp_path: Path) -> None:
    kept = data.hub._text_index
    data.hub._text_index = TextIndex(tmp_path / "no-index")
    data.hub.exhibitions.cache.clear()
    try:
        found = explore(client, "?q=samite")
        assert not found["indexed"] and found["total"] > 0
        contained = {o["iri"] for o in found["objects"]}  # CONTAINS over titles and descriptions only
        page = client.get("/explore?q=samite").get_data(as_text=True)
        assert "srom index rebuild" in page and 'class="notice no-index"' in page
    finally:
        data.hub._text_index = kept
        data.hub.exhibitions.cache.clear()
    indexed = explore(client, "?q=samite")
    assert indexed["indexed"] and contained <= {o["iri"] for o in indexed["objects"]}
    assert "no-index" not in client.get("/explore?q=samite").get_data(as_text=True)


def test_counts_stop_at_the_bound(client: FlaskClient, data: Dataset, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(explore_search, "COUNT_BOUND", 10)
    data.hub.exhibitions.cache.clear()
    try:
        found = explore(client, "?has_image=1")
        assert found["total"] == 10 and found["total_capped"]
        assert all(o["count"] <= 10 for values in found["facets"].values() for o in values)
        assert "More than 10 objects" in client.get("/explore?has_image=1").get_data(as_text=True)
    finally:
        data.hub.exhibitions.cache.clear()


def test_the_views_are_the_exhibitions_layouts(client: FlaskClient) -> None:
    page = client.get(f"/explore?material={SILK}&view=map").get_data(as_text=True)
    assert 'id="map-explore"' in page and "js/srom-map.js" in page
    features = json.loads(re.search(r'data-for="map-explore">(.*?)</script>', page, re.S).group(1))["features"]
    assert features and all(f["properties"]["href"].startswith("/id/object/") for f in features)
    timeline = client.get(f"/explore?material={SILK}&view=timeline").get_data(as_text=True)
    assert 'id="timeline-explore"' in timeline and "js/srom-timeline.js" in timeline
    gallery = client.get(f"/explore?material={SILK}").get_data(as_text=True)
    assert '<ul class="gallery">' in gallery and "srom-map.js" not in gallery
    # every link of the page is a state of the page: the view links keep the facet
    links = re.findall(r'<a href="(/explore\?[^"]*)" data-view="(\w+)"', gallery)
    assert {v for _, v in links} == {"gallery", "map", "timeline"}
    for href, _ in links:
        assert ("material", SILK) in parse_qsl(urlsplit(href.replace("&amp;", "&")).query)


def test_what_museums_wrote_is_escaped(client: FlaskClient, data: Dataset) -> None:
    page = client.get("/explore?museum=" + data.hub.minter.museum(MARKUP_MUSEUM)).get_data(as_text=True)
    assert "<script>alert" not in page and "<i>of</i>" not in page
    assert "Museum &lt;i&gt;of&lt;/i&gt; &#34;Markup&#34;" in page and "&lt;script&gt;" in page
    hostile = client.get('/explore?q=</script><script>alert(1)</script>"&view=map')
    assert hostile.status_code == 200 and "<script>alert(1)" not in hostile.get_data(as_text=True)


def test_chinese_page(client: FlaskClient) -> None:
    page = client.get("/explore?lang=zh").get_data(as_text=True)
    assert "探索馆藏" in page and "材质" in page and "有图片" in page


def test_a_curator_starts_an_exhibition_from_a_search(client: FlaskClient, data: Dataset) -> None:
    query = f"?q=samite&material={SILK}&view=map"
    fresh = client.application.test_client()
    form = {"q": "samite", "material": SILK, "view": "map", "title": "Samite everywhere",
            "csrf_token": csrf_of(fresh)}
    refused = fresh.post("/explore/exhibition", data=form)
    assert refused.status_code in (302, 401) and not data.repo.exists("samite-everywhere")  # visitors cannot
    if data.hub.accounts.authenticate("explorer", PASSWORD) is None:
        data.hub.accounts.create("explorer", PASSWORD, "curator")
    fresh.post("/login", data={"username": "explorer", "password": PASSWORD, "csrf_token": csrf_of(fresh)})
    page = fresh.get(f"/explore{query}").get_data(as_text=True)
    assert "Start an exhibition from this search" in page
    form["csrf_token"] = csrf_of(fresh, f"/explore{query}")
    created = fresh.post("/explore/exhibition", data=form)
    assert created.status_code == 302 and created.headers["Location"].endswith("/curate/samite-everywhere/edit")
    doc = data.repo.get("samite-everywhere")
    assert doc is not None and data.repo.published("samite-everywhere") is None  # a private draft
    section = doc.sections[0]
    assert section.layout == "map" and section.facets["material"] == [SILK] and section.facets["keyword"] == "samite"
    shown = run_section(data.hub.store(), section, timeout=30, text_index=data.hub.text_index())
    assert sorted(shown) == sorted(o["iri"] for o in explore(fresh, query)["objects"])
    again = fresh.post("/explore/exhibition", data=form)  # the same title again: a new address
    assert again.headers["Location"].endswith("/curate/samite-everywhere-2/edit")
    form["csrf_token"] = "forged"
    assert fresh.post("/explore/exhibition", data=form).status_code in (400, 403)
