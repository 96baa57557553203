"""The curator's editor in headless Chromium, against a real hub on loopback over a harvested store:
log in, build a section with the facet builder, switch to the SPARQL editor, add a Chinese title,
preview, publish; drafts stay private; revisions compare and restore; curator HTML is sanitised and
titles with markup are escaped; only the exhibition's curator (or an admin) may change it."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from werkzeug.serving import make_server

from tests.support.exhibition_fixtures import BASE, harvested_store, iri
from web.accounts.database import Accounts
from web.app import create_app
from web.exhibitions.document import ExhibitionDoc, Section
from web.exhibitions.repository import ExhibitionRepository
from web.hub import Hub, database_path
from web.settings import load_settings

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


@dataclass
class Running:
    url: str
    repo: ExhibitionRepository


@pytest.fixture(scope="module")
def hub_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    instance = tmp_path_factory.mktemp("curate") / "instance"
    settings = load_settings(instance, environ={}, overrides={"BASE_IRI": BASE})
    hub = Hub(instance, settings)
    accounts = Accounts(database_path(instance))
    accounts.create("cura", PASSWORD, "curator", display_name="Cura")
    accounts.create("other", PASSWORD, "curator", display_name="Other")
    with harvested_store(tmp_path_factory.mktemp("curate-store")) as store:
        hub.use_store(store)
        app = create_app(hub=hub)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield Running(f"http://127.0.0.1:{server.server_port}", ExhibitionRepository(database_path(instance)))
        finally:
            server.shutdown()
            server.server_close()
            thread.join(5)


def log_in(page, url: str, username: str = "cura") -> None:
    page.set_default_timeout(10_000)
    page.goto(f"{url}/curate/")
    assert "/login" in page.url  # curators' pages need a session
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', PASSWORD)
    page.click('#login-form button[type="submit"]')
    page.wait_for_url(f"{url}/curate/")


def set_query(page, text: str, key: str = "0") -> None:
    """Replace a section's query in the SPARQL editor, as a curator pasting it would."""
    section = page.locator(f'details.section[data-key="{key}"]')
    if not section.evaluate("s => s.open"):
        section.locator("> summary").click()
    section.locator('.tab[data-tab="sparql"]').click()
    page.evaluate("([key, text]) => window.sromEditors[key].setValue(text)", [key, text])


def new_exhibition(page, url: str, slug: str, title: str) -> None:
    page.click("text=New exhibition")
    page.fill('input[name="slug"]', slug)
    page.fill('input[name="title-en"]', title)
    page.click('button:has-text("Create draft")')
    page.wait_for_url(f"{url}/curate/{slug}/edit")


