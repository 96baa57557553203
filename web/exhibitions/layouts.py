"""Section layouts: the ways a section's objects can be shown, each saying whether it can show a result.

A section's ``layout`` (the curator's choice, saved in the document; a visitor may switch to another that
fits with ``?layout.<section>=<name>``) is one of the layouts registered here. Datasette's
``register_output_renderer`` idea: a layout is registered by name with a ``can_render`` test,
so the page (and the curator's editor) offers a map only when some objects have coordinates, a timeline
only when some have date spans, and a comparison only for two to four objects from different museums.
Built-in views are registered through the same call a third party uses; third parties register through
the ``srom.layouts`` entry point group (a callable that calls :func:`register_layout`); a layout
registered so can be saved by a curator and chosen by a visitor alike.

This module owns the registry, the fitness tests and the data each view hands to its template (JSON for
the map and the timeline). It must not query the store: it only reads Cards (web/objects/cards.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from jinja2 import BaseLoader, Environment, TemplateNotFound

from web.objects.cards import Card

COMPARE_MIN, COMPARE_MAX = 2, 4


@dataclass(frozen=True)
class SectionLayout:
    """One way to show a section. ``template`` is included with ``section``, ``cards`` and ``data``."""

    name: str
    label: Any  # a (lazy) translated string
    template: str
    can_render: Callable[[Sequence[Card]], bool]
    #: what the template needs as JSON (markers, timeline items); None when it needs nothing more
    data: Callable[[Sequence[Card]], Any] | None = None
    #: static files (under /static/) the page must load for this view: css and js
    assets: tuple[str, ...] = field(default_factory=tuple)
    #: a folder holding ``template`` (a plugin's own); None: the hub's templates folder
    template_folder: str | None = None

    def data_for(self, cards: Sequence[Card]) -> Any:
        return self.data(cards) if self.data else None


_REGISTRY: dict[str, SectionLayout] = {}
_lock = threading.Lock()
_plugins_loaded = False


def register_layout(view: SectionLayout) -> SectionLayout:
    """Add (or replace) a section view by name."""
    with _lock:
        _REGISTRY[view.name] = view
    return view


def _load_plugins() -> None:
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    for ep in entry_points(group="srom.layouts"):
        ep.load()()


def layouts() -> list[SectionLayout]:
    """Every registered view, built-ins first."""
    _load_plugins()
    return list(_REGISTRY.values())


def layout_names() -> list[str]:
    """The names a section's ``layout`` may take (built-ins first, then plugins')."""
    return [layout.name for layout in layouts()]


def get_layout(name: str) -> SectionLayout | None:
    _load_plugins()
    return _REGISTRY.get(name)


def available(cards: Sequence[Card]) -> list[SectionLayout]:
    """The views that can show ``cards``, in registration order."""
    return [v for v in layouts() if v.can_render(cards)]


def choose(layout: str, cards: Sequence[Card]) -> SectionLayout:
    """The curator's layout when it fits the result, else the gallery (which fits everything)."""
    view = get_layout(layout)
    if view is not None and view.can_render(cards):
        return view
    return _REGISTRY["gallery"]


# --- fitness tests ---------------------------------------------------------------------------------
def has_points(cards: Sequence[Card]) -> bool:
    return any(c.lat is not None and c.lon is not None for c in cards)


def has_spans(cards: Sequence[Card]) -> bool:
    return any(c.begin_year is not None or c.end_year is not None for c in cards)


def comparable(cards: Sequence[Card]) -> bool:
    """Two to four objects, from at least two different museums (the point of comparing them here)."""
    if not COMPARE_MIN <= len(cards) <= COMPARE_MAX:
        return False
    return len({c.museum for c in cards if c.museum}) >= 2


# --- data for the templates ------------------------------------------------------------------------
def map_data(cards: Sequence[Card]) -> dict[str, Any]:
    """GeoJSON features, one per object with coordinates (the template adds links and the routes)."""
    features = []
    for c in cards:
        if c.lat is None or c.lon is None:
            continue
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [c.lon, c.lat]},
            "properties": {"iri": c.iri, "title": c.title, "place": c.place, "date": c.date,
                           "museum": c.museum_name, "image": c.thumbnail},
        })
    return {"type": "FeatureCollection", "features": features}


def timeline_data(cards: Sequence[Card]) -> list[dict[str, Any]]:
    """Items with signed years (BCE negative); the browser turns them into dates (new Date cannot)."""
    items = []
    for c in cards:
        if c.begin_year is None and c.end_year is None:
            continue
        begin = c.begin_year if c.begin_year is not None else c.end_year
        end = c.end_year if c.end_year is not None else c.begin_year
        if begin is not None and end is not None and end < begin:
            begin, end = end, begin
        items.append({"iri": c.iri, "title": c.title, "begin": begin, "end": end, "date": c.date,
                      "museum": c.museum_name, "image": c.image})
    return items


def _always(cards: Sequence[Card]) -> bool:
    return True


def _some(cards: Sequence[Card]) -> bool:
    return len(cards) > 0


MAP_ASSETS = (
    "vendor/leaflet-1.9.4/leaflet.css",
    "vendor/leaflet.markercluster-1.5.3/MarkerCluster.css",
    "vendor/leaflet.markercluster-1.5.3/MarkerCluster.Default.css",
    "vendor/leaflet-1.9.4/leaflet.js",
    "vendor/leaflet.markercluster-1.5.3/leaflet.markercluster.js",
    "js/srom-map.js",
)
TIMELINE_ASSETS = (
    "vendor/vis-timeline-8.5.4/vis-timeline-graph2d.min.css",
    "vendor/vis-timeline-8.5.4/vis-timeline-graph2d.min.js",
    "js/srom-timeline.js",
)

register_layout(SectionLayout("gallery", _l("Gallery"), "exhibitions/layouts/gallery.html", _always))
register_layout(SectionLayout("map", _l("Map"), "exhibitions/layouts/map.html", has_points, map_data, MAP_ASSETS))
register_layout(
    SectionLayout("timeline", _l("Timeline"), "exhibitions/layouts/timeline.html", has_spans, timeline_data,
                TIMELINE_ASSETS)
)
register_layout(SectionLayout("compare", _l("Compare"), "exhibitions/layouts/compare.html", comparable))
register_layout(SectionLayout("story", _l("Story"), "exhibitions/layouts/story.html", _some))


class LayoutTemplateLoader(BaseLoader):
    """Finds the templates of layouts that ship their own (``template_folder``), as plugins' layouts do."""

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        for layout in layouts():
            if layout.template_folder and layout.template == template:
                path = Path(layout.template_folder) / template
                if path.is_file():
                    mtime = path.stat().st_mtime
                    return (path.read_text(encoding="utf-8"), str(path),
                            lambda path=path, mtime=mtime: path.stat().st_mtime == mtime)
        raise TemplateNotFound(template)


def assets_for(views: Sequence[SectionLayout]) -> tuple[list[str], list[str]]:
    """(css, js) static paths the views need, each once, in a stable order."""
    seen: dict[str, None] = {}
    for v in views:
        for a in v.assets:
            seen.setdefault(a, None)
    css = [a for a in seen if a.endswith(".css")]
    js = [a for a in seen if a.endswith(".js")]
    return css, js
