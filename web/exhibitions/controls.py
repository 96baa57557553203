"""The visitor's controls for a section's typed parameters: one labelled field per parameter.

A section query may take typed parameters (``web.exhibitions.parameters``); the facet builder makes one per
chosen value (``material_1``, ``date_from``...). On the public page each becomes a field of a plain GET
form named as the permalink names it (``<section>.<parameter>=value``), so submitting the form *is* the
permalink of the choice and works without JavaScript. This module decides what each field is:

- a term of a facet (``museum``, ``material``, ``type``, ``place``, ``period``, as the facet builder names
  them): a picker of the facet's values labelled in the visitor's language: the lists the harvest counted
  and kept (``web.exhibitions.option_lists``), counted live (``facets.options``) only where none are kept;
  where the query reaches the value through the thesaurus' ``srom:within`` only shared concepts are
  offered (a museum's own term has no place in that closure and would find nothing);
- ``choice``: a picker of the choices query's values; ``number`` and ``date``: a year field (a date
  parameter's value is shown as its year); ``language``, ``literal``, ``search``, other IRIs: a text field.

It reads the store only for the pickers' options and must not run section queries nor render HTML.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from ontology.thesaurus import get_thesaurus
from store.base import Store, StoreError
from web.exhibitions.cache import ExhibitionCache
from web.exhibitions.document import ExhibitionDoc, Parameter, Section, pick
from web.exhibitions.facets import TERM_FACETS, options
from web.exhibitions.option_lists import FacetOptionLists
from web.exhibitions.parameters import ParameterError, choices
from web.i18n import preference

_FACET_PARAMETER = re.compile(r"^(" + "|".join(TERM_FACETS) + r")(?:_\d+)?$")
_YEAR_OF_DATE = re.compile(r"^(-?\d{1,6})(?:-01-01(?:T00:00:00)?)?$")
OPTIONS_SECONDS = 300  # the values a facet offers change with harvests, not with every page view
_KEPT = "kept-facet-options"  # the cache's key for a list the harvest counted (an answer of the database)
_LIVE = "facet-options"  # ... and for one counted live (a timed entry)


@dataclass
class Option:
    value: str
    label: str


@dataclass
class Control:
    """One field: ``name`` is the URL argument, ``kind`` one of select, year, text."""

    name: str
    parameter: str
    label: str
    kind: str
    value: str
    options: list[Option] = field(default_factory=list)
    hint: str = ""


@dataclass
class SectionControls:
    section: str
    action: str  # the page the form sends to (the URL it makes is the permalink of the choice)
    controls: list[Control]
    keep: list[tuple[str, str]]  # the page's other arguments, carried as hidden fields
    reset: str  # the page with this section's choices undone


def facet_of(parameter: Parameter) -> str | None:
    """The term facet an IRI parameter stands for, by the name the facet builder gives it."""
    match = _FACET_PARAMETER.match(parameter.name)
    return match.group(1) if match and parameter.type == "iri" else None


def _within_only(section: Section, parameter: Parameter) -> bool:
    return re.search(r"srom:within\s+\?" + re.escape(parameter.name) + r"\b", section.query) is not None


def _kept_options(cache: ExhibitionCache, kept: FacetOptionLists | None, facet: str, lang: str) -> list[Option] | None:
    """The options the harvest counted and kept, as the picker offers them; None when none are kept. Read
    once per process while the database is unchanged (a harvest that keeps new lists changes it)."""
    if kept is None:
        return None

    def read() -> list[Option] | None:
        found = kept.get(facet, lang)
        return None if found is None else _offered(found, lang)

    return cache.answer((_KEPT, facet, lang), read)


def _facet_options(store: Store, cache: ExhibitionCache, kept: FacetOptionLists | None, facet: str, lang: str,
                   timeout: float | None) -> list[Option]:
    found = _kept_options(cache, kept, facet, lang)
    if found is not None:
        return found
    key = (_LIVE, facet, lang)
    found = cache.get(key)
    if found is None:
        found = _offered(options(store, facet, lang, timeout=timeout), lang)
        cache.put(key, OPTIONS_SECONDS, found)
    return found


def _offered(counted: list[dict], lang: str) -> list[Option]:
    """A facet's counted options (``facets.options``) as a picker offers them."""
    found = []
    concepts = get_thesaurus().concepts
    for option in counted:
        # a label stands for several terms (each museum mints its own "silk"): the shared concept among
        # them, else the first, is the one value a parameter binds
        iri = next((i for i in option["iris"] if i in concepts), option["iris"][0])
        # the thesaurus names its concepts in the visitor's language (zh-Hans for zh, ...)
        found.append(Option(iri, _concept_label(iri, lang) if iri in concepts else option["label"]))
    # one option per name: where a concept and another term (AAT's "青铜"@zh) read the same, the concept
    by_label: dict[str, Option] = {}
    for item in found:
        known = by_label.get(item.label.casefold())
        if known is None or (item.value in concepts and known.value not in concepts):
            by_label[item.label.casefold()] = item
    return list(by_label.values())


