"""The nodes of one RDF-native record: their hub IRIs, and the record and shared lines written about them.

:class:`RecordNodes` is the state of one object's description being turned into a hub record
(``mappings.rdf.record_builder`` drives it): which nodes the object owns and the hub IRI each gets
(:meth:`~RecordNodes.name_nodes`), each node as an N-Triples term, the record graph's lines and the shared
lines (the class, labels and point of every term the record points at, for the museum's vocabulary graph).

Naming: the object is re-minted under the hub's IRI; IRIs minted under the museum's object IRI keep their
path (``{src}/production`` -> ``{obj}/production``), other owned IRIs and blank nodes get a name from
their content, so the same description always gives the same IRIs; a blank type, material, place or
actor with a label becomes the museum's local term (``IriMinter.local_term``), like in the XML mappings.

Pure: no I/O. Output goes through ``ontology.ntriples``.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

import pyoxigraph as ox

from ontology.namespaces import RDF, RDFS
from ontology.ntriples import InvalidIri, iri, literal, triple

from ..records import MappingContext
from .description import E22, LABEL_PREDICATES, TERM_CLASSES, Description, Term, crm, is_under

A = iri(RDF.type)
cached_iri = lru_cache(maxsize=1 << 16)(iri)
LABEL = iri(RDFS.label)
P168 = crm("P168_place_is_defined_by")
# Node kinds for blank-node IRIs, by class local name (the first match wins).
_KINDS = (
    ("E33_E41_Linguistic_Appellation", "name"),
    ("E41_Appellation", "name"),
    ("E35_Title", "name"),
    ("E42_Identifier", "identifier"),
    ("E12_Production", "production"),
    ("E52_Time-Span", "timespan"),
    ("E54_Dimension", "dimension"),
    ("E33_Linguistic_Object", "text"),
    ("E34_Inscription", "text"),
    ("E36_Visual_Item", "visual"),
    ("E13_Attribute_Assignment", "assignment"),
    ("E22_Human-Made_Object", "part"),
    ("D1_Digital_Object", "digital"),
    ("DigitalObject", "digital"),
)


class RecordNodes:
    """The state of one record being shaped: node names, record lines and shared lines."""

    def __init__(self, desc: Description, obj: ox.NamedNode, ctx: MappingContext, source_id: str, version: str):
        self.desc = desc
        self.obj = obj
        self.ctx = ctx
        self.source_id = source_id
        self.version = version
        self.hub = ctx.minter.object(ctx.museum, source_id)
        self.hub_term = iri(self.hub)
        self.lines: dict[str, None] = {}
        self.shared: dict[str, None] = {}
        self.names: dict[Term, str] = {}  # owned node -> its hub IRI
        self.terms: dict[Term, str] = {}  # node -> its N-Triples term, written once per record
        self.local_terms: dict[Term, str] = {}  # labelled blank term -> the museum's term IRI
        self.shared_terms: dict[Term, str | None] = {}  # term -> class inferred from a property range
        self.owned: list[Term] = []  # nodes written to the record graph, breadth-first from the object

    # --- naming --------------------------------------------------------------------------------
    def name_nodes(self) -> None:
        order: list[Term] = [self.obj]
        seen: set[Term] = {self.obj}
        i = 0
        while i < len(order):
            node = order[i]
            i += 1
            if node in self.local_terms:
                continue  # a term, not part of the record: what hangs below it is not either
            for _p, o in self.desc.by_subject.get(node, ()):
                if o not in seen and self.desc.belongs(o, self.obj):
                    seen.add(o)
                    order.append(o)
                    if isinstance(o, ox.BlankNode) and (term := self._local_term(o)) is not None:
                        self.local_terms[o] = term
        for node in order:
            if node == self.obj:
                self.names[node] = self.hub
            elif isinstance(node, ox.NamedNode) and is_under(node.value, self.obj.value):
                self.names[node] = f"{self.hub}/{node.value[len(self.obj.value) + 1 :]}"
            elif isinstance(node, ox.NamedNode):
                self.names[node] = f"{self.hub}/node/{_digest(node.value)}"
        incoming = self._incoming()
        signatures: dict[Term, str] = {}
        for node in order:
            if isinstance(node, ox.BlankNode) and node not in self.local_terms:
                sig = self._signature(node, incoming, signatures, frozenset())
                self.names[node] = f"{self.hub}/{self._kind(node)}/{_digest(sig)}"
        self.owned = [n for n in order if n in self.names]

    def _local_term(self, node: Term) -> str | None:
        for cls in self.desc.types.get(node, ()):
            kind = TERM_CLASSES.get(cls.value.rsplit("/", 1)[-1])
            if kind:
                labels = [o for p, o in self.desc.by_subject.get(node, ()) if p in LABEL_PREDICATES]
                if labels and isinstance(labels[0], ox.Literal) and labels[0].value.strip():
                    return self.ctx.minter.local_term(self.ctx.museum, kind, labels[0].value)
        return None

    def _incoming(self) -> dict[Term, list[str]]:
        incoming: dict[Term, list[str]] = {}
        for s, pairs in self.desc.by_subject.items():
            for p, o in pairs:
                if isinstance(o, ox.BlankNode):
                    parent = self.names.get(s) if isinstance(s, ox.NamedNode) else "_"
                    incoming.setdefault(o, []).append(f"{parent} {p}")
        return incoming

    def _signature(self, node: Term, incoming: dict, memo: dict, stack: frozenset) -> str:
        # Order-independent: the same blank node content gives the same name whatever the triple order.
        if node in memo:
            return memo[node]
        if node in stack:
            return "(cycle)"
        parts = sorted(incoming.get(node, []))
        body = []
        for p, o in self.desc.by_subject.get(node, ()):
            if isinstance(o, ox.BlankNode):
                value = self.local_terms.get(o) or self._signature(o, incoming, memo, stack | {node})
            else:
                value = str(o)
            body.append(f"{p} {value}")
        memo[node] = sig = "\n".join(parts + ["--"] + sorted(body))
        return sig

    def _kind(self, node: Term) -> str:
        names = {t.value.rsplit("/", 1)[-1] for t in self.desc.types.get(node, ())}
        return next((kind for cls, kind in _KINDS if cls in names), "node")

    # --- writing -------------------------------------------------------------------------------
    def term(self, node: Term) -> str:
        """``node`` as an N-Triples term: its hub IRI when owned, the museum's IRI or term otherwise."""
        written = self.terms.get(node)
        if written is not None:
            return written
        if node in self.names:
            written = iri(self.names[node])
        elif node in self.local_terms:
            written = cached_iri(self.local_terms[node])
        elif isinstance(node, ox.Literal):
            lang = node.language
            return literal(node.value, lang=lang, datatype=None if lang else node.datatype.value)
        elif isinstance(node, ox.NamedNode):
            written = cached_iri(node.value)  # shared terms and predicates repeat across a feed's records
        else:
            raise InvalidIri(f"unnamed blank node {node}")
        self.terms[node] = written
        return written

    def add(self, s: str, p: str, o: str) -> None:
        self.lines[triple(s, p, o)] = None

    def add_shared(self, s: str, p: str, o: str) -> None:
        self.shared[triple(s, p, o)] = None

    def emit_shared(self) -> None:
        """Class, labels and point of every term the record points at, for the vocabulary graph."""
        for node, inferred in self.shared_terms.items():
            try:
                s = self.term(node)
            except InvalidIri:
                continue
            types = self.desc.types.get(node)
            if types and E22 in types:
                continue  # another object: described by its own record, never as a term of this one
            if types:
                for t in sorted(types, key=str):
                    self.add_shared(s, A, iri(t.value))
            elif inferred:
                self.add_shared(s, A, iri(crm(inferred).value))
            for p, o in self.desc.by_subject.get(node, ()):
                if isinstance(o, ox.Literal) and (p in LABEL_PREDICATES or p == P168):
                    pred = LABEL if p in LABEL_PREDICATES else iri(P168.value)
                    self.add_shared(s, pred, self.term(o))


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]

