"""Accounts, sessions, CSRF, roles and tokens (web.accounts.database, web.accounts.auth, web.views.auth, the CLI).

Real parts only: the app with an in-memory store, Flask's test client for the HTTP exchanges, the real
SQLite file of the instance, and the `srom` command through click's runner.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from web.accounts.database import AccountError, Accounts
from web.app import create_app
from web.cli import main
from web.hub import database_path

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fast hash for the many sign-ins here; test_passwords_are_stored_hashed checks the real default."""
    monkeypatch.setattr(Accounts, "password_method", "pbkdf2:sha256:1000")


@pytest.fixture
def app(instance: Path) -> Iterator[Flask]:
    app = create_app({"INSTANCE": instance, "STORE": "memory", "ALLOWED_FEED_NETWORKS": ["127.0.0.0/8"]})
    yield app
    app.extensions["srom"].close()


@pytest.fixture
def accounts(app: Flask) -> Accounts:
    return app.extensions["srom_accounts"]


def csrf_of(client: FlaskClient, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, f"no CSRF token in {path}"
    return match.group(1)


def login(client: FlaskClient, username: str, password: str = PASSWORD, next_url: str | None = None):
    data = {"username": username, "password": password, "csrf_token": csrf_of(client)}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/login", data=data)


# --- storage --------------------------------------------------------------------------------------------
def test_passwords_are_stored_hashed_and_checked(accounts: Accounts, instance: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()  # the production default, scrypt
    account = accounts.create("Silk", PASSWORD, "curator", display_name="Silk Curator")
    with sqlite3.connect(database_path(instance)) as db:
        stored = db.execute("SELECT password_hash FROM accounts WHERE id = ?", (account.id,)).fetchone()[0]
    db.close()
    assert PASSWORD not in stored and stored.startswith("scrypt:")
    assert accounts.authenticate("silk", PASSWORD) is not None  # user names ignore case
    assert accounts.authenticate("Silk", PASSWORD + "x") is None
    assert accounts.authenticate("nobody", PASSWORD) is None
    with pytest.raises(AccountError, match="taken"):
        accounts.create("SILK", PASSWORD, "curator")
    with pytest.raises(AccountError, match="at least"):
        accounts.create("short", "123", "curator")
    with pytest.raises(AccountError, match="museum"):
        accounts.create("m", PASSWORD, "museum")
    with pytest.raises(AccountError, match="only museum accounts"):
        accounts.create("c", PASSWORD, "curator", museum_id="hz-silk")
    with pytest.raises(AccountError, match="role"):
        accounts.create("r", PASSWORD, "root")


def test_tokens_are_stored_as_sha256_and_shown_once(accounts: Accounts, instance: Path) -> None:
    account = accounts.create("hz", PASSWORD, "museum", museum_id="hz-silk")
    token, record = accounts.create_token(account.id, "ci")
    assert token.startswith("srom_") and len(token) > 40
    with sqlite3.connect(database_path(instance)) as db:
        rows = db.execute("SELECT * FROM api_tokens").fetchall()
    db.close()
    assert all(token not in str(row) for row in rows)
    assert rows[0][2] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(record.as_json()) and record.hint == token[:9]
    user = accounts.user_for_token(token)
    assert user is not None and user.museum_id == "hz-silk" and user.role == "museum"
    assert accounts.user_for_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert accounts.user_for_token("not-a-token") is None
    accounts.update(account.id, status="disabled")
    assert accounts.user_for_token(token) is None
    accounts.update(account.id, status="active")
    assert accounts.revoke_token(account.id, record.id)
    assert accounts.user_for_token(token) is None


# --- sessions and CSRF ----------------------------------------------------------------------------------
def test_login_sets_a_protected_session_cookie(app: Flask, accounts: Accounts) -> None:
    accounts.create("hz", PASSWORD, "museum", museum_id="hz-silk")
    client = app.test_client()
    response = login(client, "hz")
    assert response.status_code == 302 and response.headers["Location"] == "/manage/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/manage/").headers["Location"] == "/manage/museums/hz-silk"
    assert client.get("/manage/museums/hz-silk").status_code == 200


def test_login_needs_the_csrf_token_and_right_password(app: Flask, accounts: Accounts) -> None:
    accounts.create("hz", PASSWORD, "museum", museum_id="hz-silk")
    client = app.test_client()
    assert client.post("/login", data={"username": "hz", "password": PASSWORD}).status_code == 400
    response = login(client, "hz", "wrong password!")
    assert response.status_code == 401 and "Wrong user name or password" in response.get_data(as_text=True)
    assert client.get("/manage/").status_code == 302  # still signed out


def test_logged_out_pages_redirect_to_login_and_api_answers_401(app: Flask) -> None:
    client = app.test_client()
    response = client.get("/manage/museums/hz-silk")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/manage/museums/hz-silk"
    response = client.get("/api/me")
    assert response.status_code == 401
    assert response.get_json() == {"ok": False, "error": "sign in or send a bearer token", "status": 401}
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_login_redirects_only_to_local_paths(app: Flask, accounts: Accounts) -> None:
    accounts.create("hz", PASSWORD, "museum", museum_id="hz-silk")
    for evil in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        client = app.test_client()
        assert login(client, "hz", next_url=evil).headers["Location"] == "/manage/"
    client = app.test_client()
    assert login(client, "hz", next_url="/manage/tokens").headers["Location"] == "/manage/tokens"


def test_session_writes_need_the_csrf_token(app: Flask, accounts: Accounts) -> None:
    accounts.create("hz", PASSWORD, "museum", museum_id="hz-silk")
    client = app.test_client()
    login(client, "hz")
    refused = client.post("/manage/tokens", data={"label": "x"})
    assert refused.status_code == 400 and "The form has expired" in refused.get_data(as_text=True)
    token = csrf_of(client, "/manage/tokens")
    assert client.post("/manage/tokens", data={"label": "x", "csrf_token": "forged"}).status_code == 400
    created = client.post("/manage/tokens", data={"label": "x", "csrf_token": token})
    assert created.status_code == 201 and created.headers["Cache-Control"] == "no-store"
    shown = re.search(r'id="new-token">([^<]+)<', created.get_data(as_text=True)).group(1)
    assert accounts.user_for_token(shown).username == "hz"
    # The same header works for scripts using the session (the API's JSON writes).
    assert client.post("/api/tokens", json={}, headers={"X-CSRF-Token": token}).status_code == 201
    assert client.post("/api/tokens", json={}).status_code == 400


def test_public_sparql_posts_are_not_blocked_for_signed_in_users(app: Flask, accounts: Accounts) -> None:
    accounts.create("hz", PASSWORD, "museum", museum_id="hz-silk")
    client = app.test_client()
    login(client, "hz")
    response = client.post("/sparql", data={"query": "ASK { ?s ?p ?o }"},
                           headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200


def test_roles(app: Flask, accounts: Accounts) -> None:
    accounts.create("cur", PASSWORD, "curator")
    accounts.create("hz", PASSWORD, "museum", museum_id="hz-silk")
    accounts.create("boss", PASSWORD, "admin")
    curator, museum, admin = app.test_client(), app.test_client(), app.test_client()
    login(curator, "cur")
    login(museum, "hz")
    login(admin, "boss")
    assert curator.get("/manage/museums/hz-silk").status_code == 403
    assert museum.get("/manage/admin").status_code == 403
    assert museum.get("/manage/museums/koeln-glass").status_code == 403
    assert admin.get("/manage/admin").status_code == 200
    assert admin.get("/manage/museums/koeln-glass").status_code == 200  # admins pass every check


def test_password_change_and_disabling_end_sessions(app: Flask, accounts: Accounts) -> None:
    account = accounts.create("hz", PASSWORD, "museum", museum_id="hz-silk")
    client = app.test_client()
    login(client, "hz")
    assert client.get("/manage/museums/hz-silk").status_code == 200
    accounts.update(account.id, password="another long password")
    assert client.get("/manage/museums/hz-silk").status_code == 302
    login(client, "hz", "another long password")
    accounts.update(account.id, status="disabled")
    assert client.get("/manage/museums/hz-silk").status_code == 302
    assert login(client, "hz", "another long password").status_code == 403


def test_logout(app: Flask, accounts: Accounts) -> None:
    accounts.create("hz", PASSWORD, "museum", museum_id="hz-silk")
    client = app.test_client()
    login(client, "hz")
    token = csrf_of(client, "/manage/tokens")
    assert client.post("/logout").status_code == 400  # logging someone out is a write too
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/manage/").status_code == 302


def test_self_registration_waits_for_the_admin(app: Flask, accounts: Accounts) -> None:
    accounts.create("boss", PASSWORD, "admin")
    client = app.test_client()
    form = {"display_name": "Bukhara Museum <b>of</b> Silk", "museum_id": "bukhara", "username": "bukhara",
            "email": "a@b.example", "password": PASSWORD, "password_again": PASSWORD, "note": "hello"}
    assert client.post("/register", data=form).status_code == 400  # no CSRF token
    response = client.post("/register", data={**form, "csrf_token": csrf_of(client, "/register")})
    assert response.status_code == 200 and "approves" in response.get_data(as_text=True)
    pending = accounts.by_username("bukhara")
    assert pending is not None and pending.status == "pending" and pending.museum_id == "bukhara"
    response = login(app.test_client(), "bukhara")
    assert response.status_code == 403 and "approval" in response.get_data(as_text=True)
    # Someone else cannot claim the same museum.
    other = app.test_client()
    again = other.post("/register", data={**form, "username": "thief", "csrf_token": csrf_of(other, "/register")})
    assert again.status_code == 422 and "taken" in again.get_data(as_text=True)
    # The admin approves it on the admin page (where the museum's text is escaped).
    admin = app.test_client()
    login(admin, "boss")
    page = admin.get("/manage/admin").get_data(as_text=True)
    assert "Bukhara Museum &lt;b&gt;of&lt;/b&gt; Silk" in page and "<b>of</b>" not in page
    token = csrf_of(admin, "/manage/admin")
    assert admin.post(f"/manage/admin/accounts/{pending.id}/status",
                      data={"status": "active", "csrf_token": token}).status_code == 302
    client = app.test_client()
    assert login(client, "bukhara").headers["Location"] == "/manage/"
    assert client.get("/manage/").headers["Location"] == "/manage/museums/bukhara"


def test_failed_logins_are_throttled(app: Flask, accounts: Accounts) -> None:
    accounts.create("hz", PASSWORD, "museum", museum_id="hz-silk")
    client = app.test_client()
    statuses = [login(client, "hz", "wrong password!").status_code for _ in range(8)]
    assert statuses == [401] * 8
    assert login(client, "hz").status_code == 429  # even the right password waits now
    assert login(client, "other-user").status_code == 401  # per user name: others are not locked out


def test_user_name_in_the_nav_is_escaped(app: Flask, accounts: Accounts) -> None:
    accounts.create("x", PASSWORD, "curator", display_name="<script>alert(1)</script>")
    client = app.test_client()
    login(client, "x")
    html = client.get("/manage/tokens").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html


def test_bearer_requests_ignore_the_session_cookie(app: Flask, accounts: Accounts) -> None:
    accounts.create("hz", PASSWORD, "museum", museum_id="hz-silk")
    client = app.test_client()
    login(client, "hz")
    assert client.get("/api/me").get_json()["user"]["username"] == "hz"
    response = client.get("/api/me", headers={"Authorization": "Bearer srom_not-a-real-token"})
    assert response.status_code == 401 and "invalid" in response.get_json()["error"]


# --- CLI --------------------------------------------------------------------------------------------------
def test_cli_accounts_and_tokens(instance: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["accounts", "add", "hz", "--role", "museum", "--museum", "hz-silk",
                                  "--display-name", "Hangzhou", "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "museum account hz" in result.output and PASSWORD not in result.output
    bad = runner.invoke(main, ["accounts", "add", "m2", "--role", "museum", "--password-stdin"], input=PASSWORD)
    assert bad.exit_code != 0 and "museum" in bad.output
    listed = runner.invoke(main, ["accounts", "list", "--json"])
    assert listed.exit_code == 0
    rows = json.loads(listed.output)["accounts"]
    assert [(r["username"], r["role"], r["museum_id"], r["status"]) for r in rows] == [
        ("hz", "museum", "hz-silk", "active")]
    assert "password" not in listed.output
    token = runner.invoke(main, ["tokens", "create", "hz", "--label", "ci"]).output.strip()
    store = Accounts(database_path(instance))
    assert store.user_for_token(token).museum_id == "hz-silk"
    disabled = runner.invoke(main, ["accounts", "set", "hz", "--status", "disabled"])
    assert disabled.exit_code == 0 and "disabled" in disabled.output
    assert store.user_for_token(token) is None
    assert runner.invoke(main, ["tokens", "create", "nobody"]).exit_code != 0


def test_public_museum_page_links_managers_to_the_dashboard(app: Flask, accounts: Accounts) -> None:
    from harvesters.feed_database import Museum

    app.extensions["srom"].feeds.save_museum(
        Museum(id="hz-silk", name="Hangzhou", feed_url="http://127.0.0.1:9/oai", format="lido"))
    accounts.create("hz", PASSWORD, "museum", museum_id="hz-silk")
    accounts.create("kg", PASSWORD, "museum", museum_id="koeln-glass")
    link = 'href="/manage/museums/hz-silk"'
    assert link not in app.test_client().get("/museums/hz-silk").get_data(as_text=True)
    owner, other = app.test_client(), app.test_client()
    login(owner, "hz")
    login(other, "kg")
    assert link in owner.get("/museums/hz-silk").get_data(as_text=True)
    assert link not in other.get("/museums/hz-silk").get_data(as_text=True)


def test_admin_creates_and_disables_accounts_on_the_admin_page(app: Flask, accounts: Accounts) -> None:
    boss = accounts.create("boss", PASSWORD, "admin")
    admin = app.test_client()
    login(admin, "boss")
    token = csrf_of(admin, "/manage/admin")
    form = {"username": "curie", "display_name": "A curator", "role": "curator", "password": PASSWORD,
            "csrf_token": token}
    assert admin.post("/manage/admin/accounts", data=form).status_code == 302
    curie = accounts.by_username("curie")
    assert curie is not None and curie.status == "active" and curie.role == "curator"
    weak = admin.post("/manage/admin/accounts", data={**form, "username": "x", "password": "short"})
    assert weak.status_code == 422 and "at least" in weak.get_data(as_text=True)
    assert admin.post(f"/manage/admin/accounts/{curie.id}/status",
                      data={"status": "disabled", "csrf_token": token}).status_code == 302
    assert accounts.get(curie.id).status == "disabled"
    own = admin.post(f"/manage/admin/accounts/{boss.id}/status", data={"status": "disabled", "csrf_token": token})
    assert own.status_code == 422 and accounts.get(boss.id).status == "active"
    page = admin.get("/manage/admin").get_data(as_text=True)
    assert "sparql_timeout" in page and "SROM_SECRET_KEY" in page  # the settings in force ...
    assert app.config["SECRET_KEY"] not in page  # ... but never the secret


def test_dashboard_confirms_or_discards_a_held_removal(app: Flask, accounts: Accounts) -> None:
    from harvesters.feed_database import Museum

    hub = app.extensions["srom"]
    hub.feeds.save_museum(Museum(id="hz-silk", name="Hangzhou", feed_url="http://127.0.0.1:9/oai", format="lido"))
    run_id = hub.feeds.start_run("hz-silk", full=True, harvest_from=None)
    hub.feeds.finish_run(run_id, "ok")
    graphs = [hub.minter.record_graph("hz-silk", f"oai:x:{i}") for i in range(4)]
    accounts.create("hz", PASSWORD, "museum", museum_id="hz-silk")
    client = app.test_client()
    login(client, "hz")
    for action, left in (("discard", None), ("confirm", None)):
        hub.feeds.hold_removal("hz-silk", run_id, graphs, total=10)
        page = client.get("/manage/museums/hz-silk").get_data(as_text=True)
        assert 'class="removal-count">4<' in page
        token = csrf_of(client, "/manage/museums/hz-silk")
        response = client.post(f"/manage/museums/hz-silk/removals/{action}", data={"csrf_token": token})
        assert response.status_code == 302
        assert hub.feeds.pending_removal("hz-silk") is left
        assert "removal-count" not in client.get("/manage/museums/hz-silk").get_data(as_text=True)
