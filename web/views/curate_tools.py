"""The curator's editor's JSON helpers: parse a query, write one from the facet builder (with its choices
as the curator reads them), list a facet's values, try a query on the hub's data, and the covers an
exhibition's objects offer.

Every helper needs a curator (or admin) session or token; a session's requests send the CSRF token as
``X-CSRF-Token``. Nothing here stores anything: the editor's form is saved by ``web.views.curate``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, request
from flask.typing import ResponseReturnValue

from store.base import QueryTimeout, StoreError
from web.accounts.auth import current_user, login_required
from web.exhibitions.document import Parameter, normalise
from web.exhibitions.facet_choices import choice_rows, chosen_terms, term_labels
from web.exhibitions.facets import FACETS, TERM_FACETS, FacetError, build, options
from web.exhibitions.queries import check_query, run_section
from web.i18n import LANGUAGES, current_language, format_year
from web.objects.cards import Card, fetch_cards
from web.views.common import hub, ok, store

bp = Blueprint("curate_tools", __name__, url_prefix="/curate")
TRY_CARDS = 24


def _error(status: int, message: str) -> ResponseReturnValue:
    return {"ok": False, "error": message, "status": status}, status


def _json_body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, "send a JSON object")
    return data


def _language() -> str:
    """The editor's language: the page asks in its own (``?lang=``), else the visitor's."""
    wanted = request.args.get("lang")
    return wanted if wanted in LANGUAGES else current_language()


def _parameters(data: dict[str, Any]) -> list[Parameter]:
    out = []
    for p in data.get("parameters") or []:
        if isinstance(p, dict) and p.get("name"):
            out.append(Parameter(name=str(p["name"]), type=str(p.get("type", "literal")), label={},
                                 default=p.get("default") or None, choices_query=p.get("choices_query") or None))
    return out


@bp.post("/check")
@login_required("curator")
def check() -> ResponseReturnValue:
    """Parse a section query (server side, pyoxigraph) without running it over the hub's data."""
    data = _json_body()
    result = check_query(str(data.get("query", "")), _parameters(data))
    return ok(valid=result["ok"], error=result["error"], variables=result["variables"])


@bp.post("/facets")
@login_required("curator")
def facets() -> ResponseReturnValue:
    """The facet builder: facet state → SPARQL with parameters and their arguments, and one row per choice
    (labels in the editor's language) for the curator to read."""
    data = _json_body()
    try:
        built = build({k: data.get(k) for k in (*FACETS, "order")})
    except FacetError as exc:
        return _error(400, str(exc))
    lang = _language()
    wanted = chosen_terms(built.facets)
    labels = term_labels(store(), wanted, lang, timeout=current_app.config["SPARQL_TIMEOUT"]) if wanted else {}
    rows = choice_rows(built.facets, built.parameters, built.arguments, labels)
    return ok(query=built.query, facets=built.facets, arguments=built.arguments,
              parameters=[{"name": p.name, "type": p.type, "label": p.label} for p in built.parameters],
              choices=[r.as_json() for r in rows])


@bp.get("/facets/<facet>/options")
@login_required("curator")
def facet_options(facet: str) -> ResponseReturnValue:
    if facet not in TERM_FACETS:
        return _error(404, f"no facet {facet!r}")
    return ok(options=options(store(), facet, _language(), timeout=current_app.config["SPARQL_TIMEOUT"]))


def _tried(card: Card) -> dict[str, Any]:
    """A tried object as the editor lists it: with its date, so a curator sees a date filter work."""
    date = card.date
    if not date and (card.begin_year is not None or card.end_year is not None):
        begin, end = format_year(card.begin_year), format_year(card.end_year)
        date = begin if begin == end else f"{begin} – {end}"
    return {"iri": card.iri, "title": card.title, "image": card.image, "date": date,
            "begin": card.begin_year, "end": card.end_year, "museum": card.museum_name}


@bp.post("/try")
@login_required("curator")
def try_query() -> ResponseReturnValue:
    """Run a section query as it stands in the editor (time budget applies) and show the first objects."""
    data = _json_body()
    checked = check_query(str(data.get("query", "")), _parameters(data))
    if not checked["ok"]:
        return _error(400, checked["error"])
    try:
        budget = min(max(float(data.get("time_budget") or 5.0), 0.1), 60.0)
        arguments = data.get("arguments") or {}
        # the same rules as a saved section (limit range, pinned objects must be IRIs, ...)
        section = normalise({"slug": "try", "title": {"en": "try"}, "sections": [{
            "id": "try", "query": str(data["query"]), "parameters": [p.__dict__ for p in _parameters(data)],
            "arguments": arguments if isinstance(arguments, dict) else {},
            "pinned": [str(i) for i in data.get("pinned") or []], "limit": data.get("limit") or 200}]}).sections[0]
        iris = run_section(store(), section, timeout=budget, text_index=hub().text_index())
        cards = fetch_cards(store(), iris[:TRY_CARDS], _language(), timeout=budget)
    except QueryTimeout:
        return _error(408, f"the query took longer than the time budget ({budget:g} s)")
    except (ValueError, TypeError, StoreError) as exc:  # ParameterError and ExhibitionError are ValueErrors
        return _error(400, str(exc))
    return ok(count=len(iris), objects=[_tried(c) for c in cards])


@bp.get("/<slug>/covers")
@login_required("curator")
def covers(slug: str) -> ResponseReturnValue:
    """The images of the latest revision's objects, in the order shown: the covers a curator may pick (the
    first is the one visitors see while the exhibition names none)."""
    service = hub().exhibitions
    doc = service.repository.get(slug)
    if doc is None:
        return _error(404, f"no exhibition {slug!r}")
    if not service.may_edit(current_user(), slug):
        return _error(403, "only the exhibition's curator or an admin may change it")
    try:
        images = service.object_images(doc, lang=_language(), limit=24)
    except QueryTimeout:
        return _error(408, f"the query took longer than the time budget ({doc.time_budget:g} s)")
    except (ValueError, StoreError) as exc:
        return _error(400, str(exc))
    return ok(images=images)
