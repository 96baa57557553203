"""The Explore page's answer for one state: a page of objects, how many there are, and the facets' counts.

Every query is the facet builder's (``web.exhibitions.facets.constraints``: the chosen concepts in the
pattern, the keys written at harvest, the thesaurus closure ``srom:within``, "has an image" as a join),
wrapped here in the few shapes the page needs, with ``LIMIT`` in the text and ``?object`` as the last sort
key. Values never enter the text: each facet value is a parameter the store binds as an RDF term inside
the groups that use it (``Store.query(substitutions=...)``, ``store.bind_values``), and the search's objects
fill an empty ``VALUES ?object { }`` block (``rows``), so the guard's check of the text is reused across
values.

- **The search text** goes through the hub's full-text index (``web.exhibitions.keyword.matching_objects``:
  any language or script, folded by the thesaurus) and comes back as at most ``SEARCH_LIMIT`` object IRIs,
  best first, bound as ``VALUES ?object``. Without an index it falls back to CONTAINS over titles and
  descriptions, as exhibition sections do; the page says so.
- **Bounded counts.** The total and the "has an image" count stop at :data:`COUNT_BOUND` (the page says
  "5,000+"). Each facet's values are counted over the objects of every *other* choice (so choosing silk
  keeps glass on offer), at most :data:`COUNT_BOUND` of them, and only the :data:`FACET_VALUES` most
  frequent values are listed. With no other choice, a facet's values are those of every object: the
  option lists the harvest counted and kept (``web.exhibitions.option_lists``, the pickers' lists), else
  counted here, cached for :data:`OPTIONS_SECONDS` (every first visit asks the same).
- **Cached**: a state's answer (without the cards, which depend on the language) is kept for
  :data:`CACHE_SECONDS` in the exhibitions' one cache.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from ontology.namespaces import sparql_prologue
from ontology.thesaurus import get_thesaurus
from store.base import QueryTimeout, SolutionsResult, Store, Term
from store.text_index import TextIndex
from store.values import Value
from web.exhibitions.cache import ExhibitionCache
from web.exhibitions.facets import TERM_FACETS, constraints, options, order_lines
from web.exhibitions.keyword import SEARCH_LIMIT, matching_objects
from web.exhibitions.option_lists import FacetOptionLists
from web.exhibitions.parameters import bind
from web.explore.state import ExploreState

COUNT_BOUND = 5000
FACET_VALUES = 20
CACHE_SECONDS = 60
OPTIONS_SECONDS = 600


@dataclass
class Explored:
    """What one state finds (object IRIs of the page, counts), independent of the visitor's language
    except for the facet labels."""

    objects: list[str]
    total: int
    total_capped: bool
    facets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    slow_facets: list[str] = field(default_factory=list)  # counts that ran past the time limit
    with_image: int = 0
    with_image_capped: bool = False
    indexed: bool = True  # False: the search text was looked for with CONTAINS (no text index)
    search_capped: bool = False  # the search found more objects than the index hands over


@dataclass
class Selection:
    """A sub-SELECT of the objects of a facet state, its parameters' terms, and the rows the store fills its
    empty VALUES blocks with."""

    text: str
    substitutions: dict[str, Term]
    rows: dict[str, Sequence[Value]]

    def limited(self, limit: int) -> str:
        return f"{self.text}\nLIMIT {int(limit)}"


def selection(store: Store, state: dict[str, Any], hits: list[str] | None, *, order: str | None = None) -> Selection:
    """``SELECT DISTINCT ?object`` for a facet state (its keyword as ``hits``: object IRIs, or None for no
    search), ordered by ``order`` (``date``, ``title``) when given."""
    built = constraints({k: v for k, v in state.items() if k != "keyword"})
    substitutions = bind(built.parameters, built.arguments, store)
    rows: dict[str, Sequence[Value]] = {}
    blocks = []
    if hits is not None:
        blocks.append("  VALUES ?object { }")
        rows["object"] = [ox.NamedNode(iri) for iri in hits]
    lines = ["SELECT DISTINCT ?object WHERE {", *blocks, built.query, *(order_lines(order) if order else ["}"])]
    return Selection("\n".join(lines), substitutions, rows)


def _solutions(store: Store, text: str, chosen: Selection, timeout: float | None) -> SolutionsResult:
    result = store.query(sparql_prologue() + text, substitutions=chosen.substitutions or None,
                         rows=chosen.rows or None, timeout=timeout)
    if not isinstance(result, SolutionsResult):
        raise TypeError("a SELECT answered something else")
    return result


def bounded_count(store: Store, chosen: Selection, timeout: float | None) -> tuple[int, bool]:
    """(objects, whether there are more than :data:`COUNT_BOUND`): the engine stops at the bound."""
    text = f"SELECT (COUNT(?object) AS ?n) WHERE {{ {{ {chosen.limited(COUNT_BOUND + 1)} }} }}"
    rows = _solutions(store, text, chosen, timeout).rows
    n = int(rows[0][0].value) if rows and rows[0][0] is not None else 0
    return min(n, COUNT_BOUND), n > COUNT_BOUND


def _iris(result: SolutionsResult) -> list[str]:
    return [row[0].value for row in result.rows if isinstance(row[0], ox.NamedNode)]


class ExploreSearch:
    """Answers Explore states over a store, with the hub's text index and cache."""

    def __init__(self, store: Store, text_index: TextIndex | None, cache: ExhibitionCache, *,
                 timeout: float | None = None, option_lists: FacetOptionLists | None = None) -> None:
        self.store, self.text_index, self.cache, self.timeout = store, text_index, cache, timeout
        self.option_lists = option_lists

    def indexed(self) -> bool:
        return self.text_index is not None and self.text_index.usable()

    def explore(self, state: ExploreState, lang: str) -> Explored:
        key = ("explore", tuple(state.args()), lang)
        found = self.cache.get(key)
        if found is None:
            found = self._explore(state, lang)
            self.cache.put(key, CACHE_SECONDS, found)
        return found

    def _explore(self, state: ExploreState, lang: str) -> Explored:
        hits = None
        indexed = True
        if state.q:
            indexed = self.indexed()
            hits = matching_objects(self.store, self.text_index, state.q, limit=SEARCH_LIMIT, timeout=self.timeout)
        if hits == []:
            return Explored([], 0, False, {f: self._selected_only(state, f, lang, []) for f in TERM_FACETS},
                            indexed=indexed)
        facet_state = state.facet_state(keyword=False)
        objects, total, capped = self._page(state, facet_state, hits)
        with_image, image_capped = bounded_count(
            self.store, selection(self.store, {**facet_state, "has_image": True}, hits), self.timeout)
        answer = Explored(objects, total, capped, with_image=with_image, with_image_capped=image_capped,
                          indexed=indexed, search_capped=hits is not None and len(hits) >= SEARCH_LIMIT)
        for facet in TERM_FACETS:
            try:
                answer.facets[facet] = self._counts(state, facet, hits, lang)
            except QueryTimeout:
                answer.slow_facets.append(facet)
                answer.facets[facet] = self._selected_only(state, facet, lang, [])
        return answer

    def _page(self, state: ExploreState, facet_state: dict[str, Any], hits: list[str] | None
              ) -> tuple[list[str], int, bool]:
        """The page's objects in the state's order, and the (bounded) total."""
        size, offset = state.page_size, (state.page - 1) * state.page_size
        if state.effective_order == "relevance" and hits is not None:
            chosen = selection(self.store, facet_state, hits)  # at most SEARCH_LIMIT rows
            matching = set(_iris(_solutions(self.store, chosen.text, chosen, self.timeout)))
            ranked = [iri for iri in hits if iri in matching]
            return ranked[offset : offset + size], len(ranked), False
        total, capped = bounded_count(self.store, selection(self.store, facet_state, hits), self.timeout)
        if offset >= total:
            return [], total, capped
        ordered = selection(self.store, facet_state, hits, order=state.effective_order)
        text = f"{ordered.text}\nLIMIT {size} OFFSET {offset}"
        return _iris(_solutions(self.store, text, ordered, self.timeout)), total, capped

    def _counts(self, state: ExploreState, facet: str, hits: list[str] | None, lang: str) -> list[dict[str, Any]]:
        others = state.facet_state(without=facet, keyword=False)
        if not others and hits is None:
            key = ("explore-options", facet, lang)
            found = self._kept(facet, lang)
            if found is None:
                found = self.cache.get(key)
            if found is None:
                found = options(self.store, facet, lang, limit=FACET_VALUES, timeout=self.timeout)
                self.cache.put(key, OPTIONS_SECONDS, found)
        else:
            # the first COUNT_BOUND objects in the date order: the same ones on every engine (unordered,
            # each engine counted the facet over another 5,000)
            among = selection(self.store, others, hits, order="date")
            found = options(self.store, facet, lang, limit=FACET_VALUES, timeout=self.timeout,
                            among=among.limited(COUNT_BOUND), substitutions=among.substitutions, rows=among.rows)
        return self._selected_only(state, facet, lang, found)

    def _kept(self, facet: str, lang: str) -> list[dict[str, Any]] | None:
        """The facet's most frequent values from the lists the harvest kept (read once per process while
        the hub's database is unchanged); None when none are kept."""
        lists = self.option_lists
        if lists is None:
            return None
        kept = self.cache.answer(("kept-facet-options-raw", facet, lang), lambda: lists.get(facet, lang))
        return None if kept is None else kept[:FACET_VALUES]

    @staticmethod
    def _selected_only(state: ExploreState, facet: str, lang: str, found: list[dict[str, Any]]
                       ) -> list[dict[str, Any]]:
        """The counted values, plus the chosen ones the counts left out (beyond the most frequent, or a
        value nothing has any more), so a chosen value can always be unchosen."""
        out = [{**o, "selected": state.selected(facet, o["value"])} for o in found]
        for value in state.terms.get(facet, ()):
            if not any(set(value.split()) & set(o["iris"]) for o in found):
                out.append({"value": value, "label": _label(value, lang), "count": None, "iris": value.split(),
                            "selected": True})
        return out


def _label(value: str, lang: str) -> str:
    """A label for a chosen value that no count listed: the thesaurus's, else the IRI's last segment."""
    first = value.split()[0]
    concept = get_thesaurus().concepts.get(first)
    return concept.label(lang) if concept is not None else first.rstrip("/").rsplit("/", 1)[-1]
