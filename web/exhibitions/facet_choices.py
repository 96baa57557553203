"""The facet builder's choices as a curator reads them: one row per choice, in the interface's language.

The builder (``web.exhibitions.facets``) turns each chosen term into its own typed parameter
(``material_1``, ``material_2``...), and one option a curator picks may stand for several terms (each
museum mints its own "silk"). This module folds the parameters back into the choices the curator made:
the facet's name and the chosen value's label in the interface's language, years as years, texts as
written, with the parameters each choice became. Labels come from the thesaurus, then the store. It must
not store anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from flask_babel import lazy_gettext as _l

from ontology.namespaces import sparql_prologue
from ontology.thesaurus import get_thesaurus
from store.base import SolutionsResult, Store
from web.exhibitions.document import Parameter
from web.i18n.language import format_year

#: the facets' names as the editor shows them (the builder's own controls use the same words)
FACET_NAMES: dict[str, Any] = {
    "museum": _l("Museum"),
    "material": _l("Material"),
    "type": _l("Object type"),
    "place": _l("Place of production"),
    "period": _l("Period"),
    "period_name": _l("Period name contains"),
    "date_from": _l("Made from (year)"),
    "date_to": _l("Made until (year)"),
    "keyword": _l("Keyword"),
    "has_image": _l("Has an image"),
}
TERM_FACET_NAMES = ("museum", "material", "type", "place", "period")


@dataclass(frozen=True)
class ChoiceRow:
    facet: str
    name: str  # the facet's name in the interface's language
    value: str  # the choice as a curator reads it
    parameters: tuple[str, ...]  # the query parameters the choice became

    def as_json(self) -> dict[str, Any]:
        return {"facet": self.facet, "name": self.name, "value": self.value, "parameters": list(self.parameters)}


def chosen_terms(facets: Mapping[str, Any] | None) -> list[str]:
    """Every term IRI a facet state chose (whose labels :func:`choice_rows` needs)."""
    out: list[str] = []
    for facet in TERM_FACET_NAMES:
        for choice in (facets or {}).get(facet) or []:
            out += str(choice).split()
    return list(dict.fromkeys(out))


def term_labels(store: Store, iris: Sequence[str], lang: str, *, timeout: float | None = None) -> dict[str, str]:
    """IRI → its label in ``lang`` (else English or untagged, else any): the thesaurus's concepts from the
    thesaurus, museums' own terms from the store."""
    concepts = get_thesaurus().concepts
    labels = {i: concepts[i].label(lang) for i in iris if i in concepts}
    rest = [i for i in iris if i not in labels]
    if not rest:
        return labels
    result = store.query(sparql_prologue() + "SELECT ?value ?label WHERE { ?value rdfs:label|skos:prefLabel ?label }",
                         rows={"value": [ox.NamedNode(i) for i in rest]}, timeout=timeout)
    scored: dict[str, tuple[int, str]] = {}
    if isinstance(result, SolutionsResult):
        for row in result.dicts():
            value, label = row.get("value"), row.get("label")
            if not isinstance(value, ox.NamedNode) or not isinstance(label, ox.Literal):
                continue
            score = 2 if label.language == lang else (1 if label.language in ("en", None, "") else 0)
            if score > scored.get(value.value, (-1, ""))[0]:
                scored[value.value] = (score, label.value)
    for iri in rest:
        labels[iri] = scored[iri][1] if iri in scored else iri.rstrip("/").rsplit("/", 1)[-1]
    return labels


def _year(text: str) -> str:
    try:
        return format_year(int(text))
    except ValueError:
        return text


def choice_rows(facets: Mapping[str, Any] | None, parameters: Sequence[Parameter], arguments: Mapping[str, str],
                labels: Mapping[str, str]) -> list[ChoiceRow]:
    """One row per choice of a section built with the facet builder (none for a hand-written query)."""
    if not facets:
        return []
    names = {p.name for p in parameters}
    rows = []
    for facet in TERM_FACET_NAMES:
        for choice in facets.get(facet) or []:
            terms = str(choice).split()
            used = tuple(n for n in sorted(names) if n.startswith(f"{facet}_") and arguments.get(n) in terms)
            shown = list(dict.fromkeys(labels.get(t, t) for t in terms))
            rows.append(ChoiceRow(facet, str(FACET_NAMES[facet]), " / ".join(shown), used))
    for facet in ("period_name", "keyword"):
        if facets.get(facet):
            rows.append(ChoiceRow(facet, str(FACET_NAMES[facet]), f"“{facets[facet]}”",
                                  (facet,) if facet in names else ()))
    for facet in ("date_from", "date_to"):
        if facets.get(facet) not in (None, ""):
            rows.append(ChoiceRow(facet, str(FACET_NAMES[facet]), _year(str(facets[facet])),
                                  (facet,) if facet in names else ()))
    if facets.get("has_image"):
        rows.append(ChoiceRow("has_image", str(FACET_NAMES["has_image"]), "✓", ()))
    return rows
