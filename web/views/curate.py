"""The curators' pages: my exhibitions, the editor, preview, revisions, publishing, and the editor's JSON
helpers (query check, facet builder, trying a query).

Every view needs a curator (or admin) session or token (``web.accounts.auth``); forms carry the CSRF token, the
JSON helpers send it as ``X-CSRF-Token``. A curator edits the exhibitions they created; admins edit all.
Drafts and previews are only ever shown here. This module must not write SQL or SPARQL itself: documents
go through ``web.exhibitions.queries`` and the facet builder through ``web.exhibitions.facets``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from store.base import QueryTimeout, StoreError
from web.accounts.auth import current_user, login_required
from web.accounts.database import User
from web.errors import HubError
from web.exhibitions.document import (
    LANGUAGE,
    MODES,
    THEMES,
    ExhibitionDoc,
    ExhibitionError,
    Parameter,
    Section,
    normalise,
)
from web.exhibitions.editor_forms import (
    LANGUAGE_NAMES,
    NEW_SECTION,
    STARTER_QUERY,
    diff_docs,
    form_to_data,
    languages_of,
)
from web.exhibitions.facets import FACETS, TERM_FACETS, FacetError, build, options
from web.exhibitions.layouts import layout_names
from web.exhibitions.parameters import TYPES
from web.exhibitions.queries import check_query, run_section
from web.exhibitions.repository import ExhibitionNotFound, ExhibitionRepository
from web.exhibitions.service import ExhibitionService
from web.i18n import current_language
from web.objects.cards import fetch_cards
from web.views.common import hub, local_link, ok, store

bp = Blueprint("curate", __name__, url_prefix="/curate")
TRY_CARDS = 24


def exhibitions() -> ExhibitionService:
    return hub().exhibitions


def repo() -> ExhibitionRepository:
    return exhibitions().repository


def _error(status: int, message: str) -> ResponseReturnValue:
    return {"ok": False, "error": message, "status": status}, status


def _curator() -> User:
    """The signed-in account (every view here is behind ``login_required``)."""
    user = current_user()
    assert user is not None
    return user


def _owned(slug: str) -> ExhibitionDoc:
    """The latest revision of an exhibition the current curator may edit (404 / 403 otherwise)."""
    doc = repo().get(slug)
    if doc is None:
        abort(404, f"no exhibition {slug!r}")
    user = _curator()
    if not (user.role == "admin" or repo().owner(slug) == user.username):
        abort(403, "only the exhibition's curator or an admin may change it")
    return doc


@bp.get("/")
@login_required("curator")
def index() -> ResponseReturnValue:
    user = _curator()
    items = repo().list(published_only=False, search=request.args.get("q"))
    mine = [i for i in items if user.role == "admin" or i["created_by"] == user.username]
    return render_template("curate/index.html", items=mine, q=request.args.get("q", ""), lang=current_language())


@bp.route("/new", methods=["GET", "POST"])
@login_required("curator")
def new() -> ResponseReturnValue:
    error = None
    if request.method == "POST":
        slug = request.form.get("slug", "").strip().lower()
        title = {k: request.form.get(f"title-{k}", "") for k in ("en", "zh")}
        query = request.form.get("query", "").strip() or STARTER_QUERY  # from the workbench's link
        try:
            exhibitions().create({"slug": slug, "title": title, "sections": [
                {"id": "objects", "title": {}, "text": {}, "query": query}]}, _curator().username)
        except HubError as exc:
            error = str(exc)
        else:
            flash("Created. This is a private draft until you publish it.")
            return redirect(url_for("curate.edit", slug=slug))
    query = request.values.get("query", "")  # "turn into an exhibition" from the SPARQL workbench
    return render_template("curate/new.html", error=error, form=request.form, query=query,
                           lang=current_language()), (
        400 if error else 200)


def _editor(doc: ExhibitionDoc, *, error: str | None = None, status: int = 200) -> ResponseReturnValue:
    revisions = repo().revisions(doc.slug)
    blank = Section(id="", title={}, text={}, query="")
    return render_template(
        "curate/edit.html", doc=doc,
        sections=[(str(i), s) for i, s in enumerate(doc.sections)] + [(NEW_SECTION, blank)],
        languages=_languages(doc), language_names=LANGUAGE_NAMES, layouts=layout_names(), themes=THEMES, modes=MODES,
        types=TYPES, term_facets=TERM_FACETS, revisions=revisions, error=error, lang=current_language(),
        published=repo().published(doc.slug),
    ), status


def _languages(doc: ExhibitionDoc) -> list[str]:
    """The editor's languages, the document's, and one the curator asked to add (``?add_language=fr``)."""
    found = languages_of(doc)
    extra = (request.args.get("add_language") or "").strip().lower()
    if extra and LANGUAGE.match(extra) and extra not in found:
        found.append(extra)
    return found


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@login_required("curator")
def edit(slug: str) -> ResponseReturnValue:
    doc = _owned(slug)
    if request.method == "GET":
        return _editor(doc)
    data = form_to_data(request.form, slug)
    try:
        number = exhibitions().save(data, _curator().username)
    except ExhibitionError as exc:
        # show the curator's unsaved work again, with the reason; nothing was stored
        return _editor(_unsaved(data, doc), error=str(exc), status=400)
    flash(f"Saved as revision {number}.")
    target = request.form.get("then")
    if target == "preview":
        return redirect(url_for("curate.preview", slug=slug, revision=number))
    return redirect(url_for("curate.edit", slug=slug))


def _unsaved(data: dict[str, Any], fallback: ExhibitionDoc) -> ExhibitionDoc:
    """The posted document as dataclasses without validation, for re-showing a refused form."""
    try:
        sections = [Section(**{**s, "parameters": [Parameter(**p) for p in s["parameters"]]}) for s in data["sections"]]
        return ExhibitionDoc(**{**data, "sections": sections})
    except (TypeError, KeyError):
        return fallback


@bp.get("/<slug>/preview")
@login_required("curator")
def preview(slug: str) -> ResponseReturnValue:
    _owned(slug)
    revision = request.args.get("revision", type=int)
    doc = repo().get(slug, revision)
    if doc is None:
        abort(404, f"no revision {revision} of {slug!r}")
    lang = current_language()
    rendered = []
    for section in doc.sections:
        cards, error = [], None
        try:
            iris = run_section(store(), section, timeout=doc.time_budget, text_index=hub().text_index())
            cards = fetch_cards(store(), iris, lang, timeout=doc.time_budget)
        except QueryTimeout:
            error = f"the query took longer than the time budget ({doc.time_budget:g} s)"
        except (ValueError, StoreError) as exc:
            error = str(exc)
        rendered.append({"section": section, "cards": cards, "error": error})
    number = revision or repo().revisions(slug)[0]["number"]
    return render_template("curate/preview.html", doc=doc, sections=rendered, revision=number, lang=lang,
                           published=repo().published(slug), local_link=local_link)


@bp.get("/<slug>/revisions")
@login_required("curator")
def revisions(slug: str) -> ResponseReturnValue:
    _owned(slug)
    listed = repo().revisions(slug)
    a = request.args.get("a", type=int)
    b = request.args.get("b", type=int)
    changes = None
    if a and b:
        old, new_doc = repo().get(slug, a), repo().get(slug, b)
        if old is None or new_doc is None:
            abort(404, "no such revision")
        changes = diff_docs(old, new_doc)
    return render_template("curate/revisions.html", slug=slug, revisions=listed, a=a, b=b, changes=changes,
                           doc=repo().get(slug), lang=current_language())


@bp.post("/<slug>/restore")
@login_required("curator")
def restore(slug: str) -> ResponseReturnValue:
    _owned(slug)
    revision = request.form.get("revision", type=int)
    try:
        number = exhibitions().restore(slug, revision or 0, _curator().username)
    except ExhibitionError as exc:
        abort(404, str(exc))
    flash(f"Revision {revision} restored as revision {number}.")
    return redirect(url_for("curate.edit", slug=slug))


@bp.post("/<slug>/publish")
@login_required("curator")
def publish(slug: str) -> ResponseReturnValue:
    """Publish a revision (the latest by default); a pinned exhibition's snapshot is taken now."""
    _owned(slug)
    revision = request.form.get("revision", type=int)
    try:
        published = exhibitions().publish(slug, revision)
    except ExhibitionNotFound as exc:
        abort(404, str(exc))
    except (ValueError, StoreError) as exc:
        flash(f"Not published: a section query failed ({exc}).", "error")
        return redirect(url_for("curate.edit", slug=slug))
    flash(f"Revision {published.revision} is published at /exhibitions/{slug}.")
    return redirect(url_for("curate.edit", slug=slug))


