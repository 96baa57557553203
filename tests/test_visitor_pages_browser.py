"""The visitor's pages in headless Chromium, in English and Chinese: a section's typed parameters as a
labelled form that works without JavaScript, error pages in the hub's look with a way back, timeline labels
shown whole, object pages that say each concept and the rights once, and every public page without a
console error or a failed request.

The hub is real (tests/support/exhibition_dataset.py: the demo museums harvested over OAI-PMH), plus one
exhibition built by the facet builder, whose section takes a material and a year range as parameters.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.support.exhibition_dataset import Dataset, build_dataset
from tests.support.loopback_server import LoopbackServer
from web.app import create_app
from web.exhibitions.document import ExhibitionDoc, Section
from web.exhibitions.facets import build

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SILK = "https://w3id.org/srom/concept/material/silk"
BRONZE = "https://w3id.org/srom/concept/material/bronze"
PASSWORD = "correct horse battery"
MIRROR = ("hz-silk", "oai:hz-silk.example.org:hzs-0043")  # a bronze mirror (museum term, concept and AAT)
WORDS = {
    "en": {"material": "Material", "from": "From (year)", "to": "To (year)", "silk": "silk", "bronze": "bronze",
           "bad": "This page cannot be shown as asked", "missing": "Page not found", "home": "Go to the home page",
           "method": "Not possible here", "large": "Too large", "credit": "Credit", "undo": "without this choice",
           "wrong": "Wrong user name or password.", "tokens": "API tokens", "revoked": "Token revoked.",
           "runs": ["new", "updated", "deleted", "quarantined", "unchanged"], "ok": "ok"},
    "zh": {"material": "材质", "from": "起始年代", "to": "终止年代", "silk": "丝绸", "bronze": "青铜",
           "bad": "无法按此要求显示页面", "missing": "找不到页面", "home": "返回首页", "method": "此处无法操作",
           "large": "内容过大", "credit": "署名", "undo": "不带此选择",
           "wrong": "用户名或密码错误。", "tokens": "API 令牌", "revoked": "令牌已撤销。",
           "runs": ["新增", "更新", "删除", "隔离", "未变"], "ok": "成功"},
}


def _publish_with_parameters(data: Dataset) -> None:
    chosen = build({"material": [SILK], "date_from": "-300", "date_to": "1000"})
    doc = ExhibitionDoc(slug="by-material", title={"en": "By material", "zh": "按材质"}, mode="live",
                        sections=[Section(id="chosen", title={"en": "Chosen", "zh": "所选"}, text={},
                                          query=chosen.query, parameters=chosen.parameters,
                                          arguments=chosen.arguments, facets=chosen.facets)])
    data.hub.exhibitions.create(doc, "curator")
    data.hub.exhibitions.publish("by-material", 1)


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Dataset]]:
    data: Dataset = build_dataset(tmp_path_factory.mktemp("visitor") / "instance")
    _publish_with_parameters(data)
    app = create_app(hub=data.hub)
    app.extensions["srom_accounts"].create("hz", PASSWORD, "museum", museum_id="hz-silk", display_name="Hangzhou")
    try:
        with LoopbackServer(app) as server:
            yield server.url, data
    finally:
        data.close()


@pytest.fixture
def no_script(browser) -> Iterator[object]:
    """A page with JavaScript off: the forms must work as plain HTML."""
    context = browser.new_context(java_script_enabled=False)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_typed_parameter_is_a_labelled_form_whose_url_is_the_permalink(no_script, running, lang: str) -> None:
    hub_url, data = running
    page, words = no_script, WORDS[lang]
    page.goto(f"{hub_url}/exhibitions/by-material?lang={lang}")
    before = page.locator("#s-chosen .card").count()
    assert before > 0
    material = page.get_by_label(words["material"], exact=True)
    assert material.evaluate("e => e.tagName") == "SELECT"
    assert material.locator("option:checked").inner_text() == words["silk"]  # a label, not an IRI
    assert page.get_by_label(words["from"], exact=True).input_value() == "-300"
    assert page.get_by_label(words["to"], exact=True).input_value() == "1000"
    material.select_option(label=words["bronze"])
    page.get_by_label(words["from"], exact=True).fill("-1000")
    page.locator("#s-chosen form.ex-parameters button[type=submit]").click()
    page.wait_for_url(re.compile(r".*chosen\.material_1=.*"))
    assert f"chosen.material_1={BRONZE.replace(':', '%3A').replace('/', '%2F')}" in page.url
    assert "chosen.date_from=-1000" in page.url and f"lang={lang}" in page.url
    permalink = page.url
    titles = page.locator("#s-chosen .card h3").all_inner_texts()
    assert titles and titles != [] and page.get_by_label(words["material"], exact=True).locator(
        "option:checked").inner_text() == words["bronze"]
    # the URL is the permalink: opened anew, it shows the same choice and the same objects
    page.goto(permalink)
    assert page.locator("#s-chosen .card h3").all_inner_texts() == titles
    assert page.get_by_label(words["from"], exact=True).input_value() == "-1000"
    mirror = data.object_of(*MIRROR)
    assert page.locator(f'#s-chosen .card[data-object="{mirror}"]').count() == 1  # a bronze object is shown


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_error_pages_are_in_the_hubs_look_translated_with_a_way_back(page, running, lang: str) -> None:
    hub_url, _ = running
    words = WORDS[lang]
    response = page.goto(f"{hub_url}/exhibitions/by-material?chosen.date_from=soon&lang={lang}")
    assert response.status == 400
    assert page.locator("header.site .brand").count() == 1  # the hub's look (base.html)
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("section.error h1").inner_text() == words["bad"]
    text = page.locator("main").inner_text()
    assert "soon" in text and words["from"] in text
    assert "parameter" not in text and "(number)" not in text  # no developer's message
    back = page.locator("section.error p.back a")
    assert words["undo"] in back.inner_text()
    back.click()
    page.wait_for_url(re.compile(r".*/exhibitions/by-material\?lang=" + lang + "$"))
    assert page.locator("#s-chosen .card").count() > 0

    response = page.goto(f"{hub_url}/exhibitions/no-such-exhibition?lang={lang}")
    assert response.status == 404
    assert page.locator("section.error h1").inner_text() == words["missing"]
    assert "no-such-exhibition" not in page.locator("main").inner_text()
    page.locator("section.error p.back a", has_text=words["home"]).click()
    page.wait_for_url(hub_url + "/")

    # a form sent the wrong way (405), and one too large (413), as a browser sends them
    for action, size, expected in (("/museums/", 10, words["method"]), ("/login", 3 * 1024 * 1024, words["large"])):
        with page.expect_navigation():
            page.evaluate("""([action, size]) => { const f = document.createElement('form'); f.method = 'post';
                f.action = action; const i = document.createElement('input'); i.name = 'x'; i.value = 'a'.repeat(size);
                f.appendChild(i); document.body.appendChild(f); f.submit(); }""", [action, size])
        assert page.locator("section.error h1").inner_text() == expected
        assert page.locator("header.site nav").count() == 1

    # the JSON forms keep their JSON envelope with the reason
    answer = page.request.get(f"{hub_url}/exhibitions/by-material.json?chosen.date_from=soon")
    assert answer.status == 400 and answer.json()["ok"] is False and "date_from" in answer.json()["error"]


CLIPPED_OR_OVERLAPPING = """el => {
  const items = Array.from(el.querySelectorAll('.vis-item.vis-range'));
  const boxes = [], clipped = [];
  for (const item of items) {
    const frame = item.querySelector('.vis-item-overflow'), content = item.querySelector('.vis-item-content');
    const c = content.getBoundingClientRect(), f = frame.getBoundingClientRect();
    if (getComputedStyle(frame).overflow !== 'visible' && c.right > f.right + 1) clipped.push(content.textContent);
    boxes.push([content.textContent, c]);
  }
  const overlapping = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i][1], b = boxes[j][1];
    if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1)
      overlapping.push([boxes[i][0], boxes[j][0]]);
  }
  return {ranges: items.length, clipped, overlapping};
}"""


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_timeline_labels_are_shown_whole(page, running, lang: str) -> None:
    hub_url, _ = running
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{hub_url}/exhibitions/silk-road-tour?lang={lang}")
    page.wait_for_selector("#timeline-when[data-ready='true']")
    page.locator("#timeline-when").scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    found = page.locator("#timeline-when").evaluate(CLIPPED_OR_OVERLAPPING)
    assert found["ranges"] > 5
    assert found["clipped"] == [] and found["overlapping"] == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_object_page_says_each_concept_and_the_rights_once(page, running, lang: str) -> None:
    hub_url, data = running
    words = WORDS[lang]
    page.goto(f"{hub_url}{data.hub.minter.object_path(data.object_of(*MIRROR))}?lang={lang}")
    facts = page.locator("dl.facts")
    materials = facts.locator("dt", has_text=re.compile("^(Materials|材质)$")).locator("xpath=following-sibling::dd[1]")
    assert materials.inner_text() == words["bronze"]  # not "bronze, bronze": museum term, concept and AAT are one
    assert materials.locator("a.shared").get_attribute("href") == BRONZE  # the shared concept as a link
    for dd in facts.locator("dd").all():
        parts = [p.strip().casefold() for p in dd.inner_text().replace(";", ",").split(",")]
        assert len(parts) == len(set(parts)), dd.inner_text()
    credit = facts.locator("dd.attribution").inner_text()
    body = page.locator("main").inner_text()
    assert credit and body.count(credit) == 1  # the credit line once, not three times
    assert body.count(facts.locator("dd.licence").inner_text()) == 1 + credit.count(
        facts.locator("dd.licence").inner_text())
    assert page.locator("dt", has_text=words["credit"]).count() == 1


def public_pages(data: Dataset) -> list[tuple[str, int]]:
    obj = data.hub.minter.object_path(data.object_of(*MIRROR))
    return [("/", 200), ("/museums/", 200), ("/museums/hz-silk", 200), ("/exhibitions/", 200),
            ("/exhibitions/silk-road-tour", 200), ("/exhibitions/silk-road-tour?layout.silk=map", 200),
            ("/exhibitions/silk-road-tour?layout.where=gallery&layout.when=story", 200),
            ("/exhibitions/by-material", 200), ("/exhibitions/silk-road-tour/embed", 200),
            ("/exhibitions/silk-road-tour/print", 200), ("/exhibitions/silk-road-tour/r/1", 200), (obj, 200),
            ("/sparql", 200), ("/dumps/", 200), ("/quality", 200), ("/explore", 200),
            ("/explore?q=silk&view=map", 200), ("/explore?view=timeline&order=title", 200), ("/no-such-page", 404)]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_public_page_has_a_console_error_or_a_failed_request(page, running, lang: str) -> None:
    hub_url, data = running
    problems: list[str] = []
    current: dict[str, str] = {}

    def on_console(message) -> None:
        # the error page's own status is the one expected failure (Chromium reports it for the document)
        if message.type == "error" and message.location.get("url") != current.get("error_page"):
            problems.append(f"{current['url']}: console: {message.text} ({message.location.get('url')})")

    page.on("console", on_console)
    page.on("pageerror", lambda e: problems.append(f"{current['url']}: script: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"{current['url']}: failed: {r.url} {r.failure}"))
    page.on("response", lambda r: problems.append(f"{current['url']}: {r.status} {r.url}")
            if r.status >= 400 and r.url != current.get("error_page") else None)
    for path, status in public_pages(data):
        url = f"{hub_url}{path}{'&' if '?' in path else '?'}lang={lang}"
        current.update(url=url, error_page=url if status >= 400 else "")
        response = page.goto(url, wait_until="networkidle")
        assert response.status == status, url
        assert page.locator("html").get_attribute("lang") == lang, url
        if path.startswith(("/exhibitions/silk-road-tour/embed", "/exhibitions/silk-road-tour/print")):
            continue  # pages of their own (an iframe, paper): a browser asks for /favicon.ico there
        icon = page.locator("link[rel=icon]").get_attribute("href")  # headless Chromium never fetches it
        answer = page.request.get(hub_url + icon)
        assert answer.status == 200 and answer.headers["content-type"].startswith("image/"), url
    assert page.request.get(f"{hub_url}/favicon.ico").status == 200
    assert problems == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_museums_pages_speak_the_visitors_language(page, running, lang: str) -> None:
    hub_url, _ = running
    words = WORDS[lang]
    page.goto(f"{hub_url}/login?lang={lang}")
    page.fill("#login-form input[name=username]", "hz")
    page.fill("#login-form input[name=password]", "not the password")
    page.click("#login-form button[type=submit]")
    assert page.locator("p.message.error").inner_text() == words["wrong"]
    page.fill("#login-form input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/manage/museums/hz-silk.*"))
    headers = page.locator("table.runs thead th").all_inner_texts()
    assert all(word in headers for word in words["runs"]), headers
    assert page.locator("table.runs td.outcome").first.inner_text() == words["ok"]
    page.goto(f"{hub_url}/manage/tokens")
    assert page.locator("h1").inner_text() == words["tokens"] and page.title().startswith(words["tokens"])
    page.fill("#token-form input[name=label]", "reader")
    page.click("#token-form button[type=submit]")
    page.locator("table.tokens button[type=submit]").first.click()
    page.wait_for_load_state()
    assert page.locator("p.message.ok").inner_text() == words["revoked"]
