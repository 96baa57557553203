"""The unmatched-terms review: the museum terms no shared concept matched, for the hub admin to add.

- ``/admin/unmatched`` (HTML) and ``/admin/unmatched.json``: every museum's unmatched terms, most used
  first, narrowed by ``?museum=`` and ``?kind=``; admins only. ``POST /admin/unmatched/recheck`` re-reads
  ``ontology/thesaurus.ttl`` (after the admin added labels) and forgets the terms it now matches.
- ``/museums/<id>/unmatched`` and ``.json``: one museum's list, for its own account and admins.

Each row says what to add to the thesaurus (a ``skos:altLabel`` line); the terms themselves come from
``harvesters.unmatched`` (collected per feed during harvests). Museum-written labels reach the page only
through autoescaping. It owns these views and their template, nothing else.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from werkzeug.exceptions import Forbidden

from harvesters.unmatched import UnmatchedTerms
from ontology.reconcile import refresh
from ontology.thesaurus import KINDS, get_thesaurus
from web.accounts.auth import current_user, login_required
from web.views.common import hub, ok, wants_json

bp = Blueprint("vocabulary", __name__)


def _table() -> UnmatchedTerms:
    return UnmatchedTerms(hub().feeds.path)


def _turtle_hint(term: dict[str, Any]) -> str:
    text = term["label"].replace("\\", "\\\\").replace('"', '\\"')
    tag = f"@{term['lang']}" if term["lang"] else ""
    return f'skos:altLabel "{text}"{tag}'


def _listing(museum: str | None) -> tuple[list[dict[str, Any]], str | None]:
    kind = request.args.get("kind") or None
    if kind is not None and kind not in KINDS:
        abort(400, f"kind must be one of {', '.join(KINDS)}")
    try:
        limit = max(1, min(int(request.args.get("limit", 500)), 5000))
    except ValueError:
        abort(400, "limit must be a number")
    terms = _table().terms(museum, kind, limit=limit)
    for t in terms:
        t["turtle"] = _turtle_hint(t)
    return terms, kind


def _answer(terms: list[dict[str, Any]], museum: str | None, kind: str | None, as_json: bool) -> Any:
    th = get_thesaurus()
    thesaurus = {"version": th.version, "concepts": len(th.concepts)}
    if as_json:
        return ok(museum=museum, kind=kind, count=len(terms), terms=terms, thesaurus=thesaurus)
    museums = [m.id for m in hub().feeds.museums()]
    return render_template("vocabulary/unmatched.html", terms=terms, museum=museum, kind=kind, kinds=KINDS,
                           museums=museums, thesaurus=thesaurus)


@bp.get("/admin/unmatched.json")
@bp.get("/admin/unmatched")  # the inner rule is the one url_for() builds: the page, not its JSON
@login_required("admin")
def review():
    museum = request.args.get("museum") or None
    terms, kind = _listing(museum)
    return _answer(terms, museum, kind, wants_json())


@bp.post("/admin/unmatched/recheck")
@login_required("admin")
def recheck():
    refresh()
    forgotten = _table().prune_matched()
    if wants_json():
        return ok(forgotten=forgotten, version=get_thesaurus().version)
    return redirect(url_for("vocabulary.review", forgotten=forgotten))


@bp.get("/museums/<museum_id>/unmatched.json")
@bp.get("/museums/<museum_id>/unmatched")
@login_required()
def museum_review(museum_id: str):
    if hub().feeds.get_museum(museum_id) is None:
        abort(404, f"no museum {museum_id!r} is registered")
    user = current_user()
    if user is None or not user.can_manage(museum_id):
        raise Forbidden("only the museum's own account or an admin may see its unmatched terms")
    terms, kind = _listing(museum_id)
    return _answer(terms, museum_id, kind, wants_json())
