"""One state of the Explore page, read from and written back to its URL (GET parameters only).

Every state is a shareable, bookmarkable link that works without JavaScript: the search text ``q``, the
chosen values of the term facets (``museum``, ``material``, ``type``, ``place``, ``period``; repeated
parameters, each an option's value as ``web.exhibitions.facets.options`` gives it: one IRI, or several
separated by spaces when museums' terms share a label), ``has_image``, a year range (``from``, ``to``),
the ``view`` (gallery, map, timeline), the ``order`` and the ``page``. Links to other states (a facet
value toggled, another view, the next page) are written here, so the template never builds a query string.

It parses and writes; it must not query anything. Bad values that a visitor could not have chosen from
the page (a year that is no year, more values than a facet takes) raise ``FacetError`` (400).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from web.exhibitions.editor_forms import FormLike
from web.exhibitions.facets import MAX_VALUES, TERM_FACETS, FacetError

#: the layouts the Explore page offers (the exhibitions' own, web/exhibitions/layouts.py)
VIEWS = ("gallery", "map", "timeline")
#: objects per page: a gallery is read card by card; a map or a timeline shows more at once
PAGE_SIZES = {"gallery": 48, "map": 200, "timeline": 200}
#: ``relevance`` (the text index's score) needs a search text; without one the default is ``date``
ORDERS = ("relevance", "date", "title")
MAX_TEXT = 200
MAX_PAGE = 10_000
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_YEAR = re.compile(r"^[+-]?\d{1,6}$")


@dataclass(frozen=True)
class ExploreState:
    q: str = ""
    terms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    has_image: bool = False
    year_from: str = ""
    year_to: str = ""
    view: str = "gallery"
    order: str = ""
    page: int = 1

    # --- reading ---------------------------------------------------------------------------------
    @classmethod
    def from_args(cls, args: FormLike) -> ExploreState:
        q = _CONTROL.sub(" ", args.get("q", "")).strip()[:MAX_TEXT]
        terms: dict[str, tuple[str, ...]] = {}
        for facet in TERM_FACETS:
            values = tuple(dict.fromkeys(" ".join(v.split()) for v in args.getlist(facet) if v.strip()))
            if len(values) > MAX_VALUES:
                raise FacetError(f"{facet}: at most {MAX_VALUES} values")
            if values:
                terms[facet] = values
        years = {}
        for name in ("from", "to"):
            value = args.get(name, "").strip()
            if value and not _YEAR.match(value):
                raise FacetError(f"{name}: {value[:40]!r} is not a year (like 618, or -206 for 206 BCE)")
            years[name] = str(int(value)) if value else ""
        view, order, page = args.get("view", ""), args.get("order", ""), args.get("page", "")
        return cls(q=q, terms=terms, has_image=args.get("has_image", "") in ("1", "on", "true"),
                   year_from=years["from"], year_to=years["to"], view=view if view in VIEWS else "gallery",
                   order=order if order in ORDERS else "", page=_page(page))

    @property
    def effective_order(self) -> str:
        """The order results come in: relevance when searching (unless another was chosen), else date."""
        if self.order == "relevance" and not self.q:
            return "date"
        return self.order or ("relevance" if self.q else "date")

    @property
    def page_size(self) -> int:
        return PAGE_SIZES[self.view]

    def selected(self, facet: str, value: str) -> bool:
        """Whether an option is chosen: it shares a term with a chosen value (an option stands for every
        term with its label, and a link may name only one of them)."""
        return any(_overlap(value, chosen) for chosen in self.terms.get(facet, ()))

    @property
    def narrowed(self) -> bool:
        """Whether anything narrows the objects (a search text, a facet value, a year, has an image)."""
        return bool(self.q or self.terms or self.has_image or self.year_from or self.year_to)

    # --- the facet builder's state (web.exhibitions.facets) --------------------------------------------
    def facet_state(self, *, without: str | None = None, keyword: bool = True) -> dict[str, Any]:
        """The state as ``facets.build``/``constraints`` take it; ``without`` leaves one facet out (its own
        counts are counted over the others' objects, so choosing a value does not hide its neighbours)."""
        state: dict[str, Any] = {facet: list(values) for facet, values in self.terms.items() if facet != without}
        if self.has_image and without != "has_image":
            state["has_image"] = True
        if self.year_from:
            state["date_from"] = self.year_from
        if self.year_to:
            state["date_to"] = self.year_to
        if keyword and self.q:
            state["keyword"] = self.q
        return state

    # --- writing -----------------------------------------------------------------------------------
    def args(self) -> list[tuple[str, str]]:
        """The state's GET parameters, defaults left out, in a stable order (one state, one URL)."""
        out: list[tuple[str, str]] = []
        if self.q:
            out.append(("q", self.q))
        for facet in TERM_FACETS:
            out += [(facet, value) for value in self.terms.get(facet, ())]
        if self.has_image:
            out.append(("has_image", "1"))
        if self.year_from:
            out.append(("from", self.year_from))
        if self.year_to:
            out.append(("to", self.year_to))
        if self.view != "gallery":
            out.append(("view", self.view))
        if self.order:
            out.append(("order", self.order))
        if self.page > 1:
            out.append(("page", str(self.page)))
        return out

    def query_string(self) -> str:
        args = self.args()
        return "?" + urlencode(args) if args else ""

    def changed(self, **changes: Any) -> ExploreState:
        """Another state; any change but a new page starts again at page 1."""
        if "page" not in changes:
            changes["page"] = 1
        return dataclasses.replace(self, **changes)

    def toggled(self, facet: str, value: str) -> ExploreState:
        """The state with ``value`` of ``facet`` chosen, or no longer chosen."""
        values = self.terms.get(facet, ())
        kept = tuple(v for v in values if not _overlap(v, value))
        new = kept if len(kept) < len(values) else (*values, value)
        terms = {f: v for f, v in {**self.terms, facet: new}.items() if v}
        return self.changed(terms=terms)

    def hidden_fields(self) -> list[tuple[str, str]]:
        """What the search form carries along so that submitting it changes only its own fields (the text
        and the years) and keeps the chosen facet values, has-an-image, the view and the order."""
        own = {"q", "from", "to", "page"}
        return [(k, v) for k, v in self.args() if k not in own]


def _page(text: str) -> int:
    """A page number from the URL: 1 for anything that is not one, at most :data:`MAX_PAGE`."""
    text = text.strip()
    return min(max(1, int(text)), MAX_PAGE) if text.isascii() and text.isdigit() else 1


def _overlap(one: str, other: str) -> bool:
    """Whether two option values (IRIs separated by spaces) share a term."""
    return not set(one.split()).isdisjoint(other.split())
