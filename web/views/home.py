"""Home page and the museums' pages: who is in the hub and how many objects each has."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from ontology.namespaces import sparql_prologue
from store.base import SolutionsResult
from web.exhibitions.document import pick
from web.i18n import current_language
from web.views.common import hub, ok, store

bp = Blueprint("home", __name__)

COUNTS_QUERY = """
SELECT ?museum (COUNT(DISTINCT ?object) AS ?objects) WHERE {
  ?object a crm:E22_Human-Made_Object ; crm:P50_has_current_keeper ?museum .
} GROUP BY ?museum
"""


def object_counts() -> dict[str, int]:
    result = store().query(sparql_prologue() + COUNTS_QUERY)
    assert isinstance(result, SolutionsResult)
    return {row["museum"].value: int(row["objects"].value) for row in result.dicts()}


def museum_rows() -> list[dict[str, object]]:
    counts = object_counts()
    lang = current_language()
    rows = []
    for museum in hub().registry.museums():
        data = museum.as_json()
        data["display_name"] = museum.names.get(lang) or museum.names.get("en") or museum.name
        data["objects"] = counts.get(hub().minter.museum(museum.id), 0)
        last = hub().registry.runs(museum.id, limit=1)
        data["last_run"] = last[0].as_json() if last else None
        rows.append(data)
    return rows


@bp.get("/")
def index():
    lang = current_language()
    exhibitions = [
        {"slug": e["slug"], "title": pick(e["title"], lang), "description": pick(e["subtitle"], lang)}
        for e in hub().exhibitions.repository.list(published_only=True)
    ]
    return render_template("home.html", museums=museum_rows(), exhibitions=exhibitions)


@bp.get("/museums/")
def museums():
    return render_template("museums.html", museums=museum_rows())


@bp.get("/museums.json")
def museums_json():
    return ok(museums=museum_rows())


@bp.get("/museums/<museum_id>")
def museum(museum_id: str):
    record = hub().registry.get_museum(museum_id)
    if record is None:
        abort(404, f"no museum {museum_id!r} is registered")
    row = next(r for r in museum_rows() if r["id"] == museum_id)
    runs = [r.as_json() for r in hub().registry.runs(museum_id, limit=20)]
    quarantined = hub().registry.quarantined(museum_id)
    if request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json":
        return ok(museum=row, runs=runs, quarantined=quarantined)
    return render_template("museum.html", museum=row, runs=runs, quarantined=quarantined)