def test_curator_builds_a_section_previews_and_publishes(hub_server: Running, page) -> None:
    url = hub_server.url
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if urlsplit(r.url).hostname != "127.0.0.1" else None)
    log_in(page, url)
    new_exhibition(page, url, "silk-roads", "Silk Roads")

    section = page.locator('details.section[data-key="0"]')
    section.locator('.tab[data-tab="facets"]').click()
    material = section.locator('select[data-facet="material"]')
    material.locator("option", has_text="silk (3)").wait_for(state="attached")
    material.select_option(label="silk (3)")
    section.locator('select[data-facet="order"]').select_option("date")
    section.locator("button.write-sparql").click()
    section.locator(".facet-result.good").wait_for()
    section.locator(".try-result", has_text="3 objects").wait_for()
    assert section.locator('input[name="s-0-p-name"]').first.input_value() == "material_1"
    assert section.locator("input.facet-state").input_value().startswith('{"material"')

    # the SPARQL editor (vendored YASQE) shows the query the builder wrote; the curator edits it
    section.locator('.tab[data-tab="sparql"]').click()
    section.locator(".CodeMirror").wait_for()
    written = page.evaluate("window.sromEditors['0'].getValue()")
    assert "?object crm:P45_consists_of ?material_1" in written  # the silk of every museum (or the shared concept)
    section.locator(".CodeMirror").click()
    page.keyboard.press("Control+End")
    page.keyboard.type("\n# silk from every museum")
    section.locator("button.check").click()
    section.locator(".check-result.good").wait_for()
    edited = page.evaluate("window.sromEditors['0'].getValue()")
    assert edited.rstrip().endswith("# silk from every museum")
    set_query = "q => window.sromEditors['0'].setValue(q)"
    page.evaluate(set_query, edited.replace("SELECT DISTINCT ?object", "SELECT DISTINCT ?thing"))
    section.locator("button.check").click()
    section.locator(".check-result.bad", has_text="?object").wait_for()
    page.evaluate(set_query, edited.replace("WHERE {", "WHERE {{", 1))
    section.locator("button.check").click()
    section.locator(".check-result.bad", has_text="line").wait_for()
    page.evaluate(set_query, edited)
    section.locator("button.check").click()
    section.locator(".check-result.good").wait_for()

    # pin a featured object from the tried results, add a Chinese title and texts
    section.locator("button.try").click()
    section.locator(f'ol.try-objects li[data-iri="{iri("W3")}"] button.pin').click()
    assert section.locator("textarea.pinned").input_value().strip() == iri("W3")
    page.fill('input[name="title-zh"]', "丝绸之路")
    page.fill('input[name="subtitle-zh"]', "从长安到撒马尔罕")
    page.fill('textarea[name="intro-en"]', "<p>Threads <em>east</em> and west.</p>")
    section.locator('input[name="s-0-title-zh"]').fill("丝绸")
    section.locator('select[name="s-0-layout"]').select_option("gallery")
    page.click("#save-preview")
    page.wait_for_url(re.compile(rf"{url}/curate/silk-roads/preview\?revision=2"))

    assert page.locator("article h1").inner_text() == "Silk Roads"
    assert page.locator(".intro em").inner_text() == "east"
    titles = page.locator(".ex-section .card h3").all_inner_texts()
    assert titles == ["Zandaniji silk fragment", "Silk samite with rams", "Silk banner } ; DROP ALL ; {"]
    page.goto(f"{url}/curate/silk-roads/preview?lang=zh")
    assert page.locator("article h1").inner_text() == "丝绸之路"
    assert page.locator(".subtitle").inner_text() == "从长安到撒马尔罕"
    assert page.locator(".ex-section h2").inner_text() == "丝绸"

    # a draft is private: a logged-out visitor gets neither the public page nor the preview
    assert requests.get(f"{url}/exhibitions/silk-roads", timeout=10).status_code == 404
    preview = requests.get(f"{url}/curate/silk-roads/preview", timeout=10, allow_redirects=False)
    assert preview.status_code == 302 and "/login" in preview.headers["Location"]
    assert "silk-roads" not in requests.get(f"{url}/exhibitions/", timeout=10).text

    page.goto(f"{url}/curate/silk-roads/edit?lang=en")
    page.click("#publish")
    page.locator(".flash", has_text="published").wait_for()
    assert page.locator("#published-link").get_attribute("href") == "/exhibitions/silk-roads"
    assert hub_server.repo.published("silk-roads")[0] == 2
    assert hub_server.repo.snapshot("silk-roads", 2) == {"objects": [iri("W3"), iri("E1"), iri("E4")]}
    public = requests.get(f"{url}/exhibitions/silk-roads", timeout=10)
    assert public.status_code == 200 and "Silk Roads" in public.text
    # the editor, YASQE included, works offline; only the museums' own images come from elsewhere
    assert [u for u in outside if not u.startswith("https://images.example.org/")] == []


