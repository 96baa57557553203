"""One object's RDF description in, one hub record out: re-minted nodes, record and shared triples.

The RDF-native mappings (``crm_rdf``: CRM RDF in any namespace; ``linked_art``: Linked Art JSON-LD read
into triples) both end here. :func:`shape_record`

1. normalises CRM namespaces and renamed terms (``mappings.rdf_terms``);
2. re-mints the object under the hub's IRI (the museum's IRI stays as ``owl:sameAs``) and every node the
   object owns under it: IRIs minted under the museum's object IRI keep their path (``{src}/production``
   -> ``{obj}/production``), other owned IRIs and blank nodes get a name from their content, so the same
   description always gives the same IRIs; a blank type, material, place or actor with a label becomes the
   museum's local term (``IriMinter.local_term``), like in the XML mappings;
3. keeps the museum's IRIs of shared terms (AAT, TGN, Wikidata...) and writes their class and labels
   to ``shared_ntriples`` (the museum's vocabulary graph), never to the record graph;
4. shapes the result as ontology/MODEL.md expects (``mappings.rdf_shapes``).

Pure: no I/O. Output goes through ``ontology.ntriples``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import lru_cache

import pyoxigraph as ox

from ontology.namespaces import CRM, LA, OWL, RDF, RDFS
from ontology.ntriples import InvalidIri, iri, literal, triple

from ..errors import RecordError
from ..records import MappedRecord, MappingContext
from .description import (
    DIG_DIGITAL_OBJECT,
    E22,
    E24,
    LABEL_PREDICATES,
    RDF_TYPE,
    TERM_CLASSES,
    Description,
    Term,
    crm,
    is_under,
    normalise_triples,
)
from .model_profile import Shaping

A = iri(RDF.type)
cached_iri = lru_cache(maxsize=1 << 16)(iri)
LABEL = iri(RDFS.label)
P168 = crm("P168_place_is_defined_by")
# The class of a shared term the source did not type, from the range of the property pointing at it.
RANGE_CLASS = {
    crm("P45_consists_of"): "E57_Material",
    crm("P126_employed"): "E57_Material",
    crm("P2_has_type"): "E55_Type",
    crm("P32_used_general_technique"): "E55_Type",
    crm("P7_took_place_at"): "E53_Place",
    crm("P14_carried_out_by"): "E39_Actor",
    crm("P91_has_unit"): "E58_Measurement_Unit",
    crm("P72_has_language"): "E56_Language",
}
KEEPER = crm("P50_has_current_keeper")
FORMER_KEEPER = iri(crm("P49_has_former_or_current_keeper").value)
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


def shape_record(
    triples: Iterable[tuple[Term, Term, Term]],
    ctx: MappingContext,
    *,
    source_id: str | None,
    version: str,
    object_iri: str | None = None,
) -> MappedRecord:
    """Map one object's description; raises :class:`RecordError` when there is no object to map."""
    desc = Description(normalise_triples(triples))
    obj = _pick_object(desc, object_iri, source_id)
    source_id = (source_id or "").strip() or obj.value
    try:
        return Shaper(desc, obj, ctx, source_id, version).run()
    except RecordError:
        raise
    except Exception as exc:  # a record must never take the harvest down with it
        raise RecordError(source_id, f"mapping failed: {type(exc).__name__}: {exc}") from exc


def _pick_object(desc: Description, object_iri: str | None, source_id: str | None) -> ox.NamedNode:
    candidates = desc.objects()
    for wanted in (object_iri, source_id):
        if wanted and any(c.value == wanted for c in candidates):
            return ox.NamedNode(wanted)
    if object_iri and ox.NamedNode(object_iri) in desc.by_subject:
        return ox.NamedNode(object_iri)  # the record's own subject, even if typed otherwise
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise RecordError(source_id, "no crm:E22_Human-Made_Object (or Erlangen/Linked Art equivalent) in the record")
    raise RecordError(source_id, f"{len(candidates)} objects in one record and none is {source_id!r}")


class Shaper:
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
        seen = {self.obj}
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

    def emit_owned(self, shaping: Shaping) -> None:
        for node in self.owned:
            s = self.term(node)
            for p, o in self.desc.by_subject.get(node, ()):
                if shaping.skip(node, p, o):
                    continue
                if p == RDF_TYPE and o == E22 and node != self.obj:
                    o = E24  # a part: E24 keeps `?o a E22` meaning one object per record graph
                if p == RDF_TYPE and isinstance(o, ox.NamedNode) and o.value == DIG_DIGITAL_OBJECT:
                    self.add(s, A, iri(LA.DigitalObject))
                if isinstance(o, ox.Literal):
                    o = shaping.literal(node, p, o)
                    if o is None:
                        continue
                try:
                    self.add(s, FORMER_KEEPER if p == KEEPER else self.term(p), self.term(o))
                except InvalidIri:
                    continue  # a malformed IRI costs one triple, never the record
                if o not in self.names and not isinstance(o, ox.Literal):
                    self.shared_terms.setdefault(o, RANGE_CLASS.get(p))
                    if self.shared_terms[o] is None and p in RANGE_CLASS:
                        self.shared_terms[o] = RANGE_CLASS[p]

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

    def run(self) -> MappedRecord:
        self.name_nodes()
        shaping = Shaping(self)
        shaping.prepare()
        self.emit_owned(shaping)
        shaping.finish()
        self.emit_shared()
        if self.obj.value.startswith(("http://", "https://")) and self.obj.value != self.hub:
            self.add(self.hub_term, iri(OWL.sameAs), iri(self.obj.value))
        self.add(self.hub_term, iri(CRM.P50_has_current_keeper), iri(self.ctx.museum_iri))
        # Sorted: the order of the source's triples (and a store's order of its blank nodes) must not make
        # the same description look changed to the harvest's content hash.
        lines = "".join(sorted(self.lines))
        shared = "".join(sorted(self.shared))
        return MappedRecord(
            source_id=self.source_id,
            object_iri=self.hub,
            graph_iri=self.ctx.minter.record_graph(self.ctx.museum, self.source_id),
            ntriples=lines,
            shared_ntriples=shared,
            triple_count=len(self.lines) + len(self.shared),
            label=shaping.title or shaping.identifier or self.source_id,
            mapping_version=self.version,
            unmatched=tuple(dict.fromkeys(shaping.unmatched)),
        )


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]

