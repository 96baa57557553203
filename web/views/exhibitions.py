"""Exhibitions for visitors: the listing with search, each published exhibition and its permalinks.

Public URLs (drafts are never visible here: a slug without a published revision is a 404):

- ``/exhibitions/`` (``?q=`` searches titles and texts in every language), ``/exhibitions.json``
- ``/exhibitions/<slug>``: the published revision, its pinned snapshot or live results (the doc's mode);
  ``/exhibitions/<slug>/r/<n>``: revision *n*'s permalink (public for the revisions ever published)
- ``.json`` (the project's envelope), ``.jsonld`` and ``.ttl`` (the exhibition itself as RDF, also kept
  in its named graph in the store), ``/id/exhibition/<slug>`` (the exhibition's IRI, negotiated)
- ``/exhibitions/<slug>/manifest.json`` (IIIF Presentation 3), ``/embed`` (for an iframe), ``/print``.

This module owns who sees what and the HTTP shapes; rendering is web/exhibitions/render.py, the RDF
web/exhibitions/rdf.py, the manifest web/exhibitions/iiif_manifest.py.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext
from markupsafe import Markup

from web.accounts.auth import current_user
from web.error_pages import error_page
from web.exhibitions.controls import section_controls
from web.exhibitions.document import ExhibitionDoc, ExhibitionError, pick, sanitise_html
from web.exhibitions.iiif_manifest import ManifestLinks, build_manifest, manifest_json
from web.exhibitions.parameters import ParameterError
from web.exhibitions.rdf import exhibition_triples, page_url, serialise
from web.exhibitions.render import Rendered, cache_key, render_content, view_choices, visitor_arguments
from web.exhibitions.repository import ExhibitionRepository
from web.exhibitions.service import ExhibitionService
from web.i18n import LANGUAGES, current_language
from web.objects.cards import fetch_cards
from web.views.common import hub, local_link, ok, store, wants_json

bp = Blueprint("exhibitions", __name__)

RDF_KINDS = {"ttl": "text/turtle", "jsonld": "application/ld+json"}


def exhibitions() -> ExhibitionService:
    return hub().exhibitions


def repository() -> ExhibitionRepository:
    """The instance's exhibition repository (it opens a connection per operation)."""
    return exhibitions().repository


def visible(slug: str, revision: int | None = None) -> tuple[int, ExhibitionDoc, int]:
    """(revision shown, its document, published revision), or 404.

    A draft is private: an exhibition with no published revision is "not found" for visitors, and so is
    any revision that was never published (the curator's work in progress, before or after the published
    one); the exhibition's curator and admins, signed in, see those too. Revisions published once stay
    public so that a citation of a permalink keeps working after a new version is published.
    """
    found = exhibitions().published(slug)
    if found is None:
        abort(404, f"no published exhibition {slug!r}")
    published, doc = found
    if revision is None or revision == published:
        return published, doc, published
    public = 1 <= revision < published and repository().was_published(slug, revision)
    if not public and not exhibitions().may_edit(current_user(), slug):
        abort(404, f"exhibition {slug!r} has no public revision {revision}")
    older = exhibitions().revision(slug, revision)
    if older is None:
        abort(404, f"exhibition {slug!r} has no revision {revision}")
    return revision, older, published


def results_for(slug: str, revision: int, doc: ExhibitionDoc, *, with_visitor_args: bool = True) -> dict:
    arguments = visitor_arguments(request.args, doc) if with_visitor_args else {}
    try:
        results = exhibitions().section_objects(slug, revision, doc, arguments=arguments)
    except ParameterError as exc:
        if wants_json():
            abort(400, str(exc))
        abort(_bad_choice(doc, exc))
    except ExhibitionError as exc:
        abort(500, f"exhibition {slug!r} cannot be shown: {exc}")
    return results


def _bad_choice(doc: ExhibitionDoc, exc: ParameterError) -> Response:
    """The error page for a parameter value that does not fit: which choice, in words, and a link to the
    same page without it (its other arguments kept)."""
    lang = current_language()
    labels = {p.name: pick(p.label, lang) or p.name for s in doc.sections for p in s.parameters}
    bad = exc.field or ""
    kept = [(k, v) for k, v in request.args.items(multi=True) if k.partition(".")[2] != bad]
    value = next((v for k, v in request.args.items(multi=True) if k.partition(".")[2] == bad), "")
    message = gettext("“%(value)s” is not a possible value for “%(label)s”.", value=value[:80],
                      label=labels.get(bad, bad)) if bad else None
    return error_page(400, message=message, back=request.path + ("?" + urlencode(kept) if kept else ""),
                      back_label=gettext("Show the exhibition without this choice"))


