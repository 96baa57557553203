"""The curators' pages: my exhibitions, the editor, preview, revisions and publishing (the editor's JSON
helpers are ``web.views.curate_tools``).

Every view needs a curator (or admin) session or token (``web.accounts.auth``); forms carry the CSRF token.
A curator edits the exhibitions they created; admins edit all. Drafts and previews are shown here (and,
to their curator, on their permalinks). The editor publishes only what is saved: "Save and publish" saves
the form first, and the separate "Publish revision N" is offered only while N is not the published one.
This module must not write SQL or SPARQL itself: documents go through ``web.exhibitions.service``, the
preview through the public page's renderer (``web.exhibitions.render``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_datetime
from flask_babel import gettext as _
from markupsafe import Markup

from ontology.namespaces import PREFIXES
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
)
from web.exhibitions.editor_forms import (
    LANGUAGE_NAMES,
    STARTER_QUERY,
    diff_docs,
    form_to_data,
    languages_of,
)
from web.exhibitions.facet_choices import FACET_NAMES, choice_rows, chosen_terms, term_labels
from web.exhibitions.facets import ORDERS, TERM_FACETS
from web.exhibitions.layouts import layouts
from web.exhibitions.parameters import TYPES
from web.exhibitions.queries import run_section
from web.exhibitions.render import render_content
from web.exhibitions.repository import ExhibitionNotFound, ExhibitionRepository
from web.exhibitions.service import ExhibitionService
from web.i18n import current_language
from web.views.common import hub, local_link, store

bp = Blueprint("curate", __name__, url_prefix="/curate")


def exhibitions() -> ExhibitionService:
    return hub().exhibitions


def repo() -> ExhibitionRepository:
    return exhibitions().repository


@bp.app_template_filter("human_time")
def human_time(stamp: str | None) -> str:
    """A stored UTC time (ISO 8601) as people read it, in the interface's language."""
    if not stamp:
        return ""
    try:
        when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    return format_datetime(when, "medium")


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
    if not exhibitions().may_edit(_curator(), slug):
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
            flash(_("Created. This is a private draft until you publish it."))
            return redirect(url_for("curate.edit", slug=slug))
    query = request.values.get("query", "")  # "turn into an exhibition" from the SPARQL workbench
    return render_template("curate/new.html", error=error, form=request.form, query=query,
                           lang=current_language()), (
        400 if error else 200)


def _editor(doc: ExhibitionDoc, *, error: str | None = None, status: int = 200,
            unsaved: bool = False) -> ResponseReturnValue:
    revisions = repo().revisions(doc.slug)
    lang = current_language()
    blank = Section(id="", title={}, text={}, query="")
    wanted = [t for s in doc.sections for t in chosen_terms(s.facets)]
    try:
        labels = term_labels(store(), wanted, lang, timeout=doc.time_budget) if wanted else {}
    except StoreError:
        labels = {}  # the choices then show their terms' names from their IRIs
    choices = {i: choice_rows(s.facets, s.parameters, s.arguments, labels) for i, s in enumerate(doc.sections)}
    published = repo().published(doc.slug)
    latest = revisions[0]["number"] if revisions else None
    return render_template(
        "curate/edit.html", doc=doc, sections=[(str(i), s) for i, s in enumerate(doc.sections)], blank=blank,
        choices=choices, languages=_languages(doc), language_names=LANGUAGE_NAMES, layouts=layouts(),
        themes=THEMES, modes=MODES, types=TYPES, term_facets=TERM_FACETS, facet_names=FACET_NAMES, orders=ORDERS,
        revisions=revisions, latest=latest, error=error, lang=lang, published=published, unsaved=unsaved,
        prefixes=PREFIXES,
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
        return _editor(_unsaved(data, doc), error=str(exc), status=400, unsaved=True)
    flash(_("Saved as revision %(n)s.", n=number))
    target = request.form.get("then")
    if target == "preview":
        return redirect(url_for("curate.preview", slug=slug, revision=number))
    if target == "publish":  # "Save and publish": what is published is what the curator sees in the form
        return _publish(slug, number)
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
    """A revision as visitors would see it: each section in its layout, drawn by the public page's own
    renderer and templates (``web.exhibitions.render``), with the results the queries give now."""
    _owned(slug)
    revision = request.args.get("revision", type=int)
    doc = repo().get(slug, revision)
    if doc is None:
        abort(404, f"no revision {revision} of {slug!r}")
    lang = current_language()
    results: dict[str, list[str]] = {}
    errors: dict[str, str] = {}
    for section in doc.sections:
        try:
            results[section.id] = run_section(store(), section, timeout=doc.time_budget,
                                              text_index=hub().text_index())
        except QueryTimeout:
            errors[section.id] = _("The query took longer than the time budget (%(s)s s).",
                                   s=format(doc.time_budget, "g"))
        except (ValueError, StoreError) as exc:
            errors[section.id] = str(exc)
    rendered = render_content(store(), doc, results, lang, kind="page", link=local_link, timeout=doc.time_budget)
    number = revision or repo().revisions(slug)[0]["number"]
    return render_template("curate/preview.html", doc=doc, rendered=rendered, errors=errors, revision=number,
                           lang=lang, published=repo().published(slug), theme=doc.theme)


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
                           doc=repo().get(slug), lang=current_language(), published=repo().published(slug))


@bp.post("/<slug>/restore")
@login_required("curator")
def restore(slug: str) -> ResponseReturnValue:
    _owned(slug)
    revision = request.form.get("revision", type=int)
    try:
        number = exhibitions().restore(slug, revision or 0, _curator().username)
    except ExhibitionError as exc:
        abort(404, str(exc))
    flash(_("Revision %(old)s restored as revision %(new)s, an unpublished draft: visitors still see the "
            "published revision until you publish this one.", old=revision, new=number))
    return redirect(url_for("curate.edit", slug=slug))


@bp.post("/<slug>/publish")
@login_required("curator")
def publish(slug: str) -> ResponseReturnValue:
    """Publish a saved revision (the latest by default); a pinned exhibition's snapshot is taken now."""
    _owned(slug)
    return _publish(slug, request.form.get("revision", type=int))


def _publish(slug: str, revision: int | None) -> ResponseReturnValue:
    try:
        published = exhibitions().publish(slug, revision)
    except ExhibitionNotFound as exc:
        abort(404, str(exc))
    except (ValueError, StoreError) as exc:
        flash(_("Not published: a section query failed (%(error)s).", error=str(exc)), "error")
        return redirect(url_for("curate.edit", slug=slug))
    path = url_for("exhibitions.show", slug=slug)
    flash(Markup(_("Revision %(n)s is published at %(link)s.", n=published.revision,
                   link=Markup('<a href="{0}" id="published-link">{0}</a>').format(path))))
    return redirect(url_for("curate.edit", slug=slug))


@bp.post("/<slug>/unpublish")
@login_required("curator")
def unpublish(slug: str) -> ResponseReturnValue:
    _owned(slug)
    exhibitions().unpublish(slug)
    flash(_("Unpublished: the exhibition is a private draft again."))
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
        flash(_("The snapshot was kept: a section query failed (%(error)s).", error=str(exc)), "error")
    else:
        flash(_("Snapshot refreshed: %(n)s objects pinned.", n=refreshed.objects))
    return redirect(url_for("curate.edit", slug=slug))


