"""The quality report per feed: how complete and how integrated each museum's objects are.

For each museum: how many objects the store holds, and how many of them have a machine-readable date
span, a place with coordinates, an image, and a material or type reconciled to the shared thesaurus;
how many records are quarantined; and the museum's most frequent terms the thesaurus did not match
(the review list kept by ``harvesters.unmatched``). One aggregate query per measure (the museum IRI
bound through ``substitutions``, never spliced), cached until a harvest runs. It owns the report, not
the counts' sources; the page is ``web.views.quality``.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from ontology.namespaces import sparql_prologue
from store.base import SolutionsResult

if TYPE_CHECKING:
    from web.hub import Hub

# Shared concepts of the thesaurus (ontology/thesaurus.ttl). Reconciliation links the object itself to
# them with the same predicate as to the museum's own term (mappings/declarative/concept_links.py). Change this test
# (and only this) if the shape of a reconciled link changes.
CONCEPT_BASE = "https://w3id.org/srom/concept/"
RECONCILED = (
    "?o crm:P45_consists_of|crm:P2_has_type ?concept . "
    f'FILTER(STRSTARTS(STR(?concept), "{CONCEPT_BASE}"))'
)

# What each measure asks of an object (?o). Counted with COUNT(DISTINCT ?o), one query per measure: an
# object with two images counts once, and a join per measure is linear (one query with a BIND(IF(EXISTS
# ...)) per measure was measured quadratic in Oxigraph: 19 s for 1,000 objects, against 0.14 s).
MEASURES = {
    "with_date_span": "?o crm:P108i_was_produced_by/crm:P4_has_time-span/crm:P82a_begin_of_the_begin ?begin",
    "with_place_coordinates": "?o crm:P108i_was_produced_by/crm:P7_took_place_at/crm:P168_place_is_defined_by ?wkt",
    "with_image": "?o crm:P65_shows_visual_item/la:digitally_shown_by/la:access_point ?image",
    "with_reconciled_term": RECONCILED,
}
LABELS = {
    "with_date_span": ("date span", "有年代范围"),
    "with_place_coordinates": ("place with coordinates", "有坐标的地点"),
    "with_image": ("image", "有图像"),
    "with_reconciled_term": ("material or type reconciled to the thesaurus", "材质或类型已对应共享词表"),
}
QUERIES = {
    name: "SELECT ?museum (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o crm:P50_has_current_keeper ?museum . "
    + where + " } GROUP BY ?museum"
    for name, where in {"records": "?o a crm:E22_Human-Made_Object", **MEASURES}.items()
}

TOP_UNMATCHED = 20
# The counts change only when a harvest writes; they are recomputed when a museum's last run changed,
# and at the latest after this many seconds (a confirmed removal, a store loaded by hand).
MAX_AGE = 300.0



class QualityReports:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._cache: dict[str | None, tuple[tuple, float, dict[str, dict[str, int]]]] = {}

    def _counts_now(self, museum_iri: str | None) -> dict[str, dict[str, int]]:
        subs = {"museum": ox.NamedNode(museum_iri)} if museum_iri else None
        out: dict[str, dict[str, int]] = {}
        for name, query in QUERIES.items():
            result = self.hub.store().query(sparql_prologue() + query, substitutions=subs)
            assert isinstance(result, SolutionsResult)
            for row in result.dicts():
                if "museum" in row:  # an aggregate over no objects at all has no museum
                    out.setdefault(row["museum"].value, {})[name] = int(row["n"].value)
        return out


    def _counts(self, museum_iri: str | None = None) -> dict[str, dict[str, int]]:
        """Museum IRI -> {records, with_...}; one museum when ``museum_iri`` is given (cached, see MAX_AGE)."""
        runs = tuple((m.id, tuple((r.id, r.finished, r.outcome) for r in self.hub.feeds.runs(m.id, limit=1)))
                     for m in self.hub.feeds.museums())
        hit = self._cache.get(museum_iri)
        if hit is not None and hit[0] == runs and time.monotonic() - hit[1] < MAX_AGE:
            return hit[2]
        counts = self._counts_now(museum_iri)
        self._cache[museum_iri] = (runs, time.monotonic(), counts)
        return counts


    def _unmatched(self, museum_id: str, limit: int) -> dict[str, Any]:
        """The museum's most frequent unmatched terms, or a note when the hub does not collect them."""
        try:
            from harvesters.unmatched import UnmatchedTerms
        except ImportError:  # the collector is optional: the report says so instead of failing
            return {"collected": False, "note": "unmatched terms are not yet collected by this hub", "terms": []}
        terms = UnmatchedTerms(self.hub.feeds.path).terms(museum_id, limit=limit)
        return {
            "collected": True,
            "terms": [{k: t[k] for k in ("kind", "label", "lang", "records", "last_seen")} for t in terms],
        }


    def _report(self, museum: Any, counts: dict[str, int], unmatched_limit: int, lang: str) -> dict[str, Any]:
        records = counts.get("records", 0)
        measures = {name: counts.get(name, 0) for name in MEASURES}
        return {
            "id": museum.id,
            "name": museum.names.get(lang) or museum.names.get("en") or museum.name,
            "format": museum.format,
            "records": records,
            **measures,
            "shares": {name: round(n / records, 4) if records else None for name, n in measures.items()},
            "quarantined": len(self.hub.feeds.quarantined(museum.id)),
            "unmatched": self._unmatched(museum.id, unmatched_limit),
        }


    def museum(self, museum_id: str, lang: str = "en", unmatched_limit: int = TOP_UNMATCHED) -> dict[str, Any] | None:
        """The report of one museum (None when it is not registered)."""
        museum = self.hub.feeds.get_museum(museum_id)
        if museum is None:
            return None
        museum_iri = self.hub.minter.museum(museum.id)
        return self._report(museum, self._counts(museum_iri).get(museum_iri, {}), unmatched_limit, lang)


    def overview(self, lang: str = "en", unmatched_limit: int = 5) -> dict[str, Any]:
        """Every registered museum's report, and the totals over them."""
        counts = self._counts()
        museums = [
            self._report(m, counts.get(self.hub.minter.museum(m.id), {}), unmatched_limit, lang)
            for m in self.hub.feeds.museums()
        ]
        totals = {key: sum(m[key] for m in museums) for key in ("records", *MEASURES, "quarantined")}
        records = totals["records"]
        totals["shares"] = {name: round(totals[name] / records, 4) if records else None for name in MEASURES}
        return {"museums": museums, "totals": totals}
