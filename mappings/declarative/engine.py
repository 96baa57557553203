"""A compiled mapping applied to one record element: the element in, a :class:`MappedRecord` out.

Pure: no I/O, no store, no network. The object IRI and graph IRI come from the context's minter and the
source identifier, so the same record mapped twice yields byte-identical N-Triples.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from ontology.namespaces import CRM
from ontology.ntriples import iri

from ..errors import RecordError
from ..keys import with_keys
from ..records import MappedRecord, MappingContext
from .concept_links import link_periods
from .emit import A, Node, State
from .spec import MappingSpec, compile_spec
from .xpaths import read_values

_E22 = iri(CRM.term("E22_Human-Made_Object"))
_KEEPER = iri(CRM.P50_has_current_keeper)


class Mapping:
    """One metadata format's mapping (``lido/1``...), compiled once from its TOML data."""

    def __init__(self, data: dict[str, Any], source: str = "<mapping>") -> None:
        self.spec: MappingSpec = compile_spec(data, source)
        self.format_name = self.spec.name
        self.version = self.spec.version
        tags = [self.spec.record_tag]
        if self.spec.bare_tag:
            tags.append(self.spec.bare_tag)
        self.root_tags: tuple[str, ...] = tuple(tags)

    def __repr__(self) -> str:
        return f"<Mapping {self.version}>"

    def record_id(self, element: etree._Element) -> str | None:
        """The record's own identifier (``lidoRecID``, ``dc:identifier``), or None."""
        bare = self._bare(element)
        values = read_values(self.spec.record_id.paths(element, bare), bare, None)
        return values[0].text if values else None

    def _bare(self, element: etree._Element) -> bool:
        # Choose the namespace-less variant of every path by the record root's own tag.
        return self.spec.bare_tag is not None and element.tag == self.spec.bare_tag

    def map_record(
        self, element: etree._Element, ctx: MappingContext, source_id: str | None = None
    ) -> MappedRecord:
        """Map one record element; raises :class:`RecordError` when it cannot be mapped."""
        # The record's own id is read only when the harvest gives none (the record_id rule reads it again).
        source_id = (source_id or "").strip() or self.record_id(element)
        if not source_id:
            raise RecordError(None, "no record identifier")
        try:
            return self._map(element, ctx, source_id)
        except RecordError:
            raise
        except Exception as exc:  # a record must never take the harvest down with it
            raise RecordError(source_id, f"mapping failed: {type(exc).__name__}: {exc}") from exc

    def _map(self, element: etree._Element, ctx: MappingContext, source_id: str) -> MappedRecord:
        minter = ctx.minter
        obj_iri = minter.object(ctx.museum, source_id)
        st = State(
            ctx=ctx,
            obj=Node(obj_iri, iri(obj_iri)),
            bare=self._bare(element),
            default_lang=ctx.default_language or self.spec.default_language,
            prefer=self.spec.prefer_uri_prefixes,
        )
        if self.spec.entities is not None:  # rules may resolve references to the record's entities
            st.root, st.entity_paths = element, (self.spec.entities, self.spec.entity_key)
        st.add(st.obj.term, A, _E22)
        for rule in self.spec.rules:
            rule.run(element, st, st.obj)
        if st.title is None and st.identifier is None:
            raise RecordError(source_id, "record has neither a title nor an identifier")
        # The keeper is the hub museum whatever the record says about its repository.
        st.add(st.obj.term, _KEEPER, iri(ctx.museum_iri))
        link_periods(st)  # {event} crm:P10_falls_within <period> (concept_links.py)
        return with_keys(MappedRecord(  # the sort and filter keys (mappings/keys.py)
            source_id=source_id,
            object_iri=obj_iri,
            graph_iri=minter.record_graph(ctx.museum, source_id),
            ntriples="".join(st.lines),
            shared_ntriples="".join(st.shared_lines),
            triple_count=len(st.lines) + len(st.shared_lines),
            label=st.title or st.identifier or source_id,
            mapping_version=self.version,
            unmatched=tuple(st.unmatched),
            warnings=tuple(st.warnings),
        ))
