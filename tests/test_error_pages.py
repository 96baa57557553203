"""Every error status a person can meet reads the same way: the hub's look, the visitor's language, a plain
sentence (never the developer's reason) and a link back; JSON clients keep the envelope with the reason.

The statuses a browser cannot provoke on demand (a store that times out or is down, an unexpected bug) are
raised by a route added to the real app for the test; the browser tests cover 400, 403, 404, 405 and 413.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, abort

from store.base import QueryTimeout, StoreUnavailable
from web.app import create_app

REASON = "developer's reason: table xyz is locked"


def _raise(exc: Exception):
    raise exc


RAISE = {
    "403": lambda: abort(403, REASON), "404": lambda: abort(404, REASON), "409": lambda: abort(409, REASON),
    "429": lambda: abort(429, REASON), "bug": lambda: 1 / 0,
    "timeout": lambda: _raise(QueryTimeout(REASON)), "down": lambda: _raise(StoreUnavailable(REASON)),
}
HEADINGS = {
    "403": (403, "Not allowed", "无权访问"), "404": (404, "Page not found", "找不到页面"),
    "409": (409, "Not possible now", "当前无法操作"), "429": (429, "Too many requests", "请求过多"),
    "bug": (500, "Something went wrong", "出错了"), "timeout": (503, "Busy or unavailable", "繁忙或暂不可用"),
    "down": (503, "Busy or unavailable", "繁忙或暂不可用"),
}


@pytest.fixture
def app(instance: Path) -> Iterator[Flask]:
    app = create_app({"INSTANCE": instance, "STORE": "memory"})

    @app.get("/test-error/<kind>")
    def fail(kind: str):
        return RAISE[kind]()

    yield app
    app.extensions["srom"].close()


@pytest.mark.parametrize("kind", sorted(RAISE))
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_error_is_a_plain_translated_page_with_a_way_back(app: Flask, kind: str, lang: str) -> None:
    status, english, chinese = HEADINGS[kind]
    response = app.test_client().get(f"/test-error/{kind}?lang={lang}", headers={"Accept": "text/html"})
    page = response.get_data(as_text=True)
    assert response.status_code == status and response.mimetype == "text/html"
    assert f"<html lang=\"{lang}\">" in page and 'class="brand"' in page  # base.html
    assert f"<h1>{english if lang == 'en' else chinese}</h1>" in page
    assert "xyz" not in page and "ZeroDivision" not in page  # no developer's reason, no traceback
    assert '<p class="back"><a href="/">' in page


@pytest.mark.parametrize("kind", ["404", "timeout"])
def test_json_clients_keep_the_envelope_with_the_reason(app: Flask, kind: str) -> None:
    response = app.test_client().get(f"/test-error/{kind}", headers={"Accept": "application/json"})
    assert response.status_code == HEADINGS[kind][0]
    assert response.json is not None and response.json["ok"] is False and "xyz" in response.json["error"]
