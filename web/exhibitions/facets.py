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

from mappings.keys import date_order_of_year_sparql
from ontology.namespaces import sparql_prologue
from ontology.thesaurus import get_thesaurus
from store.base import SolutionsResult, Store, Term
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
#: the period-name facet searches at most this many distinct time-span names (40 museums wrote a few
#: thousand at most; the bound makes the engine match the names before it looks for their objects)
PERIOD_NAMES_SEARCHED = 100_000
MAX_VALUES = 20
#: DCMI Type vocabulary terms a Dublin Core record may give as its type: classes of resources, not object
#: types a curator chooses from (http://purl.org/dc/dcmitype/)
DCMI_TYPE = "http://purl.org/dc/dcmitype/"
TECHNICAL_TYPE_NAMES = frozenset({"PhysicalObject", "StillImage", "MovingImage", "InteractiveResource"})
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


def _choices(state: dict[str, Any], name: str) -> list[str]:
    """The options chosen, each as its IRIs separated by spaces (one choice, possibly several terms)."""
    raw = state.get(name) or []
    if isinstance(raw, str):
        raw = [raw]
    return list(dict.fromkeys(" ".join(str(v).split()) for v in raw if str(v).strip()))


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
        return branches[0]
    return [("UNION " if i else "") + "{ " + " ".join(branch) + " }" for i, branch in enumerate(branches)]


def objects_group(comment: str, lines: list[str]) -> list[str]:
    """One facet as its own group of objects, ``{ SELECT ?object WHERE { ... } }``, under its comment.

    The query joins the groups: Oxigraph then hashes each group's objects once instead of looking every
    candidate object up in every facet (a date range over 100,000 objects: 0.7 s instead of 10-17 s), and
    Virtuoso answers either shape alike. Parameters are bound inside the group (store/bind_values.py).
    """
    return [f"  # {comment}", "  { SELECT ?object WHERE {", *(f"      {line}" for line in lines), "  } }"]


def hops(steps: list[tuple[str, list[str]]]) -> list[str]:
    """The lines of a path of several hops, each hop its own ``{ SELECT <vars> WHERE { ... } }``, joined on
    the variables they share: Oxigraph scans each hop once and hashes it, where one group of patterns made
    it look each candidate up hop by hop (has an image at 100,000 objects: 1.0 s instead of 5.9 s).
    ``steps``: (the variables the hop passes on, its lines)."""
    return [f"{{ SELECT {variables} WHERE {{ {' '.join(lines)} }} }}" for variables, lines in steps]


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
    return objects_group(f"{label['en'].lower()}: any of the chosen{nested}", _any_of(branches))


def _year(bound: str, value: str) -> str:
    if not _YEAR.match(value):
        raise FacetError(f"{bound}: {value!r} is not a year (like 618, or -206 for 206 BCE)")
    return str(int(value))


def build(state: dict[str, Any]) -> FacetQuery:
    """The SPARQL, parameters and arguments for a facet state (see ``FACETS``; lists for term facets).

    The shapes the engines answer fast (/work/shared/DESIGN.md, "At federation size"): each chosen value in
    the pattern, explicit joins, the keys written at harvest (``srom:beginYear``, ``srom:productionPlace``,
    ... and the thesaurus' ``srom:within``), "has an image" as a join, ``LIMIT`` in the text and a stable
    order (``srom:dateOrder``, unique per object).
    """
    built = constraints(state)
    order = state.get("order") or "date"
    if order not in ORDERS:
        raise FacetError(f"order must be one of {', '.join(ORDERS)}")
    built.facets["order"] = order
    lines = ["SELECT DISTINCT ?object WHERE {", *built.query.splitlines(), *order_lines(order)]
    lines.append(f"LIMIT {MAX_LIMIT}")  # the most a section shows; the section's own limit cuts further
    return FacetQuery("\n".join(lines) + "\n", built.parameters, built.arguments, built.facets)


def order_lines(order: str) -> list[str]:
    """The end of a facet query's WHERE group and its ORDER BY, on the ``?date_order`` of ``constraints``."""
    if order == "title":
        # srom:titleOrder / srom:titleOrderNext: the title's first letters, folded, as two integers the
        # harvest writes (ontology/MODEL.md); the date order breaks their ties. Each key is its own group:
        # Oxigraph then scans and hashes it once instead of looking it up per object (silk by title at
        # 100,000 objects: 0.6 s instead of 2.2 s; Virtuoso 0.3 s either way)
        return ["  # the title order: the title's first letters as two integers, then the date order",
                "  { SELECT ?object ?title_order WHERE { ?object srom:titleOrder ?title_order } }",
                "  { SELECT ?object ?title_order_next WHERE { ?object srom:titleOrderNext ?title_order_next } }",
                "}", "ORDER BY ?title_order ?title_order_next ?date_order"]
    return ["}", "ORDER BY ?date_order"]  # "none" too: no particular order is the cheapest stable one


