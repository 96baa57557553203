"""Exhibitions: the public API over documents, revisions and their results (pinned or live).

An exhibition is a document with revisions (``web.exhibitions.document``, stored by
``web.exhibitions.repository``); each section's query is a SPARQL SELECT binding ``?object`` (the hub's
prefixes are declared for it), with typed parameters bound as RDF terms (``web.exhibitions.parameters``). This module
runs section queries (``run_section``), takes pinned snapshots, serves live results from an in-process
cache keyed by slug + revision + section + arguments (``section_objects``), checks curator queries
(``check_query``) and imports the bundled TOML exhibitions (``import_toml``). It must not render pages.
"""

from __future__ import annotations

import html
import threading
import time
import tomllib
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ontology.namespaces import PREFIXES, sparql_prologue
from store.base import SolutionsResult, Store
from web.exhibitions.document import (
    LAYOUTS,
    MODES,
    SLUG,
    THEMES,
    ExhibitionDoc,
    ExhibitionError,
    Parameter,
    Section,
    normalise,
    pick,
    sanitise_html,
    uses_service,
)
from web.exhibitions.parameters import ParameterError, bind
from web.exhibitions.repository import ExhibitionNotFound, ExhibitionRepository

__all__ = [
    "LAYOUTS", "MODES", "SLUG", "THEMES", "ExhibitionDoc", "ExhibitionError", "ExhibitionNotFound",
    "ExhibitionRepository", "Parameter", "ParameterError", "Section", "SectionResult", "check_query",
    "doc_from_toml", "import_toml", "normalise", "pick", "run_section", "sanitise_html", "section_objects",
    "take_snapshot",
]

SectionResult = list[str]  # object IRIs in order, pinned first


def run_section(store: Store, section: Section, *, timeout: float | None) -> list[str]:
    """The section's object IRIs in order, its pinned objects first.

    ``section.arguments`` are bound to ``section.parameters`` as RDF terms through the store's
    ``substitutions`` (never spliced into the text); raises ValueError (ParameterError) on a bad argument
    and ExhibitionError when the query is not a SELECT binding ``?object``.
    """
    substitutions = bind(section.parameters, section.arguments, store)
    result = store.query(
        sparql_prologue() + section.query, substitutions=substitutions or None, timeout=timeout, limit=section.limit
    )
    if not isinstance(result, SolutionsResult) or "object" not in result.variables:
        raise ExhibitionError(f"the query of section {section.id!r} must be a SELECT binding ?object")
    column = result.variables.index("object")
    seen: dict[str, None] = dict.fromkeys(section.pinned)
    for row in result.rows:
        term = row[column]
        if isinstance(term, ox.NamedNode):
            seen.setdefault(term.value, None)
    return list(seen)


def take_snapshot(repo: ExhibitionRepository, store: Store, slug: str, revision: int) -> dict[str, list[str]]:
    """Run every section of ``revision`` (with its time budget) and keep the results as its snapshot."""
    doc = repo.get(slug, revision)
    if doc is None:
        raise ExhibitionNotFound(f"no revision {revision} of exhibition {slug!r}")
    sections = {s.id: run_section(store, s, timeout=doc.time_budget) for s in doc.sections}
    repo.save_snapshot(slug, revision, sections)
    return sections


