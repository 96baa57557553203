"""Object IRIs dereference here: HTML for browsers, RDF by content negotiation.

``application/ld+json`` (with or without the Linked Art profile) answers Linked Art JSON-LD, compacted with
the Linked Art context (``web.objects.linked_art``); Turtle, N-Triples and RDF/XML the same record graph.
Accept parameters (``profile=``, ``charset=``) do not stop a match. Every answer links its other forms
(``Link`` header, and ``<link rel="alternate">`` / ``rel="describedby"`` in the page) and is open to any
origin (CORS, ``web.headers``).
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, render_template, request

from ontology.namespaces import PREFIXES
from sparql_endpoint.negotiation import best_media_type
from sparql_endpoint.results import serialize_result
from web.i18n import current_language
from web.objects.images import deepzoom_sources
from web.objects.linked_art import MEDIA_TYPE as LA_MEDIA_TYPE
from web.objects.linked_art import PROFILE as LA_PROFILE
from web.objects.linked_art import linked_art
from web.objects.page import build_view, record_graph
from web.views.common import hub, local_link, store

# Related objects are a help, not the page: they get a short time budget and never fail the page.
RELATED_TIMEOUT = 3.0


def _related(object_iri: str, lang: str) -> tuple[list, dict]:
    from store.base import StoreError
    from web.objects.cards import fetch_cards
    from web.objects.related import related

    try:
        groups = related(store(), object_iri, lang, timeout=RELATED_TIMEOUT)
        iris = [o for g in groups for o in g.objects]
        cards = {c.iri: c for c in fetch_cards(store(), iris, lang, timeout=RELATED_TIMEOUT)}
    except StoreError:
        return [], {}
    return groups, cards

bp = Blueprint("objects", __name__)

# Media types an object can be had in, by `?format=` short name as well as by Accept.
RDF_TYPES = {
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}


def _chosen_media_type() -> str:
    wanted = request.args.get("format")
    if wanted:
        if wanted == "html":
            return "text/html"
        if wanted not in RDF_TYPES:
            abort(400, f"unknown format {wanted!r}; choose html, {', '.join(RDF_TYPES)}")
        return RDF_TYPES[wanted]
    # Parameters do not stop a match (werkzeug's best_match would miss `ld+json;profile=...`); plain JSON
    # clients get the JSON-LD too; a client naming nothing we have gets the page.
    offered = ["text/html", *RDF_TYPES.values(), "application/json"]
    chosen = best_media_type(request.headers.get("Accept"), offered) or "text/html"
    return "application/ld+json" if chosen == "application/json" else chosen


def _links(path: str) -> str:
    """The Link header: the object's other forms."""
    links = [f'<{path}?format={name}>; rel="alternate"; type="{media}"' for name, media in RDF_TYPES.items()]
    links.append(f'<{path}?format=jsonld>; rel="describedby"; type="application/ld+json"; profile="{LA_PROFILE}"')
    return ", ".join(links)


@bp.get("/id/object/<museum>/<path:key>")
def show(museum: str, key: str):
    # Flask has decoded the path once; minting re-encodes it, giving back the IRI's exact key.
    try:
        object_iri = hub().minter.object(museum, key)
    except ValueError:  # an id no record can have (".", "..", control characters): no such object
        abort(404, "no such object")
    graph = record_graph(store(), object_iri)
    if not graph.triples:
        abort(404, f"no object <{object_iri}> in the hub")
    media_type = _chosen_media_type()
    if media_type == "application/ld+json":
        body = json.dumps(linked_art(object_iri, graph.triples), ensure_ascii=False, indent=1).encode()
        response = Response(body, content_type=LA_MEDIA_TYPE)
    elif media_type != "text/html":
        body = b"".join(serialize_result(graph, media_type, prefixes=PREFIXES))
        response = Response(body, content_type=f"{media_type}; charset=utf-8")
    if media_type != "text/html":
        response.headers["Vary"] = "Accept"
        response.headers["Link"] = _links(request.path)
        return response
    view = build_view(store(), object_iri, graph.triples, current_language())
    related, related_cards = _related(object_iri, current_language())
    response = Response(render_template(
        "object.html", obj=view, local_link=local_link, formats=RDF_TYPES,
        zoom=deepzoom_sources(view.images), related=related, related_cards=related_cards,
        la_profile=LA_PROFILE,
    ))
    response.headers["Vary"] = "Accept"
    response.headers["Link"] = _links(request.path)
    return response
