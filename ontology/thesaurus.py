"""The shared thesaurus (``ontology/thesaurus.ttl``), loaded once, with the lookup index reconciliation uses.

It owns reading the SKOS file with pyoxigraph into plain :class:`Concept` values, the label and URI index
(comparison keys from :mod:`ontology.folding`), the thesaurus graph as N-Triples with a version hash (so
a harvest can load or refresh ``{base}/graph/thesaurus`` in the store when the file changed) and the
graph's IRI. Matching rules live in :mod:`ontology.reconcile`; nothing here writes to a store.

    th = get_thesaurus()
    th.version, th.concepts["https://w3id.org/srom/concept/material/silk"].label("zh")
"""

from __future__ import annotations

import hashlib
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox

from ontology import folding
from ontology.namespaces import OWL, RDF, SKOS, SROM, WGS84

CONCEPT_BASE = "https://w3id.org/srom/concept/"
SCHEME_KINDS = {
    CONCEPT_BASE + "scheme/materials": "material",
    CONCEPT_BASE + "scheme/techniques": "technique",
    CONCEPT_BASE + "scheme/object-types": "type",
    CONCEPT_BASE + "scheme/places": "place",
    CONCEPT_BASE + "scheme/periods": "period",
}
KINDS = tuple(SCHEME_KINDS.values())
THESAURUS_PATH = Path(__file__).resolve().with_name("thesaurus.ttl")
_MATCH_PROPERTIES = (SKOS.exactMatch, SKOS.closeMatch)
#: part of the version stamp: the graph the store holds is the file plus :func:`closure_ntriples`; change it
#: when the materialised triples change, so every store reloads the thesaurus graph on its next harvest
CLOSURE_REVISION = b"closure/1"


def thesaurus_graph(base: str) -> str:
    """The store graph the thesaurus is loaded into, under the hub's base IRI."""
    return f"{base.rstrip('/')}/graph/thesaurus"


def primary_language(lang: str | None) -> str:
    """"zh" for "zh-Hant", "" for none: labels are compared by their primary language subtag."""
    return (lang or "").split("-", 1)[0].lower()


@dataclass(frozen=True)
class Concept:
    """A shared concept: its IRI, kind (material, technique, type, place, period) and what the file says."""

    iri: str
    kind: str
    pref_labels: tuple[tuple[str, str], ...]  # (text, language tag)
    alt_labels: tuple[tuple[str, str], ...] = ()
    matches: tuple[str, ...] = ()  # external URIs (skos:exactMatch / closeMatch)
    broader: tuple[str, ...] = ()
    begin: int | None = None  # periods: first and last year (BCE negative)
    end: int | None = None
    lat: float | None = None  # places: WGS84
    lon: float | None = None

    @property
    def slug(self) -> str:
        return self.iri.rsplit("/", 1)[-1]

    def label(self, lang: str | None = "en") -> str:
        """The preferred label in ``lang`` (primary subtag match), else English, else any."""
        want = primary_language(lang)
        for text, tag in self.pref_labels:
            if primary_language(tag) == want:
                return text
        for text, tag in self.pref_labels:
            if primary_language(tag) == "en":
                return text
        return self.pref_labels[0][0] if self.pref_labels else self.slug


@dataclass(frozen=True)
class IndexEntry:
    concept: str
    lang: str  # primary language subtag of the label ("" for none)
    preferred: bool


@dataclass
class Thesaurus:
    """The parsed thesaurus and its indexes. Build with :func:`load_thesaurus` or :func:`get_thesaurus`."""

    concepts: dict[str, Concept]
    ntriples: str
    version: str
    labels: dict[tuple[str, str], list[IndexEntry]] = field(default_factory=dict)  # (kind, key)
    loose_labels: dict[tuple[str, str], list[IndexEntry]] = field(default_factory=dict)
    uris: dict[str, list[str]] = field(default_factory=dict)  # uri key -> concept IRIs

    def of_kind(self, kind: str) -> list[Concept]:
        return [c for c in self.concepts.values() if c.kind == kind]

    def ancestors(self, iri: str) -> set[str]:
        """Every concept ``iri`` is (transitively) narrower than."""
        seen: set[str] = set()
        todo = list(self.concepts[iri].broader) if iri in self.concepts else []
        while todo:
            b = todo.pop()
            if b not in seen:
                seen.add(b)
                todo.extend(self.concepts[b].broader if b in self.concepts else ())
        return seen


def _literal_pairs(values: list[ox.Literal]) -> tuple[tuple[str, str], ...]:
    return tuple((v.value, v.language or "") for v in values)


_T = TypeVar("_T")


def _first(props: dict[str, list[ox.NamedNode | ox.Literal]], prop: str, cast: Callable[[str], _T]) -> _T | None:
    values = props.get(prop)
    return cast(values[0].value) if values else None


