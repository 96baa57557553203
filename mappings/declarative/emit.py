"""The output side of one record being mapped: its node IRIs, its N-Triples lines, its terms.

:class:`State` collects a record's triples as ordered, de-duplicated N-Triples lines and mints the
record's sub-nodes (``{obj}/name/{n}`` ...); the term helpers read a concept, place or actor (its own
URI, else a local term IRI from its label) and write it. Everything goes through ``ontology.ntriples``.
Nothing here knows a metadata format, and nothing does I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from ontology.namespaces import AAT, CRM, LA, RDF, RDFS
from ontology.ntriples import iri, literal, triple

from .concept_links import link_term
from .xpaths import Value, read_values

if TYPE_CHECKING:
    from ontology.iris import IriMinter

    from ..records import MappingContext
    from .spec import Rule

A = iri(RDF.type)
LABEL = iri(RDFS.label)
class _CrmTerms(dict[str, str]):
    """CRM classes and properties as N-Triples terms, written once each; unknown names raise."""

    def __missing__(self, name: str) -> str:
        term = self[name] = iri(CRM.term(name))  # CRM is closed: a typo raises AttributeError
        return term


CRMT = _CrmTerms()
ACCESS_POINT = iri(LA.access_point)
SHOWN_BY = iri(LA.digitally_shown_by)
DIGITAL_OBJECT = iri(LA.DigitalObject)
DIGITAL_IMAGE = iri(AAT + "300215302")
WKT = "http://www.opengis.net/ont/geosparql#wktLiteral"
# Labels, concept IRIs and local terms repeat across a feed's records ("bowl"@en thousands of times):
# memoising the ntriples writers for them saves a third of the mapping time.
cached_literal = lru_cache(maxsize=1 << 16)(literal)
_iri = lru_cache(maxsize=1 << 16)(iri)
HTTP_URI = re.compile(r"^https?://\S+$", re.IGNORECASE)


class Node(NamedTuple):
    """A node of the record's graph: its IRI (for minting below it) and its N-Triples term."""

    iri: str
    term: str


class Term(NamedTuple):
    """A concept, place or actor read from the record: its IRI and its labels."""

    node: Node
    labels: list[Value]
    extra: tuple[str, ...] = ()  # more rdf:type terms (E21_Person for a person actor)
    point: str | None = None  # WKT, for places


@dataclass
class State:
    """The output of one record being mapped: ordered, de-duplicated N-Triples lines and counters."""

    ctx: MappingContext
    obj: Node
    bare: bool
    default_lang: str | None
    prefer: tuple[str, ...]
    lines: dict[str, None] = field(default_factory=dict)
    shared_lines: dict[str, None] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    seen: set[tuple] = field(default_factory=set)
    label_langs: set[str | None] = field(default_factory=set)
    title: str | None = None
    identifier: str | None = None
    production_node: Node | None = None
    production_event_seen: bool = False
    visual_node: Node | None = None
    # Contextual entities (EDM edm:Place, skos:Concept...) by key, read lazily on the first resolve.
    root: Any = None
    entity_paths: tuple[Any, Any] | None = None
    _entities: dict[str, Any] | None = None
    # Reconciliation (mappings/reconciling.py): the last triple added (the link to the term written next),
    # time-span labels (for periods) and the terms no shared concept matched: (kind, label, language).
    last: tuple[str, str, str] | None = None
    timespan_labels: list[tuple[str, str]] = field(default_factory=list)
    unmatched: list[tuple[str, str, str | None]] = field(default_factory=list)

    def resolve(self, el: Any, reference: Any) -> Any:
        """The record's entity ``el`` refers to (``reference`` reads the key, e.g. ``@rdf:resource``), else ``el``."""
        if not hasattr(el, "tag") or self.entity_paths is None:
            return el
        refs = read_values(reference(el, self.bare), self.bare, None)
        if not refs:
            return el
        if self._entities is None:
            entities, key = self.entity_paths
            self._entities = {}
            for entity in entities(self.root, self.bare):
                keys = read_values(key(entity, self.bare), self.bare, None) if hasattr(entity, "tag") else []
                if keys:
                    self._entities.setdefault(keys[0].text, entity)  # the first description wins
        found = self._entities.get(refs[0].text)
        return el if found is None or found is el else found

    def add(self, s: str, p: str, o: str) -> None:
        # A dict is an insertion-ordered set: duplicates vanish, the first position is kept.
        # Triples about the object or a node minted under it belong to the record; the rest describe
        # shared terms (see MappedRecord).
        if s == self.obj.term or s.startswith(self.own_prefix):
            self.lines[triple(s, p, o)] = None
        else:
            self.shared_lines[triple(s, p, o)] = None
        self.last = (s, p, o)
        if p == LABEL and s.endswith("/timespan>"):
            self.timespan_labels.append((s, o))

    def __post_init__(self) -> None:
        self.own_prefix = self.obj.term[:-1] + "/"  # "<{obj}/", the start of every minted sub-node

    def once(self, *key: object) -> bool:
        """True the first time ``key`` is seen in this record (avoids duplicate minted nodes)."""
        if key in self.seen:
            return False
        self.seen.add(key)
        return True

    def mint(self, kind: str) -> Node:
        n = self.counters.get(kind, 0) + 1
        self.counters[kind] = n
        # The object term is already a clean IRI term and the suffix is plain ASCII, so the sub-node's
        # term is derived from it instead of being cleaned again.
        return Node(f"{self.obj.iri}/{kind}/{n}", f"{self.obj.term[:-1]}/{kind}/{n}>")

    def production(self) -> Node:
        if self.production_node is None:
            node_iri = f"{self.obj.iri}/production"
            self.production_node = Node(node_iri, iri(node_iri))
            self.add(self.obj.term, CRMT["P108i_was_produced_by"], self.production_node.term)
            self.add(self.production_node.term, A, CRMT["E12_Production"])
        return self.production_node

    def visual(self) -> Node:
        if self.visual_node is None:
            node_iri = f"{self.obj.iri}/visual"
            self.visual_node = Node(node_iri, iri(node_iri))
            self.add(self.obj.term, CRMT["P65_shows_visual_item"], self.visual_node.term)
            self.add(self.visual_node.term, A, CRMT["E36_Visual_Item"])
        return self.visual_node

    def values(self, rule: Rule, key: str, el: Any, block: bool = False) -> list[Value]:
        """Values of the rule's field ``key`` read from ``el`` (``el`` itself when the field is absent)."""
        path = rule.x.get(key)
        if path is None or not hasattr(el, "tag"):
            items = [el]
        else:
            items = path(el, self.bare)
        return read_values(items, self.bare, rule.lang or self.default_lang, block)


