"""The ``crm-rdf`` mapping: one object's CIDOC-CRM RDF (any CRM namespace) in, a hub record out.

Input is what the RDF sources (``harvesters.rdf_dump``, ``harvesters.sparql_source``) hand over for one
object: N-Triples text of the object's description, i.e. its own triples, those of the nodes it owns
(blank nodes, IRIs minted under its IRI, productions, time-spans, names...) and the classes and labels
of the terms it points at. Erlangen CRM (the British Museum's ``http://erlangen-crm.org/current/``) and
other CRM namespaces are normalised to ``http://www.cidoc-crm.org/cidoc-crm/``; Linked Art published as
RDF is CRM already and maps the same way. The object is re-minted under the hub's IRI with the source
IRI kept as ``owl:sameAs`` (see ``mappings.rdf.record_builder`` for the rules).

Pure: text in, triples out; pyoxigraph parses, nothing is fetched.
"""

from __future__ import annotations

from typing import Any, cast

import pyoxigraph as ox

from ..errors import RecordError
from ..records import MappedRecord, MappingContext
from .description import Triple, parse_ntriples
from .record_builder import build_record


class CrmRdfMapping:
    """CIDOC-CRM RDF (N-Triples/N-Quads text, or an iterable of pyoxigraph triples) -> MODEL.md."""

    format_name = "crm-rdf"
    version = "crm-rdf/1"
    #: not an XML format: the harvest run hands the payload over as it is
    root_tags: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"<Mapping {self.version}>"

    def map_record(self, payload: Any, ctx: MappingContext, source_id: str | None = None) -> MappedRecord:
        """Map one object's description; ``source_id`` is the object's IRI as the source listed it."""
        if payload is None or payload == "" or payload == b"":
            raise RecordError(source_id, "the record has no triples")
        if isinstance(payload, str | bytes):
            try:
                triples = parse_ntriples(payload)
            except SyntaxError as exc:
                raise RecordError(source_id, f"not valid N-Triples: {exc}") from exc
        else:
            # cast: pyoxigraph's stubs allow a triple as subject, which pyoxigraph 0.5 refuses; a triple term
            # as object is passed on like any other term (the mapping reads none).
            triples = cast(
                "list[Triple]",
                [(t.subject, t.predicate, t.object) if isinstance(t, ox.Triple | ox.Quad) else t for t in payload],
            )
        return build_record(triples, ctx, source_id=source_id, version=self.version, object_iri=source_id)
