"""The curator's editor as a finished product, in headless Chromium against a real hub (the fixtures of
tests/test_curate_browser.py): in English and Chinese, sections that collapse, "Add a section" as a button,
facet choices one row each, tried objects with dates, the hub's prefixes in the SPARQL editor, unsaved
changes announced and never dropped by publishing, the preview drawn in each section's layout, a cover
picked from the objects; and the whole flow walked with the keyboard only."""

from __future__ import annotations

import re

import pytest

from tests.test_curate_browser import PASSWORD, Running, hub_server, log_in, new_exhibition

pytestmark = pytest.mark.browser
__all__ = ["hub_server"]

WORDS = {
    "en": {"add": "Add a section", "material": "Material", "until": "Made until (year)", "year": "700 CE",
           "save_publish": "Save and publish", "published": "is published at"},
    "zh": {"add": "添加单元", "material": "材质", "until": "制作年代止（年）", "year": "公元700年",
           "save_publish": "保存并发布", "published": "已发布于"},
}
#: English words of the editor that must not be left on the Chinese page
ENGLISH = ["Save", "Section", "Facet builder", "Preview", "Revisions", "Publish", "Try the query", "Layout",
           "Title", "Cover", "Write the SPARQL", "Your choices", "Query parameters", "Made until"]


def _open_facets(page, key: str = "0"):
    section = page.locator(f'details.section[data-key="{key}"]')
    section.locator('.tab[data-tab="facets"]').click()
    section.locator('select[data-facet="material"] option').first.wait_for(state="attached")
    return section


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_editor_in_each_language(hub_server: Running, page, lang: str) -> None:
    url, words = hub_server.url, WORDS[lang]
    options_requests: list[str] = []
    page.on("request", lambda r: options_requests.append(r.url) if "/options" in r.url else None)
    log_in(page, url)
    new_exhibition(page, url, f"editor-{lang}", f"Editor {lang}")
    page.goto(f"{url}/curate/editor-{lang}/edit?lang={lang}")
    editor_text = page.locator("#curate-editor").inner_text()
    if lang == "zh":
        left = [w for w in ENGLISH if re.search(rf"\b{w}\b", editor_text)]
        assert left == [], f"English left on the Chinese editor: {left}"

    # one section, open; no blank section loading its own lists: "Add a section" is a button
    assert page.locator("details.section").count() == 1
    section = _open_facets(page)
    assert {u.split("/facets/")[1].split("/")[0] for u in options_requests} == {
        "museum", "material", "type", "place", "period"}
    assert len(options_requests) == 5
    assert page.locator("#add-section").inner_text() == words["add"]
    page.click("#add-section")
    added = page.locator('details.section[data-key="new1"]')
    assert added.evaluate("s => s.open")
    assert page.evaluate("document.activeElement.name") == "s-new1-id"
    added.locator(".discard").click()
    assert page.locator("details.section").count() == 1

    # facet choices: one row per choice, labels and years in the interface's language; tried objects show dates
    material = section.locator('select[data-facet="material"]')
    silk = material.locator("option").filter(has_text=re.compile(r"^(silk|絲綢|丝绸) \(3\)$"))
    section.locator('select[data-facet="material"]').select_option(value=silk.get_attribute("value"))
    section.locator('input[data-facet="date_to"]').fill("700")
    section.locator("button.write-sparql").click()
    section.locator(".facet-result.good").wait_for()
    rows = section.locator("table.choices tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).locator("td").nth(0).inner_text() == words["material"]
    assert rows.nth(1).locator("td").nth(0).inner_text() == words["until"]
    assert rows.nth(1).locator("td.choice").inner_text() == words["year"]
    section.locator(".try-objects li").first.wait_for()
    dates = section.locator(".try-objects li .date").all_inner_texts()
    assert len(dates) == 2 and all(d.strip() for d in dates)  # silk begun by 700: E1 and W3 (not E4, 801), each dated

    # unsaved changes: a notice, "Publish revision 1" disabled, a warning on leaving
    assert page.locator("#unsaved-notice").is_visible()
    assert page.locator("#publish").is_disabled()
    dialogs: list[str] = []
    page.once("dialog", lambda d: (dialogs.append(d.type), d.dismiss()))  # dismissed: stay on the page
    page.click("#preview-link")
    for _ in range(50):
        if dialogs:
            break
        page.wait_for_timeout(100)
    assert dialogs == ["beforeunload"] and page.url.endswith(f"/edit?lang={lang}")

    # the SPARQL editor knows the hub's prefixes: the builder's query and the starter query show no error
    section.locator('.tab[data-tab="sparql"]').click()
    section.locator(".CodeMirror").wait_for()
    page.wait_for_timeout(300)
    assert section.locator(".parseErrorIcon").count() == 0
    page.evaluate("q => window.sromEditors['0'].setValue(q)", page.evaluate("window.sromEditors['0'].getValue()")
                  .replace("srom:dateOrder", "nope:dateOrder"))
    section.locator(".parseErrorIcon").wait_for()  # an undeclared prefix is still an error

    page.evaluate("window.sromEditors['0'].undo()")
    section.locator('select[name="s-0-layout"]').select_option("map")
    page.click("#save-publish")  # publishes what the form holds: nothing is dropped
    flash = page.locator(".flash", has_text=words["published"])
    flash.wait_for()
    assert flash.locator("a").get_attribute("href") == f"/exhibitions/editor-{lang}"
    published = hub_server.repo.published(f"editor-{lang}")
    assert published[0] == 2 and published[1].sections[0].layout == "map"
    assert page.locator("#publish").count() == 0 and page.locator("#publish-state").is_visible()

    # the preview draws the section in its layout, with the public page's map
    page.goto(f"{url}/curate/editor-{lang}/preview")
    page.locator(".ex-section.view-map .leaflet-container").wait_for()
    assert page.locator(".ex-section.view-map .leaflet-marker-icon, .ex-section.view-map .marker-cluster").count() >= 1


def test_a_cover_is_picked_from_the_objects(hub_server: Running, page) -> None:
    url = hub_server.url
    log_in(page, url)
    new_exhibition(page, url, "covers", "Covers")
    page.locator("#part-design > summary").click()
    page.click("#pick-cover")
    choices = page.locator(".covers input[type=radio]")
    choices.first.wait_for()
    assert choices.first.is_checked() and "(default)" in page.locator(".cover-choice").first.inner_text()
    assert page.locator("#cover-image").input_value() == ""  # the default needs no URL
    second = choices.nth(1).get_attribute("value")
    choices.nth(1).check()
    assert page.locator("#cover-image").input_value() == second
    page.click("#save")
    page.locator(".flash", has_text="revision 2").wait_for()
    assert hub_server.repo.get("covers").cover_image == second


NAMED = """el => !!(el.getAttribute('aria-label') || (el.labels && el.labels.length && el.labels[0].textContent.trim())
  || el.getAttribute('aria-labelledby') || el.getAttribute('title')
  || (['A', 'BUTTON', 'SUMMARY'].includes(el.tagName) && el.textContent.trim()))"""
FOCUS_SHOWN = """el => { el = el.closest('.CodeMirror') || el; const s = getComputedStyle(el);
  return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none'; }"""


def tab_to(page, selector: str, limit: int = 120) -> None:
    """Press Tab until ``selector`` has the focus; every control passed on the way has a name and a visible
    focus indicator."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate_handle("document.activeElement")
        if focused.evaluate("el => el === document.body"):
            continue
        tag = focused.evaluate("el => el.outerHTML.slice(0, 120)")
        assert focused.evaluate(NAMED), f"a control without a label: {tag}"
        assert focused.evaluate(FOCUS_SHOWN), f"focus not visible on {tag}"
        if focused.evaluate("(el, s) => el.matches(s)", selector):
            return
    raise AssertionError(f"{selector} not reached with Tab in {limit} presses")


def test_the_curators_flow_with_the_keyboard_only(hub_server: Running, page) -> None:
    url = hub_server.url
    log_in(page, url)
    tab_to(page, "#new-exhibition")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{url}/curate/new")
    tab_to(page, 'input[name="slug"]')
    page.keyboard.type("by-keys")
    tab_to(page, 'input[name="title-en"]')
    page.keyboard.type("By keys")
    tab_to(page, 'button[type="submit"]')
    page.keyboard.press("Enter")
    page.wait_for_url(f"{url}/curate/by-keys/edit")

    # add a facet section: the button opens it and puts the focus in it
    tab_to(page, "#add-section", limit=200)
    page.keyboard.press("Enter")
    page.keyboard.type("glass")
    section = page.locator('details.section[data-key="new1"]')
    section.locator('select[data-facet="material"] option').first.wait_for(state="attached")
    tab_to(page, 'details[data-key="new1"] select[data-facet="material"]', limit=200)
    page.keyboard.press("ArrowDown")  # the first option: the most used material
    chosen = section.locator('select[data-facet="material"]').evaluate("s => s.selectedOptions.length")
    assert chosen == 1
    tab_to(page, 'details[data-key="new1"] button.write-sparql')
    page.keyboard.press("Enter")
    section.locator(".facet-result.good").wait_for()
    # Esc leaves the SPARQL editor (Tab indents inside it): no keyboard trap
    tab_to(page, 'details[data-key="new1"] .tab[data-tab="sparql"]')
    page.keyboard.press("Enter")
    section.locator(".CodeMirror").wait_for()
    tab_to(page, 'details[data-key="new1"] .CodeMirror textarea')
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.classList.contains('check')")

    # save, preview, back, publish
    tab_to(page, "#save-preview", limit=200)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/curate/by-keys/preview\?revision=2"))
    page.locator(".ex-section").nth(1).wait_for()
    tab_to(page, '.draft-banner a')
    page.keyboard.press("Enter")
    page.wait_for_url(f"{url}/curate/by-keys/edit")
    tab_to(page, "#publish")
    page.keyboard.press("Enter")
    page.locator("#published-link").wait_for()
    assert hub_server.repo.published("by-keys")[0] == 2
    assert [s.id for s in hub_server.repo.get("by-keys").sections] == ["objects", "glass"]

    # no trap anywhere on the editor: Tab goes through the whole page and back to its start
    seen = []
    for _ in range(400):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("(document.activeElement || document.body).outerHTML.slice(0, 60)"))
        if len(seen) > 5 and seen[-1] == seen[0]:
            break
    assert seen[-1] == seen[0], "Tab never came back to where it started"
    assert PASSWORD  # the accounts are the fixture's
