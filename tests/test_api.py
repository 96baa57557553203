"""The JSON API with bearer tokens: permissions, the feed guard, probes, harvests, removals, OpenAPI.

Real parts only: the app (in-memory store) through Flask's test client, the demo museums' OAI-PMH server
(the PyPI ``oaipmh`` package) and the project's OAI-PMH test server on loopback. Private addresses are
only ever checked by the guard, never contacted.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from demo.feeds import DemoFeedServer, load_demo_museums
from tests.support.lido_records import lido
from tests.support.oai_test_server import OaiTestServer
from web.accounts.database import Accounts
from web.app import create_app
from web.hub import database_path
from web.openapi import openapi_document

PASSWORD = "correct horse battery"


class FormatsOaiServer(OaiTestServer):
    """The test repository, also answering ListMetadataFormats (with the prefixes given) and ListSets."""

    prefixes: tuple[str, ...] = ("lido",)

    def respond(self, args: dict[str, str]) -> str:
        if args.get("verb") == "ListMetadataFormats":
            formats = "".join(
                f"<metadataFormat><metadataPrefix>{p}</metadataPrefix><schema>http://example.org/{p}.xsd</schema>"
                f"<metadataNamespace>http://example.org/{p}</metadataNamespace></metadataFormat>"
                for p in self.prefixes
            )
            return self._envelope(f"<ListMetadataFormats>{formats}</ListMetadataFormats>")
        if args.get("verb") == "ListSets":
            return self._error("noSetHierarchy", "no sets")
        return super().respond(args)


@pytest.fixture(scope="module")
def feeds() -> Iterator[DemoFeedServer]:
    museums = [m for m in load_demo_museums() if m.id in ("hz-silk", "koeln-glass")]
    server = DemoFeedServer(museums)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about the API, not about hashing: a fast hash keeps four accounts per test cheap."""
    monkeypatch.setattr(Accounts, "password_method", "pbkdf2:sha256:1000")


@pytest.fixture
def app(instance: Path) -> Iterator[Flask]:
    app = create_app({"INSTANCE": instance, "STORE": "memory", "ALLOWED_FEED_NETWORKS": ["127.0.0.0/8"]})
    yield app
    jobs = app.extensions["srom"].museums.jobs
    if jobs is not None:
        jobs.wait_all(60)
    app.extensions["srom"].close()


class Api:
    """A test client that sends one account's bearer token."""

    def __init__(self, client: FlaskClient, token: str | None) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def __getattr__(self, method: str) -> Any:
        def call(path: str, **kwargs: Any) -> Any:
            return getattr(self.client, method)(path, headers=self.headers, **kwargs)

        return call


@pytest.fixture
def tokens(app: Flask) -> dict[str, str]:
    accounts = app.extensions["srom_accounts"]
    made = {}
    for username, role, museum in (("boss", "admin", None), ("hz", "museum", "hz-silk"),
                                   ("kg", "museum", "koeln-glass"), ("cur", "curator", None)):
        account = accounts.create(username, PASSWORD, role, museum_id=museum)
        made[username], _ = accounts.create_token(account.id, "tests")
    return made


def api(app: Flask, tokens: dict[str, str], who: str | None) -> Api:
    return Api(app.test_client(), tokens[who] if who else None)


def register(app: Flask, tokens: dict[str, str], who: str, museum_id: str, url: str, **fields: Any) -> Any:
    body = {"id": museum_id, "name": f"Museum {museum_id}", "feed_url": url, "format": "lido", **fields}
    return api(app, tokens, who).post("/api/museums", json=body)


# --- permissions ----------------------------------------------------------------------------------------
def test_writes_need_a_token(app: Flask, tokens: dict[str, str], feeds: DemoFeedServer) -> None:
    anonymous = api(app, tokens, None)
    for method, path in (("post", "/api/museums"), ("put", "/api/museums/hz-silk"), ("patch", "/api/museums/hz-silk"),
                         ("delete", "/api/museums/hz-silk"), ("post", "/api/museums/hz-silk/harvest"),
                         ("post", "/api/probe"), ("get", "/api/accounts"), ("post", "/api/tokens")):
        response = getattr(anonymous, method)(path, json={"feed_url": feeds.feed_url("hz-silk")})
        assert response.status_code == 401, (method, path)
        assert response.get_json() == {"ok": False, "error": "sign in or send a bearer token", "status": 401}
    forged = Api(app.test_client(), "srom_" + "x" * 43)
    assert forged.post("/api/museums", json={}).status_code == 401
    assert app.extensions["srom"].feeds.museums() == []
    # Reads of public facts need no account.
    assert anonymous.get("/api/museums").get_json() == {"ok": True, "museums": []}


