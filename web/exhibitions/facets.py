"""The facet builder: a curator's choices (museum, material, object type, place, period or period name,
date range, keyword, has image) written out as a readable SPARQL SELECT over the graph model (ontology/MODEL.md).

The query it writes is the curator's to read and edit: one commented block per facet. Every chosen
value becomes a typed parameter (``web.exhibitions.parameters``) with the value as its argument, so values are bound
as RDF terms by the store and never written into the text. This module also lists the values a facet
offers (``options``), with their labels and object counts. It must not store anything.

Several values of one facet are a UNION with one group per value (``{ ?object crm:P45_consists_of
?material_1 } UNION { ... ?material_2 }``), not ``FILTER(?m IN (...))``: a ``VALUES`` block cannot hold
variables, and the store binds each parameter as a term (a ``VALUES`` row at the start of the WHERE group,
store/bind_values.py), which the engine joins into each group as if the concept were written there. So
values stay typed parameters, shown to the curator and bound as terms, and the pattern still starts
from the chosen concept (1.8-2.5x faster than ``FILTER IN``). The keyword facet is one swappable block
(:func:`keyword_block`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from ontology.namespaces import sparql_prologue
from ontology.thesaurus import get_thesaurus
from store.base import SolutionsResult, Store
from store.values import Value
from web.errors import HubError
from web.exhibitions.document import MAX_LIMIT, Parameter
from web.exhibitions.parameters import ParameterError, to_term

#: facets whose values are terms of the graph (chosen from ``options``): the one predicate from the object to
#: its value (place and period through the keys written at harvest, ontology/MODEL.md), its variable, label
TERM_FACETS: dict[str, tuple[str, str, dict[str, str]]] = {
    "museum": ("crm:P50_has_current_keeper", "keeper", {"en": "Museum", "zh": "博物馆"}),
    "material": ("crm:P45_consists_of", "material", {"en": "Material", "zh": "材质"}),
    "type": ("crm:P2_has_type", "type", {"en": "Object type", "zh": "类型"}),
    "place": ("srom:productionPlace", "place", {"en": "Place of production", "zh": "产地"}),
    "period": ("srom:productionPeriod", "period", {"en": "Period", "zh": "时期"}),
}
#: facets whose concepts nest (skos:broader): Samarkand includes Afrasiyab, Han Western Han, coin drachm
NESTED = {"type", "place", "period"}
FACETS = (*TERM_FACETS, "period_name", "date_from", "date_to", "keyword", "has_image")
ORDERS = ("date", "title", "none")
MAX_VALUES = 20
_YEAR = re.compile(r"^[+-]?\d{1,6}$")


class FacetError(HubError, ValueError):
    """A facet value does not fit (an IRI that is not one, a year that is not one, ...)."""


@dataclass
class FacetQuery:
    query: str
    parameters: list[Parameter] = field(default_factory=list)
    arguments: dict[str, str] = field(default_factory=dict)
    facets: dict[str, Any] = field(default_factory=dict)  # the normalised state, kept with the section


def _values(state: dict[str, Any], name: str) -> list[str]:
    raw = state.get(name) or []
    if isinstance(raw, str):
        raw = [raw]
    values = [part for v in raw for part in str(v).split()]  # an option may stand for several IRIs
    if len(values) > MAX_VALUES:
        raise FacetError(f"{name}: at most {MAX_VALUES} values")
    return list(dict.fromkeys(values))


def _param(name: str, kind: str, label: dict[str, str], value: str) -> Parameter:
    parameter = Parameter(name=name, type=kind, label=label)
    try:
        to_term(parameter, value)  # fail now, with the facet's name, rather than when the page is viewed
    except ParameterError as exc:
        raise FacetError(str(exc)) from None
    return parameter


def _nests(facet: str, value: str) -> bool:
    """Whether ``value`` of ``facet`` may have narrower concepts: a concept of the shared thesaurus (whose
    closure the store holds as ``srom:within``); a museum's own term stands for itself only."""
    return facet in NESTED and value in get_thesaurus().concepts


def _any_of(branches: list[list[str]]) -> list[str]:
    """One branch as plain lines; several as a UNION, one group per chosen value."""
    if len(branches) == 1:
        return [f"  {line}" for line in branches[0]]
    return ["  " + ("UNION " if i else "") + "{ " + " ".join(branch) + " }" for i, branch in enumerate(branches)]


