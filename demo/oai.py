"""The OAI-PMH side of one demo museum: its records behind the ``oaipmh`` package's server interface.

This module owns what a museum's feed *says*: ``MuseumRepository`` answers the OAI-PMH verbs
(Identify, ListMetadataFormats, ListSets, ListIdentifiers, ListRecords, GetRecord) over the records
``museum.py`` reads, in batches with resumption tokens; ``lido_to_dc`` derives the ``oai_dc`` view of a
LIDO record (OAI-PMH requires every repository to offer ``oai_dc``); the prefixed servers write the
``oai:``-prefixed envelope that namespace-less LIDO needs. ``feeds.py`` puts all this on HTTP.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from lxml import etree
from oaipmh import common, error
from oaipmh.metadata import MetadataRegistry
from oaipmh.server import NS_OAIPMH, BatchingResumption, BatchingServer, ServerBase, XMLTreeServer

from demo.museum import OAI_DC_NS, DemoMuseum, DemoRecord, xml_parser

MUSEUM_BASE = "@MUSEUM_BASE@"
BATCH_SIZE = 10
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"

DC_NS = "http://purl.org/dc/elements/1.1/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


# --------------------------------------------------------------------------------------------------
# LIDO -> simple Dublin Core (every OAI-PMH repository must offer oai_dc)


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


def _texts(root: etree._Element, *path: str) -> list[etree._Element]:
    """Descendants along a path of local names: the same code reads namespaced and bare LIDO."""
    nodes = [root]
    for name in path:
        nodes = [c for n in nodes for c in n if isinstance(c.tag, str) and _local(c) == name]
    return nodes


def lido_to_dc(lido: etree._Element) -> etree._Element:
    """A simple Dublin Core view of one LIDO record (titles, type, dates, place, materials, image...)."""
    dc = etree.Element(f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI_NS})
    dc.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_DC_NS} http://www.openarchives.org/OAI/2.0/oai_dc.xsd")

    def copy(name: str, nodes: Iterable[etree._Element]) -> None:
        for node in nodes:
            text = (node.text or "").strip()
            if text:
                out = etree.SubElement(dc, f"{{{DC_NS}}}{name}")
                out.text = text
                if lang := node.get(XML_LANG):
                    out.set(XML_LANG, lang)

    d, ident = "descriptiveMetadata", ("descriptiveMetadata", "objectIdentificationWrap")
    event = (d, "eventWrap", "eventSet", "event")
    copy("title", _texts(lido, *ident, "titleWrap", "titleSet", "appellationValue"))
    copy("type", _texts(lido, d, "objectClassificationWrap", "objectWorkTypeWrap", "objectWorkType", "term"))
    copy(
        "subject",
        _texts(
            lido, d, "objectRelationWrap", "subjectWrap", "subjectSet", "subject", "subjectConcept", "term"
        ),
    )
    copy(
        "description",
        _texts(lido, *ident, "objectDescriptionWrap", "objectDescriptionSet", "descriptiveNoteValue"),
    )
    copy("date", _texts(lido, *event, "eventDate", "displayDate"))
    copy("format", _texts(lido, *event, "eventMaterialsTech", "materialsTech", "termMaterialsTech", "term"))
    copy(
        "format",
        _texts(lido, *ident, "objectMeasurementsWrap", "objectMeasurementsSet", "displayObjectMeasurements"),
    )
    copy("identifier", _texts(lido, *ident, "repositoryWrap", "repositorySet", "workID"))
    copy("coverage", _texts(lido, *event, "eventPlace", "place", "namePlaceSet", "appellationValue"))
    copy(
        "relation",
        _texts(
            lido,
            "administrativeMetadata",
            "resourceWrap",
            "resourceSet",
            "resourceRepresentation",
            "linkResource",
        ),
    )
    copy(
        "rights",
        _texts(lido, "administrativeMetadata", "rightsWorkWrap", "rightsWorkSet", "rightsType", "conceptID"),
    )
    copy("rights", _texts(lido, "administrativeMetadata", "rightsWorkWrap", "rightsWorkSet", "creditLine"))
    return dc


# --------------------------------------------------------------------------------------------------
# The OAI-PMH repository of one museum (oaipmh's IBatchingOAI interface)


def _write_stored(element: etree._Element, metadata: common.Metadata) -> None:
    """Metadata writer: append the stored element (lido or oai_dc:dc) as-is under <metadata>."""
    element.append(metadata.element())


class MuseumRepository:
    """One museum's records behind the ``oaipmh`` IBatchingOAI interface (read-only, thread-safe)."""

    def __init__(self, museum: DemoMuseum, base_url: str) -> None:
        self.museum = museum
        self.base_url = base_url  # http://HOST:PORT/<id>
        self.feed_url = f"{base_url}/oai"
        self.records = museum.load_records()
        self.by_identifier = {r.identifier: r for r in self.records}
        self.formats = museum.metadata_formats()
        live = [r for r in self.records if not r.deleted]
        self.earliest = min(r.datestamp for r in self.records)
        sections: dict[str, str] = {}
        for r in live:
            for spec, name in r.sets:
                sections.setdefault(spec, name)
        self.sets = sorted(sections.items())

    # -- metadata ----------------------------------------------------------------------------------

    def _metadata(self, record: DemoRecord, prefix: str) -> common.Metadata:
        # Records are kept serialized and parsed per request: the server is threaded, and lxml trees
        # must not be shared between threads that modify them (appending moves an element).
        text = record.payload.replace(MUSEUM_BASE.encode(), self.base_url.encode())
        element = etree.fromstring(text, xml_parser())
        if prefix == "oai_dc" and self.museum.metadata_format == "lido":
            element = lido_to_dc(element)
        return common.Metadata(element, {})

    def _check_prefix(self, prefix: str) -> None:
        if prefix not in {f[0] for f in self.formats}:
            raise error.CannotDisseminateFormatError(f"{prefix} is not disseminated by {self.museum.id}")

    def _header(self, record: DemoRecord) -> common.Header:
        return common.Header(
            None, record.identifier, record.datestamp, [s for s, _ in record.sets], record.deleted
        )

    def _select(
        self, prefix: str, set_: str | None, from_: datetime | None, until: datetime | None
    ) -> list[DemoRecord]:
        self._check_prefix(prefix)
        if set_ is not None and set_ not in dict(self.sets):
            return []  # an unknown set matches nothing (the server then says noRecordsMatch)
        return [
            r
            for r in self.records
            if (from_ is None or r.datestamp >= from_)
            and (until is None or r.datestamp <= until)
            # A deleted record has lost its sets; report it to set-wise harvesters too, so they drop it.
            and (set_ is None or r.deleted or any(spec == set_ for spec, _ in r.sets))
        ]

    # -- IBatchingOAI ----------------------------------------------------------------------------------

    def identify(self) -> common.Identify:
        identify = common.Identify(
            repositoryName=self.museum.repository_name,
            baseURL=self.feed_url,
            protocolVersion="2.0",
            adminEmails=[self.museum.admin_email] if self.museum.admin_email else [],
            earliestDatestamp=self.earliest,
            deletedRecord="persistent",
            granularity=GRANULARITY,
            compression=["identity"],
        )
        return identify

    def listMetadataFormats(self, identifier: str | None = None) -> list[tuple[str, str, str]]:
        if identifier is not None and identifier not in self.by_identifier:
            raise error.IdDoesNotExistError(identifier)
        return list(self.formats)

    def listSets(self, cursor: int = 0, batch_size: int = BATCH_SIZE) -> list[tuple[str, str, None]]:
        if not self.sets:
            raise error.NoSetHierarchyError("This repository does not support sets.")
        return [(spec, name, None) for spec, name in self.sets][cursor : cursor + batch_size]

    def listIdentifiers(
        self,
        metadataPrefix: str,
        set: str | None = None,
        from_: datetime | None = None,
        until: datetime | None = None,
        cursor: int = 0,
        batch_size: int = BATCH_SIZE,
    ) -> list[common.Header]:
        selected = self._select(metadataPrefix, set, from_, until)
        return [self._header(r) for r in selected[cursor : cursor + batch_size]]

    def listRecords(
        self,
        metadataPrefix: str,
        set: str | None = None,
        from_: datetime | None = None,
        until: datetime | None = None,
        cursor: int = 0,
        batch_size: int = BATCH_SIZE,
    ) -> list[tuple[Any, Any, None]]:
        selected = self._select(metadataPrefix, set, from_, until)
        return [
            (self._header(r), None if r.deleted else self._metadata(r, metadataPrefix), None)
            for r in selected[cursor : cursor + batch_size]
        ]

    def getRecord(self, metadataPrefix: str, identifier: str) -> tuple[Any, Any, None]:
        self._check_prefix(metadataPrefix)
        record = self.by_identifier.get(identifier)
        if record is None:
            raise error.IdDoesNotExistError(identifier)
        return self._header(record), None if record.deleted else self._metadata(record, metadataPrefix), None


