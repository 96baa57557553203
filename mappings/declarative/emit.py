"""The output side of one record being mapped: its node IRIs and its N-Triples lines.

:class:`State` collects a record's triples as ordered, de-duplicated N-Triples lines, mints the record's
sub-nodes (``{obj}/name/{n}`` ...) and finds the record's contextual entities (EDM) a reference points
at; :class:`Node` and :class:`Term` are what the targets write, and the constants here are the CRM and
Linked Art terms they write with. Everything goes through ``ontology.ntriples``. Nothing here knows a
metadata format or a mapping rule, and nothing does I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from ontology.namespaces import AAT, CRM, LA, RDF, RDFS
from ontology.ntriples import iri, literal, triple

from .xpaths import Value, read_values

if TYPE_CHECKING:
    from ..records import MappingContext

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
cached_iri = lru_cache(maxsize=1 << 16)(iri)
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
    # Reconciliation (concept_links.py): the last triple added (the link to the term written next),
    # time-span labels (for periods) and the terms no shared concept matched: (kind, label, language).
    last: tuple[str, str, str] | None = None
    timespan_labels: list[tuple[str, str]] = field(default_factory=list)
    unmatched: list[tuple[str, str, str | None]] = field(default_factory=list)
    # What the mapping read but could not use whole (a DCMI Point's bad coordinates), said per record.
    warnings: list[str] = field(default_factory=list)

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

    def warn(self, rule: str, text: str) -> None:
        """Note that rule ``rule`` dropped part of a value (``text`` says what and why)."""
        message = f"{rule}: {text}"
        if message not in self.warnings:
            self.warnings.append(message)

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
