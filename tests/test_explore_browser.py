"""Explore in headless Chromium, in English and Chinese, over the demo museums harvested into a real hub on
loopback: a search typed in the box, a facet clicked, the map and the timeline views, the address shared
and opened again, the page working with JavaScript off, and a curator starting an exhibition from a search.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support.exhibition_dataset import Dataset, build_dataset
from tests.support.loopback_server import LoopbackServer
from web.app import create_app
from web.exhibitions.queries import run_section

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "correct horse battery"
SILK = "https://w3id.org/srom/concept/material/silk"


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Dataset]]:
    data: Dataset = build_dataset(tmp_path_factory.mktemp("explore-browser") / "instance")
    data.hub.accounts.create("cura", PASSWORD, "curator", display_name="Cura")
    try:
        with LoopbackServer(create_app(hub=data.hub)) as server:
            yield server.url, data
    finally:
        data.close()


def watch(page) -> list[str]:
    """Console errors, page errors, failed responses and requests leaving loopback (there must be none; the
    missing /favicon.ico is another part of issue 13's, outside Explore)."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console: {m.text}")
            if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    page.on("pageerror", lambda e: problems.append(f"page: {e}"))
    page.on("request", lambda r: problems.append(f"outside: {r.url}")
            if not r.url.startswith(("http://127.0.0.1", "data:", "about:", "blob:")) else None)
    page.set_default_timeout(10_000)
    return problems


def total(page) -> int:
    return int(page.locator(".summary .total").get_attribute("data-total"))


def state_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_visitor_searches_filters_switches_views_and_shares_the_address(page, browser, running) -> None:
    url, data = running
    problems = watch(page)
    page.goto(f"{url}/")
    page.click("header.site a.explore")
    page.wait_for_url(f"{url}/explore")
    everything = total(page)
    page.fill("#explore-q", "silk")
    page.press("#explore-q", "Enter")
    page.wait_for_url(re.compile(r".*[?&]q=silk"))
    found = total(page)
    assert 0 < found < everything and page.locator(".gallery > li.card").count() == min(found, 48)
    # a facet click narrows to one museum and keeps the search
    koeln = data.hub.minter.museum("koeln-glass")
    page.locator(f'section[data-facet="museum"] a[data-value="{koeln}"]').click()
    page.wait_for_url(re.compile(r".*museum="))
    assert state_of(page.url) == {"q": ["silk"], "museum": [koeln]}
    narrowed = total(page)
    assert 0 < narrowed < found
    assert page.locator(f'section[data-facet="museum"] a[data-value="{koeln}"]').get_attribute("aria-current") == "true"
    assert page.locator(".gallery > li.card .museum").all_inner_texts() == [
        page.locator(".gallery > li.card .museum").first.inner_text()] * narrowed
    # the map: markers for the objects over the Silk Road routes
    page.locator('.view-switch a[data-view="map"]').click()
    page.wait_for_selector("#map-explore[data-ready='true']")
    assert page.locator("#map-explore .leaflet-marker-icon").count() >= 1
    assert page.locator("#map-explore path.srom-route").count() >= 10
    # the timeline
    page.locator('.view-switch a[data-view="timeline"]').click()
    page.wait_for_selector("#timeline-explore[data-ready='true']")
    assert page.locator("#timeline-explore .vis-item").count() == narrowed
    shared = page.url
    assert state_of(shared) == {"q": ["silk"], "museum": [koeln], "view": ["timeline"]}
    # the address, opened by someone else, shows the same state
    other = browser.new_context().new_page()
    try:
        other.goto(shared)
        other.wait_for_selector("#timeline-explore[data-ready='true']")
        assert total(other) == narrowed and other.locator("#explore-q").input_value() == "silk"
        assert other.locator('section[data-facet="museum"] a[aria-current="true"]').count() == 1
    finally:
        other.context.close()
    # clicking the chosen value again lets it go
    page.locator(f'section[data-facet="museum"] a[data-value="{koeln}"]').click()
    page.wait_for_url(re.compile(r"^(?!.*museum=).*$"))
    assert total(page) == found
    assert problems == []


def test_the_page_works_without_javascript(browser, running) -> None:
    url, _ = running
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.set_default_timeout(10_000)
        page.goto(f"{url}/explore")
        page.fill("#explore-q", "samite")
        page.press("#explore-q", "Enter")
        page.wait_for_url(re.compile(r".*q=samite"))
        page.locator('section[data-facet="has_image"] a').click()
        page.wait_for_url(re.compile(r".*has_image=1"))
        cards = page.locator(".gallery > li.card")
        assert total(page) > 0 and cards.locator("img").count() == cards.count()
        page.locator('.view-switch a[data-view="map"]').click()
        page.wait_for_url(re.compile(r".*view=map"))
        assert page.locator("details.object-list .card").count() == total(page)  # the map's list, no script needed
        if page.locator('a[rel="next"]').count():
            page.locator('a[rel="next"]').click()
            assert "page=2" in page.url
    finally:
        context.close()


def test_chinese_visitor_searches_in_chinese(page, running) -> None:
    url, data = running
    problems = watch(page)
    page.goto(f"{url}/explore?lang=zh")
    assert page.locator("h1").inner_text() == "探索馆藏"
    assert page.locator("header.site a.explore").inner_text() == "探索"
    assert page.locator('section[data-facet="material"] h2').inner_text() == "材质"
    page.fill("#explore-q", "丝绸")
    page.locator(".explore-search button[type=submit]").click()
    page.wait_for_url(re.compile(r".*q=%E4%B8%9D%E7%BB%B8"))
    found = total(page)
    assert found > 5 and "件藏品" in page.locator(".summary .total").inner_text()
    # objects of a museum that wrote in German and English come up for a Chinese word
    museums = set(page.locator(".gallery > li.card .museum").all_inner_texts())
    assert len(museums) >= 2
    page.locator('section[data-facet="material"] a').first.click()
    page.wait_for_url(re.compile(r".*material="))
    assert page.locator('section[data-facet="material"] a[aria-current="true"]').count() == 1
    page.locator('.view-switch a[data-view="timeline"]').click()
    page.wait_for_selector("#timeline-explore[data-ready='true']")
    assert page.locator('.view-switch a[aria-current="true"]').inner_text() == "时间轴"
    assert problems == []


def test_curator_starts_an_exhibition_from_a_search(page, running) -> None:
    url, data = running
    problems = watch(page)
    page.goto(f"{url}/explore?q=samite")
    assert page.locator("form.explore-start").count() == 0  # only for curators
    page.goto(f"{url}/login")
    page.fill('input[name="username"]', "cura")
    page.fill('input[name="password"]', PASSWORD)
    page.click('#login-form button[type="submit"]')
    page.wait_for_load_state()
    page.goto(f"{url}/explore?q=samite")
    silk = page.locator('section[data-facet="material"] a', has_text="silk")
    silk.first.click()
    page.wait_for_url(re.compile(r".*material="))
    page.locator('.view-switch a[data-view="map"]').click()
    page.wait_for_url(re.compile(r".*view=map"))
    shown = total(page)
    page.fill("#explore-title", "Samite of the Silk Road")
    page.click('form.explore-start button[type="submit"]')
    page.wait_for_url(f"{url}/curate/samite-of-the-silk-road/edit")
    section = page.locator('details.section[data-key="0"]')
    assert SILK in section.locator('select[data-facet="material"]').get_attribute("data-chosen").split()
    assert section.locator('input[data-facet="keyword"]').input_value() == "samite"
    doc = data.repo.get("samite-of-the-silk-road")
    assert doc is not None and doc.sections[0].layout == "map"
    assert data.repo.published("samite-of-the-silk-road") is None  # a private draft
    assert len(run_section(data.hub.store(), doc.sections[0], timeout=30, text_index=data.hub.text_index())) == shown
    assert [p for p in problems if "outside" in p or "page:" in p] == []