def test_museum_registers_its_own_feed_and_sees_the_probe(app: Flask, tokens: dict[str, str],
                                                          feeds: DemoFeedServer) -> None:
    response = register(app, tokens, "hz", "hz-silk", feeds.feed_url("hz-silk"),
                        names={"en": "Hangzhou Silk", "zh": "杭州丝绸"}, city="Hangzhou", lat=30.2, lon=120.1,
                        licence="CC BY 4.0", attribution="Hangzhou (demo)", homepage="https://example.org/hz")
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert data["ok"] is True and data["museum"]["id"] == "hz-silk" and data["museum"]["names"]["zh"] == "杭州丝绸"
    probe = data["probe"]
    assert probe["ok"] is True
    assert probe["identify"]["granularity"] == "YYYY-MM-DDThh:mm:ssZ"
    assert probe["identify"]["deleted_record"] in ("persistent", "transient", "no")
    assert probe["identify"]["earliest_datestamp"]
    assert {f["prefix"]: f["mapped"] for f in probe["formats"]}["lido"] is True
    assert len(probe["samples"]) == 5
    assert all(s["mapped"] and s["title"] and s["triples"] > 10 for s in probe["samples"])
    assert any(s["image"] for s in probe["samples"]) and any(s["date"] for s in probe["samples"])
    assert "ntriples" not in probe["samples"][0]
    # The probe is kept for the dashboard and can be asked for again.
    hz = api(app, tokens, "hz")
    assert hz.get("/api/museums/hz-silk/probe").get_json()["probe"]["format"] == "lido"
    assert hz.post("/api/museums/hz-silk/probe").get_json()["probe"]["ok"] is True
    # Registering twice is a conflict; PATCH changes it.
    assert register(app, tokens, "hz", "hz-silk", feeds.feed_url("hz-silk")).status_code == 409
    patched = hz.patch("/api/museums/hz-silk", json={"city": "Hangzhou, Zhejiang", "probe": False})
    assert patched.status_code == 200 and patched.get_json()["probe"] is None
    assert patched.get_json()["museum"]["city"] == "Hangzhou, Zhejiang"
    assert patched.get_json()["museum"]["licence"] == "CC BY 4.0"  # fields not sent are kept


def test_museum_cannot_touch_another_museums_feed(app: Flask, tokens: dict[str, str], feeds: DemoFeedServer) -> None:
    assert register(app, tokens, "kg", "koeln-glass", feeds.feed_url("koeln-glass"), probe=False,
                    format="oai_dc").status_code == 201
    hz = api(app, tokens, "hz")
    for method, path, body in (
        ("put", "/api/museums/koeln-glass", {"feed_url": feeds.feed_url("hz-silk")}),
        ("patch", "/api/museums/koeln-glass", {"name": "taken over"}),
        ("delete", "/api/museums/koeln-glass", None),
        ("post", "/api/museums/koeln-glass/harvest", {}),
        ("post", "/api/museums/koeln-glass/probe", None),
        ("get", "/api/museums/koeln-glass/probe", None),
        ("get", "/api/museums/koeln-glass/removals", None),
        ("post", "/api/museums/koeln-glass/removals/confirm", None),
    ):
        response = getattr(hz, method)(path, json=body)
        assert response.status_code == 403, (method, path, response.get_json())
        error = response.get_json()["error"]
        assert response.get_json()["ok"] is False
        assert "koeln-glass" in error or error == "this needs an admin account", error
    # Creating a museum under another museum's id is refused too (whether it exists or not).
    refused = hz.post("/api/museums", json={"id": "bukhara", "name": "B", "feed_url": feeds.feed_url("hz-silk")})
    assert refused.status_code == 403
    assert app.extensions["srom"].feeds.get_museum("koeln-glass").name == "Museum koeln-glass"
    # Curators register no feeds.
    assert register(app, tokens, "cur", "hz-silk", feeds.feed_url("hz-silk")).status_code == 403


