"""The quality report's pages (HTML and JSON): ``/quality`` and ``/quality.json`` (every museum),
``/museums/<id>/quality`` and ``/museums/<id>/quality.json``. The report itself is
``web.museums.quality``."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from web.i18n import current_language
from web.museums.quality import LABELS, MEASURES, QualityReports
from web.views.common import hub, ok, wants_json

bp = Blueprint("quality", __name__)


def reports() -> QualityReports:
    return hub().museums.quality


# url_for() builds the first rule registered for an endpoint, and decorators register bottom-up: the
# HTML rule is the inner one so that links go to the page, not to its JSON.
@bp.get("/quality.json")
@bp.get("/quality")
def overview():
    report = reports().overview(current_language())
    if wants_json():
        return ok(measures=list(MEASURES), **report)
    return render_template("quality.html", report=report, labels=LABELS, measures=list(MEASURES), museum=None)


@bp.get("/museums/<museum_id>/quality.json")
@bp.get("/museums/<museum_id>/quality")
def museum(museum_id: str):
    report = reports().museum(museum_id, current_language())
    if report is None:
        abort(404, f"no museum {museum_id!r} is registered")
    if wants_json():
        return ok(measures=list(MEASURES), museum=report)
    return render_template("quality.html", report={"museums": [report], "totals": None}, labels=LABELS,
                           measures=list(MEASURES), museum=report)
