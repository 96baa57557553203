"""The ``linked-art`` mapping: one Linked Art JSON-LD object document in, a hub record out.

The compact JSON is read key by key with the hub's own tables (``mappings.rdf.linked_art_vocab``), not
expanded by a JSON-LD processor: no context is fetched, the two published contexts
(``https://linked.art/ns/v1/linked-art.json`` and the Getty's ``v1.1.0`` copy) and both model
generations (``ManMadeObject``/``label``/``value`` and ``HumanMadeObject``/``_label``/``content``) read
the same, and what real museum documents do besides the specification (references written as bare
strings, ``aat:`` compact IRIs, Getty ``page/aat`` URLs, null values) is handled in one place.
Unknown keys are ignored, as JSON-LD would with a context that does not define them.

The triples then go through ``mappings.rdf.record_builder``: the object is re-minted under the hub's IRI, the
museum's ``id`` kept as ``owl:sameAs``; type, material, place and actor IRIs the museum gives (AAT, TGN,
ULAN, Nomisma...) are kept as the terms.

Pure: a document (dict, or JSON text) in, a :class:`MappedRecord` out.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

import pyoxigraph as ox

from ontology.namespaces import CRM, LA, RDF, XSD
from ontology.ntriples import InvalidIri, clean_iri

from ..errors import RecordError
from ..records import MappedRecord, MappingContext
from .description import E22, Term, is_under
from .linked_art_vocab import CLASSES, LANGUAGES, PAGE_PREFIXES, PREFIXES, PROPERTIES, SCOPED, scoped_property
from .record_builder import build_record

_CURIE = re.compile(r"^([A-Za-z][\w.-]*):(?!//)(.*)$")
_SKIP = frozenset({"id", "@id", "type", "@type", "@context", "_deprecated", "_complete", "_links"})
_SYMBOLIC = frozenset(
    CLASSES[n] for n in ("Name", "Appellation", "Identifier", "Title", "LinguisticObject", "Inscription", "Mark")
)
_RDF_TYPE = ox.NamedNode(RDF.type)
_EQUIVALENT = ox.NamedNode(LA.equivalent)
# Parts of a physical thing (and of its parts): embedded parts are the object's own nodes.
_PART_PROPERTIES = frozenset({ox.NamedNode(CRM.P46_is_composed_of)})
_DECIMAL = ox.NamedNode(XSD.decimal)
# The earliest Linked Art drafts wrote the plural.
_SCOPED_ALIASES = {"parts": "part", "members": "member"}
_MAX_DEPTH = 40  # deeper nesting than any real record: stop rather than recurse without end


class LinkedArtMapping:
    """Linked Art JSON-LD (a dict, or its JSON text) -> MODEL.md."""

    format_name = "linked-art"
    version = "linked-art/1"
    #: not an XML format: the harvest run hands the payload over as it is
    root_tags: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"<Mapping {self.version}>"

    def map_record(self, payload: Any, ctx: MappingContext, source_id: str | None = None) -> MappedRecord:
        doc = _document(payload, source_id)
        reader = _Reader()
        subject = reader.node(doc, 0)
        if not isinstance(subject, ox.NamedNode):
            if not any(k in doc for k in ("id", "@id", "type", "@type")):
                raise RecordError(source_id, "not a Linked Art document (it has neither an id nor a type)")
            if not (source_id and source_id.startswith(("http://", "https://"))):
                raise RecordError(source_id, "the document has no id")
            reader.rename(subject, ox.NamedNode(clean_iri(source_id)))
            subject = ox.NamedNode(clean_iri(source_id))
        if E22 not in reader.classes.get(subject, []):
            kinds = ", ".join(str(t) for t in _listify(doc.get("type") or doc.get("@type"))) or "no type"
            raise RecordError(source_id or subject.value, f"not a HumanMadeObject (type: {kinds})")
        return build_record(
            reader.triples, ctx, source_id=source_id or subject.value, version=self.version, object_iri=subject.value
        )


def _document(payload: Any, source_id: str | None) -> dict[str, Any]:
    if isinstance(payload, bytes | str):
        try:
            payload = json.loads(payload)
        except ValueError as exc:
            raise RecordError(source_id, f"not JSON: {exc}") from exc
    if isinstance(payload, list):  # a JSON-LD array holding the object
        payload = next((d for d in payload if isinstance(d, dict)), None)
    if not isinstance(payload, dict):
        raise RecordError(source_id, "the record is not a JSON-LD object")
    return payload


def _listify(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


@lru_cache(maxsize=1 << 14)  # vocabulary IRIs (aat:..., the museum's terms) repeat across records
def expand_iri(value: str) -> ox.NamedNode | None:
    """An absolute IRI for a reference (compact ``aat:...`` forms expanded); None when unusable."""
    value = value.strip()
    match = _CURIE.match(value)
    if match and match.group(1) in PREFIXES:
        value = PREFIXES[match.group(1)] + match.group(2)
    for page, concept in PAGE_PREFIXES.items():
        if value.startswith(page):
            value = concept + value[len(page) :]
    try:
        return ox.NamedNode(clean_iri(value))
    except (InvalidIri, ValueError):
        return None


class _Reader:
    """Walks one document, collecting triples in document order."""

    def __init__(self) -> None:
        self.triples: list[tuple[Term, ox.NamedNode, Term]] = []
        self.classes: dict[Term, list[ox.NamedNode]] = {}

    def rename(self, old: Term, new: Term) -> None:
        self.triples = [(new if s == old else s, p, new if o == old else o) for s, p, o in self.triples]
        self.classes[new] = self.classes.pop(old, [])

    def node(self, data: dict[str, Any], depth: int, part_of: ox.NamedNode | None = None) -> Term:
        ident = data.get("id", data.get("@id"))
        subject: Term | None = expand_iri(ident) if isinstance(ident, str) else None
        if part_of is not None and isinstance(subject, ox.NamedNode) and not is_under(subject.value, part_of.value):
            # A part described inside the object's document belongs to it, whatever its id: minted under
            # the object (its own id kept as la:equivalent) instead of being taken for another object.
            original, subject = subject, ox.BlankNode()
            self.triples.append((subject, _EQUIVALENT, original))
        if subject is None:
            subject = ox.BlankNode()  # named from its content later (mappings.rdf.record_nodes)
        classes = [c for t in _listify(data.get("type", data.get("@type"))) if (c := self._class(t))]
        self.classes.setdefault(subject, []).extend(classes)
        for cls in classes:
            self.triples.append((subject, _RDF_TYPE, cls))
        lang = self._language(data.get("language"))
        if depth >= _MAX_DEPTH:
            return subject
        for key, value in data.items():
            if key in _SKIP or value is None:
                continue
            resolved = self._property(key, classes)
            if resolved is None:
                continue
            prop, kind = resolved
            whole = subject if prop in _PART_PROPERTIES and isinstance(subject, ox.NamedNode) else None
            for item in _listify(value):
                obj = self._value(item, kind, lang, depth, whole)
                if obj is not None:
                    self.triples.append((subject, prop, obj))
        return subject

    def _class(self, name: Any) -> ox.NamedNode | None:
        if not isinstance(name, str):
            return None
        if name in CLASSES:
            return ox.NamedNode(CLASSES[name])
        return expand_iri(name) if _CURIE.match(name) or name.startswith(("http://", "https://")) else None

    def _property(self, key: str, classes: list[ox.NamedNode]) -> tuple[ox.NamedNode, str] | None:
        if key in SCOPED or key in _SCOPED_ALIASES:
            prop = scoped_property(_SCOPED_ALIASES.get(key, key), [c.value for c in classes])
            return (ox.NamedNode(prop), "ref") if prop else None
        if key == "value" and any(c.value in _SYMBOLIC for c in classes):
            return ox.NamedNode(PROPERTIES["content"][0]), "text"  # the older model's text content
        if key in PROPERTIES:
            prop, kind = PROPERTIES[key]
            return ox.NamedNode(prop), kind
        if _CURIE.match(key) or key.startswith(("http://", "https://")):
            expanded = expand_iri(key)
            return (expanded, "any") if expanded is not None and expanded.value != key else None
        return None

    def _value(
        self, item: Any, kind: str, lang: str | None, depth: int, whole: ox.NamedNode | None = None
    ) -> Term | None:
        if isinstance(item, dict):
            if "@value" in item:
                return self._value(item["@value"], "text", item.get("@language") or lang, depth)
            if kind in ("ref", "any"):
                return self.node(item, depth + 1, whole)
            return None
        if isinstance(item, bool):
            return None
        if kind == "ref":
            return expand_iri(item) if isinstance(item, str) else None
        if isinstance(item, int | float):
            return ox.Literal(repr(item) if isinstance(item, float) else str(item), datatype=_DECIMAL)
        if not isinstance(item, str) or not item.strip():
            return None
        if kind == "text" and lang:
            return ox.Literal(item, language=lang)
        return ox.Literal(item)

    def _language(self, value: Any) -> str | None:
        for item in _listify(value):
            ident = item.get("id") if isinstance(item, dict) else item
            if isinstance(ident, str):
                code = LANGUAGES.get(ident.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1])
                if code:
                    return code
        return None