def term_block(facet: str, names: list[str], values: list[str]) -> list[str]:
    """The lines of a term facet: the object reaches any chosen value (or, for a thesaurus concept of a
    nested facet, any concept within it) in one join; each value is its own parameter, written into the
    pattern so the engine starts from it."""
    predicate, var, label = TERM_FACETS[facet]
    branches = []
    for i, (name, value) in enumerate(zip(names, values, strict=True), 1):
        if _nests(facet, value):
            within = f"?{var}_within" + (f"_{i}" if len(values) > 1 else "")
            branches.append([f"{within} srom:within {name} .", f"?object {predicate} {within} ."])
        else:
            branches.append([f"?object {predicate} {name} ."])
    nested = " (or within it)" if any(_nests(facet, v) for v in values) else ""
    return [f"  # {label['en'].lower()}: any of the chosen{nested}", *_any_of(branches)]


def _year(bound: str, value: str) -> str:
    if not _YEAR.match(value):
        raise FacetError(f"{bound}: {value!r} is not a year (like 618, or -206 for 206 BCE)")
    return str(int(value))


def build(state: dict[str, Any]) -> FacetQuery:
    """The SPARQL, parameters and arguments for a facet state (see ``FACETS``; lists for term facets).

    The shapes the engines answer fast (/work/shared/DESIGN.md, "At federation size"): each chosen value in
    the pattern, explicit joins, the keys written at harvest (``srom:beginYear``, ``srom:productionPlace``,
    ... and the thesaurus' ``srom:within``), "has an image" as a join, ``LIMIT`` in the text and ``?object``
    as the last sort key.
    """
    built = constraints(state)
    lines = ["SELECT DISTINCT ?object WHERE {", *built.query.splitlines()]
    order = state.get("order") or "date"
    if order not in ORDERS:
        raise FacetError(f"order must be one of {', '.join(ORDERS)}")
    built.facets["order"] = order
    lines += order_lines(order)
    lines.append(f"LIMIT {MAX_LIMIT}")  # the most a section shows; the section's own limit cuts further
    return FacetQuery("\n".join(lines) + "\n", built.parameters, built.arguments, built.facets)


def order_lines(order: str) -> list[str]:
    """The end of a facet query's WHERE group and its ORDER BY (``?object`` last: stable pages)."""
    if order == "date":
        return ["  OPTIONAL { ?object srom:beginYear ?begin }", "}", "ORDER BY ?begin ?object"]
    if order == "title":
        return ["  OPTIONAL { ?object rdfs:label ?title }", "}", "ORDER BY LCASE(STR(?title)) ?object"]
    return ["}", "ORDER BY ?object"]


def constraints(state: dict[str, Any]) -> FacetQuery:
    """The facet state's triple patterns and filters alone (the inside of the WHERE group, no ordering),
    with their parameters: what ``build`` wraps into a section query and the Explore page
    (``web.explore``) into its result, total and count queries. ``order`` is ignored."""
    lines = ["  ?object a crm:E22_Human-Made_Object ."]
    params: list[Parameter] = []
    args: dict[str, str] = {}
    clean: dict[str, Any] = {}

    def add(parameter: Parameter, value: str) -> str:
        params.append(parameter)
        args[parameter.name] = value
        return f"?{parameter.name}"

    for facet, (_, _, label) in TERM_FACETS.items():
        values = _values(state, facet)
        if not values:
            continue
        clean[facet] = values
        names = [add(_param(f"{facet}_{i}", "iri", label, v), v) for i, v in enumerate(values, 1)]
        lines += term_block(facet, names, values)
    period = str(state.get("period_name") or "").strip()
    if period:
        clean["period_name"] = period
        name = add(_param("period_name", "literal", {"en": "Period name", "zh": "时期名称"}, period), period)
        lines += ["  # period name: the production's time-span label contains the text",
                  "  ?object crm:P108i_was_produced_by ?production .",
                  "  ?production crm:P4_has_time-span ?timespan .",
                  "  ?timespan rdfs:label ?period_label .",
                  f"  FILTER(CONTAINS(LCASE(STR(?period_label)), LCASE({name})))"]
    for bound, op, key, var, label in (
        ("date_from", ">=", "srom:endYear", "end", {"en": "From (year)", "zh": "起始年代"}),
        ("date_to", "<=", "srom:beginYear", "start", {"en": "To (year)", "zh": "终止年代"}),
    ):
        value = str(state.get(bound) or "").strip()
        if value:
            clean[bound] = value
            name = add(_param(bound, "number", label, _year(bound, value)), _year(bound, value))
            lines += [f"  # made {'after' if op == '>=' else 'before'} the year: the date span overlaps it",
                      f"  ?object {key} ?{var} .", f"  FILTER(?{var} {op} {name})"]
    keyword = str(state.get("keyword") or "").strip()
    if keyword:
        clean["keyword"] = keyword
        name = add(_param("keyword", "search", {"en": "Keyword", "zh": "关键词"}, keyword), keyword)
        lines += _keyword_block(name)
    if state.get("has_image") in (True, "1", "on", "true", 1):
        clean["has_image"] = True
        lines += ["  # has an image",
                  "  ?object crm:P65_shows_visual_item ?visual .",
                  "  ?visual la:digitally_shown_by ?image ."]
    return FacetQuery("\n".join(lines), params, args, clean)


