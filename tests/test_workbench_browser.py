"""The SPARQL workbench in headless Chromium, as a researcher new to the hub uses it, against a real hub on
loopback over the harvested demo museums: pick an example, run it, see the map, the table and the chart,
change the query, share it (the link reopens query and view), download CSV; an error shows its line and
column; a query stopped by the budget or the timeout says so; completion offers thesaurus concepts by
label; everything works from the keyboard, nothing leaves 127.0.0.1 and the console stays clean."""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from tests.support.exhibition_dataset import Dataset, build_dataset
from web.app import create_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def hub_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    dataset: Dataset = build_dataset(tmp_path_factory.mktemp("workbench") / "instance")
    app = create_app(hub=dataset.hub)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
        dataset.close()


@pytest.fixture
def watched(page) -> Iterator[tuple[object, list[str]]]:
    """The page, and what went wrong in it: console errors, page errors, requests beyond loopback."""
    problems: list[str] = []
    page.set_default_timeout(10_000)
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("request", lambda r: problems.append(f"outside: {r.url}")
            if urlsplit(r.url).hostname not in ("127.0.0.1", None) and not r.url.startswith(("data:", "blob:"))
            else None)
    yield page, problems


def editor_text(page) -> str:
    return page.evaluate("window.sromWorkbench.yasqe.getValue()")


def test_a_researcher_runs_an_example_changes_it_shares_and_downloads(hub_url: str, watched,
                                                                        tmp_path: Path) -> None:
    page, problems = watched
    page.goto(f"{hub_url}/sparql")
    page.locator(".CodeMirror").wait_for()
    assert page.locator(".wb-example").count() >= 15
    assert page.locator(".wb-limits", has_text="10 s").count() == 1

    # pick an example and run it: its #defaultView:Map shows the mints on the map
    page.click("text=Coins by mint, on a map")
    assert editor_text(page).startswith("#defaultView:Map")
    assert page.locator(".CodeMirror .gutterErrorBar *").count() == 0  # predeclared prefixes: no error marks
    page.click("#wb-run")
    page.locator("#wb-status", has_text="13 rows").wait_for()
    page.locator('.wb-map[data-points="13"]').wait_for()
    assert page.locator(".wb-map .wb-point").count() == 13

    # the table, then the map and the chart again
    page.click("#wb-tab-Table")
    page.locator(".wb-table tbody tr").first.wait_for()
    assert page.locator(".wb-table tbody tr").count() == 13
    assert page.locator(".wb-table td", has_text="Constantinople").count() == 1
    page.click("#wb-tab-Map")
    page.locator(".wb-map").wait_for()
    page.click("#wb-tab-BarChart")
    page.locator("svg.wb-chart").wait_for()
    assert page.locator("svg.wb-chart rect.wb-bar").count() == 13
    assert page.locator("#wb-tab-Timeline").is_disabled()  # no dates in these results

    # change the query as a researcher would: type at its end, run with Ctrl+Enter
    page.locator(".CodeMirror").click()
    page.keyboard.press("Control+End")
    page.keyboard.type("\nLIMIT 5")
    page.keyboard.press("Control+Enter")
    page.locator("#wb-status", has_text="5 rows").wait_for()
    assert page.locator("svg.wb-chart rect.wb-bar").count() == 5  # the chosen view stays

    # share: the readable link and the short one both reopen the query in its view
    page.click("#wb-share")
    link = page.locator("#wb-share-url").input_value()
    assert "#query=" in link and "view=BarChart" in link
    page.click("#wb-short")
    page.wait_for_function("document.getElementById('wb-share-url').value.indexOf('#z=') > 0")
    short = page.locator("#wb-share-url").input_value()
    assert len(short) < len(link)
    for url in (link, short):
        other = page.context.new_page()
        other.goto(url)
        other.locator("#wb-status", has_text="5 rows").wait_for()
        assert other.evaluate("window.sromWorkbench.yasqe.getValue()").rstrip().endswith("LIMIT 5")
        assert other.locator("#wb-tab-BarChart").get_attribute("aria-selected") == "true"
        other.close()

    # download CSV through the endpoint's own format
    with page.expect_download() as download:
        page.select_option("#wb-download", "csv")
    path = tmp_path / "query.csv"
    download.value.save_as(path)
    assert download.value.suggested_filename == "query.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert rows[0] == ["mint", "where", "coins"] and len(rows) == 6
    assert page.locator('#wb-download option[value="turtle"]').is_disabled()  # a SELECT has no RDF form

    # "turn into an exhibition" carries the query to the curator's editor (which asks to sign in)
    page.click("#wb-curate")
    page.wait_for_url("**/login**")
    assert "curate%2Fnew" in page.url or "curate/new" in page.url
    assert problems == []


