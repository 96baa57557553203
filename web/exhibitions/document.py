"""The exhibition document: its dataclasses, their validation, sanitising and JSON form.

An exhibition is a document (title, texts, sections with queries, design and result mode) that the
repository stores as JSON, one copy per revision. This module owns the document's shape and the rules a
document must satisfy before it is stored; curator HTML (intro, section texts) is sanitised here with
nh3, so no revision ever holds a script. It must not touch SQLite or the store.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import nh3

from store.query_guard import uses_service
from web.errors import HubError
from web.exhibitions.layouts import layout_names
from web.exhibitions.parameters import IRI, TYPES, ParameterError, check_name

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")
SECTION_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,60}$")
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
THEMES = ("silk", "lapis", "paper")
MODES = ("pinned", "live")
MAX_LIMIT = 2000
MAX_TIME_BUDGET = 60.0


class ExhibitionError(HubError, ValueError):
    """A document breaks a rule (bad slug, unknown layout, ...); the message says which and how."""


@dataclass
class Parameter:
    name: str  # SPARQL variable name without '?'
    type: str  # "iri" | "literal" | "language" | "date" | "number" | "choice" | "search"
    label: dict[str, str] = field(default_factory=dict)
    default: str | None = None
    choices_query: str | None = None  # for "choice": SELECT ?value ?label ...


@dataclass
class Section:
    id: str
    title: dict[str, str]
    text: dict[str, str]
    query: str
    layout: str = "gallery"
    facets: dict | None = None
    parameters: list[Parameter] = field(default_factory=list)
    arguments: dict[str, str] = field(default_factory=dict)
    pinned: list[str] = field(default_factory=list)
    limit: int = 200


@dataclass
class ExhibitionDoc:
    slug: str
    title: dict[str, str]
    subtitle: dict[str, str] = field(default_factory=dict)
    intro: dict[str, str] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    theme: str = "silk"
    cover_image: str | None = None
    mode: str = "pinned"
    cache_seconds: int = 300
    time_budget: float = 5.0

    def text(self, which: str, lang: str) -> str:
        """``title``/``subtitle``/``intro`` in ``lang``, falling back to English, then any language."""
        return pick(getattr(self, which), lang)

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)


def pick(values: dict[str, str], lang: str) -> str:
    """The text in ``lang``, else English, else Chinese, else the first non-empty one, else ''."""
    for key in (lang, "en", "zh"):
        if values.get(key):
            return values[key]
    return next((v for v in values.values() if v), "")


def sanitise_html(html: str) -> str:
    """Curator HTML with scripts, event handlers, styles and unsafe URLs removed (nh3 / ammonia defaults)."""
    return nh3.clean(html or "")


def _texts(values: Any, where: str, *, html: bool = False) -> dict[str, str]:
    if values is None:
        return {}
    if isinstance(values, str):
        values = {"en": values}
    if not isinstance(values, dict):
        raise ExhibitionError(f"{where}: expected a table of language → text")
    out: dict[str, str] = {}
    for lang, text in values.items():
        if not isinstance(lang, str) or not LANGUAGE.match(lang):
            raise ExhibitionError(f"{where}: {lang!r} is not a language tag (like en or zh)")
        if not isinstance(text, str):
            raise ExhibitionError(f"{where}.{lang}: expected text")
        text = text.strip()
        if html:
            text = sanitise_html(text).strip()
        if text:  # each language is optional: an empty text is no text
            out[lang] = text
    return out


def _iris(values: Any, where: str) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ExhibitionError(f"{where}: expected a list of IRIs")
    out: list[str] = []
    for v in (v.strip() for v in values):
        if not v:
            continue
        if not IRI.match(v):
            raise ExhibitionError(f"{where}: {v!r} is not an absolute IRI")
        if v not in out:
            out.append(v)
    return out


def _parameter(data: Any, where: str) -> Parameter:
    if isinstance(data, Parameter):
        data = asdict(data)
    if not isinstance(data, dict):
        raise ExhibitionError(f"{where}: expected a table")
    try:
        name = check_name(str(data.get("name", "")))
    except ParameterError as exc:
        raise ExhibitionError(f"{where}: {exc}") from None
    kind = data.get("type")
    if kind not in TYPES:
        raise ExhibitionError(f"{where}: type must be one of {', '.join(TYPES)}")
    default = data.get("default")
    choices_query = data.get("choices_query") or None
    if kind == "choice" and not choices_query:
        raise ExhibitionError(f"{where}: a choice parameter needs a choices query (SELECT ?value ?label)")
    if choices_query and uses_service(choices_query):
        raise ExhibitionError(f"{where}: SERVICE (federated queries) is not allowed in exhibitions")
    return Parameter(
        name=name, type=kind, label=_texts(data.get("label"), f"{where}.label"),
        default=None if default is None else str(default), choices_query=choices_query,
    )


def _section(data: Any, where: str) -> Section:
    if isinstance(data, Section):
        data = asdict(data)
    if not isinstance(data, dict):
        raise ExhibitionError(f"{where}: expected a table")
    sid = str(data.get("id", ""))
    if not SECTION_ID.match(sid):
        raise ExhibitionError(f"{where}: the id {sid!r} must be lower-case letters, digits and hyphens")
    where = f"section {sid!r}"
    query = data.get("query")
    if not isinstance(query, str) or not query.strip():
        raise ExhibitionError(f"{where}: a section needs a query (a SELECT binding ?object)")
    if uses_service(query):
        raise ExhibitionError(f"{where}: SERVICE (federated queries) is not allowed in exhibitions")
    layout = data.get("layout", "gallery")
    if layout not in layout_names():
        raise ExhibitionError(f"{where}: layout must be one of {', '.join(layout_names())}")
    parameters = [_parameter(p, f"{where} parameter {i + 1}") for i, p in enumerate(data.get("parameters") or [])]
    if len({p.name for p in parameters}) != len(parameters):
        raise ExhibitionError(f"{where}: two parameters have the same name")
    arguments = data.get("arguments") or {}
    if not isinstance(arguments, dict):
        raise ExhibitionError(f"{where}: arguments must be a table of name → value")
    limit = _int(data.get("limit", 200), f"{where}: limit", 1, MAX_LIMIT)
    facets = data.get("facets")
    if facets is not None and not isinstance(facets, dict):
        raise ExhibitionError(f"{where}: facets must be a table")
    return Section(
        id=sid, title=_texts(data.get("title"), f"{where} title"),
        text=_texts(data.get("text"), f"{where} text", html=True), query=query.strip() + "\n",
        layout=layout, facets=facets, parameters=parameters,
        arguments={str(k): str(v) for k, v in arguments.items()},
        pinned=_iris(data.get("pinned") or [], f"{where} pinned"), limit=limit,
    )


def _int(value: Any, where: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ExhibitionError(f"{where} must be a whole number") from None
    if not low <= number <= high:
        raise ExhibitionError(f"{where} must be between {low} and {high}")
    return number


def normalise(doc: ExhibitionDoc | Mapping[str, Any]) -> ExhibitionDoc:
    """A validated, sanitised copy of ``doc`` (a document or its JSON form); raises ExhibitionError."""
    data = asdict(doc) if isinstance(doc, ExhibitionDoc) else dict(doc)
    slug = str(data.get("slug", ""))
    if not SLUG.match(slug):
        raise ExhibitionError(f"the slug {slug!r} must be lower-case letters, digits and hyphens")
    title = _texts(data.get("title"), "title")
    if not title:
        raise ExhibitionError("an exhibition needs a title (in English, Chinese or both)")
    sections = [_section(s, f"section {i + 1}") for i, s in enumerate(data.get("sections") or [])]
    if len({s.id for s in sections}) != len(sections):
        raise ExhibitionError("two sections have the same id")
    theme = data.get("theme", "silk")
    if theme not in THEMES:
        raise ExhibitionError(f"theme must be one of {', '.join(THEMES)}")
    mode = data.get("mode", "pinned")
    if mode not in MODES:
        raise ExhibitionError(f"mode must be one of {', '.join(MODES)}")
    cover = (data.get("cover_image") or "").strip() or None
    if cover is not None and not re.match(r"^(https?://|/)[^\s<>\"]*$", cover):
        raise ExhibitionError("the cover image must be an http(s) URL or a path on this hub")
    try:
        budget = float(data.get("time_budget", 5.0))
    except (TypeError, ValueError):
        raise ExhibitionError("the time budget must be a number of seconds") from None
    if not 0.1 <= budget <= MAX_TIME_BUDGET:
        raise ExhibitionError(f"the time budget must be between 0.1 and {MAX_TIME_BUDGET:g} seconds")
    return ExhibitionDoc(
        slug=slug, title=title, subtitle=_texts(data.get("subtitle"), "subtitle"),
        intro=_texts(data.get("intro"), "intro", html=True), sections=sections, theme=theme,
        cover_image=cover, mode=mode,
        cache_seconds=_int(data.get("cache_seconds", 300), "cache seconds", 0, 7 * 24 * 3600),
        time_budget=budget,
    )


def to_json(doc: ExhibitionDoc) -> dict[str, Any]:
    return asdict(doc)


def from_json(data: dict[str, Any]) -> ExhibitionDoc:
    """A stored document back as dataclasses (stored documents were validated when saved)."""
    sections = [
        Section(**{**s, "parameters": [Parameter(**p) for p in s.get("parameters", [])]})
        for s in data.get("sections", [])
    ]
    return ExhibitionDoc(**{**data, "sections": sections})
