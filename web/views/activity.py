"""The hub's change feed: IIIF Change Discovery API 1.0 (https://iiif.io/api/discovery/1.0/).

``/activity/all-changes`` is an ``OrderedCollection`` (``totalItems``, ``first`` and ``last`` pages);
``/activity/page/<n>`` (n from 0) an ``OrderedCollectionPage`` of ``ACTIVITY_PAGE_SIZE`` activities, oldest
first, with ``partOf``, ``startIndex``, ``prev`` and ``next``. Each activity is a ``Create``, ``Update`` or
``Delete`` of one object (``{"id": object IRI, "type": "HumanMadeObject"}``) with its ``endTime``: what
the harvests did, read from the hub's change log (``harvesters.activity``). Objects dereference to Linked
Art JSON-LD, so another hub harvests this one with ``--protocol iiif-discovery --format linked-art``.

Pages are stable (an activity's position never changes), so a client walking back from ``last`` through
``prev`` stops where its previous walk ended.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, current_app, url_for

from harvesters.activity import Activity
from web.views.common import hub

bp = Blueprint("activity", __name__)

CONTEXT = "http://iiif.io/api/discovery/1/context.json"
MEDIA_TYPE = f'application/ld+json;profile="{CONTEXT}"'
DEFAULT_PAGE_SIZE = 1000


def _page_size() -> int:
    return max(1, int(current_app.config.get("ACTIVITY_PAGE_SIZE") or DEFAULT_PAGE_SIZE))


def _url(endpoint: str, n: int | None = None) -> str:
    """A public URL under the hub's base IRI (the feed's ids must dereference from elsewhere)."""
    return hub().minter.base + (url_for(endpoint) if n is None else url_for(endpoint, n=n))


def _json(document: dict) -> Response:
    response = Response(json.dumps(document, ensure_ascii=False, indent=1), content_type=MEDIA_TYPE)
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


def _pages(total: int) -> int:
    return max(1, -(-total // _page_size()))


def _page_ref(n: int) -> dict[str, str]:
    return {"id": _url("activity.page", n=n), "type": "OrderedCollectionPage"}


@bp.get("/activity/all-changes")
def collection() -> Response:
    total = hub().feeds.activity_count()
    pages = _pages(total)
    return _json({
        "@context": CONTEXT,
        "id": _url("activity.collection"),
        "type": "OrderedCollection",
        "totalItems": total,
        "first": _page_ref(0),
        "last": _page_ref(pages - 1),
    })


@bp.get("/activity/page/<int:n>")
def page(n: int) -> Response:
    total = hub().feeds.activity_count()
    pages = _pages(total)
    if n >= pages:
        abort(404, f"no page {n}: the feed has {pages} pages")
    size = _page_size()
    items = hub().feeds.activities(n * size + 1, (n + 1) * size)
    document: dict[str, object] = {
        "@context": CONTEXT,
        "id": _url("activity.page", n=n),
        "type": "OrderedCollectionPage",
        "partOf": {"id": _url("activity.collection"), "type": "OrderedCollection"},
        "startIndex": n * size,
    }
    if n > 0:
        document["prev"] = _page_ref(n - 1)
    if n < pages - 1:
        document["next"] = _page_ref(n + 1)
    document["orderedItems"] = [item for a in items if (item := _activity(a)) is not None]
    return _json(document)


def _activity(activity: Activity) -> dict[str, object] | None:
    obj = hub().minter.object_of_record_graph(activity.graph)
    if obj is None:
        return None
    return {
        "id": _url("activity.page", n=(activity.seq - 1) // _page_size()) + f"#{activity.seq}",
        "type": activity.type,
        "object": {"id": obj, "type": "HumanMadeObject"},
        "endTime": activity.end_time,
    }