def test_errors_show_line_and_column_and_stopped_queries_say_why(hub_url: str, watched) -> None:
    page, problems = watched
    page.goto(f"{hub_url}/sparql")
    page.locator(".CodeMirror").wait_for()
    page.evaluate("t => window.sromWorkbench.yasqe.setValue(t)",
                  "#defaultView:Table\nSELECT ?object WHERE {\n  ?object a crm:E22_Human-Made_Object .\n"
                  "  FILTER(?object = )\n}")
    page.click("#wb-run")
    error = page.locator("#wb-error")
    error.wait_for()
    assert "line 4" in error.inner_text() and "column" in error.inner_text()
    assert error.get_attribute("data-status") == "400"
    assert page.locator(".CodeMirror .wb-error-line").count() == 1
    assert "FILTER(?object = )" in page.locator(".wb-error-source").inner_text()
    # a query stopped by the per-client budget (429) or the timeout (503) says so in the page
    page.route("**/sparql", lambda route: route.fulfill(
        status=429, headers={"Retry-After": "42", "Content-Type": "text/plain"},
        body="this client used its 60 s of query time per minute; retry later"))
    page.evaluate("t => window.sromWorkbench.yasqe.setValue(t)", "SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    page.click("#wb-run")
    page.locator("#wb-error", has_text="Retry in 42 s").wait_for()
    page.unroute("**/sparql")
    page.route("**/sparql", lambda route: route.fulfill(
        status=503, headers={"Content-Type": "text/plain"},
        body="the query did not finish within this endpoint's time limit of 10 s and was stopped"))
    page.click("#wb-run")
    page.locator("#wb-error", has_text="time limit (10 s)").wait_for()
    page.unroute("**/sparql")
    problems = [p for p in problems if "status of 4" not in p and "status of 5" not in p]  # the statuses asked for
    assert problems == []


def test_keyboard_completion_and_chinese(hub_url: str, watched) -> None:
    page, problems = watched
    page.goto(f"{hub_url}/sparql?lang=zh")
    page.locator(".CodeMirror").wait_for()
    assert page.locator("h1").inner_text() == "SPARQL 查询工作台"
    # keyboard only: reach an example, open it with Enter, run it from the editor with Ctrl+Enter
    page.focus("#wb-example-filter")
    page.keyboard.type("丝绸时间轴")
    assert page.locator("#wb-example-list li:not([hidden])").count() == 1
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert editor_text(page).startswith("#defaultView:Timeline")
    page.keyboard.press("Control+Enter")  # the editor has the focus after an example opens
    page.locator(".wb-timeline[data-items]").wait_for()
    assert page.locator("#wb-tab-Timeline").get_attribute("aria-selected") == "true"
    page.focus("#wb-tab-Timeline")
    page.keyboard.press("ArrowLeft")  # to the previous tab that fits: the table
    assert page.locator("#wb-tab-Table").get_attribute("aria-selected") == "true"
    page.locator(".wb-table").wait_for()

    # completion: a concept by its Chinese label, a CRM class by its number
    page.evaluate("t => window.sromWorkbench.yasqe.setValue(t)",
                  "SELECT ?o WHERE {\n  ?o crm:P45_consists_of 丝绸")
    page.locator(".CodeMirror").click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Control+Space")
    hint = page.locator(".CodeMirror-hint", has_text="material/silk")
    hint.first.wait_for()
    page.keyboard.press("Enter")
    assert editor_text(page).endswith("<https://w3id.org/srom/concept/material/silk>")
    page.keyboard.type(" .\n  ?o a E22")
    page.keyboard.press("Control+Space")
    page.locator(".CodeMirror-hint", has_text="crm:E22_Human-Made_Object").first.wait_for()
    page.keyboard.press("Enter")
    assert editor_text(page).endswith("?o a crm:E22_Human-Made_Object")
    assert problems == []
