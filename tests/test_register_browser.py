"""A museum registers its feed in the web form, in headless Chromium, against a hub served on loopback.

Everything is real: the hub's WSGI app in a thread, the demo museums' OAI-PMH server (the PyPI ``oaipmh``
package), the harvest started from the dashboard in a background thread, and Debian's Chromium.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from demo.feeds import DemoFeedServer, load_demo_museums
from web.app import create_app
from web.hub import Hub
from web.settings import load_settings

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "correct horse battery"


@dataclass
class LiveHub:
    url: str
    hub: Hub
    feeds: DemoFeedServer


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    instance: Path = tmp_path_factory.mktemp("register") / "instance"
    settings = load_settings(instance, environ={}, overrides={"ALLOWED_FEED_NETWORKS": ["127.0.0.0/8"],
                                                                "STORE": "memory"})
    hub = Hub(instance, settings)
    feeds = DemoFeedServer([m for m in load_demo_museums() if m.id in ("hz-silk", "koeln-glass")])
    feeds.start()
    app = create_app(hub=hub)
    accounts = app.extensions["srom_accounts"]
    accounts.create("hz", PASSWORD, "museum", museum_id="hz-silk", display_name="Hangzhou staff")
    accounts.create("kg", PASSWORD, "museum", museum_id="koeln-glass", display_name="Köln staff")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveHub(f"http://127.0.0.1:{server.server_port}", hub, feeds)
    finally:
        app.extensions["srom"].museums.jobs.wait_all(60)
        server.shutdown()
        server.server_close()
        thread.join(5)
        hub.close()
        feeds.stop()


def sign_in(page, live: LiveHub, username: str) -> None:
    page.goto(f"{live.url}/login")
    page.fill("#login-form input[name=username]", username)
    page.fill("#login-form input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_load_state()


def test_logged_out_users_are_sent_to_login_and_back(live: LiveHub, page) -> None:
    page.goto(f"{live.url}/manage/museums/hz-silk")
    assert "/login?next=/manage/museums/hz-silk" in page.url
    assert "Sign in" in page.locator("header.site nav").inner_text()
    page.fill("#login-form input[name=username]", "hz")
    page.fill("#login-form input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_load_state()
    assert page.url == f"{live.url}/manage/museums/hz-silk"
    assert "Hangzhou staff" in page.locator("header.site nav").inner_text()


def test_museum_registers_its_feed_sees_the_probe_and_harvests(live: LiveHub, page) -> None:
    sign_in(page, live, "hz")
    page.goto(f"{live.url}/manage/")
    assert page.url == f"{live.url}/manage/museums/hz-silk"
    token = page.locator("#feed-form input[name=csrf_token]").get_attribute("value")
    assert token and len(token) > 20
    page.fill("#feed-form input[name=feed_url]", live.feeds.feed_url("hz-silk"))
    page.fill("#feed-form input[name=name]", "Hangzhou <em>Silk</em> Museum")
    page.fill("#feed-form textarea[name=names]", "en: Hangzhou Silk Museum\nzh: 杭州丝绸博物馆")
    page.select_option("#feed-form select[name=format]", "lido")
    page.fill("#feed-form input[name=city]", "Hangzhou")
    page.click("#feed-form button[type=submit]")
    page.wait_for_selector("#probe")
    # What the feed offers ...
    assert page.locator("#probe").get_attribute("data-ok") == "true"
    assert page.locator("#probe .granularity").inner_text() == "YYYY-MM-DDThh:mm:ssZ"
    assert page.locator("#probe .deleted-record").inner_text().strip()
    assert page.locator("#probe .earliest").inner_text().strip()
    assert page.locator('#probe tr[data-prefix="lido"] td').nth(2).inner_text() == "✓"
    # ... and its first records as the hub will show them.
    samples = page.locator("#probe .sample.mapped")
    assert samples.count() == 5
    titles = [t.strip() for t in samples.locator("h4").all_inner_texts()]
    assert all(titles) and len(set(titles)) == 5
    assert all("triples" in t for t in samples.locator(".triples").all_inner_texts())
    assert page.locator("#probe .sample img").count() > 0
    # What the museum wrote is shown as text, never as markup.
    assert page.locator("h1").inner_text() == "Hangzhou <em>Silk</em> Museum"
    assert page.locator("h1 em").count() == 0

    page.click("#harvest-form button[type=submit]")
    page.wait_for_selector('#runs tr[data-outcome="ok"]', timeout=60_000)  # the page refreshes while it runs
    row = page.locator('#runs tr[data-outcome="ok"]').first
    new = int(row.locator(".new").inner_text())
    assert new > 0 and int(row.locator(".quarantined").inner_text()) == 0
    assert int(page.locator("#counts .objects").inner_text()) == new
    assert live.hub.feeds.runs("hz-silk")[0].new == new


def test_private_address_is_refused_in_the_form(live: LiveHub, page) -> None:
    sign_in(page, live, "kg")
    for url in ("http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/oai"):
        page.goto(f"{live.url}/manage/museums/koeln-glass")
        page.fill("#feed-form input[name=feed_url]", url)
        page.fill("#feed-form input[name=name]", "Köln Glass Museum")
        with page.expect_response(lambda r: r.url.endswith("/feed")) as answer:
            page.click("#feed-form button[type=submit]")
        assert answer.value.status == 422
        error = page.locator(".feed-error").inner_text()
        assert "private, loopback or link-local" in error and url.split("/")[2] in error
        assert page.locator("#feed-form input[name=name]").input_value() == "Köln Glass Museum"  # kept
    assert live.hub.feeds.get_museum("koeln-glass") is None


def test_form_post_without_csrf_token_is_refused(live: LiveHub, page) -> None:
    sign_in(page, live, "kg")
    form = {"feed_url": live.feeds.feed_url("koeln-glass"), "name": "Köln", "format": "oai_dc"}
    response = page.request.post(f"{live.url}/manage/museums/koeln-glass/feed", form=form)  # the session's cookie
    assert response.status == 400 and "The form has expired" in response.text()
    assert live.hub.feeds.get_museum("koeln-glass") is None
    forged = page.request.post(f"{live.url}/manage/museums/koeln-glass/feed", form={**form, "csrf_token": "x" * 43})
    assert forged.status == 400


def test_museum_cannot_open_another_museums_dashboard(live: LiveHub, page) -> None:
    sign_in(page, live, "hz")
    response = page.goto(f"{live.url}/manage/museums/koeln-glass")
    assert response.status == 403
    # a plain refusal in the hub's look, with a way home; nothing of the other museum's dashboard
    assert page.locator("section.error h1").inner_text() == "Not allowed"
    assert page.locator("#harvest-form").count() == 0
    response = page.goto(f"{live.url}/manage/admin")
    assert response.status == 403
