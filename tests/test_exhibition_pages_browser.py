"""A visitor (logged out) in headless Chromium: the gallery, the Silk Road map with markers, the timeline,
an object opened and zoomed, the language switched, a draft that stays hidden, the embed page in an iframe.

The hub is real: demo museums harvested over OAI-PMH into a store, the WSGI app on a loopback port, every
front-end library served from the hub itself (no network beyond 127.0.0.1).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest

from tests.support.exhibition_dataset import Dataset, build_dataset
from tests.support.loopback_server import LoopbackServer
from web.app import create_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXIS_SAYS = """era => Array.from(document.querySelectorAll('#timeline-when .vis-time-axis'))
                          .some(axis => axis.textContent.includes(era))"""


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Dataset]]:
    data: Dataset = build_dataset(tmp_path_factory.mktemp("browser") / "instance")
    try:
        with LoopbackServer(create_app(hub=data.hub)) as server:
            yield server.url, data
    finally:
        data.close()


@pytest.fixture(scope="module")
def hub_url(running: tuple[str, Dataset]) -> str:
    return running[0]


def _offline_only(page, hub_url: str) -> list[str]:
    """Record every request that leaves loopback (there must be none: pages work offline)."""
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("http://127.0.0.1", "data:",
                                                                                 "about:", "blob:")) else None)
    return outside


def test_visitor_sees_the_gallery_the_map_and_the_timeline(page, hub_url: str) -> None:
    outside = _offline_only(page, hub_url)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{hub_url}/exhibitions/silk-road-tour")
    assert page.locator("h1").inner_text() == "Along the Silk Road"
    gallery = page.locator("#s-silk .gallery > li.card")
    assert gallery.count() > 5
    assert gallery.first.locator("img").is_visible()
    # the map: clustered markers for the objects, the routes drawn as lines
    page.wait_for_selector("#map-where[data-ready='true']")
    markers = page.locator("#map-where .leaflet-marker-icon")
    assert markers.count() > 3
    assert page.locator("#map-where path.srom-route").count() >= 10
    markers.first.click()
    page.wait_for_selector("#map-where .leaflet-popup .srom-popup a")
    # the timeline: one item per dated object, BCE years on the axis
    page.wait_for_selector("#timeline-when[data-ready='true']")
    page.locator("#timeline-when").scroll_into_view_if_needed()
    assert page.locator("#timeline-when .vis-item").count() > 10
    page.wait_for_function(AXIS_SAYS, arg="BCE")
    # compare and story
    assert page.locator("#s-compare .compare-item").count() == 3
    assert page.locator("#s-story .story-step").count() == 3
    assert errors == [] and outside == []


def test_visitor_opens_an_object_and_zooms(page, hub_url: str) -> None:
    outside = _offline_only(page, hub_url)
    page.goto(f"{hub_url}/exhibitions/silk-road-tour")
    page.locator("#s-silk .gallery > li.card a").first.click()
    page.wait_for_url(re.compile(r".*/id/object/.*"))
    viewer = page.locator("#deepzoom")
    page.wait_for_selector("#deepzoom[data-ready='true']", timeout=15000)
    assert page.locator("#deepzoom .openseadragon-canvas").count() >= 1  # the viewer and its navigator
    assert page.locator(".deepzoom-fallback").count() == 0  # only inside <noscript>

    def zoom() -> float:
        return page.evaluate("document.getElementById('deepzoom').sromViewer.viewport.getZoom(true)")

    before = zoom()
    box = viewer.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    for _ in range(3):
        page.mouse.wheel(0, -240)
        page.wait_for_timeout(150)
    page.wait_for_function(f"document.getElementById('deepzoom').sromViewer.viewport.getZoom(true) > {before} * 1.5")
    assert zoom() > before * 1.5
    # the object's museum and licence are shown, and objects of other museums are linked
    assert page.locator("dd.museum").inner_text()
    assert page.locator(".related .card").count() > 0
    assert outside == []


def test_deep_zoom_reads_tiles_from_a_museums_iiif_image_service(page, running) -> None:
    hub_url, data = running
    data.iiif.requests.clear()
    path = data.hub.minter.object_path(data.object_of("markup-museum", "oai:markup:3"))
    page.goto(hub_url + path)
    page.wait_for_selector("#deepzoom[data-ready='true']", timeout=15000)
    page.wait_for_function("document.getElementById('deepzoom').sromViewer.world.getItemAt(0).getFullyLoaded()")
    assert "/iiif/banner/info.json" in data.iiif.requests
    tiles_before = [r for r in data.iiif.requests if r.endswith("/default.jpg")]
    assert any(re.match(r"/iiif/banner/\d+,\d+,\d+,\d+/", r) for r in tiles_before)  # tiles by region
    assert "/iiif/banner/full/max/0/default.jpg" not in tiles_before  # never the whole big image
    box = page.locator("#deepzoom").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    for _ in range(4):
        page.mouse.wheel(0, -300)
        page.wait_for_timeout(200)
    page.wait_for_function("document.getElementById('deepzoom').sromViewer.world.getItemAt(0).getFullyLoaded()")
    sharper = [r for r in data.iiif.requests if r.endswith("/default.jpg") and r not in tiles_before]
    assert sharper, "zooming in asks the museum's server for more detailed tiles"


def test_visitor_switches_the_language(page, hub_url: str) -> None:
    page.goto(f"{hub_url}/exhibitions/silk-road-tour")
    assert page.locator("html").get_attribute("lang") == "en"
    page.locator("header.site .lang a[hreflang='zh']").click()
    page.wait_for_selector("html[lang='zh']")
    assert page.locator("h1").inner_text() == "丝绸之路行"
    assert page.locator("#s-where .view-switch a[aria-current]").inner_text() == "地图"
    page.wait_for_selector("#timeline-when[data-ready='true']")
    page.locator("#timeline-when").scroll_into_view_if_needed()
    page.wait_for_function(AXIS_SAYS, arg="公元前")
    # the choice is remembered on the next page
    page.goto(f"{hub_url}/exhibitions/")
    assert page.locator("h1").inner_text() == "展览"
    page.locator("header.site .lang a[hreflang='en']").click()
    page.wait_for_selector("html[lang='en']")
    assert page.locator("h1").inner_text() == "Exhibitions"


def test_a_draft_is_not_visible_to_the_visitor(page, hub_url: str) -> None:
    response = page.goto(f"{hub_url}/exhibitions/secret-draft")
    assert response.status == 404
    assert "Secret draft" not in page.content()
    page.goto(f"{hub_url}/exhibitions/")
    slugs = page.locator(".exhibition-tiles li[data-slug]").evaluate_all("els => els.map(e => e.dataset.slug)")
    assert "silk-road-tour" in slugs and "secret-draft" not in slugs
    page.fill("#exhibition-search", "draft")
    page.locator(".search button").click()
    page.wait_for_url(re.compile(r".*q=draft.*"))
    assert page.locator(".exhibition-tiles li[data-slug]").count() == 0


def test_the_embed_snippet_renders_in_an_iframe(page, hub_url: str) -> None:
    page.goto(f"{hub_url}/exhibitions/silk-road-tour")
    snippet = page.locator("#embed-code").input_value()
    assert snippet.startswith(f'<iframe src="{hub_url}/exhibitions/silk-road-tour/embed"')
    # a museum's own page, elsewhere, with the snippet pasted in
    page.set_content(f"<!doctype html><html><body><h1>Museum site</h1>{snippet}</body></html>")
    frame = page.frame_locator("iframe")
    assert frame.locator("h1").inner_text() == html.unescape("Along the Silk Road")
    assert frame.locator("#s-silk .gallery > li.card").count() > 5
    frame.locator("#map-where[data-ready='true']").wait_for()
    assert frame.locator("#map-where .leaflet-marker-icon").count() > 3
    assert frame.locator("header.site").count() == 0
