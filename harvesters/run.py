"""A harvest run: pull a museum's feed, map each record, write record graphs to the store in batches.

The run owns the bookkeeping around the protocol client: incremental ``from`` dates, batching, deleted
records, quarantine of records that cannot be mapped, provenance and the run's counts. It writes only
through the store interface and the registry.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from harvesters.guard import FeedGuard
from harvesters.http import GuardedSession
from harvesters.registry import HarvestRun, Museum, Registry, utc_now
from harvesters.source import FeedSpec, SourceRecord, source_class
from mappings import MappingContext, RecordError, get_mapping
from ontology.iris import IriMinter
from ontology.namespaces import CRM, DCAT, DCTERMS, FOAF, PROV, RDF, RDFS, SROM, XSD
from ontology.ntriples import iri, literal, triple
from store.base import RecordGraph, Store

log = logging.getLogger(__name__)

WKT = "http://www.opengis.net/ont/geosparql#wktLiteral"


@dataclass
class HarvestProgress:
    museum: str
    pages: int = 0
    records: int = 0
    complete_list_size: int | None = None
    new: int = 0
    updated: int = 0
    deleted: int = 0
    quarantined: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


ProgressCallback = Callable[[HarvestProgress], None]


class HarvestFailed(Exception):
    def __init__(self, run: HarvestRun) -> None:
        super().__init__(f"harvest of {run.museum} failed: {run.error}")
        self.run = run


class Harvester:
    def __init__(
        self,
        store: Store,
        registry: Registry,
        minter: IriMinter,
        guard: FeedGuard,
        *,
        batch_size: int = 500,
        http_timeout: float = 60.0,
    ) -> None:
        self.store = store
        self.registry = registry
        self.minter = minter
        self.guard = guard
        self.batch_size = batch_size
        self.http_timeout = http_timeout

    def harvest(self, museum_id: str, *, full: bool = False, progress: ProgressCallback | None = None) -> HarvestRun:
        """Run one harvest of ``museum_id``; returns the recorded run (outcome ``ok`` or ``failed``)."""
        museum = self.registry.get_museum(museum_id)
        if museum is None:
            raise KeyError(f"no museum {museum_id!r} is registered")
        last = None if full else self.registry.last_good_run(museum_id)
        run_id = self.registry.start_run(museum_id, full=full, harvest_from=last.response_date if last else None)
        state = HarvestProgress(museum_id)
        http = GuardedSession(self.guard, timeout=self.http_timeout)
        try:
            self._harvest(museum, run_id, last, state, http, progress)
        except Exception as exc:  # noqa: BLE001 - every failure is recorded on the run, then reported
            log.exception("harvest of %s failed", museum_id)
            self._save_counts(run_id, state)
            self.registry.finish_run(run_id, "failed", error=f"{type(exc).__name__}: {exc}")
        else:
            self._save_counts(run_id, state)
            self.registry.finish_run(run_id, "ok")
        finally:
            http.close()
        return next(r for r in self.registry.runs(museum_id, limit=5) if r.id == run_id)

    def _save_counts(self, run_id: int, state: HarvestProgress) -> None:
        self.registry.update_run(
            run_id,
            new=state.new,
            updated=state.updated,
            deleted=state.deleted,
            quarantined=state.quarantined,
            unchanged=state.unchanged,
        )

    def _harvest(
        self,
        museum: Museum,
        run_id: int,
        last: HarvestRun | None,
        state: HarvestProgress,
        http: GuardedSession,
        progress: ProgressCallback | None,
    ) -> None:
        source = source_class(museum.protocol)(
            FeedSpec(museum.feed_url, museum.format, museum.set_spec), http
        )
        since = last.response_date if last and last.response_date else None
        mapping = get_mapping(museum.format)
        context = MappingContext(minter=self.minter, museum=museum.id)
        run_iri = self.minter.harvest_run(museum.id, run_id)
        self.store.replace_graphs([museum_graph(museum, self.minter)])
        existing = set(self.store.graph_names(prefix=self.minter.record_graph_prefix(museum.id)))

        vocabulary = self.minter.vocabulary_graph(museum.id)
        batch: dict[str, RecordGraph] = {}  # by graph IRI: a record listed twice keeps its last version
        drops: list[str] = []
        released: list[str] = []
        shared: dict[str, None] = {}  # term triples for the vocabulary graph, not yet written
        shared_written: set[str] = set()  # ... and already written in this run (bounded by the vocabulary)

        def flush() -> None:
            if drops:
                self.store.drop_graphs(drops)
            if batch or shared:
                additions = [RecordGraph(vocabulary, "".join(shared))] if shared else []
                self.store.replace_graphs(list(batch.values()), additions=additions)
            self.registry.release(museum.id, released)
            existing.update(batch)
            existing.difference_update(drops)
            shared_written.update(shared)
            batch.clear()
            drops.clear()
            released.clear()
            shared.clear()
            self._save_counts(run_id, state)

        for page in source.pages(since=since):
            if state.pages == 0:
                self.registry.update_run(run_id, response_date=page.response_date or utc_now())
            state.pages += 1
            state.complete_list_size = page.complete_list_size or state.complete_list_size
            for record in page.records:
                state.records += 1
                graph_iri = self.minter.record_graph(museum.id, record.identifier)
                if record.deleted:
                    if graph_iri in existing or graph_iri in batch:
                        state.deleted += 1
                    if graph_iri in batch:
                        flush()  # the record was added earlier in this batch: store it, then drop it
                    drops.append(graph_iri)
                    released.append(record.identifier)
                    continue
                try:
                    mapped = self._map(record, mapping, context)
                except RecordError as exc:
                    state.quarantined += 1
                    self.registry.quarantine(museum.id, record.identifier, run_id, exc.reason)
                    continue
                if graph_iri in drops:
                    flush()  # deleted earlier in this batch, back now: keep the order of events
                if graph_iri in existing or graph_iri in batch:
                    state.updated += 1
                else:
                    state.new += 1
                released.append(record.identifier)
                batch[graph_iri] = RecordGraph(
                    mapped.graph_iri,
                    mapped.ntriples,
                    provenance_triples(mapped, museum, record, run_iri, self.minter),
                    new=graph_iri not in existing,
                )
                for line in mapped.shared_ntriples.splitlines(keepends=True):
                    if line not in shared_written:
                        shared[line] = None
            if len(batch) + len(drops) >= self.batch_size:
                flush()
            if progress:
                progress(state)
        flush()
        if progress:
            progress(state)

    @staticmethod
    def _map(record: SourceRecord, mapping, context):  # noqa: ANN001, ANN205 - mapping types live in mappings
        element = record.payload
        if element is None:
            raise RecordError(record.identifier, "the record has no metadata")
        if element.tag not in mapping.root_tags:
            # Some feeds wrap the record (e.g. a lidoWrap inside <metadata>): find the record element.
            found = next((el for el in element.iter(*mapping.root_tags)), None)
            if found is None:
                raise RecordError(
                    record.identifier,
                    f"the metadata is {etree.QName(element).localname!r}, not a {mapping.format_name} record",
                )
            element = found
        return mapping.map_record(element, context, source_id=record.identifier)


def provenance_triples(mapped, museum: Museum, record: SourceRecord, run_iri: str, minter: IriMinter) -> str:  # noqa: ANN001
    g = iri(mapped.graph_iri)
    lines = [
        triple(g, iri(RDF.type), iri(SROM.RecordGraph)),
        triple(g, iri(SROM.museum), iri(minter.museum(museum.id))),
        triple(g, iri(SROM.object), iri(mapped.object_iri)),
        triple(g, iri(SROM.sourceIdentifier), literal(record.identifier)),
        triple(g, iri(PROV.wasGeneratedBy), iri(run_iri)),
        triple(g, iri(SROM.mappingVersion), literal(mapped.mapping_version)),
        triple(g, iri(PROV.generatedAtTime), literal(utc_now(), datatype=XSD.dateTime)),
    ]
    if record.datestamp:
        lines.append(triple(g, iri(SROM.datestamp), literal(record.datestamp)))
    return "".join(lines)


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
