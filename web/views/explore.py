"""Explore: search and browse every museum's objects (``/explore``, ``/explore.json``), and "start an
exhibition from this search" for curators (``POST /explore/exhibition``).

Each state of the page is its URL (``web.explore.state``); the answer is ``web.explore.search``'s; the
results are drawn by the exhibitions' own layouts (gallery, map, timeline: ``web.exhibitions.render``
builds the section page, so the map and the timeline get the same data and scripts). This module only
parses the request, calls those and renders.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from web.accounts.auth import current_user, login_required
from web.exhibitions.document import ExhibitionDoc, Section
from web.exhibitions.keyword import SEARCH_LIMIT
from web.exhibitions.layouts import assets_for
from web.exhibitions.render import SectionPage, build_sections
from web.explore.exhibition import start_exhibition
from web.explore.search import COUNT_BOUND, Explored, ExploreSearch
from web.explore.state import VIEWS, ExploreState
from web.i18n import current_language
from web.views.common import hub, local_link, ok, store

bp = Blueprint("explore", __name__)
SECTION_ID = "explore"


def _search() -> ExploreSearch:
    return ExploreSearch(store(), hub().text_index(), hub().exhibitions.cache,
                         timeout=current_app.config["SPARQL_TIMEOUT"], option_lists=hub().exhibitions.option_lists)


def _results(state: ExploreState, found: Explored, lang: str) -> SectionPage:
    """The page's objects as one exhibition section in the state's view (the gallery when the view has
    nothing to show: no places for a map, no dates for a timeline)."""
    doc = ExhibitionDoc(slug=SECTION_ID, title={}, sections=[
        Section(id=SECTION_ID, title={}, text={}, query="", layout=state.view)])
    page = build_sections(store(), doc, {SECTION_ID: found.objects}, lang, link=local_link,
                          views={SECTION_ID: state.view}, timeout=current_app.config["SPARQL_TIMEOUT"])[0]
    page.views = [v for v in page.views if v.name in VIEWS]
    return page


@bp.get("/explore")
def index() -> ResponseReturnValue:
    state = ExploreState.from_args(request.args)
    lang = current_language()
    search = _search()
    found = search.explore(state, lang)
    results = _results(state, found, lang)
    css, js = assets_for([results.view])
    pages = max(1, -(-found.total // state.page_size))
    user = current_user()
    return render_template(
        "explore/index.html", state=state, found=found, s=results, css=css, js=js, pages=pages,
        count_bound=COUNT_BOUND,
        can_curate=user is not None and user.role in ("curator", "admin"), indexed=search.indexed(),
        kind="page", local_link=local_link, search_limit=SEARCH_LIMIT,
    )


@bp.get("/explore.json")
def as_json() -> ResponseReturnValue:
    state = ExploreState.from_args(request.args)
    lang = current_language()
    found = _search().explore(state, lang)
    cards = _results(state, found, lang).cards
    return ok(
        state=state.args(), total=found.total, total_capped=found.total_capped, page=state.page,
        page_size=state.page_size, order=state.effective_order, indexed=found.indexed,
        objects=[c.as_json() | {"href": local_link(c.iri)} for c in cards],
        facets={facet: [{k: o[k] for k in ("value", "label", "count", "selected")} for o in values]
                for facet, values in found.facets.items()},
        has_image=found.with_image, has_image_capped=found.with_image_capped, slow_facets=found.slow_facets,
        url=url_for("explore.index") + state.query_string(),
    )


@bp.post("/explore/exhibition")
@login_required("curator")
def exhibition() -> ResponseReturnValue:
    """A new private draft whose section is this search's facet query, opened in the editor."""
    state = ExploreState.from_args(request.form)
    user = current_user()
    assert user is not None
    lang = current_language()
    slug = start_exhibition(hub().exhibitions, state, request.form.get("title", ""), lang, user.username)
    flash(gettext("Created from your search. This is a private draft until you publish it."))
    return redirect(url_for("curate.edit", slug=slug))
