"""An object's record graph as Linked Art JSON-LD: compacted with the published Linked Art context.

Object IRIs answer ``application/ld+json`` (with or without ``profile="https://linked.art/ns/v1/linked-art.json"``)
with one JSON object: ``"@context": "https://linked.art/ns/v1/linked-art.json"``, the object's ``id`` and
``type`` (``HumanMadeObject``), then its properties by their Linked Art keys (``identified_by``,
``classified_as``, ``produced_by``, ``current_custodian``...), the nodes it owns nested where they are used,
and the terms it points at as ``{"id", "type", "_label"}``.

The keys, classes and value kinds come from the Linked Art context itself, vendored in
``web/objects/contexts/linked-art.json`` (from https://linked.art/ns/v1/linked-art.json, CC BY 4.0): it is
read from that file, never fetched. A predicate the context has no key for is written with its full IRI
(JSON-LD keeps it; Linked Art readers ignore it), a literal the key cannot carry as a bare string as a value
object (``{"@value", "@language"}`` or ``{"@value", "@type"}``), so that expanding the document with the
context gives back the record graph's triples (tested with pyoxigraph's JSON-LD parser). Numbers are JSON
numbers, as Linked Art writes them.
"""

from __future__ import annotations

import json
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

CONTEXT_URL = "https://linked.art/ns/v1/linked-art.json"
PROFILE = CONTEXT_URL
CONTEXT_FILE = Path(__file__).parent / "contexts" / "linked-art.json"
MEDIA_TYPE = f'application/ld+json;profile="{PROFILE}"'
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMBERS = {XSD + "decimal", XSD + "integer", XSD + "double", XSD + "float", XSD + "int", XSD + "long"}
#: how deep nodes are nested before they are given by reference only
MAX_DEPTH = 12


class Term:
    """One key of the context: the property it stands for and how its values are written."""

    def __init__(self, name: str, iri: str, datatype: str | None, is_set: bool) -> None:
        self.name, self.iri, self.datatype, self.is_set = name, iri, datatype, is_set

    @property
    def reference(self) -> bool:
        return self.datatype in ("@id", "@vocab")


class Context:
    """The vendored context as lookup tables: class IRI → name, property IRI → term (and per class)."""

    def __init__(self, document: dict[str, Any]) -> None:
        ctx = document["@context"]
        self.prefixes = {k: v for k, v in ctx.items() if isinstance(v, str) and not v.startswith("@")}
        self.classes: dict[str, str] = {}
        self.properties: dict[str, Term] = {}
        self.scoped: dict[str, dict[str, Term]] = {}  # class IRI → property IRI → term
        for name, value in ctx.items():
            if not isinstance(value, dict) or "@id" not in value:
                continue
            iri = self.expand(value["@id"])
            if name[:1].isupper():
                self.classes.setdefault(iri, name)
                for scoped_name, scoped in (value.get("@context") or {}).items():
                    if isinstance(scoped, dict) and "@id" in scoped:
                        term = self._term(scoped_name, scoped)
                        self.scoped.setdefault(iri, {}).setdefault(term.iri, term)
            else:
                term = self._term(name, value)
                self.properties.setdefault(term.iri, term)

    def _term(self, name: str, value: dict[str, Any]) -> Term:
        datatype = value.get("@type")
        return Term(name, self.expand(value["@id"]), self.expand(datatype) if datatype else None,
                    value.get("@container") == "@set")

    def expand(self, value: str) -> str:
        if value.startswith("@"):
            return value
        prefix, colon, local = value.partition(":")
        if colon and prefix in self.prefixes and not local.startswith("//"):
            return self.prefixes[prefix] + local
        return value

    def term_for(self, predicate: str, classes: list[str]) -> Term | None:
        for cls in classes:
            found = self.scoped.get(cls, {}).get(predicate)
            if found is not None:
                return found
        return self.properties.get(predicate)


@cache
def context() -> Context:
    with CONTEXT_FILE.open(encoding="utf-8") as fh:
        return Context(json.load(fh))


def context_document() -> dict[str, Any]:
    """The vendored context document (for clients that want it from the hub)."""
    with CONTEXT_FILE.open(encoding="utf-8") as fh:
        return json.load(fh)


Node = ox.NamedNode | ox.BlankNode


def linked_art(object_iri: str, triples: list[ox.Triple]) -> dict[str, Any]:
    """The Linked Art JSON-LD document of ``object_iri`` from its record graph's triples."""
    out: dict[Node, dict[str, list[ox.NamedNode | ox.BlankNode | ox.Literal]]] = defaultdict(lambda: defaultdict(list))
    for t in triples:
        if isinstance(t.subject, ox.Triple) or isinstance(t.object, ox.Triple):
            continue
        out[t.subject][t.predicate.value].append(t.object)
    ctx = context()
    root = ox.NamedNode(object_iri)
    document: dict[str, Any] = {"@context": CONTEXT_URL}
    document.update(_node(root, out, ctx, set(), 0))
    return document


def _node(node: Node, out: dict, ctx: Context, path: set[Node], depth: int) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if isinstance(node, ox.NamedNode):
        data["id"] = node.value
    described = out.get(node)
    if not described:
        return data
    classes = [c.value for c in described.get(RDF_TYPE, []) if isinstance(c, ox.NamedNode)]
    if classes:
        names = [ctx.classes.get(c, c) for c in classes]
        data["type"] = names[0] if len(names) == 1 else names
    if depth >= MAX_DEPTH:
        return data
    path = path | {node}
    for predicate, values in described.items():
        if predicate == RDF_TYPE:
            continue
        term = ctx.term_for(predicate, classes)
        key = term.name if term is not None else predicate
        written = [_value(v, term, out, ctx, path, depth) for v in values]
        if term is not None and not term.is_set and len(written) == 1:
            data[key] = written[0]
        else:
            data[key] = written
    return data


def _value(value: ox.NamedNode | ox.BlankNode | ox.Literal, term: Term | None, out: dict, ctx: Context,
           path: set[Node], depth: int) -> Any:
    if isinstance(value, ox.Literal):
        return _literal(value, term)
    if value in path:  # a cycle: the node is already being written above
        return {"id": value.value} if isinstance(value, ox.NamedNode) else {}
    if term is not None and term.reference or term is None or out.get(value):
        return _node(value, out, ctx, path, depth + 1)
    return {"id": value.value} if isinstance(value, ox.NamedNode) else {}


def _literal(value: ox.Literal, term: Term | None) -> Any:
    datatype = value.datatype.value
    if value.language:
        return {"@value": value.value, "@language": value.language}
    if term is not None and term.datatype == datatype:
        return value.value
    if datatype in _NUMBERS:
        try:
            number = float(value.value)
        except ValueError:
            return {"@value": value.value, "@type": datatype}
        integral = "." not in value.value and "e" not in value.value.lower()
        if datatype != XSD + "double" and number.is_integer() and integral:
            return int(value.value)
        return number
    if datatype == XSD + "string" and (term is None or term.datatype is None):
        return value.value
    return {"@value": value.value, "@type": datatype}