# --- terms (concepts, places, actors, units) -------------------------------------------------------


def pick_uri(values: list[Value], prefer: tuple[str, ...]) -> str | None:
    """The concept's own http(s) URI; among several, the first from a preferred vocabulary."""
    uris = [v.text for v in values if HTTP_URI.match(v.text)]
    for prefix in prefer:
        for u in uris:
            if u.startswith(prefix):
                return u
    return uris[0] if uris else None


def read_term(rule: Rule, el: Any, st: State, kind: str) -> Term | None:
    labels = st.values(rule, "label", el)
    uri = None
    if rule.c.get("iri", "concept") == "concept" and "uri" in rule.x and hasattr(el, "tag"):
        uri = pick_uri(st.values(rule, "uri", el), st.prefer)
    if uri is None:
        if not labels:
            return None
        uri = _local_term(st.ctx.minter, st.ctx.museum, rule.c.get("kind") or kind, labels[0].text)
    extra: tuple[str, ...] = ()
    kinds = rule.c.get("kinds")
    if kinds and "kind_of" in rule.x and hasattr(el, "tag"):
        for v in st.values(rule, "kind_of", el):
            cls = kinds.get(v.text.casefold())
            if cls:
                extra = (cls,)
                break
    point = None
    if "coordinates" in rule.x and hasattr(el, "tag"):
        for v in st.values(rule, "coordinates", el):
            point = wkt_point(v.text, rule.c.get("coordinate_order", "lat lon"))
            if point:
                break
    return Term(Node(uri, _iri(uri)), labels, extra, point)


@lru_cache(maxsize=1 << 16)
def _local_term(minter: IriMinter, museum: str, kind: str, label: str) -> str:
    return minter.local_term(museum, kind, label)


def wkt_point(text: str, order: str) -> str | None:
    """``POINT(lon lat)`` from "lat lon" (GML ``pos`` in EPSG:4326 order) or "lon lat"; None if invalid."""
    parts = text.replace(",", " ").split()
    if len(parts) < 2:
        return None
    try:
        a, b = float(parts[0]), float(parts[1])
    except ValueError:
        return None
    lat, lon, lat_s, lon_s = (a, b, parts[0], parts[1]) if order == "lat lon" else (b, a, parts[1], parts[0])
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return f"POINT({lon_s} {lat_s})"


def write_term(st: State, term: Term, cls: str) -> None:
    link = st.last  # the triple that pointed at this term: every caller adds it just before writing the term
    st.add(term.node.term, A, cls)
    for extra in term.extra:
        st.add(term.node.term, A, extra)
    for v in term.labels:
        st.add(term.node.term, LABEL, cached_literal(v.text, v.lang))
    if term.point:
        st.add(term.node.term, CRMT["P168_place_is_defined_by"], literal(term.point, datatype=WKT))
    link_term(st, term, cls, link)  # the shared concept (mappings/reconciling.py)