def constraints(state: dict[str, Any]) -> FacetQuery:
    """The facet state's groups alone (the inside of the WHERE group, binding ``?object`` and its
    ``?date_order``; no ordering), with their parameters: what ``build`` wraps into a section query and the
    Explore page (``web.explore``) into its result, total and count queries. ``order`` is ignored."""
    lines: list[str] = []
    every_object = ["?object srom:dateOrder ?date_order ."]
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
        clean[facet] = _choices(state, facet)  # the options as chosen: one choice may stand for several terms
        names = [add(_param(f"{facet}_{i}", "iri", label, v), v) for i, v in enumerate(values, 1)]
        lines += term_block(facet, names, values)
    period = str(state.get("period_name") or "").strip()
    if period:
        clean["period_name"] = period
        name = add(_param("period_name", "literal", {"en": "Period name", "zh": "时期名称"}, period), period)
        # srom:periodName: the production's time-span names, a key the harvest writes on the object. The
        # names are matched first (a few hundred distinct ones, not one per object), then their objects
        # found; each LIMIT keeps Virtuoso from testing every object's name instead (400,000 objects:
        # 0.9 s -> 0.12 s), at the price of a cap on the distinct names searched.
        lines += objects_group("period name: the production's time-span name contains the text", [
            "{ SELECT ?period_label WHERE {",
            f"    {{ SELECT DISTINCT ?period_label WHERE {{ ?named srom:periodName ?period_label }} "
            f"LIMIT {PERIOD_NAMES_SEARCHED} }}",
            f"    FILTER(CONTAINS(LCASE(STR(?period_label)), LCASE({name})))",
            f"}} LIMIT {PERIOD_NAMES_SEARCHED} }}",
            "?object srom:periodName ?period_label ."])
    value = str(state.get("date_from") or "").strip()
    if value:
        clean["date_from"] = value
        name = add(_param("date_from", "number", {"en": "From (year)", "zh": "起始年代"}, _year("date_from", value)),
                   _year("date_from", value))
        lines += objects_group("made after the year: the date span ends in it or later",
                               ["?object srom:endYear ?end .", f"FILTER(?end >= {name})"])
    value = str(state.get("date_to") or "").strip()
    if value:
        clean["date_to"] = value
        name = add(_param("date_to", "number", {"en": "To (year)", "zh": "终止年代"}, _year("date_to", value)),
                   _year("date_to", value))
        # the date order begins with the begin year: one comparison instead of a join with srom:beginYear
        every_object += [f"# made before the year: its making began in it or earlier (srom:beginYear <= {name})",
                         f"FILTER(?date_order < {date_order_of_year_sparql(name)})"]
    keyword = str(state.get("keyword") or "").strip()
    if keyword:
        clean["keyword"] = keyword
        name = add(_param("keyword", "search", {"en": "Keyword", "zh": "关键词"}, keyword), keyword)
        lines += _keyword_block(name)
    if state.get("has_image") in (True, "1", "on", "true", 1):
        clean["has_image"] = True
        lines += objects_group("has an image", hops([
            ("?object ?visual", ["?object crm:P65_shows_visual_item ?visual ."]),
            ("?visual", ["?visual la:digitally_shown_by ?image ."])]))
    lines = [# srom:dateOrder: the year its making began, then a tie-breaker, in one integer the harvest writes
             # on each object (ontology/MODEL.md); unique per object, it is a stable order by itself, and
             # engines compare it fast where they compare IRIs slowly (Oxigraph decodes each one)
             "  # every object, with its date order: its year, then a tie-breaker (ontology/MODEL.md)",
             "  { SELECT ?object ?date_order WHERE {", *(f"      {line}" for line in every_object), "  } }", *lines]
    return FacetQuery("\n".join(lines), params, args, clean)


