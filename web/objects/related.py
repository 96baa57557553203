"""Objects in *other* museums that share an object's material, place or period (the object page's links).

Integration is the point of the hub: a silk robe in Hangzhou should lead to silk in Samarkand. Terms
are matched the ways the graph allows, best first: the very same term IRI (a shared concept on both
objects), the same shared concept reached through ``skos:exactMatch``/``skos:closeMatch``/
``la:equivalent`` (reconciliation), the same label (case-insensitive) on a term of the same class, and for
places the same WGS84 point. Periods match when the production time-spans overlap.

One small query per facet (each with its own LIMIT, and ``?object`` bound as a term, never spliced).
This module owns those queries; it must not render anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from ontology.namespaces import sparql_prologue
from store.base import SolutionsResult, Store
from web.i18n import best_literal

MATCH = "(skos:exactMatch|skos:closeMatch|la:equivalent)"

# Each branch binds ?mine (the object's own term) and ?term (a term that counts as the same) by itself.
_TERM_QUERY = """
SELECT DISTINCT ?mine ?other WHERE {{
  ?object crm:P50_has_current_keeper ?keeper .
  {{ ?object {path} ?mine . BIND(?mine AS ?term) }}
  UNION {{ ?object {path} ?mine . ?mine {match} ?shared . ?term {match} ?shared . }}
  UNION {{ ?object {path} ?mine . ?mine rdfs:label ?label . ?term a {cls} ; rdfs:label ?label2 .
          FILTER(LCASE(STR(?label2)) = LCASE(STR(?label))) }}
  {extra}
  ?other {path} ?term ; crm:P50_has_current_keeper ?otherKeeper .
  FILTER(?otherKeeper != ?keeper)
}} LIMIT {limit}
"""
_POINT_MATCH = (
    "UNION { ?object crm:P108i_was_produced_by/crm:P7_took_place_at ?mine . "
    "?mine crm:P168_place_is_defined_by ?wkt . ?term crm:P168_place_is_defined_by ?wkt . }"
)

PERIOD_QUERY = """
SELECT DISTINCT ?other WHERE {
  ?object crm:P50_has_current_keeper ?keeper ; crm:P108i_was_produced_by/crm:P4_has_time-span ?span .
  ?span crm:P82a_begin_of_the_begin ?begin ; crm:P82b_end_of_the_end ?end .
  ?other crm:P108i_was_produced_by/crm:P4_has_time-span ?otherSpan .
  ?otherSpan crm:P82a_begin_of_the_begin ?otherBegin ; crm:P82b_end_of_the_end ?otherEnd .
  FILTER(?otherBegin <= ?end && ?otherEnd >= ?begin)
  ?other crm:P50_has_current_keeper ?otherKeeper .
  FILTER(?otherKeeper != ?keeper)
} LIMIT %d
"""

LABEL_QUERY = "SELECT ?label WHERE { ?term rdfs:label|skos:prefLabel ?label }"


@dataclass
class RelatedGroup:
    facet: str  # "material" | "place" | "period"
    label: str  # what is shared, in the visitor's language ("silk", "Samarkand", "618 – 907")
    objects: list[str] = field(default_factory=list)


def _term_query(path: str, cls: str, limit: int, extra: str = "") -> str:
    return sparql_prologue() + _TERM_QUERY.format(path=path, match=MATCH, cls=cls, extra=extra, limit=limit)


def related(store: Store, object_iri: str, lang: str, *, per_facet: int = 6,
            timeout: float | None = None) -> list[RelatedGroup]:
    """Groups of up to ``per_facet`` objects from other museums, per shared material, place and period."""
    bound = {"object": ox.NamedNode(object_iri)}
    groups: list[RelatedGroup] = []
    facets = (
        ("material", _term_query("crm:P45_consists_of", "crm:E57_Material", per_facet * 3)),
        ("place", _term_query("crm:P108i_was_produced_by/crm:P7_took_place_at", "crm:E53_Place", per_facet * 3,
                              _POINT_MATCH)),
    )
    for facet, query in facets:
        result = store.query(query, substitutions=bound, timeout=timeout)
        assert isinstance(result, SolutionsResult)
        by_term: dict[str, list[str]] = {}
        for row in result.dicts():
            others = by_term.setdefault(row["mine"].value, [])
            if row["other"].value not in others and len(others) < per_facet:
                others.append(row["other"].value)
        # The museum's term and the shared concept it was reconciled to say the same: one group per label.
        merged: dict[str, RelatedGroup] = {}
        for term, others in by_term.items():
            label = _label(store, term, lang)
            group = merged.setdefault(label.casefold(), RelatedGroup(facet, label))
            group.objects += [o for o in others if o not in group.objects][: per_facet - len(group.objects)]
        groups += merged.values()
    result = store.query(sparql_prologue() + PERIOD_QUERY % per_facet, substitutions=bound, timeout=timeout)
    assert isinstance(result, SolutionsResult)
    others = [row["other"].value for row in result.dicts()]
    if others:
        groups.append(RelatedGroup("period", "", others))
    return groups


def _label(store: Store, term: str, lang: str) -> str:
    result = store.query(sparql_prologue() + LABEL_QUERY, substitutions={"term": ox.NamedNode(term)})
    assert isinstance(result, SolutionsResult)
    return best_literal([row["label"] for row in result.dicts()], lang) or term.rsplit("/", 1)[-1]
