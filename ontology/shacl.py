"""A compiled evaluator for the SHACL Core subset the hub's shapes use, run on N-Triples text.

pyshacl builds an rdflib graph per record and costs 6-9 ms of CPU per record (``python -m
bench.validation``: synthetic LIDO, ~80 triples each); the harvest's whole budget is about 0.5 ms per
record. This module compiles a shapes graph once (parsed with pyoxigraph) and evaluates it on a record's
N-Triples lines with plain dicts: ~0.1 ms per record, two thirds of it splitting the lines.

Supported, and nothing else (anything else in the ``sh:`` namespace makes :func:`compile_shapes` raise
:class:`ShapesError`, so a shapes file can never silently mean more than this evaluator checks):

- node shapes with ``sh:targetClass`` (instances through ``rdf:type/rdfs:subClassOf*`` in the data)
  and ``sh:property``;
- property shapes with ``sh:path`` (a predicate IRI or a sequence path of predicate IRIs),
  ``sh:minCount``, ``sh:maxCount``, ``sh:hasValue`` (an IRI), ``sh:class``, ``sh:datatype``,
  ``sh:nodeKind``, ``sh:severity``, ``sh:message``, ``sh:name``, ``sh:description``.

Semantics follow SHACL 1.0 as pyshacl implements it; tests/test_validation.py runs both over every
fixture and sample record and requires the same conformance and the same (focus, path, severity) set.
Values are compared as N-Triples terms, which is exact for IRIs (the only kind ``sh:hasValue`` takes).
One known difference, outside anything the mappings write: ``sh:datatype`` checks the XSD lexical space
of xsd:decimal, xsd:integer and xsd:boolean, where rdflib also accepts a few Python spellings ("1e5" as a
decimal).

This module owns the subset and its evaluation; it knows nothing of the hub's shapes or records and
does no I/O beyond the text it is given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

SH = "http://www.w3.org/ns/shacl#"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
SUBCLASS = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_STRING = _XSD + "string"
_LANG_STRING = _RDF + "langString"

_NODE_KEYS = frozenset({"targetClass", "property", "name", "description"})
_PROPERTY_KEYS = frozenset(
    {"path", "minCount", "maxCount", "hasValue", "class", "datatype", "nodeKind", "severity", "message",
     "name", "description"}
)
_NODE_KINDS = {
    "IRI": frozenset({"iri"}),
    "Literal": frozenset({"literal"}),
    "BlankNode": frozenset({"bnode"}),
    "BlankNodeOrIRI": frozenset({"bnode", "iri"}),
    "BlankNodeOrLiteral": frozenset({"bnode", "literal"}),
    "IRIOrLiteral": frozenset({"iri", "literal"}),
}
# Lexical forms for the datatypes whose well-formedness pyshacl (through rdflib) checks; other
# datatypes are matched by IRI only.
_LEXICAL = {
    _XSD + "decimal": re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$"),
    _XSD + "integer": re.compile(r"^[+-]?\d+$"),
    _XSD + "boolean": re.compile(r"^(true|false|1|0)$"),
}


class ShapesError(ValueError):
    """A shapes graph that uses SHACL features this evaluator does not implement (or is malformed)."""


@dataclass(frozen=True)
class Result:
    """One validation result: the focus node and value as N-Triples terms, the path as IRIs."""

    focus: str
    path: str | tuple[str, ...]
    severity: str  # "Violation", "Warning" or "Info" (the local name of the sh: severity)
    message: str
    component: str  # the constraint ("minCount", "class"...)
    value: str | None = None
    shape: str | None = None  # the property shape's IRI, None for a blank node


@dataclass(frozen=True)
class PropertyShape:
    shape: str | None
    path: tuple[str, ...]  # predicates as N-Triples terms, in order
    path_key: str | tuple[str, ...]  # as reported: one IRI, or a tuple for a sequence path
    severity: str = "Violation"
    message: str = ""
    min_count: int | None = None
    max_count: int | None = None
    has_value: str | None = None
    classes: tuple[str, ...] = ()
    datatype: str | None = None
    node_kinds: frozenset[str] | None = None


@dataclass(frozen=True)
class NodeShape:
    shape: str | None
    target_classes: tuple[str, ...]
    properties: tuple[PropertyShape, ...] = field(default_factory=tuple)


# --- compiling ---------------------------------------------------------------------------------------


def _term(node: object) -> str:
    return str(node)  # pyoxigraph writes N-Triples syntax: <iri>, _:b, "lit"@en


def _iri_of(node: object, where: str) -> str:
    if not isinstance(node, ox.NamedNode):
        raise ShapesError(f"{where}: expected an IRI, got {node}")
    return node.value


class _Graph:
    def __init__(self, triples: Iterable[ox.Triple]) -> None:
        self.out: dict[object, dict[str, list[object]]] = {}
        for t in triples:
            self.out.setdefault(t.subject, {}).setdefault(t.predicate.value, []).append(t.object)

    def objects(self, s: object, p: str) -> list[object]:
        return self.out.get(s, {}).get(p, [])

    def one(self, s: object, p: str, where: str) -> object | None:
        values = self.objects(s, p)
        if len(values) > 1:
            raise ShapesError(f"{where}: more than one {p}")
        return values[0] if values else None

    def rdf_list(self, head: object, where: str) -> list[object]:
        items: list[object] = []
        nil = ox.NamedNode(_RDF + "nil")
        while head != nil:
            first = self.one(head, _RDF + "first", where)
            if first is None:
                raise ShapesError(f"{where}: malformed RDF list")
            items.append(first)
            head = self.one(head, _RDF + "rest", where) or nil
        return items


def _sh_keys(g: _Graph, node: object, allowed: frozenset[str], where: str) -> None:
    for p in g.out.get(node, {}):
        if p.startswith(SH) and p[len(SH):] not in allowed:
            raise ShapesError(f"{where}: sh:{p[len(SH):]} is not supported by ontology.shacl")


def _int(g: _Graph, node: object, key: str, where: str) -> int | None:
    value = g.one(node, SH + key, where)
    if value is None:
        return None
    if not isinstance(value, ox.Literal) or not value.value.isdigit():
        raise ShapesError(f"{where}: sh:{key} must be a non-negative integer")
    return int(value.value)


def _message(g: _Graph, node: object) -> str:
    messages = [m for m in g.objects(node, SH + "message") if isinstance(m, ox.Literal)]
    english = [m for m in messages if (m.language or "").startswith("en")]
    chosen = (english or messages)[:1]
    return chosen[0].value if chosen else ""


def _property_shape(g: _Graph, node: object) -> PropertyShape:
    where = f"property shape {node}"
    _sh_keys(g, node, _PROPERTY_KEYS, where)
    path_node = g.one(node, SH + "path", where)
    if path_node is None:
        raise ShapesError(f"{where}: no sh:path")
    if isinstance(path_node, ox.NamedNode):
        steps = [path_node.value]
    else:
        if g.out.get(path_node, {}).keys() - {_RDF + "first", _RDF + "rest"}:
            raise ShapesError(f"{where}: only predicate and sequence paths are supported")
        steps = [_iri_of(step, where) for step in g.rdf_list(path_node, where)]
        if not steps:
            raise ShapesError(f"{where}: empty sequence path")
    severity = g.one(node, SH + "severity", where)
    kind = g.one(node, SH + "nodeKind", where)
    if kind is not None and _iri_of(kind, where).removeprefix(SH) not in _NODE_KINDS:
        raise ShapesError(f"{where}: unknown sh:nodeKind {kind}")
    has_value = g.one(node, SH + "hasValue", where)
    if has_value is not None and not isinstance(has_value, ox.NamedNode):
        raise ShapesError(f"{where}: sh:hasValue must be an IRI here")
    datatype = g.one(node, SH + "datatype", where)
    return PropertyShape(
        shape=node.value if isinstance(node, ox.NamedNode) else None,
        path=tuple(f"<{s}>" for s in steps),
        path_key=steps[0] if len(steps) == 1 and isinstance(path_node, ox.NamedNode) else tuple(steps),
        severity=_iri_of(severity, where).removeprefix(SH) if severity is not None else "Violation",
        message=_message(g, node),
        min_count=_int(g, node, "minCount", where),
        max_count=_int(g, node, "maxCount", where),
        has_value=_term(has_value) if has_value is not None else None,
        classes=tuple(f"<{_iri_of(c, where)}>" for c in g.objects(node, SH + "class")),
        datatype=_iri_of(datatype, where) if datatype is not None else None,
        node_kinds=_NODE_KINDS[_iri_of(kind, where).removeprefix(SH)] if kind is not None else None,
    )


def compile_shapes(data: bytes | str, base_iri: str | None = None) -> tuple[NodeShape, ...]:
    """Node shapes (with their property shapes) from a Turtle shapes graph; raises :class:`ShapesError`."""
    raw = data.encode() if isinstance(data, str) else data
    try:
        g = _Graph(ox.parse(raw, format=ox.RdfFormat.TURTLE, base_iri=base_iri))
    except SyntaxError as exc:
        raise ShapesError(f"shapes are not valid Turtle: {exc}") from exc
    node_shape = ox.NamedNode(SH + "NodeShape")
    subjects = [s for s, po in g.out.items() if node_shape in po.get(_RDF + "type", []) or SH + "targetClass" in po]
    out = []
    for s in subjects:
        where = f"node shape {s}"
        _sh_keys(g, s, _NODE_KEYS, where)
        targets = tuple(f"<{_iri_of(c, where)}>" for c in g.objects(s, SH + "targetClass"))
        props = tuple(_property_shape(g, p) for p in g.objects(s, SH + "property"))
        out.append(NodeShape(s.value if isinstance(s, ox.NamedNode) else None, targets, props))
    if not out:
        raise ShapesError("no node shape with sh:targetClass found")
    return tuple(out)


# --- evaluating ----------------------------------------------------------------------------------------

Index = dict[str, dict[str, list[str]]]


_OBJECT = re.compile(r'"(?:[^"\\]|\\.)*"(?:@[A-Za-z0-9-]+|\^\^<[^>]*>)?|<[^>]*>|_:\S+')


def index_ntriples(text: str, predicates: frozenset[str] | None = None) -> Index:
    """subject -> predicate -> objects, all as N-Triples terms (only ``predicates``, when given).

    Splitting lines is the cost of validation (~0.5 us a line), so a text in the canonical layout that
    ``ontology.ntriples`` and pyoxigraph write (single spaces, no leading white space, `` .`` at the end)
    is split once per line with ``str.split`` and lines with other predicates are dropped unread; any
    other text (tabs, runs of spaces, comments) takes the general, slower reading. Nothing is misread.
    """
    if predicates is None or "\t" in text:  # a tab may separate terms anywhere: read every line generally
        return _index_general(text, predicates)
    idx: Index = {}
    for line in text.split("\n"):
        parts = line.split(" ", 2)
        if len(parts) < 3:
            continue  # blank line, or a comment without spaces
        s, p, o = parts
        if p in predicates:
            canonical = s[:1] in ("<", "_")
        elif p and s:
            continue  # the common case: a well-formed line about something the shapes never read
        else:
            canonical = False
        if not canonical:  # leading or repeated spaces, a comment: read this line generally
            parts = line.split(None, 2)
            if len(parts) < 3 or parts[0][0] == "#" or parts[1] not in predicates:
                continue
            s, p, o = parts
        if o[-2:] == " ." and o[-3:-2] != " " and o[:1] != " ":
            o = o[:-2]
        else:  # "<o>.", spaces around the object, a comment after the triple
            found = _OBJECT.match(o.lstrip())
            if found is None:
                continue
            o = found.group()
        by_p = idx.get(s)
        if by_p is None:
            idx[s] = {p: [o]}
        else:
            objs = by_p.get(p)
            if objs is None:
                by_p[p] = [o]
            else:
                objs.append(o)  # duplicates are harmless: path values are de-duplicated
    return idx


def _index_general(text: str, predicates: frozenset[str] | None) -> Index:
    idx: Index = {}
    for line in text.split("\n"):  # not splitlines(): U+2028 and friends may stand unescaped in literals
        parts = line.split(None, 2)
        if len(parts) < 3 or parts[0][0] == "#" or (predicates is not None and parts[1] not in predicates):
            continue
        found = _OBJECT.match(parts[2])
        if found is None:
            continue
        idx.setdefault(parts[0], {}).setdefault(parts[1], []).append(found.group())
    return idx


def _kind(term: str) -> str:
    return "iri" if term[0] == "<" else "bnode" if term[0] == "_" else "literal"


def _is_datatype(term: str, datatype: str) -> bool:
    if term[0] != '"':
        return False
    close = term.rfind('"')
    tail = term[close + 1:]
    if tail.startswith("^^<"):
        actual = tail[3:-1]
    elif tail.startswith("@"):
        actual = _LANG_STRING
    else:
        actual = _XSD_STRING
    if actual != datatype:
        return False
    lexical = _LEXICAL.get(datatype)
    return lexical is None or bool(lexical.match(term[1:close]))


class Validator:
    """Compiled node shapes, evaluated on N-Triples text (the same results pyshacl gives for them)."""

    def __init__(self, shapes: tuple[NodeShape, ...]) -> None:
        self.shapes = shapes
        # Only these predicates can change a result: everything else in a record is skipped unread.
        self.predicates = frozenset(
            {RDF_TYPE, SUBCLASS, *(step for ns in shapes for ps in ns.properties for step in ps.path)}
        )

    @classmethod
    def from_turtle(cls, data: bytes | str, base_iri: str | None = None) -> Validator:
        return cls(compile_shapes(data, base_iri))

    def validate(self, ntriples: str) -> list[Result]:
        """Every result for the data in ``ntriples`` (empty: it conforms)."""
        return self.validate_index(index_ntriples(ntriples, self.predicates))

    def validate_index(self, idx: Index) -> list[Result]:
        subclasses = _subclass_closure(idx)
        results: list[Result] = []
        for node_shape in self.shapes:
            for focus in _instances(idx, node_shape.target_classes, subclasses):
                for ps in node_shape.properties:
                    _check(idx, focus, ps, subclasses, results)
        return results


def _subclass_closure(idx: Index) -> dict[str, set[str]] | None:
    """class -> itself and every subclass, when the data has rdfs:subClassOf (records normally do not)."""
    direct: dict[str, set[str]] = {}
    for s, by_p in idx.items():
        for sup in by_p.get(SUBCLASS, ()):
            direct.setdefault(sup, set()).add(s)
    if not direct:
        return None
    closure: dict[str, set[str]] = {}
    for cls in direct:
        seen, todo = {cls}, [cls]
        while todo:
            for sub in direct.get(todo.pop(), ()):
                if sub not in seen:
                    seen.add(sub)
                    todo.append(sub)
        closure[cls] = seen
    return closure


def _instances(idx: Index, classes: tuple[str, ...], subclasses: dict[str, set[str]] | None) -> list[str]:
    wanted = set(classes)
    if subclasses:
        for cls in classes:
            wanted |= subclasses.get(cls, set())
    return [s for s, by_p in idx.items() if not wanted.isdisjoint(by_p.get(RDF_TYPE, ()))]


def _is_instance(idx: Index, node: str, cls: str, subclasses: dict[str, set[str]] | None) -> bool:
    types = idx.get(node, {}).get(RDF_TYPE, ())
    if cls in types:
        return True
    if not subclasses:
        return False
    return not subclasses.get(cls, {cls}).isdisjoint(types)


def _values(idx: Index, focus: str, path: tuple[str, ...]) -> list[str]:
    if len(path) == 1:
        return list(dict.fromkeys(idx.get(focus, {}).get(path[0], ())))
    nodes = [focus]
    for step in path:
        nxt: dict[str, None] = {}
        for n in nodes:
            for o in idx.get(n, {}).get(step, ()):
                nxt[o] = None
        nodes = list(nxt)
        if not nodes:
            break
    return nodes


def _check(idx: Index, focus: str, ps: PropertyShape, subclasses: dict[str, set[str]] | None,
           out: list[Result]) -> None:
    values = _values(idx, focus, ps.path)
    if ps.min_count is not None and len(values) < ps.min_count:
        out.append(Result(focus, ps.path_key, ps.severity, ps.message, "minCount", None, ps.shape))
    if ps.max_count is not None and len(values) > ps.max_count:
        out.append(Result(focus, ps.path_key, ps.severity, ps.message, "maxCount", None, ps.shape))
    if ps.has_value is not None and ps.has_value not in values:
        out.append(Result(focus, ps.path_key, ps.severity, ps.message, "hasValue", None, ps.shape))
    if not (ps.classes or ps.datatype is not None or ps.node_kinds is not None):
        return
    for v in values:
        for cls in ps.classes:
            if v[0] == '"' or not _is_instance(idx, v, cls, subclasses):
                out.append(Result(focus, ps.path_key, ps.severity, ps.message, "class", v, ps.shape))
        if ps.datatype is not None and not _is_datatype(v, ps.datatype):
            out.append(Result(focus, ps.path_key, ps.severity, ps.message, "datatype", v, ps.shape))
        if ps.node_kinds is not None and _kind(v) not in ps.node_kinds:
            out.append(Result(focus, ps.path_key, ps.severity, ps.message, "nodeKind", v, ps.shape))