class _LiveCache:
    """Object lists of live sections for ``cache_seconds``; bounded, oldest entries dropped first."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._items: OrderedDict[tuple, tuple[float, list[str]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> list[str] | None:
        with self._lock:
            item = self._items.get(key)
            if item is None or item[0] < time.monotonic():
                return None
            return item[1]

    def put(self, key: tuple, ttl: float, iris: list[str]) -> None:
        if ttl <= 0:
            return
        with self._lock:
            self._items[key] = (time.monotonic() + ttl, iris)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


LIVE_CACHE = _LiveCache()


def section_objects(
    repo: ExhibitionRepository,
    store: Store,
    slug: str,
    revision: int,
    doc: ExhibitionDoc,
    *,
    arguments: Mapping[str, Mapping[str, str]] | None = None,
) -> dict[str, list[str]]:
    """Section id → object IRIs for a revision, as a visitor page shows them.

    Pinned mode serves the stored snapshot; a revision published without one (the demo imports before
    harvesting) gets it taken on first view. Live mode, and any request that overrides a section's
    arguments (``arguments``: section id → {parameter: value}), runs the queries with the exhibition's
    time budget and keeps the object lists in an in-process cache for ``cache_seconds``, keyed by
    slug + revision + section + arguments. Raises ParameterError, ExhibitionError, QueryTimeout.
    """
    arguments = arguments or {}
    if doc.mode == "pinned" and not any(arguments.values()):
        pinned = repo.snapshot(slug, revision)
        if pinned is None or set(pinned) != {s.id for s in doc.sections}:
            pinned = take_snapshot(repo, store, slug, revision)
        return pinned
    out: dict[str, list[str]] = {}
    for section in doc.sections:
        args = {**section.arguments, **dict(arguments.get(section.id) or {})}
        key = (slug, revision, section.id, tuple(sorted(args.items())))
        iris = LIVE_CACHE.get(key)
        if iris is None:
            bound = Section(**{**section.__dict__, "arguments": args})
            iris = run_section(store, bound, timeout=doc.time_budget)
            LIVE_CACHE.put(key, doc.cache_seconds, iris)
        out[section.id] = iris
    return out


def check_query(query: str, parameters: list[Parameter] | None = None) -> dict[str, Any]:
    """Check a curator's section query without running it against the hub's data.

    Returns ``{"ok": bool, "error": str | None, "variables": [...]}``. The query (with the hub's prefixes)
    is parsed by pyoxigraph against an empty in-memory store; results are never read. SERVICE is refused
    before that, because pyoxigraph would call the remote endpoint while preparing the query.
    """
    if not query or not query.strip():
        return {"ok": False, "error": "the query is empty", "variables": []}
    if uses_service(query):
        return {"ok": False, "error": "SERVICE (federated queries) is not allowed in exhibitions", "variables": []}
    try:
        result = ox.Store().query(sparql_prologue() + query)
    except SyntaxError as exc:
        return {"ok": False, "error": _shift_line(str(exc)), "variables": []}
    except (OSError, RuntimeError, ValueError) as exc:
        return {"ok": False, "error": str(exc), "variables": []}
    if not isinstance(result, ox.QuerySolutions):
        return {"ok": False, "error": "the query must be a SELECT (not ASK, CONSTRUCT or DESCRIBE)", "variables": []}
    variables = [v.value for v in result.variables]
    if "object" not in variables:
        return {"ok": False, "error": "the SELECT must bind ?object (the objects to show)", "variables": variables}
    missing = [p.name for p in parameters or [] if f"?{p.name}" not in query and f"${p.name}" not in query]
    if missing:
        return {"ok": False, "error": f"the query does not use parameter ?{missing[0]}", "variables": variables}
    return {"ok": True, "error": None, "variables": variables}


def _shift_line(message: str) -> str:
    """pyoxigraph reports positions in the text it parsed; the curator's text starts after the prefixes."""
    import re

    offset = len(PREFIXES)
    m = re.match(r"error at (\d+):(\d+)", message)
    if not m:
        return message
    line = int(m.group(1)) - offset
    return f"line {max(line, 1)}, column {m.group(2)}: " + message[m.end() :].lstrip(": ")


# --- the bundled TOML format ---------------------------------------------------------------------
def _toml_texts(value: Any) -> dict[str, str]:
    if isinstance(value, str):
        return {"en": value}
    return dict(value or {})


def _paragraphs(values: dict[str, str]) -> dict[str, str]:
    """Plain text (the old ``description``) as curator HTML: escaped, one paragraph."""
    return {lang: f"<p>{html.escape(text)}</p>" for lang, text in values.items() if text}


def doc_from_toml(path: Path) -> ExhibitionDoc:
    """An exhibition document from a TOML file: the old one-query format or the sectioned one.

    Old: ``title``, ``description`` (plain text), ``query``, ``limit``. Sectioned: ``title``, ``subtitle``,
    ``intro`` (HTML), ``theme``, ``mode``, ``cache_seconds``, ``time_budget``, ``cover_image`` and
    ``[[sections]]`` tables with ``id``, ``title``, ``text``, ``query``, ``layout``, ``limit``, ``pinned``,
    ``parameters``, ``arguments``. The slug is the file name.
    """
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ExhibitionError(f"{path}: {exc}") from exc
    if "sections" in data:
        sections = data["sections"]
    elif "query" in data:
        sections = [{"id": "objects", "title": {}, "text": {}, "query": data["query"], "limit": data.get("limit", 200)}]
    else:
        raise ExhibitionError(f"{path}: an exhibition needs a query or [[sections]]")
    intro = data.get("intro")
    intro = _toml_texts(intro) if intro is not None else _paragraphs(_toml_texts(data.get("description")))
    try:
        return normalise({
            "slug": path.stem, "title": _toml_texts(data.get("title")), "subtitle": _toml_texts(data.get("subtitle")),
            "intro": intro, "sections": sections, "theme": data.get("theme", "silk"),
            "cover_image": data.get("cover_image"), "mode": data.get("mode", "pinned"),
            "cache_seconds": data.get("cache_seconds", 300), "time_budget": data.get("time_budget", 5.0),
        })
    except ExhibitionError as exc:
        raise ExhibitionError(f"{path}: {exc}") from None


def import_toml(path: Path, author: str = "demo", *, repo: ExhibitionRepository | None = None) -> str:
    """Create the exhibition in ``path`` (if its slug is new) and publish it; returns the slug.

    ``repo`` defaults to the repository of the current instance ($SROM_HOME). An exhibition that exists
    already is left as it is (a curator may have edited it). The snapshot is taken on first view, or by
    ``take_snapshot`` once the store holds the objects.
    """
    path = Path(path)
    doc = doc_from_toml(path)
    if repo is None:
        from web.settings import instance_path

        repo = ExhibitionRepository(instance_path() / "hub.sqlite")
    if repo.exists(doc.slug):
        return doc.slug
    revision = repo.create(doc, author)
    repo.publish(doc.slug, revision)
    return doc.slug
