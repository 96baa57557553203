"""Hostile accounts and visitors (issue 11, classes 12-15): oversized forms and bodies, registration
floods, password spraying, instance files readable by others, framing of signed-in pages."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.test_auth import PASSWORD, csrf_of, login
from web.accounts.database import Accounts
from web.app import create_app
from web.hub import database_path


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Accounts, "password_method", "pbkdf2:sha256:1000")


@pytest.fixture
def app(instance: Path) -> Iterator[Flask]:
    app = create_app({"INSTANCE": instance, "STORE": "memory"})
    yield app
    app.extensions["srom"].close()


def _registration(client: FlaskClient, n: int, **changes: str) -> dict[str, str]:
    form = {"display_name": f"Museum {n}", "museum_id": f"museum-{n}", "username": f"user{n}",
            "email": "a@b.example", "password": PASSWORD, "password_again": PASSWORD, "note": "",
            "csrf_token": csrf_of(client, "/register")}
    return {**form, **changes}


# --- 12: sizes and rates ---------------------------------------------------------------------------
def test_a_huge_display_name_never_reaches_the_admin_page(app: Flask) -> None:
    client = app.test_client()
    huge = client.post("/register", data=_registration(client, 1, display_name="x" * 3_000_000))
    assert huge.status_code == 413  # the body is refused before it is parsed
    long = client.post("/register", data=_registration(client, 2, display_name="x" * 5_000))
    assert long.status_code == 422 and "too long" in long.get_data(as_text=True)
    assert app.extensions["srom"].accounts.list() == []


def test_json_bodies_are_bounded_too(app: Flask) -> None:
    accounts = app.extensions["srom"].accounts
    token, _ = accounts.create_token(accounts.create("hz", PASSWORD, "museum", museum_id="hz-silk").id)
    answer = app.test_client().post("/api/museums", data=b"[" + b"1," * 1_000_000 + b"1]",
                                    headers={"Content-Type": "application/json", "Accept": "application/json",
                                             "Authorization": f"Bearer {token}"})
    assert answer.status_code == 413
    assert answer.get_json()["ok"] is False and answer.get_json()["status"] == 413


def test_registration_is_rate_limited_per_address(app: Flask) -> None:
    client = app.test_client()
    for n in range(5):
        assert client.post("/register", data=_registration(client, n)).status_code == 200
    flood = client.post("/register", data=_registration(client, 99))
    assert flood.status_code == 429 and int(flood.headers["Retry-After"]) > 0
    assert app.extensions["srom"].accounts.by_username("user99") is None
    other = app.test_client()  # another address is not held back by this one
    elsewhere = other.post("/register", data=_registration(other, 7),
                           environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert elsewhere.status_code == 200


def test_control_characters_in_names_are_refused(app: Flask) -> None:
    client = app.test_client()
    answer = client.post("/register", data=_registration(client, 3, display_name="Silk\x1b[2JMuseum"))
    assert answer.status_code == 422 and "control characters" in answer.get_data(as_text=True)


# --- 13: sign-in throttling -----------------------------------------------------------------------------
def test_one_password_over_many_names_is_slowed_per_address(app: Flask) -> None:
    accounts = app.extensions["srom"].accounts
    accounts.create("victim", PASSWORD, "curator")
    client = app.test_client()
    for n in range(30):  # a password spray: one guess per user name, never twice the same name
        assert login(client, f"someone{n}", "Summer2026!").status_code == 401
    # the right password of a name never tried from this address is held back too
    assert login(client, "victim").status_code == 429
    assert login(app.test_client(), "victim", PASSWORD).status_code in (302, 429)


def test_many_addresses_against_one_account_are_slowed_per_account(app: Flask) -> None:
    accounts = app.extensions["srom"].accounts
    accounts.create("target", PASSWORD, "curator")
    for n in range(20):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"198.51.100.{n}"
        assert login(client, "target", f"guess-{n}").status_code == 401
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    assert login(client, "target", "guess-again").status_code == 429


# --- 14: private instance files ---------------------------------------------------------------------
def test_instance_files_are_private_from_the_start(tmp_path: Path) -> None:
    old = os.umask(0o022)  # a usual umask: files would be world-readable unless made private
    try:
        instance = tmp_path / "instance"
        app = create_app({"INSTANCE": instance, "STORE": "memory"})
        app.extensions["srom"].accounts.create("boss", PASSWORD, "admin")
        app.extensions["srom"].close()
    finally:
        os.umask(old)
    for path in (database_path(instance), instance / "secret_key"):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o077 == 0, f"{path.name} is {oct(mode)}"
    assert stat.S_IMODE(instance.stat().st_mode) & 0o077 == 0
    assert not list(instance.glob(".secret_key.*"))  # no temporary file left behind


# --- 15: CSP and frame protection on signed-in pages -------------------------------------------------
@pytest.mark.parametrize("path", ["/login", "/register", "/manage/admin", "/curate/", "/api/"])
def test_signed_in_pages_cannot_be_framed_and_run_only_the_hubs_scripts(app: Flask, path: str) -> None:
    app.extensions["srom"].accounts.create("boss", PASSWORD, "admin")
    client = app.test_client()
    login(client, "boss")
    response = client.get(path)
    policy = response.headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy, path
    assert response.headers.get("X-Frame-Options") == "DENY"
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