def test_revisions_compare_and_restore(hub_server: Running, page) -> None:
    url = hub_server.url
    log_in(page, url)
    new_exhibition(page, url, "glass", "Glass from the West")
    page.fill('input[name="title-en"]', "Glass, wrongly renamed")
    set_query(page, "SELECT ?object WHERE {\n  ?object a crm:E22_Human-Made_Object\n}\n")
    page.click("#save")
    page.locator(".flash", has_text="revision 2").wait_for()

    page.goto(f"{url}/curate/glass/revisions")
    page.check('input[name="a"][value="1"]')
    page.check('input[name="b"][value="2"]')
    page.click("#compare")
    title_row = page.locator('tr[data-field="title.en"]')
    assert title_row.locator("td.old").inner_text() == "Glass from the West"
    assert title_row.locator("td.new").inner_text() == "Glass, wrongly renamed"
    query_row = page.locator('tr[data-field="sections[objects].query"]')
    assert query_row.locator(".del").count() >= 1 and query_row.locator(".ins").count() >= 1

    page.locator('tr[data-revision="1"] button.restore').click()
    page.locator(".flash", has_text="Revision 1 restored as revision 3, an unpublished draft").wait_for()
    assert page.locator('input[name="title-en"]').input_value() == "Glass from the West"
    assert [r["number"] for r in hub_server.repo.revisions("glass")] == [3, 2, 1]

    # a second section, added with "Add a section", then moved before the first one
    page.click("#add-section")
    page.fill('input[name="s-new1-id"]', "coins")
    set_query(page, "SELECT ?object WHERE { ?object crm:P2_has_type/rdfs:label \"coin\"@en }\n", key="new1")
    page.click("#save")
    page.locator(".flash", has_text="revision 4").wait_for()
    page.locator('details.section[data-key="1"] > summary').click()
    page.locator('details.section[data-key="1"] .move-up').click()
    page.click("#save")
    page.locator(".flash", has_text="revision 5").wait_for()
    assert [s.id for s in hub_server.repo.get("glass").sections] == ["coins", "objects"]
    page.goto(f"{url}/curate/glass/revisions?a=4&b=5")
    order = page.locator('tr[data-field="sections"]')
    assert order.locator("td.old").inner_text() == "objects, coins" and order.locator("td.new").inner_text() == (
        "coins, objects")


def test_curator_html_is_sanitised_and_titles_with_markup_are_escaped(hub_server: Running, page) -> None:
    url = hub_server.url
    log_in(page, url)
    new_exhibition(page, url, "markup", "<img src=x onerror=\"window.pwned=1\">Markup & more")
    page.fill('textarea[name="intro-en"]',
              '<p onmouseover="window.pwned=1">Safe <b>bold</b></p><script>window.pwned = 1</script>'
              '<a href="javascript:window.pwned=1">link</a><img src="x" onerror="window.pwned=1">')
    set_query(page, "SELECT ?object WHERE { ?object crm:P45_consists_of/rdfs:label \"wool\"@en }\n")
    page.click("#save-preview")
    page.wait_for_url(re.compile(r".*/preview\?revision=2"))
    page.wait_for_load_state("load")
    assert page.evaluate("window.pwned") is None
    assert page.locator("article h1").inner_text() == '<img src=x onerror="window.pwned=1">Markup & more'
    intro = page.locator(".intro").inner_html()
    assert "<b>bold</b>" in intro and "script" not in intro and "onmouseover" not in intro
    assert "javascript:" not in intro and "onerror" not in intro
    # an object title containing markup, as a museum wrote it, is shown as text
    assert page.locator(".card h3").inner_text() == "<b>Wool</b> rug <script>window.pwned = 1</script>"
    stored = hub_server.repo.get("markup")
    assert "<script" not in stored.intro["en"] and stored.title["en"].startswith("<img")  # titles are plain text


def test_a_refused_save_keeps_the_work_and_says_why(hub_server: Running, page) -> None:
    url = hub_server.url
    log_in(page, url)
    new_exhibition(page, url, "refused", "Refused")
    page.locator("#part-design summary").click()
    page.fill('input[name="cover_image"]', "javascript:alert(1)")
    page.fill('textarea[name="intro-en"]', "<p>keep me</p>")
    page.click("#save")
    assert "cover image" in page.locator("#form-error").inner_text()
    assert page.locator('textarea[name="intro-en"]').input_value() == "<p>keep me</p>"
    assert len(hub_server.repo.revisions("refused")) == 1
    # a language beyond English and Chinese
    page.goto(f"{url}/curate/refused/edit")
    page.locator("#languages summary").click()
    page.fill('input[name="add_language"]', "fr")
    page.click('form.add-language button')
    page.fill('input[name="title-fr"]', "Refusé")
    page.click("#save")
    page.locator(".flash", has_text="revision 2").wait_for()
    assert hub_server.repo.get("refused").title == {"en": "Refused", "fr": "Refusé"}
    assert page.locator('input[name="title-fr"]').input_value() == "Refusé"  # kept in the editor from now on