class _PrefixedTreeServer(XMLTreeServer):
    """XMLTreeServer writing the envelope as ``<oai:OAI-PMH xmlns:oai=...>`` instead of a default namespace.

    Needed for namespace-less LIDO: under a default-namespace envelope a bare ``<lido>`` would silently
    become an OAI-PMH element (lxml cannot write the ``xmlns=""`` undeclaration), whereas the point of
    that feed is to hand harvesters elements in no namespace. A prefixed envelope is equally valid
    OAI-PMH.
    """

    def __init__(self, server: Any, metadata_registry: MetadataRegistry) -> None:
        super().__init__(server, metadata_registry)
        self._nsmap = {"oai": NS_OAIPMH}  # replaces the package's {None: NS_OAIPMH}


class _PrefixedBatchingServer(ServerBase):
    """``BatchingServer`` with a prefixed envelope (see :class:`_PrefixedTreeServer`)."""

    def __init__(self, server: Any, metadata_registry: MetadataRegistry, resumption_batch_size: int) -> None:
        self._tree_server = _PrefixedTreeServer(
            BatchingResumption(server, resumption_batch_size), metadata_registry
        )


def metadata_registry() -> MetadataRegistry:
    registry = MetadataRegistry()
    registry.registerWriter("lido", _write_stored)
    registry.registerWriter("oai_dc", _write_stored)
    return registry


def oai_servers(
    repo: MuseumRepository, registry: MetadataRegistry, batch_size: int = BATCH_SIZE
) -> tuple[ServerBase, XMLTreeServer]:
    """The museum's OAI-PMH request server (batches, resumption tokens) and the server of its error answers."""
    if repo.museum.lido_namespaced:
        oai: ServerBase = BatchingServer(repo, registry, resumption_batch_size=batch_size)
        errors = XMLTreeServer(BatchingResumption(repo, batch_size), registry)
    else:
        oai = _PrefixedBatchingServer(repo, registry, resumption_batch_size=batch_size)
        errors = _PrefixedTreeServer(BatchingResumption(repo, batch_size), registry)
    return oai, errors