def _form_inputs(doc: ExhibitionDoc, views: dict[str, str]) -> tuple[dict, list[tuple[str, str]]]:
    """The visitor's parameter values and the arguments the parameter forms carry along (language,
    layouts): only known names, so that the cached content never holds a stray argument."""
    keep = [("lang", request.args["lang"])] if request.args.get("lang") in LANGUAGES else []
    keep += [(f"layout.{section}", name) for section, name in sorted(views.items())]
    return visitor_arguments(request.args, doc), keep


def content(slug: str, revision: int, doc: ExhibitionDoc, kind: str) -> tuple[Rendered, dict, tuple]:
    """The rendered sections of ``revision`` (from the page cache when the inputs are unchanged)."""
    lang = current_language()
    results = results_for(slug, revision, doc)
    views = view_choices(request.args, doc)
    arguments, keep = _form_inputs(doc, views)
    form = (request.path, tuple(keep), tuple((s, tuple(sorted(a.items()))) for s, a in sorted(arguments.items())))
    key = cache_key(slug, revision, lang, kind, views, results, form)
    rendered = exhibitions().cache.get(key)
    if rendered is None:
        controls = {} if kind == "print" else section_controls(
            store(), exhibitions().cache, doc, arguments, keep, request.path, lang, timeout=doc.time_budget,
            option_lists=exhibitions().option_lists)
        rendered = render_content(store(), doc, results, lang, kind=kind, link=local_link, views=views,
                                  timeout=doc.time_budget, controls=controls)
        exhibitions().cache.put(key, doc.cache_seconds, rendered)
    return rendered, results, key


# --- the listing -------------------------------------------------------------------------------------
def _listing() -> list[dict]:
    lang = current_language()
    items = []
    for item in repository().list(published_only=True, search=request.args.get("q")):
        items.append({
            "slug": item["slug"], "title": pick(item["title"], lang), "subtitle": pick(item["subtitle"], lang),
            "theme": item["theme"], "cover_image": item["cover_image"], "sections": item["sections"],
            "revision": item["published_revision"], "published_at": item["published_at"],
            "url": url_for("exhibitions.show", slug=item["slug"]),
        })
    return items


@bp.get("/exhibitions/")
def index():
    if request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json":
        return listing_json()
    return render_template("exhibitions/listing.html", exhibitions=_listing(), q=request.args.get("q", ""))


@bp.get("/exhibitions.json")
def listing_json():
    items = _listing()
    return ok(exhibitions=items, count=len(items), q=request.args.get("q") or None)


# --- one exhibition ------------------------------------------------------------------------------------
PAGE_PARTS = {"page": ("exhibitions/_page_meta.html", "exhibitions/_page_head.html", "exhibitions/_page_body.html"),
              "embed": ("exhibitions/embed.html",), "print": ("exhibitions/print.html",)}


def _page(slug: str, revision: int | None, kind: str = "page") -> Response:
    shown, doc, published = visible(slug, revision)
    rendered, results, key = content(slug, shown, doc, kind)
    lang = current_language()
    title = pick(doc.title, lang)
    # Everything but the site header depends only on these inputs (never on who is looking): cached too.
    parts_key = ("parts", request.url_root, published, *key)
    parts = exhibitions().cache.get(parts_key)
    if parts is None:
        context = dict(
            doc=doc, slug=slug, revision=shown, published=published, rendered=rendered, title=title,
            subtitle=pick(doc.subtitle, lang), intro=Markup(sanitise_html(pick(doc.intro, lang))), theme=doc.theme,
            canonical=url_for("exhibitions.show", slug=slug, _external=True),
            permalink=url_for("exhibitions.revision", slug=slug, n=shown, _external=True),
            embed_url=url_for("exhibitions.embed", slug=slug, _external=True),
            other_languages=[code for code in LANGUAGES if code != lang],
        )
        names = ("meta", "head", "body") if kind == "page" else ("html",)
        parts = {n: Markup(render_template(t, **context)) for n, t in zip(names, PAGE_PARTS[kind], strict=True)}
        exhibitions().cache.put(parts_key, doc.cache_seconds, parts)
    if kind == "page":
        body = render_template("exhibitions/page.html", parts=parts, title=title, theme=doc.theme)
    else:
        body = parts["html"]
    response = Response(body, content_type="text/html; charset=utf-8")
    if kind == "embed":
        # Museums put this page in an iframe on their own sites.
        response.headers["Content-Security-Policy"] = "frame-ancestors *"
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response


