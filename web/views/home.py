"""Home page and the museums' pages: who is in the hub and how many objects each has."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, send_from_directory

from web.exhibitions.document import pick
from web.i18n import current_language
from web.views.common import hub, ok

bp = Blueprint("home", __name__)

def museum_rows() -> list[dict[str, object]]:
    return hub().museums.listing(current_language())


@bp.get("/")
def index():
    lang = current_language()
    exhibitions = [
        {"slug": e["slug"], "title": pick(e["title"], lang), "description": pick(e["subtitle"], lang)}
        for e in hub().exhibitions.repository.list(published_only=True)
    ]
    return render_template("home.html", museums=museum_rows(), exhibitions=exhibitions)


@bp.get("/favicon.ico")
def favicon():
    """The hub's icon where browsers look for it (the pages link it too): no 404 in any console."""
    return send_from_directory(current_app.static_folder or "static", "favicon.ico",
                               mimetype="image/vnd.microsoft.icon", max_age=7 * 24 * 3600)


@bp.get("/museums/")
def museums():
    return render_template("museums.html", museums=museum_rows())


@bp.get("/museums.json")
def museums_json():
    return ok(museums=museum_rows())


@bp.get("/museums/<museum_id>")
def museum(museum_id: str):
    record = hub().feeds.get_museum(museum_id)
    if record is None:
        abort(404, f"no museum {museum_id!r} is registered")
    row = next(r for r in museum_rows() if r["id"] == museum_id)
    runs = [r.as_json() for r in hub().feeds.runs(museum_id, limit=20)]
    quarantined = hub().feeds.quarantined(museum_id)
    if request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json":
        return ok(museum=row, runs=runs, quarantined=quarantined)
    return render_template("museum.html", museum=row, runs=runs, quarantined=quarantined)
