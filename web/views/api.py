"""The JSON API under /api/: museums and their feeds, probes, harvests, runs, quarantine, accounts.

Described by the OpenAPI document at /api/openapi.json (``web.openapi``; a test keeps it in step with
these routes). Answers use the project's envelope: ``{"ok": true, ...}`` or
``{"ok": false, "error": "...", "status": N}``. Reads of public facts (museums, runs, quarantine, which
the public museum pages show too) need no account; every write needs a bearer token (or a session
login with the CSRF header). A museum account touches only its own museum; admins touch all.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import BadRequest, Forbidden, HTTPException, NotFound

from store.base import StoreError
from web.accounts.auth import accounts, current_user, login_required
from web.accounts.database import AccountError
from web.errors import HubError
from web.i18n import current_language
from web.views.common import hub, ok

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> ResponseReturnValue:
    status = exc.code or 500
    return jsonify({"ok": False, "error": exc.description or exc.name, "status": status}), status


@bp.errorhandler(HubError)
def _hub_error(exc: HubError) -> ResponseReturnValue:
    return jsonify(exc.as_json()), exc.status


def _error(status: int, message: str, **extra: Any) -> ResponseReturnValue:
    return jsonify({"ok": False, "error": message, "status": status, **extra}), status


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest("send a JSON object (Content-Type: application/json)")
    return data


def _require_manage(museum_id: str) -> None:
    user = current_user()
    if user is None or not user.can_manage(museum_id):
        raise Forbidden(f"your account does not manage the museum {museum_id!r}")


def _museum_json(museum: Any, *, with_count: bool = False) -> dict[str, Any]:
    data = museum.as_json()
    runs = hub().feeds.runs(museum.id, limit=1)
    data["last_run"] = runs[0].as_json() if runs else None
    if with_count:
        try:
            data["objects"] = hub().museums.object_count(museum.id)
        except StoreError:
            data["objects"] = None
    return data


@bp.get("/")
def index() -> ResponseReturnValue:
    user = current_user()
    return ok(openapi="/api/openapi.json", user=user.as_json() if user else None)


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    from web.openapi import openapi_document

    return jsonify(openapi_document(request.host_url.rstrip("/")))


@bp.get("/me")
@login_required()
def me() -> ResponseReturnValue:
    user = current_user()
    assert user is not None
    return ok(user=user.as_json())


# --- museums ------------------------------------------------------------------------------------------
@bp.get("/museums")
def museums_list() -> ResponseReturnValue:
    return ok(museums=[_museum_json(m) for m in hub().museums.list()])


def _registration(data: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The museum's fields and whether to probe, from a JSON body (``id`` and ``probe`` are not fields)."""
    return {k: v for k, v in data.items() if k not in ("id", "probe")}, bool(data.get("probe", True))


@bp.post("/museums")
@login_required("museum")
def museum_create() -> ResponseReturnValue:
    user = current_user()
    assert user is not None
    data = _body()
    museum_id = str(data.get("id") or user.museum_id or "").strip()
    if not museum_id:
        raise BadRequest("give the museum's id")
    _require_manage(museum_id)
    fields, probe = _registration(data)
    saved, report = hub().museums.register(museum_id, fields, probe=probe, lang=current_language())
    return ok(201, museum=_museum_json(saved), probe=report.as_json() if report else None)


@bp.get("/museums/<museum_id>")
def museum_get(museum_id: str) -> ResponseReturnValue:
    return ok(museum=_museum_json(hub().museums.get(museum_id), with_count=True))


@bp.route("/museums/<museum_id>", methods=["PUT", "PATCH"])
@login_required("museum")
def museum_update(museum_id: str) -> ResponseReturnValue:
    _require_manage(museum_id)
    fields, probe = _registration(_body())
    saved, report = hub().museums.update(museum_id, fields, probe=probe, lang=current_language())
    return ok(museum=_museum_json(saved), probe=report.as_json() if report else None)


@bp.delete("/museums/<museum_id>")
@login_required("admin")
def museum_delete(museum_id: str) -> ResponseReturnValue:
    """Unregister a museum and drop its records, vocabulary and description from the store (admin only)."""
    dropped = hub().museums.delete(museum_id)
    return ok(deleted=museum_id, graphs_dropped=dropped)


# --- probe, harvest, runs, quarantine ------------------------------------------------------------------
@bp.post("/probe")
@login_required("museum")
def probe_url() -> ResponseReturnValue:
    """Probe a feed that is not registered (yet): nothing is saved."""
    user = current_user()
    assert user is not None
    data = _body()
    report = hub().museums.probe_url(
        user.museum_id or "probe", str(data.get("feed_url") or "").strip(),
        protocol=str(data.get("protocol") or "oai-pmh"), metadata_format=data.get("format") or None,
        set_spec=data.get("set_spec") or None, lang=current_language())
    return ok(probe=report.as_json())