def test_admin_can_do_all(app: Flask, tokens: dict[str, str], feeds: DemoFeedServer) -> None:
    assert register(app, tokens, "kg", "koeln-glass", feeds.feed_url("koeln-glass"), probe=False,
                    format="oai_dc").status_code == 201
    boss = api(app, tokens, "boss")
    assert boss.patch("/api/museums/koeln-glass", json={"country": "Germany", "probe": False}).status_code == 200
    assert boss.post("/api/museums", json={"id": "hz-silk", "name": "HZ", "feed_url": feeds.feed_url("hz-silk"),
                                           "probe": False, "format": "lido"}).status_code == 201
    started = boss.post("/api/museums/koeln-glass/harvest", json={})
    assert started.status_code == 202
    app.extensions["srom"].museums.jobs.wait("koeln-glass", 60)
    runs = boss.get("/api/museums/koeln-glass/runs").get_json()["runs"]
    assert runs[0]["outcome"] == "ok" and runs[0]["new"] > 0
    deleted = boss.delete("/api/museums/koeln-glass")
    assert deleted.status_code == 200 and deleted.get_json()["graphs_dropped"] == runs[0]["new"]
    assert boss.get("/api/museums/koeln-glass").status_code == 404
    hub = app.extensions["srom"]
    assert hub.store().graph_names(prefix=hub.minter.record_graph_prefix("koeln-glass")) == []
    # The museum account may not delete (only the admin does).
    assert api(app, tokens, "hz").delete("/api/museums/hz-silk").status_code == 403


# --- the feed guard -----------------------------------------------------------------------------------
@pytest.mark.parametrize("url", ["http://10.0.0.1/oai", "http://169.254.169.254/latest/meta-data/",
                                 "http://192.168.1.20:8080/oai", "http://[::1]/oai", "file:///etc/passwd"])
def test_private_addresses_are_refused_with_a_clear_error(app: Flask, tokens: dict[str, str], url: str) -> None:
    response = register(app, tokens, "hz", "hz-silk", url)
    assert response.status_code == 422
    error = response.get_json()
    assert error["ok"] is False and error["status"] == 422 and error["field"] == "feed_url"
    assert ("private, loopback or link-local" in error["error"] and "SROM_ALLOWED_FEED_NETWORKS" in error["error"]) \
        or "http(s)" in error["error"]
    assert app.extensions["srom"].feeds.get_museum("hz-silk") is None
    probe = api(app, tokens, "hz").post("/api/probe", json={"feed_url": url}).get_json()["probe"]
    assert probe["ok"] is False and probe["identify"] is None and "refuses" in probe["messages"][0]["text"]


def test_loopback_is_refused_unless_the_admin_allows_it(instance: Path, feeds: DemoFeedServer) -> None:
    strict = create_app({"INSTANCE": instance, "STORE": "memory", "ALLOWED_FEED_NETWORKS": []})
    try:
        account = strict.extensions["srom_accounts"].create("hz", PASSWORD, "museum", museum_id="hz-silk")
        token, _ = strict.extensions["srom_accounts"].create_token(account.id)
        response = Api(strict.test_client(), token).post(
            "/api/museums", json={"name": "HZ", "feed_url": feeds.feed_url("hz-silk"), "format": "lido"})
        assert response.status_code == 422 and "127.0.0.1" in response.get_json()["error"]
    finally:
        strict.extensions["srom"].close()


# --- probe messages -------------------------------------------------------------------------------------
def test_probe_says_when_the_feed_does_not_answer(app: Flask, tokens: dict[str, str]) -> None:
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    response = api(app, tokens, "hz").post("/api/probe", json={"feed_url": f"http://127.0.0.1:{port}/oai"})
    probe = response.get_json()["probe"]
    assert probe["ok"] is False
    assert probe["messages"][0]["level"] == "error" and "does not answer" in probe["messages"][0]["text"]
    # Registration still works (the feed may be down for a while), and says so.
    registered = register(app, tokens, "hz", "hz-silk", f"http://127.0.0.1:{port}/oai")
    assert registered.status_code == 201 and registered.get_json()["probe"]["ok"] is False


