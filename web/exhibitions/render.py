"""What a visitor's exhibition page shows: sections with their cards, views and data, and a page cache.

Given a published (or permalinked) revision and its section results (web/exhibitions/queries.py
``section_objects``: the pinned snapshot or the live, cached query results), this module fetches the
objects' cards in one query, picks each section's view (web/exhibitions/layouts.py: the curator's layout when it
fits the result, else the gallery), and renders the exhibition's *content* to HTML. That content is
cached per slug + revision + language + kind (page, embed, print) + view choices + the object lists
themselves, for the exhibition's ``cache_seconds``: a pinned page is then served without touching the
store, and a refreshed snapshot or new live results change the key. The content never holds anything
about the visitor (login, CSRF token): the surrounding page is rendered per request.

It must not decide who may see what (web/views/exhibitions.py does) nor run section queries.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import render_template
from lxml import html as lxml_html
from markupsafe import Markup

from store.base import Store
from web.exhibitions.controls import SectionControls
from web.exhibitions.document import ExhibitionDoc, Section, pick, sanitise_html
from web.exhibitions.layouts import SectionLayout, assets_for, available, choose, get_layout
from web.exhibitions.rdf import plain_text
from web.objects.cards import Card, fetch_cards
from web.objects.page import ObjectView, build_view, record_graph


@dataclass
class SectionPage:
    section: Section
    title: str
    text: Markup
    cards: list[Card]
    view: SectionLayout
    views: list[SectionLayout]
    data: Any = None
    compared: list[ObjectView] = field(default_factory=list)
    story: list[tuple[Markup | None, Card | None]] = field(default_factory=list)
    controls: SectionControls | None = None  # the visitor's fields for the section's parameters


@dataclass
class Rendered:
    """An exhibition's rendered content and what the page around it needs (meta tags, assets)."""

    html: Markup
    css: list[str]
    js: list[str]
    count: int
    image: str | None
    description: str


def story_steps(text_html: str, cards: Sequence[Card]) -> list[tuple[Markup | None, Card | None]]:
    """Curator text split at its top-level blocks, alternating with the objects; leftovers at the end."""
    blocks: list[Markup] = []
    if text_html.strip():
        for fragment in lxml_html.fragments_fromstring(text_html):
            if isinstance(fragment, str):
                if fragment.strip():
                    blocks.append(Markup("<p>{}</p>").format(fragment.strip()))
            else:
                blocks.append(Markup(lxml_html.tostring(fragment, encoding="unicode")))
    steps: list[tuple[Markup | None, Card | None]] = []
    for i in range(max(len(blocks), len(cards))):
        steps.append((blocks[i] if i < len(blocks) else None, cards[i] if i < len(cards) else None))
    return steps


def build_sections(
    store: Store,
    doc: ExhibitionDoc,
    results: Mapping[str, Sequence[str]],
    lang: str,
    *,
    link: Callable[[str], str],
    views: Mapping[str, str] | None = None,
    timeout: float | None = None,
    controls: Mapping[str, SectionControls] | None = None,
) -> list[SectionPage]:
    """Every section with its cards (one store query for the whole exhibition) and its chosen view.

    ``views`` are a visitor's choices (section id → view name), honoured only where the view fits.
    """
    views = views or {}
    everything = [iri for s in doc.sections for iri in results.get(s.id, [])]
    cards = {c.iri: c for c in fetch_cards(store, everything, lang, timeout=timeout)}
    pages = []
    for section in doc.sections:
        shown = [cards[i] for i in results.get(section.id, []) if i in cards]
        fitting = available(shown)
        wanted = views.get(section.id) or section.layout
        view = choose(wanted, shown)
        text = Markup(sanitise_html(pick(section.text, lang)))  # sanitised on save; again, for defence in depth
        page = SectionPage(section=section, title=pick(section.title, lang), text=text, cards=shown,
                           view=view, views=fitting, controls=(controls or {}).get(section.id))
        if view.name == "compare":
            page.compared = [build_view(store, c.iri, record_graph(store, c.iri).triples, lang) for c in shown]
        elif view.name == "story":
            page.story = story_steps(str(text), shown)
        else:
            page.data = _with_links(view.data_for(shown), link)
        pages.append(page)
    return pages


def _with_links(data: Any, link: Callable[[str], str]) -> Any:
    """Add ``href`` (the object's page on this hub) next to every ``iri`` in a view's JSON data."""
    if isinstance(data, dict):
        out = {k: _with_links(v, link) for k, v in data.items()}
        if isinstance(data.get("iri"), str):
            out["href"] = link(data["iri"])
        return out
    if isinstance(data, list):
        return [_with_links(v, link) for v in data]
    return data


def render_content(
    store: Store,
    doc: ExhibitionDoc,
    results: Mapping[str, Sequence[str]],
    lang: str,
    *,
    kind: str,
    link: Callable[[str], str],
    views: Mapping[str, str] | None = None,
    timeout: float | None = None,
    controls: Mapping[str, SectionControls] | None = None,
) -> Rendered:
    """Render ``doc``'s sections for ``kind`` ("page", "embed" or "print")."""
    sections = build_sections(store, doc, results, lang, link=link, views=views, timeout=timeout,
                              controls=controls)
    used = [s.view for s in sections]
    if kind == "print":
        used = []
    css, js = assets_for(used)
    template = {"page": "exhibitions/_sections.html", "embed": "exhibitions/_sections.html",
                "print": "exhibitions/_catalogue.html"}[kind]
    body = render_template(template, doc=doc, sections=sections, kind=kind, local_link=link)
    first_image = next((c.image for s in sections for c in s.cards if c.image), None)
    description = pick(doc.subtitle, lang) or plain_text(pick(doc.intro, lang))
    return Rendered(
        html=Markup(body), css=css, js=js, count=len({c.iri for s in sections for c in s.cards}),
        image=doc.cover_image or first_image, description=description[:300],
    )


def cache_key(
    slug: str, revision: int, lang: str, kind: str, views: Mapping[str, str], results: Mapping[str, Sequence[str]],
    form: tuple = (),
) -> tuple:
    """Everything the content depends on; the object lists enter as a digest (a refreshed snapshot or
    new live results make a new key). ``form`` is what the parameter fields show and send (the page's
    path, the visitor's values, the arguments they carry)."""
    digest = hashlib.blake2b(digest_size=16)
    for section_id in sorted(results):
        digest.update(section_id.encode() + b"\x00" + "\x01".join(results[section_id]).encode() + b"\x02")
    return "content", slug, revision, lang, kind, tuple(sorted(views.items())), digest.hexdigest(), form


def view_choices(args: Mapping[str, str], doc: ExhibitionDoc) -> dict[str, str]:
    """A visitor's layout choices from the query string (``layout.<section>=<name>``; ``view.`` in links
    made before it was renamed), known names only."""
    out = {}
    for section in doc.sections:
        name = args.get(f"layout.{section.id}") or args.get(f"view.{section.id}")
        if name and get_layout(name) is not None:
            out[section.id] = name
    return out


def visitor_arguments(args: Mapping[str, str], doc: ExhibitionDoc) -> dict[str, dict[str, str]]:
    """A visitor's parameter values (``<section>.<parameter>=value``) for sections that have parameters."""
    out: dict[str, dict[str, str]] = {}
    for section in doc.sections:
        for p in section.parameters:
            value = args.get(f"{section.id}.{p.name}")
            if value is not None:
                out.setdefault(section.id, {})[p.name] = value
    return out