@bp.route("/museums/<museum_id>/probe", methods=["GET", "POST"])
@login_required("museum")
def museum_probe(museum_id: str) -> ResponseReturnValue:
    """GET: the last probe of the registered feed; POST: probe it now (and keep the result)."""
    _require_manage(museum_id)
    museums = hub().museums
    museums.get(museum_id)
    if request.method == "GET":
        last = museums.last_probe(museum_id)
        if last is None:
            raise NotFound("this feed has not been probed yet: POST to probe it")
        return ok(probe=last)
    return ok(probe=museums.probe(museum_id, lang=current_language()).as_json())


@bp.route("/museums/<museum_id>/harvest", methods=["GET", "POST"])
@login_required("museum")
def museum_harvest(museum_id: str) -> ResponseReturnValue:
    """POST: start a harvest in the background (202; 409 while one runs). GET: its progress."""
    _require_manage(museum_id)
    museums = hub().museums
    museums.get(museum_id)
    if request.method == "GET":
        job = museums.harvest_job(museum_id)
        return ok(job=job.as_json() if job else None)
    data = request.get_json(silent=True) or {}
    job = museums.start_harvest(museum_id, full=bool(data.get("full")) if isinstance(data, dict) else False)
    return ok(202, job=job.as_json(), runs=f"/api/museums/{museum_id}/runs")


@bp.get("/museums/<museum_id>/runs")
def museum_runs(museum_id: str) -> ResponseReturnValue:
    hub().museums.get(museum_id)
    limit = min(max(request.args.get("limit", 50, type=int) or 50, 1), 500)
    return ok(runs=[r.as_json() for r in hub().feeds.runs(museum_id, limit=limit)])


@bp.get("/museums/<museum_id>/quarantine")
def museum_quarantine(museum_id: str) -> ResponseReturnValue:
    hub().museums.get(museum_id)
    return ok(quarantined=hub().feeds.quarantined(museum_id))


@bp.get("/museums/<museum_id>/removals")
@login_required("museum")
def museum_removals(museum_id: str) -> ResponseReturnValue:
    """Removals a full harvest holds back until the museum or the admin confirms them (mass-drop guard)."""
    _require_manage(museum_id)
    hub().museums.get(museum_id)
    return ok(pending=hub().museums.pending_removal(museum_id))


@bp.post("/museums/<museum_id>/removals/<any(confirm, discard):action>")
@login_required("museum")
def museum_removals_decide(museum_id: str, action: str) -> ResponseReturnValue:
    """Confirm the held removals (they are applied), or discard them (the records stay)."""
    _require_manage(museum_id)
    hub().museums.get(museum_id)
    user = current_user()
    assert user is not None
    decision = hub().museums.decide_removal(museum_id, action, user.username)
    return ok(200, **{"confirmed" if action == "confirm" else "discarded": decision.as_json()})


# --- accounts (admin) and tokens (own) -------------------------------------------------------------------
@bp.get("/accounts")
@login_required("admin")
def accounts_list() -> ResponseReturnValue:
    status = request.args.get("status") or None
    return ok(accounts=[a.as_json() for a in accounts().list(status=status)])


@bp.post("/accounts")
@login_required("admin")
def account_create() -> ResponseReturnValue:
    data = _body()
    try:
        account = accounts().create(
            str(data.get("username") or ""), str(data.get("password") or ""), str(data.get("role") or ""),
            museum_id=data.get("museum_id") or None, display_name=str(data.get("display_name") or ""),
            email=data.get("email") or None, status=str(data.get("status") or "active"),
        )
    except AccountError as exc:
        return _error(422, str(exc))
    return ok(201, account=account.as_json())


@bp.route("/accounts/<int:account_id>", methods=["GET", "PATCH", "DELETE"])
@login_required("admin")
def account_item(account_id: int) -> ResponseReturnValue:
    account = accounts().get(account_id)
    if account is None:
        raise NotFound(f"no account {account_id}")
    user = current_user()
    if request.method == "GET":
        return ok(account=account.as_json())
    if request.method == "DELETE":
        accounts().delete(account_id, by=user.id if user else None)
        return ok(deleted=account_id)
    data = _body()
    try:
        updated = accounts().update(account_id, by=user.id if user else None, **data)
    except AccountError as exc:
        return _error(422, str(exc))
    return ok(account=updated.as_json())


@bp.get("/tokens")
@login_required()
def tokens_list() -> ResponseReturnValue:
    user = current_user()
    assert user is not None
    return ok(tokens=[t.as_json() for t in accounts().tokens(user.id)])


@bp.post("/tokens")
@login_required()
def token_create() -> ResponseReturnValue:
    user = current_user()
    assert user is not None
    data = request.get_json(silent=True) or {}
    label = str(data.get("label") or "") if isinstance(data, dict) else ""
    token, record = accounts().create_token(user.id, label)
    response, status = ok(201, token=token, record=record.as_json())
    response.headers["Cache-Control"] = "no-store"
    return response, status


@bp.delete("/tokens/<int:token_id>")
@login_required()
def token_revoke(token_id: int) -> ResponseReturnValue:
    user = current_user()
    assert user is not None
    if not accounts().revoke_token(user.id, token_id):
        raise NotFound(f"no token {token_id} of yours")
    return ok(revoked=token_id)

