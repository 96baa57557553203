""""Start an exhibition from this search": a new private draft whose one section is the Explore state's
facet query, written by the facet builder (``web.exhibitions.facets.build``) and created through the
exhibition service, so the curator's editor opens it in its facet builder with the same choices.

The search text becomes the section's keyword facet (a ``search`` parameter, resolved through the text
index when the section runs); the page's view becomes the section's layout; the order is the builder's
(relevance, which only the index knows, becomes date). It must not render anything.
"""

from __future__ import annotations

import re
import unicodedata

from web.exhibitions.document import SLUG
from web.exhibitions.facets import build
from web.exhibitions.service import ExhibitionService
from web.explore.state import ExploreState

MAX_TITLE = 200
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slug_for(title: str, taken: ExhibitionService) -> str:
    """An unused address from the title's Latin letters and digits (``explore`` when it has none, as a
    Chinese title), with ``-2``, ``-3``... when it is taken."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    base = _NOT_SLUG.sub("-", ascii_title).strip("-")[:60].strip("-") or "explore"
    candidate, n = base, 1
    while taken.repository.exists(candidate):
        n += 1
        candidate = f"{base}-{n}"
    assert SLUG.match(candidate), candidate
    return candidate


def section_from(state: ExploreState) -> dict:
    """The section (document form) whose query is the state's facet query."""
    order = state.effective_order if state.effective_order in ("date", "title") else "date"
    built = build({**state.facet_state(), "order": order})
    return {"id": "objects", "title": {}, "text": {}, "query": built.query, "layout": state.view,
            "facets": built.facets, "parameters": [p.__dict__ for p in built.parameters],
            "arguments": built.arguments}


def start_exhibition(service: ExhibitionService, state: ExploreState, title: str, lang: str, author: str) -> str:
    """Create the draft (titled in the curator's language) and return its address."""
    title = " ".join(title.split())[:MAX_TITLE] or state.q or "Explore"
    slug = slug_for(title, service)
    service.create({"slug": slug, "title": {lang: title}, "sections": [section_from(state)]}, author)
    return slug
