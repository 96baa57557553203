"""What the researchers' workbench at ``/sparql`` knows besides the protocol: the hub's prefixes, the
example gallery as runnable texts, and the completion index.

Completion is served from the hub's own definitions, never from the public endpoint (a keystroke must not
cost a query): the model's classes and properties are the terms of ``ontology.namespaces`` (the CRM
subset the hub writes, Linked Art's, the hub's own ``srom:`` vocabulary and the few SKOS, PROV, RDFS and
schema.org terms the model uses), and the shared thesaurus concepts come from ``ontology/thesaurus.ttl``,
matched by any of their labels in any language or script (folded as reconciliation folds them, so
``seide``, ``絲`` and ``SILK`` all find silk).

This module has no HTTP in it; ``web.views.workbench`` serves it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ontology import folding
from ontology.namespaces import CRM, LA, PREFIXES, SROM
from ontology.thesaurus import get_thesaurus
from sparql_endpoint.examples import EXAMPLES, Example

#: the terms of open namespaces the model (ontology/MODEL.md) uses, by prefix
MODEL_TERMS: dict[str, tuple[str, ...]] = {
    "srom": ("RecordGraph", "museum", "museumId", "object", "sourceIdentifier", "datestamp", "mappingVersion",
             "contentHash", "attribution", "beginYear", "endYear"),
    "rdfs": ("label",),
    "rdf": ("type",),
    "skos": ("Concept", "prefLabel", "altLabel", "exactMatch", "closeMatch", "broader", "narrower", "inScheme",
             "ConceptScheme"),
    "prov": ("wasDerivedFrom", "wasGeneratedBy", "generatedAtTime"),
    "owl": ("sameAs", "versionInfo"),
    "schema": ("ExhibitionEvent", "name", "url", "image", "position", "version", "disambiguatingDescription"),
    "dcterms": ("license", "hasVersion", "isPartOf", "publisher"),
    "wgs": ("lat", "long"),
}
_PREFIX_USE = re.compile(r"(?<![\w:<\"'?$@-])([A-Za-z][\w-]*)?:(?=[\w<]|$)", re.MULTILINE)
_DECLARED = re.compile(r"^\s*PREFIX\s+([A-Za-z][\w-]*)?:", re.IGNORECASE | re.MULTILINE)


def declared_prefixes(text: str) -> set[str]:
    return {m.group(1) or "" for m in _DECLARED.finditer(text)}


def missing_prologue(text: str) -> str:
    """PREFIX lines for the hub's prefixes ``text`` uses but does not declare (in the hub's order).

    The test is textual, so a prefix-like word inside a string literal may add a harmless extra line.
    """
    stripped = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    stripped = re.sub(r"<[^>\s]*>", "<>", stripped)  # IRIs such as <http://...> are not prefixed names
    used = {m.group(1) for m in _PREFIX_USE.finditer(stripped) if m.group(1)}
    wanted = (used - declared_prefixes(text)) & set(PREFIXES)
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in PREFIXES if p in wanted)


def complete_text(text: str) -> str:
    """``text`` with the hub's prefixes it uses declared, placed after its leading comment lines."""
    prologue = missing_prologue(text)
    if not prologue:
        return text
    lines = text.splitlines(keepends=True)
    head = 0
    while head < len(lines) and lines[head].lstrip().startswith("#"):
        head += 1
    return "".join(lines[:head]) + prologue + "".join(lines[head:])


def example_text(example: Example) -> str:
    """The example as the editor shows it: its ``#defaultView:`` line, then PREFIX lines, then the query."""
    return complete_text(example.body)


@dataclass(frozen=True)
class Term:
    iri: str
    prefixed: str
    kind: str  # "class", "property" or "concept"
    labels: tuple[tuple[str, str], ...]  # (text, language) pairs
    detail: str = ""  # a concept's kind (material, place...), a term's namespace

    def as_json(self, label: str) -> dict[str, str]:
        return {"iri": self.iri, "prefixed": self.prefixed, "kind": self.kind, "label": label, "detail": self.detail}


