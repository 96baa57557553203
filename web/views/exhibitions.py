"""Exhibitions: the list, each exhibition as a gallery page and as JSON."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template

from web.cards import fetch_cards
from web.exhibitions import get_exhibition, list_exhibitions
from web.i18n import current_language
from web.views.common import hub, local_link, ok, store

bp = Blueprint("exhibitions", __name__)


@bp.get("/exhibitions/")
def index():  # noqa: ANN201
    lang = current_language()
    items = [
        {"slug": e.slug, "title": e.text("title", lang), "description": e.text("description", lang)}
        for e in list_exhibitions(hub().exhibitions_dir)
    ]
    return render_template("exhibitions.html", exhibitions=items)


def _load(slug: str):  # noqa: ANN202
    exhibition = get_exhibition(hub().exhibitions_dir, slug)
    if exhibition is None:
        abort(404, f"no exhibition {slug!r}")
    lang = current_language()
    iris = exhibition.object_iris(store(), timeout=current_app.config["SPARQL_TIMEOUT"])
    return exhibition, fetch_cards(store(), iris, lang), lang


@bp.get("/exhibitions/<slug>.json")
def show_json(slug: str):  # noqa: ANN201
    exhibition, cards, lang = _load(slug)
    return ok(
        exhibition={
            "slug": exhibition.slug,
            "title": exhibition.title,
            "description": exhibition.description,
            "query": exhibition.query,
        },
        objects=[c.as_json() for c in cards],
        count=len(cards),
    )


@bp.get("/exhibitions/<slug>")
def show(slug: str):  # noqa: ANN201
    exhibition, cards, lang = _load(slug)
    return render_template(
        "exhibition.html",
        exhibition=exhibition,
        title=exhibition.text("title", lang),
        description=exhibition.text("description", lang),
        cards=cards,
        local_link=local_link,
    )