def _warm_facet_options(store: Store, cache: ExhibitionCache, kept: FacetOptionLists | None, facets: set[str],
                        lang: str, timeout: float | None) -> None:
    """Count the option lists a page needs and neither the harvest kept nor a cache holds, at once: each
    is one aggregate over the store, and a server engine answers several side by side (a cold page with
    four pickers waited for four counts in a row)."""
    missing = sorted(f for f in facets if _kept_options(cache, kept, f, lang) is None
                     and cache.get((_LIVE, f, lang)) is None)
    if len(missing) < 2:
        return
    with ThreadPoolExecutor(max_workers=min(4, len(missing)), thread_name_prefix="facet-options") as pool:
        for done in [pool.submit(_facet_options, store, cache, kept, f, lang, timeout) for f in missing]:
            try:
                done.result()
            except (StoreError, ParameterError):
                pass  # that picker falls back to a text field, as it does when counted in turn


def _concept_label(iri: str, lang: str) -> str:
    """A thesaurus concept's name for a visitor reading ``lang`` (zh: Simplified before Traditional)."""
    concept = get_thesaurus().concepts[iri]
    tagged = {tag.lower(): text for text, tag in reversed(concept.pref_labels)}
    return next((tagged[tag] for tag in preference(lang) if tag in tagged), None) or concept.label(lang)


def _picker(store: Store, cache: ExhibitionCache, kept: FacetOptionLists | None, section: Section,
            parameter: Parameter, lang: str, timeout: float | None) -> list[Option]:
    facet = facet_of(parameter)
    try:
        if facet is not None:
            offered = _facet_options(store, cache, kept, facet, lang, timeout)
            if _within_only(section, parameter):
                concepts = get_thesaurus().concepts
                offered = [o for o in offered if o.value in concepts]
            return sorted(offered, key=lambda o: o.label.casefold())
        return [Option(c["value"], c["label"]) for c in choices(store, parameter, lang, timeout=timeout)]
    except (StoreError, ParameterError):
        return []  # the field falls back to text: the page still shows, and the value still works


def _shown(parameter: Parameter, value: str) -> str:
    if parameter.type == "date":
        match = _YEAR_OF_DATE.match(value.strip())
        if match:
            return str(int(match.group(1)))
    return value


def _control(store: Store, cache: ExhibitionCache, kept: FacetOptionLists | None, section: Section,
             parameter: Parameter, value: str, lang: str, timeout: float | None) -> Control:
    name = f"{section.id}.{parameter.name}"
    label = pick(parameter.label, lang) or parameter.name
    if parameter.type in ("iri", "choice") and (facet_of(parameter) or parameter.type == "choice"):
        offered = _picker(store, cache, kept, section, parameter, lang, timeout)
        if offered:
            if value and value not in {o.value for o in offered}:
                offered = [Option(value, value), *offered]  # the curator's own value is always there
            return Control(name, parameter.name, label, "select", value, offered)
    if parameter.type in ("number", "date"):
        return Control(name, parameter.name, label, "year", _shown(parameter, value))
    return Control(name, parameter.name, label, "text", value)


def section_controls(
    store: Store,
    cache: ExhibitionCache,
    doc: ExhibitionDoc,
    arguments: Mapping[str, Mapping[str, str]],
    keep: list[tuple[str, str]],
    path: str,
    lang: str,
    *,
    timeout: float | None = None,
    option_lists: FacetOptionLists | None = None,
) -> dict[str, SectionControls]:
    """Section id → its fields, for sections with parameters. ``arguments`` are the visitor's values
    (section → parameter → value), ``keep`` the page's other arguments (language, layouts), ``path``
    the page the form sends to, ``option_lists`` the option lists the harvest counted (else pickers count live)."""
    from urllib.parse import urlencode

    facets = {facet for section in doc.sections for parameter in section.parameters
              if (facet := facet_of(parameter)) is not None}
    _warm_facet_options(store, cache, option_lists, facets, lang, timeout)
    out: dict[str, SectionControls] = {}
    for section in doc.sections:
        if not section.parameters:
            continue
        fields: list[Control] = []
        seen: dict[str, int] = {}
        for parameter in section.parameters:
            chosen = (arguments.get(section.id) or {}).get(parameter.name)
            if chosen is None:
                chosen = section.arguments.get(parameter.name, parameter.default or "")
            control = _control(store, cache, option_lists, section, parameter, chosen, lang, timeout)
            seen[control.label] = seen.get(control.label, 0) + 1
            if seen[control.label] > 1:  # two values of one facet: "Material", "Material 2"
                control.label = f"{control.label} {seen[control.label]}"
            fields.append(control)
        others = [(k, v) for s, values in arguments.items() if s != section.id for k, v in
                  ((f"{s}.{p}", v) for p, v in values.items())]
        kept = [*keep, *others]
        reset = path + ("?" + urlencode(kept) if kept else "") + f"#s-{section.id}"
        out[section.id] = SectionControls(section.id, path, fields, kept, reset)
    return out