def _keyword_block(name: str) -> list[str]:
    """The keyword facet: a ``search`` parameter, which the section runner resolves through the text index
    into ``VALUES ?object { ... }`` (``web.exhibitions.keyword``); nothing to match in the query itself."""
    return [f"  # keyword ({name}): only the objects the hub's text index finds for these words, in titles,",
            "  # descriptions and the names of their materials, types, places and periods, any language;",
            "  # the hub binds them as VALUES ?object when the query runs"]


def options(store: Store, facet: str, lang: str = "en", *, limit: int = 300,
            timeout: float | None = None, among: str | None = None,
            rows: Mapping[str, Sequence[Value]] | None = None) -> list[dict[str, Any]]:
    """The values a term facet offers, most used first: ``[{"value", "label", "count", "iris"}]``.

    Terms with the same label are one option whose ``value`` is their IRIs separated by spaces (what the
    editor's select sends back; ``build`` splits it). A museum's term reconciled (``skos:exactMatch``) to a
    shared concept is left out where the object carries the concept too, so the option is the concept.
    ``among``: count only the objects this sub-SELECT binds to ``?object`` (its empty VALUES blocks filled
    by the store from ``rows``, ``Store.query``), as the Explore page counts the objects of a search.
    """
    if facet not in TERM_FACETS:
        raise FacetError(f"{facet!r} has no list of values (one of {', '.join(TERM_FACETS)})")
    path = TERM_FACETS[facet][0]
    objects = (f"      {{ {among} }}\n      ?object {path} ?value .\n" if among
               else f"      ?object a crm:E22_Human-Made_Object ; {path} ?value .\n")
    query = sparql_prologue() + (
        "SELECT ?value ?label ?n WHERE {\n"
        "  { SELECT ?value (COUNT(DISTINCT ?object) AS ?n) WHERE {\n"
        + objects +
        # a museum's term reconciled to a shared concept the object also has is counted once, as the concept
        f"      FILTER NOT EXISTS {{ ?value skos:exactMatch ?shared . ?object {path} ?shared }}\n"
        "    } GROUP BY ?value ORDER BY DESC(?n) ?value LIMIT " + str(int(limit)) + " }\n"
        "  OPTIONAL { ?value rdfs:label|skos:prefLabel ?label }\n"
        "}"
    )
    result = store.query(query, timeout=timeout, rows=rows)
    if not isinstance(result, SolutionsResult):
        return []
    # one label per term (the visitor's language, else English or untagged, else any), then terms with the
    # same label grouped: each museum mints its own "silk", and a curator means all of them
    labels: dict[str, tuple[int, str]] = {}
    counts: dict[str, int] = {}
    for row in result.dicts():
        value = row.get("value")
        if not isinstance(value, ox.NamedNode):
            continue
        counts[value.value] = int(row["n"].value)
        label = row.get("label")
        if isinstance(label, ox.Literal):
            score = 2 if label.language == lang else (1 if label.language in ("en", None, "") else 0)
        else:
            score, label = -1, ox.Literal(value.value.rstrip("/").rsplit("/", 1)[-1])
        if score > labels.get(value.value, (-2, ""))[0]:
            labels[value.value] = (score, label.value)
    groups: dict[str, dict[str, Any]] = {}
    for term, (_, text) in labels.items():
        group = groups.setdefault(text.casefold(), {"label": text, "iris": [], "count": 0})
        group["iris"].append(term)
        group["count"] += counts[term]
    out = [{"value": " ".join(sorted(g["iris"])), "label": g["label"], "count": g["count"], "iris": sorted(g["iris"])}
           for g in groups.values()]
    return sorted(out, key=lambda o: (-o["count"], o["label"].casefold()))