def _readable(local: str) -> str:
    """``E22_Human-Made_Object`` -> ``Human-Made Object``; ``P108i_was_produced_by`` -> ``was produced by``."""
    name = re.sub(r"^[EP]\d+[a-z]?_(E\d+_)?", "", local).replace("_", " ")
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).strip() or local


def _model_terms() -> list[Term]:
    terms: list[Term] = []
    named = [("crm", sorted(CRM._terms)), ("la", sorted(LA._terms)), ("srom", MODEL_TERMS["srom"])]
    named += [(p, t) for p, t in MODEL_TERMS.items() if p != "srom"]
    for prefix, locals_ in named:
        for local in locals_:
            is_class = local[:1] == "E" if prefix == "crm" else local[:1].isupper()  # crm: E classes, P properties
            kind = "class" if is_class else "property"
            label = _readable(local) if prefix == "crm" else re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local).lower()
            terms.append(Term(PREFIXES[prefix] + local, f"{prefix}:{local}", kind, ((label, "en"),), prefix))
    assert str(SROM) == PREFIXES["srom"]
    return terms


def _concepts() -> list[Term]:
    return [Term(c.iri, "", "concept", c.pref_labels + c.alt_labels, c.kind)
            for c in get_thesaurus().concepts.values()]


@lru_cache(maxsize=1)
def _index() -> list[tuple[Term, list[tuple[str, str, str]]]]:
    """Every term with its searchable keys: (folded key, shown label, language)."""
    index = []
    for term in _model_terms() + _concepts():
        keys = [(folding.fold(text), text, lang) for text, lang in term.labels]
        if term.kind != "concept":
            local = term.prefixed.split(":", 1)[1]
            keys.append((folding.fold(local), term.labels[0][0], "en"))
            keys.append((term.prefixed.lower(), term.labels[0][0], "en"))
        index.append((term, [k for k in keys if k[0]]))
    return index


def _english_first(term: Term, lang: str) -> str:
    for wanted in (lang, "zh-hans" if lang == "zh" else lang, "en"):
        for text, tag in term.labels:
            if tag.lower() == wanted:
                return text
    for text, tag in term.labels:
        if tag.lower().split("-")[0] in (lang, "en"):
            return text
    return term.labels[0][0] if term.labels else term.iri


def _rank(key: str, needle: str) -> int:
    """0: the whole key, 1: its start, 2: inside it, 9: no match."""
    return 0 if key == needle else 1 if key.startswith(needle) else 2 if needle in key else 9


def complete(query: str, kind: str | None = None, lang: str = "en", limit: int = 20) -> list[dict[str, str]]:
    """Terms matching ``query``: classes, properties and concepts, best first.

    ``query`` is a label in any language, a local name (``E22``, ``produced``), a prefixed name
    (``crm:P45``) or the start of a full IRI. ``kind`` narrows to ``class``, ``property`` or ``concept``.
    The label shown is the matched one, followed by the term's label in ``lang`` when that differs.
    """
    query = query.strip().strip("<>")
    if not query:
        return []
    iri_query = query if re.match(r"^https?://", query) else None
    needle = folding.fold(query) if not iri_query else ""
    lowered = query.lower()
    scored: list[tuple[tuple[int, int, str], Term, str]] = []
    for term, keys in _index():
        if kind and term.kind != kind:
            continue
        best: tuple[int, str] | None = None
        if iri_query:
            if term.iri.startswith(iri_query):
                best = (0, _english_first(term, lang))
        else:
            for key, shown, _tag in keys:
                rank = min(_rank(key, n) for n in (needle, lowered) if n)
                if rank < 9 and (best is None or rank < best[0]):
                    best = (rank, shown)
        if best is None:
            continue
        rank, shown = best
        preferred = _english_first(term, lang)
        label = shown if shown == preferred else f"{shown} · {preferred}"
        scored.append(((rank, len(shown), term.iri), term, label))
    scored.sort(key=lambda s: s[0])
    return [term.as_json(label) for _, term, label in scored[:limit]]


def examples_for_page(lang: str) -> list[dict[str, str]]:
    """The gallery as the page embeds it: id, title in ``lang`` (else English), view and the full text."""
    return [{"id": e.id, "title": e.title.get(lang) or e.title["en"], "view": e.view, "query": example_text(e)}
            for e in EXAMPLES]