@bp.get("/exhibitions/<slug>")
def show(slug: str):
    wanted = request.accept_mimetypes.best_match(["text/html", *RDF_KINDS.values()], default="text/html")
    for kind, media in RDF_KINDS.items():
        if wanted == media:
            return rdf(slug, kind)
    return _page(slug, None)


@bp.get("/exhibitions/<slug>/r/<int:n>")
def revision(slug: str, n: int):
    return _page(slug, n)


@bp.get("/exhibitions/<slug>/embed")
def embed(slug: str):
    return _page(slug, None, "embed")


@bp.get("/exhibitions/<slug>/print")
def catalogue(slug: str):
    return _page(slug, None, "print")


# --- machine-readable forms ---------------------------------------------------------------------------
def _json(slug: str, revision: int | None):
    shown, doc, published = visible(slug, revision)
    lang = current_language()
    results = results_for(slug, shown, doc)
    everything = [i for s in doc.sections for i in results.get(s.id, [])]
    cards = {c.iri: c for c in fetch_cards(store(), everything, lang, timeout=doc.time_budget)}
    sections = []
    for s in doc.sections:
        objects = [cards[i].as_json() | {"href": local_link(i)} for i in results.get(s.id, []) if i in cards]
        sections.append({
            "id": s.id, "title": s.title, "text": s.text, "layout": s.layout, "query": s.query,
            "parameters": [p.__dict__ for p in s.parameters], "arguments": s.arguments, "pinned": s.pinned,
            "limit": s.limit, "members": results.get(s.id, []), "objects": objects, "count": len(objects),
        })
    return ok(
        exhibition={
            "slug": slug, "iri": hub().minter.exhibition(slug), "revision": shown, "published_revision": published,
            "title": doc.title, "subtitle": doc.subtitle, "intro": doc.intro, "theme": doc.theme,
            "cover_image": doc.cover_image, "mode": doc.mode, "cache_seconds": doc.cache_seconds,
            "url": url_for("exhibitions.show", slug=slug, _external=True),
            "permalink": url_for("exhibitions.revision", slug=slug, n=shown, _external=True),
            "manifest": url_for("exhibitions.manifest", slug=slug, _external=True),
            "sections": sections,
        },
        count=len(cards),
        lang=lang,
    )


@bp.get("/exhibitions/<slug>.json")
def show_json(slug: str):
    return _json(slug, None)


@bp.get("/exhibitions/<slug>/r/<int:n>.json")
def revision_json(slug: str, n: int):
    return _json(slug, n)


@bp.get("/exhibitions/<slug>.<any(ttl, jsonld):kind>")
def rdf(slug: str, kind: str):
    shown, doc, published = visible(slug, None)
    results = results_for(slug, shown, doc, with_visitor_args=False)
    body = serialise(exhibition_triples(hub().minter, doc, shown, results), kind)
    response = Response(body, content_type=f"{RDF_KINDS[kind]}; charset=utf-8")
    response.headers["Link"] = f'<{page_url(hub().minter, slug)}>; rel="canonical"'
    response.headers["Vary"] = "Accept"
    return response


@bp.get("/id/exhibition/<slug>")
def dereference(slug: str):
    """The exhibition's IRI: RDF for RDF clients, else a 303 to the page (the IRI names the exhibition)."""
    wanted = request.accept_mimetypes.best_match(["text/html", *RDF_KINDS.values()], default="text/html")
    for kind, media in RDF_KINDS.items():
        if wanted == media:
            return rdf(slug, kind)
    visible(slug, None)
    return redirect(url_for("exhibitions.show", slug=slug), code=303)


@bp.get("/exhibitions/<slug>/manifest.json")
def manifest(slug: str):
    shown, doc, published = visible(slug, None)
    results = results_for(slug, shown, doc, with_visitor_args=False)
    everything = [i for s in doc.sections for i in results.get(s.id, [])]
    cards = {lang: {c.iri: c for c in fetch_cards(store(), everything, lang, timeout=doc.time_budget)}
             for lang in LANGUAGES}
    root = request.url_root.rstrip("/")
    links = ManifestLinks(
        manifest=url_for("exhibitions.manifest", slug=slug, _external=True),
        exhibition_page=url_for("exhibitions.show", slug=slug, _external=True),
        object_page=lambda iri: root + local_link(iri) if local_link(iri).startswith("/") else iri,
        object_data=lambda iri: (root + local_link(iri) if local_link(iri).startswith("/") else iri)
        + "?format=jsonld",
    )
    body = manifest_json(build_manifest(doc, results, cards, links))
    response = Response(body, content_type='application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"')
    # IIIF viewers (Mirador) load manifests from other origins.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
