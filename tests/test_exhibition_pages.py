"""Visitor pages of exhibitions, through the Flask test client over a real harvested store.

Drafts stay private on every URL; permalinks per revision; the JSON envelope; the views offered only
when the results fit them; every page escapes what museums and curators wrote; the cache serves the
same content until the results change.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.support.exhibition_dataset import MARKUP_TITLE, Dataset, client, data
from web.exhibitions.document import ExhibitionDoc, Section
from web.exhibitions.layouts import available, choose, comparable, has_points, has_spans
from web.objects.cards import Card, fetch_cards, parse_wkt_point

pytestmark = pytest.mark.slow
__all__ = ["client", "data"]  # the module's fixtures (tests/support/exhibition_dataset.py)



PUBLIC_FORMS = ["", ".json", ".jsonld", ".ttl", "/manifest.json", "/embed", "/print", "/r/1", "/r/1.json"]


@pytest.mark.parametrize("suffix", PUBLIC_FORMS)
def test_a_draft_is_not_found_on_any_url(client: FlaskClient, suffix: str) -> None:
    assert client.get(f"/exhibitions/secret-draft{suffix}").status_code == 404
    assert client.get(f"/exhibitions/silk-road-tour{suffix}").status_code == 200


def test_a_draft_is_not_listed_nor_found_by_search(client: FlaskClient) -> None:
    listing = client.get("/exhibitions.json").get_json()
    slugs = {e["slug"] for e in listing["exhibitions"]}
    assert {"silk-road-tour", "markup", "live-glass"} <= slugs
    assert "secret-draft" not in slugs
    assert client.get("/exhibitions.json?q=secret").get_json()["count"] == 0
    assert b"Secret draft" not in client.get("/exhibitions/?q=draft").data


def test_listing_search_matches_titles_in_any_language(client: FlaskClient) -> None:
    found = client.get("/exhibitions.json", query_string={"q": "丝绸之路"}).get_json()
    assert [e["slug"] for e in found["exhibitions"]] == ["silk-road-tour"]
    html = client.get("/exhibitions/", query_string={"q": "glass"}).get_data(as_text=True)
    assert 'data-slug="live-glass"' in html and 'data-slug="silk-road-tour"' not in html
    assert client.get("/exhibitions.json?q=nothing-like-this").get_json() == {
        "ok": True, "exhibitions": [], "count": 0, "q": "nothing-like-this"}


def test_revision_permalinks(data: Dataset, client: FlaskClient) -> None:
    doc = data.repo.get("live-glass")
    assert doc is not None
    doc.title = {"en": "Glass, second version"}
    second = data.repo.save(doc, "curator")
    # A saved but unpublished revision is the curator's work in progress: private.
    assert client.get(f"/exhibitions/live-glass/r/{second}").status_code == 404
    assert b"second version" not in client.get("/exhibitions/live-glass").data
    data.repo.publish("live-glass", second)
    try:
        assert b"second version" in client.get("/exhibitions/live-glass").data
        old = client.get("/exhibitions/live-glass/r/1").get_data(as_text=True)
        assert "Glass, live" in old and 'class="notice earlier"' in old
        assert client.get("/exhibitions/live-glass/r/1.json").get_json()["exhibition"]["revision"] == 1
        assert client.get("/exhibitions/live-glass/r/0").status_code == 404
    finally:
        data.repo.publish("live-glass", 1)


def test_json_is_the_project_envelope(data: Dataset, client: FlaskClient) -> None:
    body = client.get("/exhibitions/silk-road-tour.json").get_json()
    assert body["ok"] is True
    ex = body["exhibition"]
    assert ex["iri"] == data.hub.minter.exhibition("silk-road-tour")
    assert [s["id"] for s in ex["sections"]] == ["silk", "where", "when", "compare", "story"]
    where = ex["sections"][1]["objects"]
    assert where and all(o["lat"] is not None and o["lon"] is not None for o in where)
    assert all(o["href"].startswith("/id/object/") for o in where)
    missing = client.get("/exhibitions/nope.json")
    assert missing.status_code == 404
    assert missing.get_json() == {"ok": False, "error": "no published exhibition 'nope'", "status": 404}


def test_each_section_is_shown_in_its_view(client: FlaskClient) -> None:
    html = client.get("/exhibitions/silk-road-tour").get_data(as_text=True)
    views = dict(re.findall(r'data-section="([a-z-]+)" data-view="([a-z]+)"', html))
    assert views == {"silk": "gallery", "where": "map", "when": "timeline", "compare": "compare", "story": "story"}
    assert "leaflet-1.9.4/leaflet.js" in html and "vis-timeline-8.5.4/vis-timeline-graph2d.min.js" in html
    # The story alternates the curator's paragraphs with the objects.
    story = html.split('id="s-story"')[1].split("</section>")[0]
    assert story.count('class="story-text"') == 3 and story.count('class="story-object"') == 3
    # A visitor may switch a section to another view that fits it.
    switched = client.get("/exhibitions/silk-road-tour?view.silk=map").get_data(as_text=True)
    assert 'data-section="silk" data-view="map"' in switched
    # ... but not to one that does not: compare needs 2-4 objects from different museums.
    refused = client.get("/exhibitions/silk-road-tour?view.silk=compare").get_data(as_text=True)
    assert 'data-section="silk" data-view="gallery"' in refused


def test_views_are_offered_only_when_the_results_fit() -> None:
    plain = [Card(iri=f"urn:x:{i}", title=str(i), museum="urn:m:a") for i in range(3)]
    assert [v.name for v in available(plain)] == ["gallery", "story"]
    placed = [Card(iri="urn:x:p", title="p", lat=39.65, lon=66.97, museum="urn:m:a")]
    dated = [Card(iri="urn:x:d", title="d", begin_year=-206, end_year=220, museum="urn:m:b")]
    assert has_points(placed) and not has_points(plain)
    assert has_spans(dated) and not has_spans(placed)
    assert comparable(placed + dated) and not comparable(plain) and not comparable(placed)
    assert not comparable(placed + dated + plain + plain)  # more than four
    assert choose("map", plain).name == "gallery" and choose("map", placed).name == "map"
    assert choose("no-such-view", placed).name == "gallery"


def test_cards_carry_coordinates_and_licence(data: Dataset) -> None:
    iri = data.object_of("markup-museum", "oai:markup:2")
    (card,) = fetch_cards(data.hub.store(), [iri, "http://example.org/unknown"], "en")
    assert (card.lat, card.lon) == (39.65, 66.97)
    assert card.licence == "CC BY 4.0" and card.museum_name == 'Museum <i>of</i> "Markup"'
    assert (card.begin_year, card.end_year) == (701, 800)
    assert parse_wkt_point("<http://www.opengis.net/def/crs/OGC/1.3/CRS84> POINT(66.97 39.65)") == (39.65, 66.97)
    assert parse_wkt_point("POINT(200 100)") is None and parse_wkt_point("LINESTRING(1 2, 3 4)") is None


MARKUP_PAGES = ["/exhibitions/markup", "/exhibitions/markup/embed", "/exhibitions/markup/print",
                "/exhibitions/markup/r/1", "/exhibitions/", "/exhibitions/?q=quotes"]


@pytest.mark.parametrize("url", MARKUP_PAGES)
def test_markup_written_by_museums_and_curators_is_escaped(client: FlaskClient, url: str) -> None:
    html = client.get(url).get_data(as_text=True)
    assert "<script>alert" not in html and "<b>Silk" not in html and "<i>of</i>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;Silk &amp; &#34;quotes&#34;&lt;/b&gt;" in html


def test_markup_in_object_pages_and_view_data_is_escaped(data: Dataset, client: FlaskClient) -> None:
    path = data.hub.minter.object_path(data.object_of("markup-museum", "oai:markup:1"))
    html = client.get(path).get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    page = client.get("/exhibitions/markup").get_data(as_text=True)
    # the map's and the timeline's JSON: `<` is written \u003c, so no markup can end the <script> element
    blocks = re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', page, re.S)
    assert len(blocks) == 2 and all("<" not in b for b in blocks) and all("\\u003cscript" in b for b in blocks)
    # curator HTML is sanitised: no event handler, no script
    assert "onclick" not in page and "alert(1)" not in page and "alert(2)" not in page and "<p>Intro" in page


def test_open_graph_and_twitter_cards(client: FlaskClient) -> None:
    html = client.get("/exhibitions/silk-road-tour").get_data(as_text=True)
    assert '<meta property="og:title" content="Along the Silk Road">' in html
    assert '<meta property="og:description" content="Objects from four museums">' in html
    assert re.search(r'<meta property="og:image" content="http://127\.0\.0\.1:\d+/[^"]+">', html)
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert 'property="og:url" content="http://localhost/exhibitions/silk-road-tour"' in html


def test_embed_page_and_snippet(client: FlaskClient) -> None:
    page = client.get("/exhibitions/silk-road-tour").get_data(as_text=True)
    snippet = re.search(r'<textarea id="embed-code"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert "&lt;iframe src=&#34;http://localhost/exhibitions/silk-road-tour/embed&#34;" in snippet
    embed = client.get("/exhibitions/silk-road-tour/embed")
    assert embed.headers["Content-Security-Policy"] == "frame-ancestors *"
    html = embed.get_data(as_text=True)
    assert 'class="exhibition-embed theme-lapis"' in html and '<header class="site">' not in html
    assert 'target="_blank"' in html


def test_print_catalogue_numbers_every_object(client: FlaskClient) -> None:
    html = client.get("/exhibitions/silk-road-tour/print").get_data(as_text=True)
    numbers = [int(n) for n in re.findall(r'<span class="cat-no">(\d+)\.</span>', html)]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) > 20
    assert "leaflet" not in html and "print.css" in html


def test_themes_and_languages(client: FlaskClient) -> None:
    zh = client.get("/exhibitions/silk-road-tour?lang=zh").get_data(as_text=True)
    assert 'class="exhibition-page theme-lapis"' in zh and "themes/lapis.css" in zh
    assert "<h1>丝绸之路行</h1>" in zh and "件藏品" in zh and ">地图<" in zh
    # the language switch keeps the rest of the query string
    switched = client.get("/exhibitions/silk-road-tour?layout.silk=map&lang=en").get_data(as_text=True)
    assert 'href="/exhibitions/silk-road-tour?layout.silk=map&amp;lang=zh"' in switched
    en = client.get("/exhibitions/markup?lang=en").get_data(as_text=True)
    assert "themes/paper.css" in en


def test_live_exhibition_follows_the_store_after_its_cache(data: Dataset, client: FlaskClient) -> None:
    doc = ExhibitionDoc(slug="live-now", title={"en": "Live now"}, mode="live", cache_seconds=0,
                        sections=[Section(id="s", title={}, text={}, query="""SELECT ?object WHERE {
                            ?object crm:P50_has_current_keeper/srom:museumId "markup-museum" } ORDER BY ?object""")])
    data.repo.create(doc, "curator")
    data.repo.publish("live-now", 1)
    first = client.get("/exhibitions/live-now.json").get_json()["count"]
    assert first == 3
    pinned = client.get("/exhibitions/markup.json").get_json()["exhibition"]["sections"][0]["members"]
    graph = data.hub.minter.record_graph("markup-museum", "oai:markup:2")
    store = data.hub.store()
    triples = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    provenance = store.query(f"CONSTRUCT {{ <{graph}> ?p ?o }} WHERE {{ GRAPH <{store.provenance_graph}> "
                             f"{{ <{graph}> ?p ?o }} }}")
    data.hub.store().drop_graphs([graph])
    try:
        assert client.get("/exhibitions/live-now.json").get_json()["count"] == 2  # live: no cache
        # pinned: the snapshot's members do not change; a deleted object has no card to show
        after = client.get("/exhibitions/markup.json").get_json()["exhibition"]["sections"][0]
        assert after["members"] == pinned and after["count"] == len(pinned) - 1
    finally:
        from store.base import RecordGraph

        def text(result) -> str:
            return "".join(f"{t.subject} {t.predicate} {t.object} .\n" for t in result.triples)

        store.replace_graphs([RecordGraph(graph, text(triples), text(provenance))])


def test_visitor_arguments_are_bound_as_terms(data: Dataset, client: FlaskClient) -> None:
    doc = ExhibitionDoc(slug="by-title", title={"en": "By title"}, mode="live", sections=[Section(
        id="s", title={}, text={}, layout="gallery",
        query='SELECT ?object WHERE { ?object rdfs:label ?t . FILTER(CONTAINS(LCASE(STR(?t)), LCASE(?word))) }',
        parameters=[{"name": "word", "type": "literal", "default": "plain silk fragment"}])])
    data.repo.create(doc, "curator")
    data.repo.publish("by-title", 1)
    assert client.get("/exhibitions/by-title.json").get_json()["count"] == 1
    hostile = '") } DROP ALL ; SELECT * { ("'
    response = client.get("/exhibitions/by-title.json", query_string={"s.word": hostile})
    assert response.status_code == 200 and response.get_json()["count"] == 0
    assert client.get("/exhibitions/markup.json").get_json()["count"] == 3  # nothing was dropped
    assert client.get("/exhibitions/by-title.json", query_string={"s.nope": "x"}).status_code == 200


def test_object_page_deep_zoom_licence_and_other_museums(data: Dataset, client: FlaskClient) -> None:
    html = client.get(data.hub.minter.object_path(data.object_of("markup-museum", "oai:markup:2"))).get_data(
        as_text=True)
    assert 'class="licence">CC BY 4.0<' in html
    assert "In other museums" in html and 'data-facet="material"' in html and 'data-facet="place"' in html
    related = re.findall(r'<li class="card" data-object="([^"]+)"', html.split('class="related"')[1])
    assert related and not any("/markup-museum/" in r for r in related)
    demo = data.hub.store().query(
        "SELECT ?o WHERE { ?o <http://www.cidoc-crm.org/cidoc-crm/P65_shows_visual_item> ?v } LIMIT 1").dicts()
    page = client.get(data.hub.minter.object_path(demo[0]["o"].value)).get_data(as_text=True)
    assert 'class="srom-deepzoom"' in page and "openseadragon-6.1.1/openseadragon.min.js" in page


def test_page_cache_keys_on_the_results(client: FlaskClient, data: Dataset) -> None:
    from web.exhibitions.render import cache_key

    a = cache_key("x", 1, "en", "page", {}, {"s": ["urn:a", "urn:b"]})
    assert a == cache_key("x", 1, "en", "page", {}, {"s": ["urn:a", "urn:b"]})
    assert a != cache_key("x", 1, "en", "page", {}, {"s": ["urn:b", "urn:a"]})
    assert a != cache_key("x", 1, "zh", "page", {}, {"s": ["urn:a", "urn:b"]})
    assert a != cache_key("x", 2, "en", "page", {}, {"s": ["urn:a", "urn:b"]})


def test_static_front_end_is_vendored_with_licences() -> None:
    vendor = Path(__file__).resolve().parents[1] / "web" / "static" / "vendor"
    for name in ("leaflet-1.9.4", "leaflet.markercluster-1.5.3", "vis-timeline-8.5.4", "openseadragon-6.1.1"):
        folder = vendor / name
        assert any(p.name.upper().startswith(("LICENSE", "MIT-LICENCE")) for p in folder.iterdir()), name
        assert (folder / "README.md").is_file(), name
    templates = Path(__file__).resolve().parents[1] / "web" / "templates"
    for page in list((templates / "exhibitions").rglob("*.html")) + [templates / "object.html"]:
        assert not re.search(r'(src|href)="https?://', page.read_text()), f"{page} loads something remote"


def test_marker_title_constant() -> None:
    assert "<script>" in MARKUP_TITLE  # the fixture really carries markup