def test_probe_says_when_no_format_is_mapped(app: Flask, tokens: dict[str, str]) -> None:
    server = FormatsOaiServer()
    server.prefixes = ("marcxml", "mods")
    server.put("oai:x:1", "2025-01-01T00:00:00Z", lido("R1", "A coin"))
    server.start()
    try:
        probe = api(app, tokens, "hz").post("/api/probe", json={"feed_url": server.url}).get_json()["probe"]
        assert probe["ok"] is False and [f["mapped"] for f in probe["formats"]] == [False, False]
        assert "offers no metadata format the hub maps" in probe["messages"][-1]["text"]
        assert "marcxml" in probe["messages"][-1]["text"] and "lido" in probe["messages"][-1]["text"]
        # With format left to the probe, registration is refused with the probe's reason.
        response = register(app, tokens, "hz", "hz-silk", server.url, format="")
        assert response.status_code == 422 and "offers no metadata format" in response.get_json()["error"]
        # A format the feed does not offer is named.
        probe = api(app, tokens, "hz").post("/api/probe", json={"feed_url": server.url, "format": "lido"})
        assert "does not offer 'lido'" in probe.get_json()["probe"]["messages"][-1]["text"]
    finally:
        server.stop()


def test_probe_shows_records_that_cannot_be_mapped(app: Flask, tokens: dict[str, str]) -> None:
    server = FormatsOaiServer()
    server.put("oai:x:1", "2025-01-01T00:00:00Z", lido("R1", "A coin"))
    server.put("oai:x:2", "2025-01-01T00:00:00Z", "<notlido xmlns='urn:x'><a>b</a></notlido>")
    untitled_lido = lido("R3", "").replace(  # an inventory number but no title: maps, fails validation
        "<lido:titleWrap>", "<lido:repositoryWrap><lido:repositorySet><lido:workID>INV-3</lido:workID>"
        "</lido:repositorySet></lido:repositoryWrap><lido:titleWrap>")
    server.put("oai:x:3", "2025-01-01T00:00:00Z", untitled_lido)
    server.start()
    try:
        probe = api(app, tokens, "hz").post("/api/probe", json={"feed_url": server.url}).get_json()["probe"]
        assert probe["format"] == "lido" and probe["sets"] == []
        good, bad, untitled = probe["samples"]
        assert good["mapped"] and good["title"] == "A coin"
        assert not bad["mapped"] and "not a lido" in bad["error"]
        assert not untitled["mapped"] and "SHACL" in untitled["error"] and "title" in untitled["error"]
        assert any("cannot be mapped" in m["text"] for m in probe["messages"])
    finally:
        server.stop()


# --- harvests, runs, quarantine, removals ---------------------------------------------------------------
def test_harvest_through_the_api(app: Flask, tokens: dict[str, str], feeds: DemoFeedServer) -> None:
    assert register(app, tokens, "hz", "hz-silk", feeds.feed_url("hz-silk"), probe=False).status_code == 201
    hz = api(app, tokens, "hz")
    started = hz.post("/api/museums/hz-silk/harvest")
    assert started.status_code == 202 and started.get_json()["job"]["running"] is True
    app.extensions["srom"].museums.jobs.wait("hz-silk", 60)
    job = hz.get("/api/museums/hz-silk/harvest").get_json()["job"]
    assert job["running"] is False and job["error"] is None and job["run"]["outcome"] == "ok"
    runs = api(app, tokens, None).get("/api/museums/hz-silk/runs").get_json()["runs"]
    assert len(runs) == 1 and runs[0]["new"] == job["progress"]["new"] > 0
    museum = api(app, tokens, None).get("/api/museums/hz-silk").get_json()["museum"]
    assert museum["objects"] == runs[0]["new"] and museum["last_run"]["id"] == runs[0]["id"]
    assert api(app, tokens, None).get("/api/museums/hz-silk/quarantine").get_json() == {"ok": True, "quarantined": []}
    assert hz.get("/api/museums/hz-silk/removals").get_json() == {"ok": True, "pending": None}
    assert hz.post("/api/museums/hz-silk/removals/confirm").status_code == 404


