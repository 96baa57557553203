"""The OpenAPI 3.1 description of the JSON API under /api/ (served at /api/openapi.json), written as data.

Kept in step with ``web.views.api`` by ``tests/test_api.py``, which compares this document's paths and
methods with the app's URL map. Describe a new route here in the same change that adds it.
"""

from __future__ import annotations

from typing import Any

VERSION = "0.1.0"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _ok(description: str, **properties: Any) -> dict[str, Any]:
    """A success answer in the envelope: ``{"ok": true, <properties>}``."""
    return {
        "description": description,
        "content": {"application/json": {"schema": {
            "type": "object",
            "required": ["ok", *properties],
            "properties": {"ok": {"const": True}, **properties},
        }}},
    }


def _err(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


E401 = {"401": _err("No account: send `Authorization: Bearer <token>` (or sign in)")}
E403 = {"403": _err("The account may not do this (another museum's feed, or not an admin)")}
E404 = {"404": _err("Not found")}
E422 = {"422": _err("The request is refused, with the reason (e.g. a feed URL on a private network)")}
MUSEUM_ID = {"name": "museum_id", "in": "path", "required": True, "schema": {"type": "string",
             "pattern": "^[a-z0-9][a-z0-9-]{0,62}$"}}
ACCOUNT_ID = {"name": "account_id", "in": "path", "required": True, "schema": {"type": "integer"}}
TOKEN_ID = {"name": "token_id", "in": "path", "required": True, "schema": {"type": "integer"}}
PUBLIC: list[dict[str, list[str]]] = []  # security requirement: none
WRITE: list[dict[str, list[str]]] = [{"bearerAuth": []}, {"sessionCookie": [], "csrfHeader": []}]


def _json_body(schema: dict[str, Any], required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def _op(summary: str, responses: dict[str, Any], *, security: list | None = None, tag: str = "museums",
        body: dict[str, Any] | None = None, params: list | None = None, op_id: str) -> dict[str, Any]:
    op: dict[str, Any] = {"operationId": op_id, "summary": summary, "tags": [tag], "responses": responses,
                          "security": WRITE if security is None else security}
    if body is not None:
        op["requestBody"] = body
    if params:
        op["parameters"] = params
    return op


SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "required": ["ok", "error", "status"], "properties": {
        "ok": {"const": False}, "error": {"type": "string"}, "status": {"type": "integer"},
        "field": {"type": ["string", "null"], "description": "the offending field, when there is one"}}},
    "Museum": {"type": "object", "required": ["id", "name", "feed_url", "format", "protocol"], "properties": {
        "id": {"type": "string"}, "name": {"type": "string"},
        "names": {"type": "object", "additionalProperties": {"type": "string"},
                  "description": "the museum's name by language tag"},
        "feed_url": {"type": "string", "format": "uri"},
        "protocol": {"type": "string", "examples": ["oai-pmh"]},
        "format": {"type": "string", "examples": ["lido", "oai_dc"]},
        "set_spec": {"type": ["string", "null"]}, "schedule": {"type": ["string", "null"]},
        "homepage": {"type": ["string", "null"]}, "city": {"type": ["string", "null"]},
        "country": {"type": ["string", "null"]}, "lat": {"type": ["number", "null"]},
        "lon": {"type": ["number", "null"]}, "licence": {"type": ["string", "null"]},
        "attribution": {"type": ["string", "null"]}, "created": {"type": "string"}, "updated": {"type": "string"},
        "objects": {"type": ["integer", "null"], "description": "current number of objects (single museum)"},
        "last_run": {"oneOf": [_ref("Run"), {"type": "null"}]}}},
    "MuseumInput": {"type": "object", "description": "fields of Museum; `id` defaults to the account's museum; "
                    "`format` empty lets the probe choose; `probe: false` skips the probe", "properties": {
        "id": {"type": "string"}, "name": {"type": "string"}, "names": {"type": "object"},
        "feed_url": {"type": "string"}, "protocol": {"type": "string"}, "format": {"type": "string"},
        "set_spec": {"type": "string"}, "schedule": {"type": "string"}, "homepage": {"type": "string"},
        "city": {"type": "string"}, "country": {"type": "string"}, "lat": {"type": "number"},
        "lon": {"type": "number"}, "licence": {"type": "string"}, "attribution": {"type": "string"},
        "probe": {"type": "boolean", "default": True}}},
    "Run": {"type": "object", "properties": {
        "id": {"type": "integer"}, "museum": {"type": "string"}, "started": {"type": "string"},
        "finished": {"type": ["string", "null"]},
        "outcome": {"type": "string", "examples": ["running", "ok", "failed"]},
        "full": {"type": "boolean"}, "new": {"type": "integer"}, "updated": {"type": "integer"},
        "deleted": {"type": "integer"}, "quarantined": {"type": "integer"}, "unchanged": {"type": "integer"},
        "error": {"type": ["string", "null"]}}},
    "Quarantined": {"type": "object", "properties": {
        "source_id": {"type": "string"}, "run_id": {"type": ["integer", "null"]}, "reason": {"type": "string"},
        "recorded": {"type": "string"}}},
    "Probe": {"type": "object", "properties": {
        "ok": {"type": "boolean"}, "url": {"type": "string"}, "protocol": {"type": "string"},
        "format": {"type": ["string", "null"]}, "set_spec": {"type": ["string", "null"]},
        "identify": {"type": ["object", "null"], "description": "OAI-PMH Identify: repository_name, granularity, "
                     "deleted_record, earliest_datestamp, protocol_version, admin_emails"},
        "formats": {"type": "array", "items": {"type": "object", "properties": {
            "prefix": {"type": "string"}, "schema": {"type": "string"}, "namespace": {"type": "string"},
            "mapped": {"type": "boolean"}}}},
        "sets": {"type": "array", "items": {"type": "object", "properties": {
            "spec": {"type": "string"}, "name": {"type": "string"}}}},
        "samples": {"type": "array", "items": {"type": "object", "properties": {
            "identifier": {"type": "string"}, "mapped": {"type": "boolean"}, "error": {"type": ["string", "null"]},
            "title": {"type": ["string", "null"]}, "date": {"type": ["string", "null"]},
            "place": {"type": ["string", "null"]}, "image": {"type": ["string", "null"]},
            "triples": {"type": "integer"}}}},
        "complete_list_size": {"type": ["integer", "null"]},
        "messages": {"type": "array", "items": {"type": "object", "properties": {
            "level": {"enum": ["error", "warning", "info"]}, "text": {"type": "string"}}}}}},
    "HarvestJob": {"type": "object", "properties": {
        "museum_id": {"type": "string"}, "full": {"type": "boolean"}, "running": {"type": "boolean"},
        "started": {"type": "string"}, "finished": {"type": ["string", "null"]}, "progress": {"type": "object"},
        "run": {"oneOf": [_ref("Run"), {"type": "null"}]}, "error": {"type": ["string", "null"]}}},
    "User": {"type": "object", "properties": {
        "id": {"type": "integer"}, "username": {"type": "string"}, "role": {"enum": ["admin", "museum", "curator"]},
        "museum_id": {"type": ["string", "null"]}, "display_name": {"type": "string"}}},
    "Account": {"type": "object", "properties": {
        "id": {"type": "integer"}, "username": {"type": "string"}, "role": {"enum": ["admin", "museum", "curator"]},
        "museum_id": {"type": ["string", "null"]}, "display_name": {"type": "string"},
        "email": {"type": ["string", "null"]}, "status": {"enum": ["active", "pending", "disabled"]},
        "created": {"type": "string"}, "approved": {"type": ["string", "null"]},
        "last_login": {"type": ["string", "null"]}}},
    "AccountInput": {"type": "object", "properties": {
        "username": {"type": "string"}, "password": {"type": "string", "minLength": 10},
        "role": {"enum": ["admin", "museum", "curator"]}, "museum_id": {"type": "string"},
        "display_name": {"type": "string"}, "email": {"type": "string"},
        "status": {"enum": ["active", "pending", "disabled"]}}},
    "Token": {"type": "object", "properties": {
        "id": {"type": "integer"}, "hint": {"type": "string", "description": "the token's first characters"},
        "label": {"type": "string"}, "created": {"type": "string"}, "last_used": {"type": ["string", "null"]}}},
}

