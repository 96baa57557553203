"""What the hub writes about where records come from: provenance of record graphs, and the museum graph.

Plain text builders (N-Triples); no I/O. The harvest run (``harvesters.run``) writes what they return.
"""

from __future__ import annotations

import re
import time

from harvesters.feed_database import Museum
from harvesters.source import SourceRecord
from mappings import MappedRecord
from ontology.clock import utc_now
from ontology.iris import IriMinter
from ontology.namespaces import CRM, DCAT, DCTERMS, FOAF, PROV, RDF, RDFS, SROM, XSD
from ontology.ntriples import iri, literal, triple
from store.base import RecordGraph

WKT = "http://www.opengis.net/ont/geosparql#wktLiteral"
_PLAIN_IRI = re.compile(r'[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>"{}|^`\\]*')


def _term(value: str) -> str:
    return f"<{value}>" if _PLAIN_IRI.fullmatch(value) else iri(value)


def provenance_triples(
    mapped: MappedRecord, museum: Museum, record: SourceRecord, run_iri: str, minter: IriMinter,
    digest: str | None = None,
) -> str:
    """The provenance of one record graph (subject: the graph IRI), kept in the provenance graph.

    ``digest`` is the record's content hash (``srom:contentHash``): the next harvest compares it to tell
    an unchanged record, which it then does not write again.
    """
    return ProvenanceWriter(museum, run_iri, minter)(mapped, record, digest)


class ProvenanceWriter:
    """:func:`provenance_triples` for one run, with the terms every record shares written once.

    A harvest writes this for every record it stores; building the constant terms once per run instead
    of once per record (IRI checks, escaping) is a measurable share of the harvest's own CPU.
    """

    def __init__(self, museum: Museum, run_iri: str, minter: IriMinter) -> None:
        self._head = (f" {iri(RDF.type)} {iri(SROM.RecordGraph)} .\n", f" {iri(SROM.museum)} "
                      f"{iri(minter.museum(museum.id))} .\n")
        self._run = f" {iri(PROV.wasGeneratedBy)} {iri(run_iri)} .\n"
        self._object = f" {iri(SROM.object)} "
        self._source = f" {iri(SROM.sourceIdentifier)} "
        self._version = f" {iri(SROM.mappingVersion)} "
        self._time = f" {iri(PROV.generatedAtTime)} "
        self._datestamp = f" {iri(SROM.datestamp)} "
        self._hash = f" {iri(SROM.contentHash)} "
        self._versions: dict[str, str] = {}
        self._second = -1  # generatedAtTime is written to the second: formatted once per second
        self._now = ""

    def __call__(self, mapped: MappedRecord, record: SourceRecord, digest: str | None = None) -> str:
        # Graph and object IRIs are minted by IriMinter (percent-encoded keys), valid as they are; the
        # check keeps that an assumption nobody can break.
        g = _term(mapped.graph_iri)
        version = self._versions.get(mapped.mapping_version)
        if version is None:
            version = self._versions[mapped.mapping_version] = literal(mapped.mapping_version)
        parts = [
            g, self._head[0], g, self._head[1],
            g, self._object, _term(mapped.object_iri), " .\n",
            g, self._source, literal(record.identifier), " .\n",
            g, self._run,
            g, self._version, version, " .\n",
            g, self._time, self._generated_at(), " .\n",
        ]
        if record.datestamp:
            parts += [g, self._datestamp, literal(record.datestamp), " .\n"]
        if digest:
            parts += [g, self._hash, f'"{digest}"', " .\n"]
        return "".join(parts)

    def _generated_at(self) -> str:
        second = int(time.time())
        if second != self._second:
            self._second, self._now = second, literal(utc_now(), datatype=XSD.dateTime)
        return self._now


def museum_graph(museum: Museum, minter: IriMinter) -> RecordGraph:
    """The museum's own description (an E74 Group with names, place, homepage and feed)."""
    m = iri(minter.museum(museum.id))
    lines = [triple(m, iri(RDF.type), iri(CRM.E74_Group))]
    names = dict(museum.names)
    if not names:
        names = {"": museum.name}
    for lang, name in names.items():
        lines.append(triple(m, iri(RDFS.label), literal(name, lang=lang or None)))
    lines.append(triple(m, iri(SROM.museumId), literal(museum.id)))
    if museum.homepage:
        lines.append(triple(m, iri(FOAF.homepage), iri(museum.homepage)))
    if museum.licence:
        lines.append(triple(m, iri(DCTERMS.license), literal(museum.licence)))
    if museum.attribution:
        lines.append(triple(m, iri(SROM.attribution), literal(museum.attribution)))
    if museum.city or museum.lat is not None:
        place = iri(minter.museum(museum.id) + "/place")
        lines.append(triple(m, iri(CRM.P74_has_current_or_former_residence), place))
        lines.append(triple(place, iri(RDF.type), iri(CRM.E53_Place)))
        label = ", ".join(x for x in (museum.city, museum.country) if x)
        if label:
            lines.append(triple(place, iri(RDFS.label), literal(label)))
        if museum.lat is not None and museum.lon is not None:
            point = f"POINT({museum.lon} {museum.lat})"
            lines.append(triple(place, iri(CRM.P168_place_is_defined_by), literal(point, datatype=WKT)))
    feed = iri(minter.feed(museum.id))
    lines += [
        triple(feed, iri(RDF.type), iri(DCAT.Dataset)),
        triple(feed, iri(DCTERMS.publisher), m),
        triple(feed, iri(DCAT.accessURL), iri(museum.feed_url)),
        triple(feed, iri(DCTERMS.conformsTo), literal(museum.format)),
    ]
    return RecordGraph(minter.museum_graph(museum.id), "".join(lines))
