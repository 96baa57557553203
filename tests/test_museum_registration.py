"""One registration, three doors: the web form, the JSON API and ``srom museums add`` check a museum with
the same code (``web.museums.feed_form``) and answer the same message for the same mistake."""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from tests.test_auth import PASSWORD, csrf_of, login
from web.accounts.database import Accounts
from web.app import create_app
from web.cli import main

# (feed URL, schedule, the message every door must show)
MISTAKES = [
    ("ftp://museum.example/oai", None, "feed_url must be an http(s) URL"),
    ("http://10.1.2.3/oai", None, "10.1.2.3"),
    ("http://127.0.0.1:9/oai", None, "127.0.0.1"),
    ("https://museum.example/oai", "nightly", "cron"),
]


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Accounts, "password_method", "pbkdf2:sha256:1000")


@pytest.fixture
def app(instance: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    monkeypatch.setenv("SROM_STORE", "memory")
    monkeypatch.setenv("SROM_ALLOWED_FEED_NETWORKS", "")  # loopback is private again, as in production
    app = create_app({"INSTANCE": instance, "STORE": "memory", "ALLOWED_FEED_NETWORKS": []})
    yield app
    app.extensions["srom"].close()


def _api_message(app: Flask, token: str, url: str, schedule: str | None) -> str:
    body = {"id": "hz-silk", "name": "Hangzhou", "feed_url": url, "format": "lido", "probe": False}
    if schedule:
        body["schedule"] = schedule
    answer = app.test_client().post("/api/museums", json=body, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 422, answer.get_json()
    return answer.get_json()["error"]


def _form_message(app: Flask, url: str, schedule: str | None) -> str:
    client = app.test_client()
    login(client, "hz")
    form = {"name": "Hangzhou", "feed_url": url, "protocol": "oai-pmh", "format": "lido", "schedule": schedule or "",
            "csrf_token": csrf_of(client, "/manage/museums/hz-silk")}
    page = client.post("/manage/museums/hz-silk/feed", data=form)
    assert page.status_code == 422
    return html.unescape(page.get_data(as_text=True))


def _cli_message(url: str, schedule: str | None) -> str:
    args = ["museums", "add", "hz-silk", "--name", "Hangzhou", "--feed", url, "--format", "lido"]
    if schedule:
        args += ["--schedule", schedule]
    result = CliRunner().invoke(main, args)
    assert result.exit_code != 0
    return result.output


@pytest.mark.parametrize("url, schedule, expected", MISTAKES)
def test_the_same_mistake_gets_the_same_message_everywhere(app: Flask, url: str, schedule: str | None,
                                                          expected: str) -> None:
    accounts = app.extensions["srom"].accounts
    account = accounts.create("hz", PASSWORD, "museum", museum_id="hz-silk")
    token, _ = accounts.create_token(account.id, "tests")
    from_api = _api_message(app, token, url, schedule)
    assert expected in from_api
    assert from_api in _form_message(app, url, schedule)
    assert from_api in _cli_message(url, schedule)
    assert app.extensions["srom"].museums.find("hz-silk") is None  # nothing was saved by any door


def test_cli_registration_is_checked_then_saved_and_listed(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SROM_ALLOWED_FEED_NETWORKS", "127.0.0.0/8")  # no DNS here: a loopback feed
    runner = CliRunner()
    added = runner.invoke(main, ["museums", "add", "hz-silk", "--name", "Hangzhou", "--feed",
                                 "http://127.0.0.1:9/oai", "--format", "lido", "--option", "page_size=20"])
    assert added.exit_code == 0, added.output
    listed = json.loads(runner.invoke(main, ["museums", "list", "--json"]).output)
    assert listed["ok"] is True and listed["museums"][0]["options"] == {"page_size": "20"}
    bad_option = runner.invoke(main, ["museums", "add", "hz-silk", "--name", "H", "--feed", "http://127.0.0.1:9/oai",
                                      "--format", "lido", "--option", "no-equals-sign"])
    assert bad_option.exit_code != 0 and "write each option as KEY=VALUE" in bad_option.output
