"""Pages for the people who run the hub's data: a museum's dashboard and the admin's pages.

- ``/manage/museums/<id>``: register or edit the feed with a form, the last probe (formats, sets,
  sample records as the hub will show them), a harvest button and the running harvest's progress,
  runs with their counts, quarantined records with reasons, the current number of objects.
- ``/manage/tokens``: the signed-in account's API tokens (a new token is shown once).
- ``/manage/admin``: approve accounts, create accounts, all museums, the settings in force.

A museum account sees only its own museum (403 otherwise); admins see all. Every form carries the
CSRF token (checked by ``web.accounts.auth``); everything museums wrote reaches the page through autoescaping.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from harvesters.feed_database import FORMATS, PROTOCOLS
from store.base import StoreError
from web.accounts.auth import accounts, current_user, login_required
from web.accounts.database import ROLES, AccountError, AccountNotFound
from web.errors import HubError, NotFound
from web.i18n import current_language
from web.museums.feed_form import museum_fields
from web.settings import SETTINGS
from web.views.common import hub

bp = Blueprint("manage", __name__, url_prefix="/manage")

FORM_FIELDS = ("name", "names", "feed_url", "protocol", "format", "set_spec", "schedule", "homepage", "city",
               "country", "lat", "lon", "licence", "attribution")


def check_museum_access(museum_id: str) -> None:
    user = current_user()
    if user is None or not user.can_manage(museum_id):
        abort(403, f"your account does not manage the museum {museum_id!r}")


@bp.get("/")
@login_required()
def index():
    user = current_user()
    assert user is not None
    if user.is_admin:
        return redirect(url_for("manage.admin"))
    if user.role == "museum" and user.museum_id:
        return redirect(url_for("manage.museum", museum_id=user.museum_id))
    abort(403, "there is nothing to manage for a curator account here")


def _form_values(museum: Any) -> dict[str, str]:
    if museum is None:
        user = current_user()
        name = user.display_name if user and user.role == "museum" else ""
        return {"name": name, "names": f"en: {name}" if name else "", "protocol": "oai-pmh", "format": ""}
    values = {k: "" if getattr(museum, k, None) is None else str(getattr(museum, k)) for k in FORM_FIELDS}
    values["names"] = "\n".join(f"{lang}: {name}" for lang, name in museum.names.items())
    return values


def _dashboard(museum_id: str, *, form: dict[str, str] | None = None, error: HubError | None = None,
               status: int = 200):
    museums = hub().museums
    museum = museums.find(museum_id)
    objects = None
    if museum is not None:
        try:
            objects = museums.object_count(museum_id)
        except StoreError:
            objects = None
    job = museums.harvest_job(museum_id)
    return render_template(
        "manage/dashboard.html",
        museum_id=museum_id,
        museum=museum,
        form=form if form is not None else _form_values(museum),
        error=error,
        probe=museums.last_probe(museum_id),
        runs=[r.as_json() for r in hub().feeds.runs(museum_id, limit=20)] if museum else [],
        quarantined=hub().feeds.quarantined(museum_id) if museum else [],
        objects=objects,
        job=job.as_json() if job else None,
        pending_removal=museums.pending_removal(museum_id) if museum else None,
        formats=FORMATS,
        protocols=PROTOCOLS,
        has_schedule="schedule" in museum_fields(),
    ), status


@bp.get("/museums/<museum_id>")
@login_required("museum")
def museum(museum_id: str):
    check_museum_access(museum_id)
    return _dashboard(museum_id)


@bp.post("/museums/<museum_id>/feed")
@login_required("museum")
def save_feed(museum_id: str):
    check_museum_access(museum_id)
    form = {k: request.form.get(k, "") for k in FORM_FIELDS}
    try:
        fields = {k: v for k, v in form.items() if k in request.form}
        saved, report = hub().museums.register_or_update(museum_id, fields, lang=current_language())
    except HubError as exc:
        return _dashboard(museum_id, form=form, error=exc, status=exc.status)
    if report is not None and report.ok:
        flash(gettext("Saved. The probe found %(n)s sample records.", n=len(report.samples)), "ok")
    elif report is not None:
        flash(gettext("Saved, but the probe found problems: see below."), "warning")
    return redirect(url_for("manage.museum", museum_id=saved.id) + "#probe")


def _registered(museum_id: str) -> None:
    if hub().museums.find(museum_id) is None:
        abort(404, f"the museum {museum_id!r} has no registered feed yet")


@bp.post("/museums/<museum_id>/probe")
@login_required("museum")
def probe(museum_id: str):
    check_museum_access(museum_id)
    _registered(museum_id)
    hub().museums.probe(museum_id, lang=current_language())
    return redirect(url_for("manage.museum", museum_id=museum_id) + "#probe")


@bp.post("/museums/<museum_id>/harvest")
@login_required("museum")
def harvest(museum_id: str):
    check_museum_access(museum_id)
    _registered(museum_id)
    try:
        job = hub().museums.start_harvest(museum_id, full=request.form.get("full") == "1")
    except HubError:
        flash(gettext("A harvest of this museum is running already."), "warning")
    else:
        flash(gettext("Full harvest started.") if job.full else gettext("Harvest started."), "ok")
    return redirect(url_for("manage.museum", museum_id=museum_id) + "#runs")


@bp.post("/museums/<museum_id>/removals/<any(confirm, discard):action>")
@login_required("museum")
def removals(museum_id: str, action: str):
    """Confirm (or discard) the removals a full harvest holds back (the mass-drop guard)."""
    check_museum_access(museum_id)
    user = current_user()
    assert user is not None
    try:
        decision = hub().museums.decide_removal(museum_id, action, user.username)
    except NotFound:
        flash(gettext("No removal is waiting for confirmation."), "warning")
    else:
        if action == "confirm" and decision.applied:
            flash(gettext("Removal confirmed: %(n)s records removed.", n=decision.removed), "ok")
        elif action == "confirm":
            flash(gettext("Removal confirmed; a harvest is running, and the next one applies it."), "ok")
        else:
            flash(gettext("Removal discarded: the records stay."), "ok")
    return redirect(url_for("manage.museum", museum_id=museum_id) + "#runs")


# --- API tokens --------------------------------------------------------------------------------------
@bp.route("/tokens", methods=["GET", "POST"])
@login_required()
def tokens():
    user = current_user()
    assert user is not None
    new_token = None
    if request.method == "POST":
        new_token, _ = accounts().create_token(user.id, request.form.get("label", ""))
    # The new token goes into this response only: never into a redirect, a flash or a log.
    response = render_template("manage/tokens.html", tokens=accounts().tokens(user.id), new_token=new_token)
    return response, 201 if new_token else 200, {"Cache-Control": "no-store"}


@bp.post("/tokens/<int:token_id>/revoke")
@login_required()
def revoke_token(token_id: int):
    user = current_user()
    assert user is not None
    if not accounts().revoke_token(user.id, token_id):
        abort(404, "no such token")
    flash(gettext("Token revoked."), "ok")
    return redirect(url_for("manage.tokens"))


# --- admin -----------------------------------------------------------------------------------------------
def _settings_view() -> list[dict[str, str]]:
    rows = []
    for s in SETTINGS:
        value = hub().settings.get(s.name)
        if s.name == "SECRET_KEY":
            shown = "(set)" if value else "(generated in the instance folder)"
        elif isinstance(value, list):
            shown = ", ".join(value) or "(none)"
        else:
            shown = "" if value is None else str(value)
        rows.append({"name": s.name.lower(), "env": s.env, "value": shown, "help": s.help})
    return rows


@bp.get("/admin")
@login_required("admin")
def admin():
    return _admin_page()


def _admin_page(error: str | None = None, status: int = 200):
    try:
        museums = hub().museums.listing(current_language())
    except StoreError:
        museums = [m.as_json() | {"display_name": m.name, "objects": None} for m in hub().feeds.museums()]
    return render_template("manage/admin.html", accounts=accounts().list(), museums=museums,
                           settings=_settings_view(), roles=ROLES, error=error), status


@bp.post("/admin/accounts")
@login_required("admin")
def create_account():
    form = request.form
    try:
        account = accounts().create(form.get("username", ""), form.get("password", ""), form.get("role", ""),
                                    museum_id=form.get("museum_id") or None,
                                    display_name=form.get("display_name", ""), email=form.get("email") or None)
    except AccountError as exc:
        return _admin_page(str(exc), 422)
    flash(gettext("Account %(name)s created.", name=account.username), "ok")
    return redirect(url_for("manage.admin"))


@bp.post("/admin/accounts/<int:account_id>/status")
@login_required("admin")
def account_status(account_id: int):
    status = request.form.get("status", "")
    user = current_user()
    try:
        account = accounts().update(account_id, by=user.id if user else None, status=status)
    except AccountNotFound:
        abort(404, "no such account")
    except AccountError as exc:
        return _admin_page(str(exc), 422)
    flash(f"{account.username}: {account.status}.", "ok")
    return redirect(url_for("manage.admin"))


@bp.get("/admin/museum")
@login_required("admin")
def open_museum():
    """The admin's shortcut to a museum's dashboard by id (also to register a museum not yet known)."""
    museum_id = request.args.get("id", "").strip().lower()
    return redirect(url_for("manage.museum", museum_id=museum_id))