def load_thesaurus(path: Path = THESAURUS_PATH) -> Thesaurus:
    """Parse the Turtle file and build the indexes (about 50 ms for ~4,500 triples)."""
    data = Path(path).read_bytes()
    store = ox.Store()
    store.load(data, format=ox.RdfFormat.TURTLE)
    by_subject: dict[str, dict[str, list[ox.NamedNode | ox.Literal]]] = defaultdict(lambda: defaultdict(list))
    for quad in store:
        if isinstance(quad.subject, ox.NamedNode):
            by_subject[quad.subject.value][quad.predicate.value].append(quad.object)
    concepts: dict[str, Concept] = {}
    for subject, props in by_subject.items():
        if ox.NamedNode(SKOS.Concept) not in props.get(RDF.type, []):
            continue
        kinds = [SCHEME_KINDS[s.value] for s in props.get(SKOS.inScheme, []) if s.value in SCHEME_KINDS]
        if len(kinds) != 1:
            raise ValueError(f"{path}: concept <{subject}> must be in exactly one kind's scheme")

        concepts[subject] = Concept(
            iri=subject,
            kind=kinds[0],
            pref_labels=_literal_pairs(props.get(SKOS.prefLabel, [])),  # type: ignore[arg-type]
            alt_labels=_literal_pairs(props.get(SKOS.altLabel, [])),  # type: ignore[arg-type]
            matches=tuple(sorted(m.value for p in _MATCH_PROPERTIES for m in props.get(p, []))),
            broader=tuple(sorted(b.value for b in props.get(SKOS.broader, []))),
            begin=_first(props, SROM.beginYear, int),
            end=_first(props, SROM.endYear, int),
            lat=_first(props, WGS84.lat, float),
            lon=_first(props, WGS84.long, float),
        )
    version = hashlib.sha256(data + CLOSURE_REVISION).hexdigest()[:16]
    dumped = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    assert dumped is not None  # no output given: the serialisation is returned
    ntriples = dumped.decode()
    th = Thesaurus(concepts=concepts, ntriples=ntriples, version=version)
    _teach_fallback_t2s(concepts.values())
    _index(th)
    return th


def _teach_fallback_t2s(concepts: Iterable[Concept]) -> None:
    # Without opencc, the labels' own traditional/simplified pairs (same length, same concept) are the table.
    pairs: dict[str, str] = {}
    for c in concepts:
        hans = [t for t, lang in c.pref_labels + c.alt_labels if lang.lower() == "zh-hans"]
        hant = [t for t, lang in c.pref_labels + c.alt_labels if lang.lower() == "zh-hant"]
        for s, t in zip(hans, hant, strict=False):
            if len(s) == len(t):
                pairs.update(zip(t, s, strict=True))
    folding.add_t2s_pairs(pairs)


def _index(th: Thesaurus) -> None:
    for c in th.concepts.values():
        for labels, preferred in ((c.pref_labels, True), (c.alt_labels, False)):
            for text, lang in labels:
                k = folding.key(text)
                if not k:
                    continue
                entry = IndexEntry(c.iri, primary_language(lang), preferred)
                th.labels.setdefault((c.kind, k), []).append(entry)
                th.loose_labels.setdefault((c.kind, folding.loose_key(k)), []).append(entry)
        for uri in (c.iri, *c.matches):
            uk = folding.uri_key(uri)
            if uk and c.iri not in th.uris.setdefault(uk, []):
                th.uris[uk].append(c.iri)


_LOCK = threading.Lock()
_CURRENT: Thesaurus | None = None


def get_thesaurus() -> Thesaurus:
    """The thesaurus from ``ontology/thesaurus.ttl``, loaded once per process (thread-safe)."""
    global _CURRENT
    if _CURRENT is None:
        with _LOCK:
            if _CURRENT is None:
                _CURRENT = load_thesaurus()
    return _CURRENT


def reload_thesaurus(path: Path = THESAURUS_PATH) -> Thesaurus:
    """Re-read the file (after an admin edited it); reconciliation caches are cleared by the caller."""
    global _CURRENT
    with _LOCK:
        _CURRENT = load_thesaurus(path)
    return _CURRENT


def closure_ntriples(th: Thesaurus) -> str:
    """The ``skos:broader`` closure as N-Triples, loaded with the thesaurus graph (ontology/MODEL.md).

    ``{c} skos:broaderTransitive {a}`` for every ancestor ``a`` of every concept ``c``, and the reflexive
    ``{c} srom:within {c}``, ``{c} srom:within {a}``: a nested facet (Samarkand includes Afrasiyab, Han
    includes Western Han, coin includes drachm) is then the single join ``?c srom:within <chosen>``
    instead of ``skos:broader*``.
    """
    from ontology.ntriples import iri, triple

    transitive, within = iri(SKOS.broaderTransitive), iri(SROM.within)
    lines = []
    for concept in sorted(th.concepts):
        c = iri(concept)
        lines.append(triple(c, within, c))
        for ancestor in sorted(th.ancestors(concept)):
            a = iri(ancestor)
            lines += [triple(c, transitive, a), triple(c, within, a)]
    return "".join(lines)


def version_triple(graph: str, version: str) -> str:
    """The N-Triples line that stamps the loaded thesaurus graph with the file's version."""
    from ontology.ntriples import iri, literal, triple

    return triple(iri(graph), iri(OWL.versionInfo), literal(version))


__all__ = [
    "CONCEPT_BASE",
    "KINDS",
    "Concept",
    "Thesaurus",
    "closure_ntriples",
    "get_thesaurus",
    "load_thesaurus",
    "primary_language",
    "reload_thesaurus",
    "thesaurus_graph",
    "version_triple",
]


def graph_ntriples(th: Thesaurus, graph: str) -> str:
    """What the thesaurus graph holds: the concepts, the ``skos:broader`` closure and the version stamp."""
    return th.ntriples + closure_ntriples(th) + version_triple(graph, th.version)