@bp.post("/<slug>/unpublish")
@login_required("curator")
def unpublish(slug: str) -> ResponseReturnValue:
    _owned(slug)
    exhibitions().unpublish(slug)
    flash("Unpublished: the exhibition is a private draft again.")
    return redirect(url_for("curate.edit", slug=slug))


@bp.post("/<slug>/refresh")
@login_required("curator")
def refresh(slug: str) -> ResponseReturnValue:
    """Run the published revision's queries again and pin the new results."""
    _owned(slug)
    if repo().published(slug) is None:
        abort(409, "the exhibition is not published: there is no snapshot to refresh")
    try:
        refreshed = exhibitions().refresh_snapshot(slug)
    except (ValueError, StoreError) as exc:
        flash(f"The snapshot was kept: a section query failed ({exc}).", "error")
    else:
        flash(f"Snapshot refreshed: {refreshed.objects} objects pinned.")
    return redirect(url_for("curate.edit", slug=slug))


# --- the editor's JSON helpers ------------------------------------------------------------------------
def _json_body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, "send a JSON object")
    return data


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
    """The facet builder: facet state → SPARQL with parameters and their arguments."""
    data = _json_body()
    try:
        built = build({k: data.get(k) for k in (*FACETS, "order")})
    except FacetError as exc:
        return _error(400, str(exc))
    return ok(query=built.query, facets=built.facets, arguments=built.arguments,
              parameters=[{"name": p.name, "type": p.type, "label": p.label} for p in built.parameters])


@bp.get("/facets/<facet>/options")
@login_required("curator")
def facet_options(facet: str) -> ResponseReturnValue:
    if facet not in TERM_FACETS:
        return _error(404, f"no facet {facet!r}")
    return ok(options=options(store(), facet, current_language(), timeout=current_app.config["SPARQL_TIMEOUT"]))


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
        cards = fetch_cards(store(), iris[:TRY_CARDS], current_language(), timeout=budget)
    except QueryTimeout:
        return _error(408, f"the query took longer than the time budget ({budget:g} s)")
    except (ValueError, TypeError, StoreError) as exc:  # ParameterError and ExhibitionError are ValueErrors
        return _error(400, str(exc))
    return ok(count=len(iris), objects=[{"iri": c.iri, "title": c.title, "image": c.image, "date": c.date,
                                         "museum": c.museum_name} for c in cards])