def test_only_the_exhibitions_curator_may_change_it(hub_server: Running) -> None:
    url = hub_server.url
    with requests.Session() as other:
        login = other.get(f"{url}/login", timeout=10)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', login.text).group(1)
        other.post(f"{url}/login", data={"username": "other", "password": PASSWORD, "csrf_token": csrf}, timeout=10)
        assert other.get(f"{url}/curate/", timeout=10).status_code == 200
        hub_server.repo.create(ExhibitionDoc(slug="owned", title={"en": "Cura's"}, sections=[
            Section(id="s", title={}, text={}, query="SELECT ?object WHERE { ?object ?p ?o }")]), "cura")
        assert other.get(f"{url}/curate/owned/edit", timeout=10).status_code == 403
        assert "owned" not in other.get(f"{url}/curate/", timeout=10).text
        page = other.get(f"{url}/curate/new", timeout=10)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        assert other.post(f"{url}/curate/owned/publish", data={"csrf_token": csrf}, timeout=10).status_code == 403
        assert hub_server.repo.published("owned") is None
        no_token = other.post(f"{url}/curate/check", json={"query": "SELECT ?object {}"}, timeout=10,
                              headers={"Accept": "application/json"})
        assert no_token.status_code == 400  # CSRF: a session's JSON request needs the token header
        checked = other.post(f"{url}/curate/check", json={"query": "SELECT ?object WHERE { ?object ?p ?o }"},
                             headers={"X-CSRF-Token": csrf, "Accept": "application/json"}, timeout=10).json()
        assert checked == {"ok": True, "valid": True, "error": None, "variables": ["object"]}
        headers = {"X-CSRF-Token": csrf, "Accept": "application/json"}
        tried = other.post(f"{url}/curate/try", headers=headers, timeout=10, json={
            "query": "SELECT ?object WHERE { ?object rdfs:label ?t . FILTER(CONTAINS(STR(?t), ?word)) }",
            "parameters": [{"name": "word", "type": "literal"}], "arguments": {"word": "} ; DROP ALL ; {"}}).json()
        assert tried["ok"] and tried["count"] == 1 and tried["objects"][0]["title"] == "Silk banner } ; DROP ALL ; {"
        bad_pin = other.post(f"{url}/curate/try", headers=headers, timeout=10, json={
            "query": "SELECT ?object WHERE { ?object ?p ?o }", "pinned": ["> } DROP ALL {"]})
        assert bad_pin.status_code == 400 and "IRI" in bad_pin.json()["error"]
        bad_year = other.post(f"{url}/curate/facets", headers=headers, timeout=10, json={"date_from": "Tang"})
        assert bad_year.status_code == 400 and "date_from" in bad_year.json()["error"]
    anonymous = requests.post(f"{url}/curate/check", json={"query": "x"}, timeout=10,
                              headers={"Accept": "application/json"})
    assert anonymous.status_code == 401 and anonymous.json()["ok"] is False


def test_a_visitor_account_without_the_curator_role_is_refused(hub_server: Running, tmp_path: Path) -> None:
    # museum accounts manage their museum, not exhibitions
    accounts = Accounts(hub_server.repo.path)
    accounts.create("museum-east", PASSWORD, "museum", museum_id="east")
    with requests.Session() as s:
        login = s.get(f"{hub_server.url}/login", timeout=10)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', login.text).group(1)
        s.post(f"{hub_server.url}/login", data={"username": "museum-east", "password": PASSWORD, "csrf_token": csrf},
               timeout=10)
        assert s.get(f"{hub_server.url}/curate/", timeout=10).status_code == 403