def test_quarantine_and_confirming_a_mass_removal(app: Flask, tokens: dict[str, str]) -> None:
    server = FormatsOaiServer(page_size=50)
    for i in range(10):
        server.put(f"oai:x:{i}", "2025-01-01T00:00:00Z", lido(f"R{i}", f"Coin {i}"))
    server.put("oai:x:broken", "2025-01-01T00:00:00Z", "<notlido xmlns='urn:x'/>")
    server.start()
    try:
        assert register(app, tokens, "hz", "hz-silk", server.url, probe=False).status_code == 201
        hz = api(app, tokens, "hz")
        jobs = app.extensions["srom"].museums.jobs
        assert hz.post("/api/museums/hz-silk/harvest", json={"full": True}).status_code == 202
        jobs.wait("hz-silk", 60)
        quarantined = hz.get("/api/museums/hz-silk/quarantine").get_json()["quarantined"]
        assert [q["source_id"] for q in quarantined] == ["oai:x:broken"] and quarantined[0]["reason"]
        for i in range(5):  # half the records vanish from the source: more than the 15% allowed
            del server.records[f"oai:x:{i}"]
        assert hz.post("/api/museums/hz-silk/harvest", json={"full": True}).status_code == 202
        jobs.wait("hz-silk", 60)
        pending = hz.get("/api/museums/hz-silk/removals").get_json()["pending"]
        assert pending["count"] == 5 and pending["total"] == 10
        assert hz.get("/api/museums/hz-silk").get_json()["museum"]["objects"] == 10  # held back
        confirmed = hz.post("/api/museums/hz-silk/removals/confirm")
        assert confirmed.status_code == 200 and confirmed.get_json()["confirmed"]["removed"] == 5
        assert hz.get("/api/museums/hz-silk").get_json()["museum"]["objects"] == 5
        assert hz.get("/api/museums/hz-silk/removals").get_json()["pending"] is None
    finally:
        server.stop()


# --- accounts and tokens --------------------------------------------------------------------------------
def test_accounts_api_is_for_the_admin(app: Flask, tokens: dict[str, str]) -> None:
    assert api(app, tokens, "hz").get("/api/accounts").status_code == 403
    boss = api(app, tokens, "boss")
    names = [a["username"] for a in boss.get("/api/accounts").get_json()["accounts"]]
    assert sorted(names) == ["boss", "cur", "hz", "kg"]
    assert all("password" not in str(a) for a in boss.get("/api/accounts").get_json()["accounts"])
    created = boss.post("/api/accounts", json={"username": "merv", "password": PASSWORD, "role": "museum",
                                               "museum_id": "merv", "status": "pending"})
    assert created.status_code == 201
    account_id = created.get_json()["account"]["id"]
    assert [a["username"] for a in boss.get("/api/accounts?status=pending").get_json()["accounts"]] == ["merv"]
    approved = boss.patch(f"/api/accounts/{account_id}", json={"status": "active"})
    assert approved.get_json()["account"]["status"] == "active" and approved.get_json()["account"]["approved"]
    assert boss.patch(f"/api/accounts/{account_id}", json={"role": "wizard"}).status_code == 422
    assert boss.post("/api/accounts", json={"username": "x", "password": "short", "role": "curator"}).status_code == 422
    boss_id = boss.get("/api/me").get_json()["user"]["id"]
    assert boss.delete(f"/api/accounts/{boss_id}").status_code == 422
    assert boss.delete(f"/api/accounts/{account_id}").status_code == 200
    assert boss.get(f"/api/accounts/{account_id}").status_code == 404


def test_tokens_api(app: Flask, tokens: dict[str, str]) -> None:
    hz = api(app, tokens, "hz")
    created = hz.post("/api/tokens", json={"label": "second"})
    assert created.status_code == 201 and created.headers["Cache-Control"] == "no-store"
    token = created.get_json()["token"]
    listed = hz.get("/api/tokens").get_json()["tokens"]
    assert [t["label"] for t in listed] == ["tests", "second"] and token not in str(listed)
    second = Api(app.test_client(), token)
    assert second.get("/api/me").get_json()["user"]["username"] == "hz"
    assert api(app, tokens, "kg").delete(f"/api/tokens/{created.get_json()['record']['id']}").status_code == 404
    assert hz.delete(f"/api/tokens/{created.get_json()['record']['id']}").status_code == 200
    assert second.get("/api/me").status_code == 401


def test_session_clients_need_the_csrf_header(app: Flask, tokens: dict[str, str], feeds: DemoFeedServer) -> None:
    client = app.test_client()
    html = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    client.post("/login", data={"username": "hz", "password": PASSWORD, "csrf_token": csrf})
    # Signing in gives the session a new token: the one of the login form is void now.
    html = client.get("/manage/tokens").get_data(as_text=True)
    stale, csrf = csrf, re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    assert stale != csrf
    body = {"name": "HZ", "feed_url": feeds.feed_url("hz-silk"), "format": "lido", "probe": False}
    refused = client.post("/api/museums", json=body)
    assert refused.status_code == 400 and refused.get_json()["ok"] is False and "CSRF" in refused.get_json()["error"]
    accepted = client.post("/api/museums", json=body, headers={"X-CSRF-Token": csrf})
    assert accepted.status_code == 201