def _keyword_block(name: str) -> list[str]:
    """The keyword facet: a ``search`` parameter, which the section runner resolves through the text index
    into ``VALUES ?object { ... }`` (``web.exhibitions.keyword``); nothing to match in the query itself."""
    return [f"  # keyword ({name}): only the objects the hub's text index finds for these words, in titles,",
            "  # descriptions and the names of their materials, types, places and periods, any language;",
            "  # the hub binds them as VALUES ?object when the query runs"]


def options(store: Store, facet: str, lang: str = "en", *, limit: int = 300,
            timeout: float | None = None, among: str | None = None,
            substitutions: Mapping[str, Term] | None = None,
            rows: Mapping[str, Sequence[Value]] | None = None) -> list[dict[str, Any]]:
    """The values a term facet offers, most used first: ``[{"value", "label", "count", "iris"}]``.

    Terms with the same label are one option whose ``value`` is their IRIs separated by spaces (what the
    editor's select sends back; ``build`` splits it). A museum's term reconciled (``skos:exactMatch``) to a
    shared concept is left out where the object carries the concept too, so the option is the concept.
    ``among``: count only the objects this sub-SELECT binds to ``?object`` (its parameters bound from
    ``substitutions``, its empty VALUES blocks filled from ``rows``: ``Store.query``), as the Explore page
    counts the objects of a search.
    """
    return options_in_languages(store, facet, (lang,), limit=limit, timeout=timeout, among=among,
                                substitutions=substitutions, rows=rows)[lang]


def options_in_languages(store: Store, facet: str, languages: Sequence[str], *, limit: int = 300,
                         timeout: float | None = None, among: str | None = None,
                         substitutions: Mapping[str, Term] | None = None,
                         rows: Mapping[str, Sequence[Value]] | None = None) -> dict[str, list[dict[str, Any]]]:
    """:func:`options` labelled in each of ``languages``, from one count: the count is the costly part
    (an aggregate over every object), the labels come with it in every language."""
    if facet not in TERM_FACETS:
        raise FacetError(f"{facet!r} has no list of values (one of {', '.join(TERM_FACETS)})")
    path = TERM_FACETS[facet][0]
    # Each part its own sub-SELECT, so Oxigraph hashes whole groups (material at 100,000 objects: 2 s, not
    # 18 s with FILTER NOT EXISTS); the objects are those with a date order (every harvested object).
    objects = f"{{ {among} }}" if among else "{ SELECT ?object WHERE { ?object srom:dateOrder ?date_order } }"
    query = sparql_prologue() + (
        "SELECT ?value ?label ?n WHERE {\n"
        "  { SELECT ?value (COUNT(DISTINCT ?object) AS ?n) WHERE {\n"
        f"      {objects}\n"
        f"      {{ SELECT ?object ?value WHERE {{ ?object {path} ?value }} }}\n"
        # a museum's term reconciled to a shared concept the object also has is counted once, as the concept
        "      MINUS { { SELECT ?value ?shared WHERE { ?value skos:exactMatch ?shared } }\n"
        f"              {{ SELECT ?object ?value WHERE {{ ?object {path} ?value }} }}\n"
        f"              {{ SELECT ?object ?shared WHERE {{ ?object {path} ?shared }} }} }}\n"
        "    } GROUP BY ?value ORDER BY DESC(?n) ?value LIMIT " + str(int(limit)) + " }\n"
        "  OPTIONAL { ?value rdfs:label|skos:prefLabel ?label }\n"
        "}"
    )
    result = store.query(query, timeout=timeout, substitutions=substitutions, rows=rows)
    found = result.dicts() if isinstance(result, SolutionsResult) else []
    return {lang: _labelled(facet, found, lang) for lang in languages}


def _labelled(facet: str, found: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """The counted terms as options in ``lang``: one label per term (the visitor's language, else English
    or untagged, else any), then terms with the same label grouped: each museum mints its own "silk", and
    a curator means all of them."""
    labels: dict[str, tuple[int, str]] = {}
    counts: dict[str, int] = {}
    for row in found:
        value = row.get("value")
        if not isinstance(value, ox.NamedNode) or (facet == "type" and _technical(value, row.get("label"))):
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


def _technical(value: ox.NamedNode, label: Any) -> bool:
    """A class name a record gave as its type (a DCMI Type term, a CRM class): not an object type."""
    if value.value.startswith((DCMI_TYPE, "http://www.cidoc-crm.org/cidoc-crm/")):
        return True
    return isinstance(label, ox.Literal) and label.value in TECHNICAL_TYPE_NAMES