MUSEUM = {"museum": _ref("Museum")}


def _paths() -> dict[str, Any]:
    m, a, t = [MUSEUM_ID], [ACCOUNT_ID], [TOKEN_ID]
    return {
        "/api/": {"get": _op("Where the API is described, and who is asking", {"200": _ok(
            "The API's entry point", openapi={"type": "string"}, user={"oneOf": [_ref("User"), {"type": "null"}]})},
            security=PUBLIC, tag="meta", op_id="index")},
        "/api/openapi.json": {"get": {
            "operationId": "openapi", "summary": "This document", "tags": ["meta"], "security": PUBLIC,
            "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {}}}}}},
        "/api/me": {"get": _op("The account the token or session belongs to",
                               {"200": _ok("The account", user=_ref("User")), **E401}, tag="accounts", op_id="me")},
        "/api/museums": {
            "get": _op("All registered museums", {"200": _ok("Museums", museums={
                "type": "array", "items": _ref("Museum")})}, security=PUBLIC, op_id="listMuseums"),
            "post": _op("Register a museum's feed (probed unless `probe` is false)", {
                "201": _ok("Registered", museum=_ref("Museum"), probe={"oneOf": [_ref("Probe"), {"type": "null"}]}),
                "400": _err("Not a JSON object"), **E401, **E403,
                "409": _err("Registered already: use PUT or PATCH"), **E422},
                body=_json_body(_ref("MuseumInput")), op_id="createMuseum")},
        "/api/museums/{museum_id}": {
            "get": _op("One museum with its current number of objects", {"200": _ok("The museum", **MUSEUM), **E404},
                       security=PUBLIC, params=m, op_id="getMuseum"),
            "put": _op("Change a museum's feed and description (fields not sent are kept)", {
                "200": _ok("Saved", museum=_ref("Museum"), probe={"oneOf": [_ref("Probe"), {"type": "null"}]}),
                **E401, **E403, **E404, **E422}, body=_json_body(_ref("MuseumInput")), params=m,
                op_id="replaceMuseum"),
            "patch": _op("Change some of a museum's fields", {
                "200": _ok("Saved", museum=_ref("Museum"), probe={"oneOf": [_ref("Probe"), {"type": "null"}]}),
                **E401, **E403, **E404, **E422}, body=_json_body(_ref("MuseumInput")), params=m,
                op_id="updateMuseum"),
            "delete": _op("Unregister a museum and drop its data from the store (admin)", {
                "200": _ok("Deleted", deleted={"type": "string"}, graphs_dropped={"type": "integer"}),
                **E401, **E403, **E404}, params=m, op_id="deleteMuseum")},
        "/api/probe": {"post": _op("Probe a feed that is not registered; nothing is saved", {
            "200": _ok("What the feed offers, and sample records as the hub will show them", probe=_ref("Probe")),
            **E401, **E403}, body=_json_body({"type": "object", "required": ["feed_url"], "properties": {
                "feed_url": {"type": "string"}, "protocol": {"type": "string"}, "format": {"type": "string"},
                "set_spec": {"type": "string"}}}), tag="feeds", op_id="probeFeed")},
        "/api/museums/{museum_id}/probe": {
            "get": _op("The last probe of the museum's feed", {"200": _ok("The probe", probe=_ref("Probe")),
                       **E401, **E403, **E404}, params=m, tag="feeds", op_id="lastProbe"),
            "post": _op("Probe the museum's registered feed now", {"200": _ok("The probe", probe=_ref("Probe")),
                        **E401, **E403, **E404}, params=m, tag="feeds", op_id="probeMuseum")},
        "/api/museums/{museum_id}/harvest": {
            "get": _op("Progress of the harvest started from the web or the API",
                       {"200": _ok("The job (null when none)", job={"oneOf": [_ref("HarvestJob"), {"type": "null"}]}),
                        **E401, **E403, **E404}, params=m, tag="harvests", op_id="harvestStatus"),
            "post": _op("Start a harvest in the background (`full`: ask for every record and remove what is gone)", {
                "202": _ok("Started", job=_ref("HarvestJob"), runs={"type": "string"}),
                **E401, **E403, **E404, "409": _err("A harvest of this museum is running")},
                body=_json_body({"type": "object", "properties": {"full": {"type": "boolean"}}}, required=False),
                params=m, tag="harvests", op_id="startHarvest")},
        "/api/museums/{museum_id}/runs": {"get": _op("Harvest runs with outcome and counts, newest first", {
            "200": _ok("Runs", runs={"type": "array", "items": _ref("Run")}), **E404}, security=PUBLIC,
            params=[*m, {"name": "limit", "in": "query", "schema": {"type": "integer", "default": 50}}],
            tag="harvests", op_id="listRuns")},
        "/api/museums/{museum_id}/quarantine": {"get": _op("Records that could not be mapped, with reasons", {
            "200": _ok("Quarantined records", quarantined={"type": "array", "items": _ref("Quarantined")}), **E404},
            security=PUBLIC, params=m, tag="harvests", op_id="listQuarantine")},
        "/api/museums/{museum_id}/removals": {"get": _op(
            "Removals a full harvest holds back for confirmation (the mass-drop guard)", {
                "200": _ok("Pending removals (null when none)", pending={}), **E401, **E403, **E404},
            params=m, tag="harvests",
            op_id="pendingRemovals")},
        "/api/museums/{museum_id}/removals/confirm": {"post": _op(
            "Confirm the pending removals: applied at once, or by the next harvest when one runs now", {
                "200": _ok("Confirmed", confirmed={}), **E401, **E403, **E404}, params=m, tag="harvests",
            op_id="confirmRemovals")},
        "/api/museums/{museum_id}/removals/discard": {"post": _op("Discard the pending removals: the records stay", {
            "200": _ok("Discarded", discarded={}), **E401, **E403, **E404}, params=m, tag="harvests",
            op_id="discardRemovals")},
        "/api/accounts": {
            "get": _op("All accounts, pending first (admin)", {"200": _ok("Accounts", accounts={
                "type": "array", "items": _ref("Account")}), **E401, **E403}, tag="accounts", op_id="listAccounts",
                params=[{"name": "status", "in": "query", "schema": {"enum": ["active", "pending", "disabled"]}}]),
            "post": _op("Create an account (admin)", {"201": _ok("Created", account=_ref("Account")),
                        **E401, **E403, **E422}, body=_json_body(_ref("AccountInput")), tag="accounts",
                        op_id="createAccount")},
        "/api/accounts/{account_id}": {
            "get": _op("One account (admin)", {"200": _ok("The account", account=_ref("Account")),
                       **E401, **E403, **E404}, params=a, tag="accounts", op_id="getAccount"),
            "patch": _op("Approve, disable, change role, museum, name or password (admin)", {
                "200": _ok("Saved", account=_ref("Account")), **E401, **E403, **E404, **E422},
                body=_json_body(_ref("AccountInput")), params=a, tag="accounts", op_id="updateAccount"),
            "delete": _op("Delete an account (admin)", {"200": _ok("Deleted", deleted={"type": "integer"}),
                          **E401, **E403, **E404, **E422}, params=a, tag="accounts", op_id="deleteAccount")},
        "/api/tokens": {
            "get": _op("Your API tokens (never their secret)", {"200": _ok("Tokens", tokens={
                "type": "array", "items": _ref("Token")}), **E401}, tag="accounts", op_id="listTokens"),
            "post": _op("Create an API token: the answer is the only time it is shown", {
                "201": _ok("Created", token={"type": "string"}, record=_ref("Token")), **E401},
                body=_json_body({"type": "object", "properties": {"label": {"type": "string"}}}, required=False),
                tag="accounts", op_id="createToken")},
        "/api/tokens/{token_id}": {"delete": _op("Revoke one of your tokens", {
            "200": _ok("Revoked", revoked={"type": "integer"}), **E401, **E404}, params=t, tag="accounts",
            op_id="revokeToken")},
    }


def openapi_document(server_url: str = "") -> dict[str, Any]:
    """The OpenAPI 3.1 document; ``server_url`` is where this hub answers."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "SROM Hub API",
            "version": VERSION,
            "description": (
                "Museums register and probe their feeds, start harvests and read runs and quarantined records; "
                "the admin manages accounts. Answers use one envelope: `{\"ok\": true, ...}` or "
                "`{\"ok\": false, \"error\": \"...\", \"status\": N}`. Writes need a bearer token "
                "(`srom tokens create USER`, or /manage/tokens) or a session login with the `X-CSRF-Token` header. "
                "A museum account may change only its own museum."
            ),
        },
        "servers": [{"url": server_url or "/"}],
        "paths": _paths(),
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "description": "an API token (stored hashed)"},
                "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "srom_session"},
                "csrfHeader": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token"},
            },
        },
    }
