"""One object's RDF description in, one hub record out: the RDF-native mappings' common last step.

The RDF-native mappings (``crm_rdf``: CRM RDF in any namespace; ``linked_art``: Linked Art JSON-LD read
into triples) both end here. :func:`build_record`

1. normalises CRM namespaces and renamed terms (``mappings.rdf.description``);
2. re-mints the object under the hub's IRI (the museum's IRI stays as ``owl:sameAs``) and every node the
   object owns under it (``mappings.rdf.record_nodes``);
3. keeps the museum's IRIs of shared terms (AAT, TGN, Wikidata...) and writes their class and labels
   to ``shared_ntriples`` (the museum's vocabulary graph), never to the record graph;
4. adds what ontology/MODEL.md expects (``mappings.rdf.model_profile``) and the shared concepts
   (``mappings.rdf.concept_links``).

Pure: no I/O. Output goes through ``ontology.ntriples``.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from ontology.namespaces import CRM, LA, OWL
from ontology.ntriples import InvalidIri, iri

from ..errors import RecordError
from ..keys import with_keys
from ..records import MappedRecord, MappingContext
from .description import DIG_DIGITAL_OBJECT, E22, E24, RDF_TYPE, Description, Term, crm, normalise_triples
from .model_profile import ModelProfile
from .record_nodes import A, RecordNodes

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


def build_record(
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
        return _build(RecordNodes(desc, obj, ctx, source_id, version))
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


def _write_owned(nodes: RecordNodes, profile: ModelProfile) -> None:
    """The owned nodes' own triples, as the profile filters and fixes them, into the record graph."""
    for node in nodes.owned:
        s = nodes.term(node)
        for p, o in nodes.desc.by_subject.get(node, ()):
            if profile.skip(node, p, o):
                continue
            if p == RDF_TYPE and o == E22 and node != nodes.obj:
                o = E24  # a part: E24 keeps `?o a E22` meaning one object per record graph
            if p == RDF_TYPE and isinstance(o, ox.NamedNode) and o.value == DIG_DIGITAL_OBJECT:
                nodes.add(s, A, iri(LA.DigitalObject))
            if isinstance(o, ox.Literal):
                kept = profile.literal(node, p, o)
                if kept is None:
                    continue
                o = kept
            try:
                nodes.add(s, FORMER_KEEPER if p == KEEPER else nodes.term(p), nodes.term(o))
            except InvalidIri:
                continue  # a malformed IRI costs one triple, never the record
            if o not in nodes.names and not isinstance(o, ox.Literal):
                nodes.shared_terms.setdefault(o, RANGE_CLASS.get(p))
                if nodes.shared_terms[o] is None and p in RANGE_CLASS:
                    nodes.shared_terms[o] = RANGE_CLASS[p]


def _build(nodes: RecordNodes) -> MappedRecord:
    """Name the nodes, write them, add the MODEL.md shape and the concepts: the hub record."""
    nodes.name_nodes()
    profile = ModelProfile(nodes)
    profile.prepare()
    _write_owned(nodes, profile)
    profile.finish()
    nodes.emit_shared()
    if nodes.obj.value.startswith(("http://", "https://")) and nodes.obj.value != nodes.hub:
        nodes.add(nodes.hub_term, iri(OWL.sameAs), iri(nodes.obj.value))
    nodes.add(nodes.hub_term, iri(CRM.P50_has_current_keeper), iri(nodes.ctx.museum_iri))
    # Sorted: the order of the source's triples (and a store's order of its blank nodes) must not make
    # the same description look changed to the harvest's content hash.
    lines = "".join(sorted(nodes.lines))
    shared = "".join(sorted(nodes.shared))
    return with_keys(MappedRecord(  # the sort and filter keys (mappings/keys.py)
        source_id=nodes.source_id,
        object_iri=nodes.hub,
        graph_iri=nodes.ctx.minter.record_graph(nodes.ctx.museum, nodes.source_id),
        ntriples=lines,
        shared_ntriples=shared,
        triple_count=len(nodes.lines) + len(nodes.shared),
        label=profile.title or profile.identifier or nodes.source_id,
        mapping_version=nodes.version,
        unmatched=tuple(dict.fromkeys(profile.unmatched)),
    ))