def test_bad_bodies_get_the_envelope(app: Flask, tokens: dict[str, str]) -> None:
    hz = api(app, tokens, "hz")
    response = hz.post("/api/museums", data="not json", content_type="text/plain")
    assert response.status_code == 400 and response.get_json()["ok"] is False
    response = hz.post("/api/museums", json={"name": "HZ", "feed_url": "http://127.0.0.1:1/", "lat": "north"})
    assert response.status_code == 422 and response.get_json()["field"] == "lat"
    response = hz.post("/api/museums", json={"name": "HZ", "feed_url": "http://127.0.0.1:1/", "schedule": "often"})
    assert response.status_code == 422 and response.get_json()["field"] == "schedule"
    response = hz.post("/api/museums", json={"name": "HZ", "feed_url": "http://127.0.0.1:1/", "formt": "lido"})
    assert response.status_code == 422 and "unknown fields ['formt']" in response.get_json()["error"]
    assert api(app, tokens, None).get("/api/museums/nope").get_json() == {
        "ok": False, "error": "no museum 'nope' is registered", "status": 404}


# --- the OpenAPI document -------------------------------------------------------------------------------
def _routes(app: Flask) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = rule.rule
        for converter in re.findall(r"<[^>]+>", rule.rule):
            name = converter.strip("<>").split(":")[-1]
            path = path.replace(converter, "{" + name + "}")
        if "{action}" in path:  # one route for confirm and discard
            for action in re.search(r"<any\(([^)]*)\):action>", rule.rule).group(1).split(","):
                expanded = path.replace("{action}", action.strip())
                routes |= {(expanded, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
            continue
        routes |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def test_openapi_document_describes_every_api_route(app: Flask) -> None:
    response = app.test_client().get("/api/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["openapi"].startswith("3.1")
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    assert documented == _routes(app)
    assert doc == openapi_document(doc["servers"][0]["url"])


def test_openapi_document_is_complete(app: Flask) -> None:
    doc = openapi_document("http://hub.example.org")
    schemas = doc["components"]["schemas"]
    schemes = doc["components"]["securitySchemes"]
    operation_ids = []
    text = str(doc)
    for ref in re.findall(r"#/components/schemas/(\w+)", text):
        assert ref in schemas, ref
    for path, ops in doc["paths"].items():
        params = set(re.findall(r"{(\w+)}", path))
        for method, op in ops.items():
            operation_ids.append(op["operationId"])
            assert op["summary"] and op["responses"], (path, method)
            assert params == {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}, (path, method)
            for requirement in op["security"]:
                assert set(requirement) <= set(schemes)
            if method in ("post", "put", "patch", "delete") and op["security"]:
                assert "401" in op["responses"], (path, method)
    assert len(operation_ids) == len(set(operation_ids))


def test_probe_of_an_rdf_dump_shows_its_first_page(app: Flask, tokens: dict[str, str]) -> None:
    from tests.support.file_server import FileServer

    fixture = Path(__file__).resolve().parent / "data" / "crm_rdf" / "samarkand-erlangen.ttl"
    server = FileServer().start()
    try:
        url = server.put("/dump.ttl", fixture.read_bytes(), "text/turtle")
        probe = api(app, tokens, "hz").post("/api/probe", json={"feed_url": url, "protocol": "rdf-dump"})
        probe = probe.get_json()["probe"]
        assert probe["ok"] is True and probe["format"] == "crm-rdf" and probe["identify"] is None
        assert len(probe["samples"]) == 3
        assert all(s["mapped"] and s["title"] and s["triples"] > 5 for s in probe["samples"]), probe["samples"]
    finally:
        server.stop()


def test_srom_museums_probe(instance: Path, feeds: DemoFeedServer) -> None:
    from click.testing import CliRunner

    from harvesters.feed_database import FeedDatabase, Museum
    from web.cli import main

    FeedDatabase(database_path(instance)).save_museum(
        Museum(id="koeln-glass", name="Köln", feed_url=feeds.feed_url("koeln-glass"), format="oai_dc"))
    result = CliRunner().invoke(main, ["museums", "probe", "koeln-glass"])
    assert result.exit_code == 0, result.output
    assert "granularity" in result.output and "oai_dc" in result.output and result.output.count("triples]") == 5
    result = CliRunner().invoke(main, ["museums", "probe", "koeln-glass", "--json"])
    assert result.exit_code == 0 and '"ok": true' in result.output
    assert CliRunner().invoke(main, ["museums", "probe", "nope"]).exit_code != 0
