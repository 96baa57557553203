"""Probe a feed before (or after) it is registered: what does it offer, and how would the hub map it?

For OAI-PMH: Identify (granularity, deletedRecord policy, earliest datestamp), ListMetadataFormats
(which of them the hub maps), ListSets, and the first records of ListRecords in the chosen format,
mapped with the hub's own mapping. For other protocols: a sample from the protocol's
:class:`~harvesters.source.Source` (its ``sample(size)`` when it has one, so a Change Discovery stream of
thousands of pages costs a handful of requests; else the first page of its listing).
Every failure becomes a message for the museum (the feed does not
answer, is not OAI-PMH, offers no format the hub maps...); probing never raises for a feed's faults.

The guard is asked before any connection (a private address is refused without being contacted).
This module reads feeds and maps records; it never stores anything and never touches the registry.
How a sample looks on the hub's pages (title, date, place, image) is rendered by the web layer from
the mapped N-Triples, with the same code that renders the hub's object cards.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any

import requests

from harvesters.feed_database import Museum
from harvesters.guard import FeedGuard, FeedUrlRefused
from harvesters.http import GuardedSession, HarvestHttpError, RetryPolicy
from harvesters.map_worker import map_source_record, museum_mapping
from harvesters.protocols import source_class
from harvesters.source import FeedSpec, SourcePage, SourceRecord
from mappings import MappedRecord, MappingContext, RecordError, available_formats, get_mapping
from ontology.iris import IriMinter

SAMPLE_SIZE = 5
#: the harvest's per-record steps after mapping (reconciliation, validation): ``harvesters.pipeline.RecordHook``
RecordHook = Callable[[MappedRecord, SourceRecord, Museum], MappedRecord]
#: notes about values a mapping could not use (bad coordinates) shown for a probe's sample records, at most
MAX_SAMPLE_WARNINGS = 5
PROBE_TIMEOUT = 20.0  # a probe runs while someone waits for a page; harvests get the full http_timeout
# One quick retry at most: a harvest's patient backoff (minutes) would leave the museum staring at a form.
PROBE_RETRY = partial(RetryPolicy, max_retries=1, backoff_base=0.5, max_backoff=2.0)


@dataclass
class ProbeMessage:
    level: str  # "error" (the feed cannot be harvested as registered), "warning", "info"
    text: str


@dataclass
class ProbeSample:
    identifier: str
    datestamp: str | None = None
    deleted: bool = False
    mapped: bool = False
    error: str | None = None
    label: str | None = None
    triples: int = 0
    object_iri: str | None = None
    # Filled by the web layer from the mapped triples, as the hub's cards show them:
    title: str | None = None
    date: str | None = None
    place: str | None = None
    image: str | None = None
    # The mapped record itself (not serialised): N-Triples of the record and of its shared terms.
    ntriples: str = field(default="", repr=False)
    shared_ntriples: str = field(default="", repr=False)
    graph_iri: str | None = field(default=None, repr=False)


@dataclass
class ProbeReport:
    url: str
    protocol: str
    format: str | None
    set_spec: str | None
    identify: dict[str, Any] | None = None
    formats: list[dict[str, Any]] = field(default_factory=list)  # prefix, schema, namespace, mapped
    sets: list[dict[str, str]] = field(default_factory=list)
    samples: list[ProbeSample] = field(default_factory=list)
    complete_list_size: int | None = None
    messages: list[ProbeMessage] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(m.level == "error" for m in self.messages)

    def error(self, text: str) -> None:
        self.messages.append(ProbeMessage("error", text))

    def warn(self, text: str) -> None:
        self.messages.append(ProbeMessage("warning", text))

    def info(self, text: str) -> None:
        self.messages.append(ProbeMessage("info", text))

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        for sample in data["samples"]:
            for private in ("ntriples", "shared_ntriples", "graph_iri"):
                sample.pop(private, None)
        data["ok"] = self.ok
        return data


def mapped_formats(protocol: str) -> list[str]:
    """Formats the hub can harvest over ``protocol``: the protocol carries them and a mapping exists."""
    known = set(available_formats())
    try:
        carried = source_class(protocol).formats
    except ValueError:
        return []
    return [f for f in carried if f in known]


def probe_feed(
    url: str,
    protocol: str,
    metadata_format: str | None,
    *,
    guard: FeedGuard,
    minter: IriMinter,
    museum_id: str = "probe",
    set_spec: str | None = None,
    sample_size: int = SAMPLE_SIZE,
    timeout: float = PROBE_TIMEOUT,
    options: dict[str, Any] | None = None,
    registry_path: Path | None = None,
    record_hooks: Sequence[RecordHook] | None = None,
) -> ProbeReport:
    """Probe the feed at ``url``; ``metadata_format`` None picks the best format the feed offers.

    Samples are mapped as a harvest maps them: with the museum's mapping overrides (found beside the
    registry at ``registry_path``) and the harvest's validation (``record_hooks``, default: the SHACL
    check of ``harvesters.run``), so a record a harvest would quarantine shows its reason here already.
    Hooks that record things (the unmatched-terms collector) are left out: a probe leaves no trace.
    """
    report = ProbeReport(url=url, protocol=protocol, format=metadata_format or None, set_spec=set_spec or None)
    try:
        guard.check(url)
    except FeedUrlRefused as exc:
        report.error(f"The hub refuses this feed URL: {exc}")
        return report
    http = GuardedSession(guard, timeout=timeout, retry=PROBE_RETRY())
    try:
        if record_hooks is None:
            from harvesters.run import validate_hook

            record_hooks = (validate_hook,)
        mapper = _SampleMapper(minter, museum_id, options or {}, record_hooks, registry_path)
        if protocol == "oai-pmh":
            _probe_oai(report, http, mapper, sample_size)
        else:
            _probe_source(report, http, mapper, sample_size, options or {})
    finally:
        http.close()
    return report


def _unreachable(report: ProbeReport, exc: Exception) -> None:
    if isinstance(exc, FeedUrlRefused):
        report.error(f"The feed redirected to an address the hub refuses: {exc}")
    elif isinstance(exc, HarvestHttpError | requests.RequestException):
        report.error(f"The feed does not answer: {exc}")
    else:
        report.error(f"The feed's answer is not usable: {type(exc).__name__}: {exc}")


def _probe_oai(report: ProbeReport, http: GuardedSession, mapper: _SampleMapper, size: int) -> None:
    from harvesters.oaipmh import OaiClient, OaiError

    client = OaiClient(report.url, http)
    try:
        identify = client.identify()
    except (OaiError, HarvestHttpError, FeedUrlRefused, requests.RequestException) as exc:
        _unreachable(report, exc)
        if isinstance(exc, OaiError):
            report.info("Is this the base URL of an OAI-PMH 2.0 repository? ?verb=Identify must answer.")
        return
    report.identify = asdict(identify)
    if identify.deleted_record == "no":
        report.warn("The repository keeps no record of deletions (deletedRecord=no): records deleted at the "
                    "source disappear from the hub only after a full harvest.")
    try:
        offered = client.list_metadata_formats()
    except (OaiError, HarvestHttpError, FeedUrlRefused, requests.RequestException) as exc:
        report.error(f"ListMetadataFormats failed: {exc}")
        return
    maps = mapped_formats("oai-pmh")
    report.formats = [{**asdict(f), "mapped": f.prefix in maps} for f in offered]
    prefixes = [f.prefix for f in offered]
    usable = [p for p in maps if p in prefixes]
    if report.format is not None and report.format not in prefixes:
        report.error(f"The feed does not offer {report.format!r}; it offers {', '.join(prefixes) or 'no format'}. "
                     + (f"Formats the hub maps and the feed offers: {', '.join(usable)}." if usable
                        else f"The hub maps {', '.join(maps)}, and the feed offers none of them."))
        return
    if not usable:
        report.error(
            f"The feed offers no metadata format the hub maps: it offers {', '.join(prefixes) or 'none'}; "
            f"the hub maps {', '.join(maps)}."
        )
        return
    if report.format is None:
        report.format = usable[0]
        report.info(f"Chose the format {report.format!r} (the feed also offers: "
                    f"{', '.join(p for p in usable if p != report.format) or 'nothing else the hub maps'}).")
    elif report.format not in maps:
        report.error(f"The hub has no mapping for {report.format!r}; choose one of {', '.join(usable)}.")
        return
    try:
        report.sets = [{"spec": s.spec, "name": s.name} for s in client.list_sets(max_pages=3)]
    except (OaiError, HarvestHttpError, FeedUrlRefused, requests.RequestException) as exc:
        report.warn(f"ListSets failed ({exc}); the feed can still be harvested without a set.")
    if report.set_spec and report.sets and report.set_spec not in {s["spec"] for s in report.sets}:
        report.warn(f"The set {report.set_spec!r} is not among the feed's sets.")
    try:
        page = client.list_records_page(report.format, set_spec=report.set_spec)
    except (OaiError, HarvestHttpError, FeedUrlRefused, requests.RequestException) as exc:
        report.error(f"ListRecords failed: {exc}")
        return
    report.complete_list_size = page.complete_list_size
    # Each record is mapped before the next is read (a page is streamed: harvesters.oai_page).
    mapper.map_samples(report, (SourceRecord(r.identifier, r.datestamp, r.deleted, r.metadata, r.problem)
                                for r in islice(page.records, size)))
    if not page.record_count:
        report.warn("ListRecords returned no records" + (f" in set {report.set_spec!r}." if report.set_spec else "."))


def _probe_source(
    report: ProbeReport, http: GuardedSession, mapper: _SampleMapper, size: int, options: dict[str, Any]
) -> None:
    try:
        cls = source_class(report.protocol)
    except ValueError as exc:
        report.error(str(exc))
        return
    maps = mapped_formats(report.protocol)
    report.formats = [{"prefix": f, "schema": "", "namespace": "", "mapped": True} for f in maps]
    if report.format is None and maps:
        report.format = maps[0]
    if report.format not in maps:
        report.error(f"The hub does not map {report.format!r} over {report.protocol}; it maps {', '.join(maps)}.")
        return
    source = cls(FeedSpec(report.url, report.format, report.set_spec, options), http)
    try:
        page = _first_page(source, size)
    except Exception as exc:  # a feed's fault of any kind is a message for the museum
        _unreachable(report, exc)
        return
    if page is not None:
        report.complete_list_size = page.complete_list_size
    if page is None or not mapper.map_samples(report, islice(page.records, size)):
        report.warn("The feed returned no records.")


def _first_page(source: Any, size: int) -> SourcePage | None:
    """A sample of the feed's records: the source's own ``sample(size)`` when it has one (it reads only
    what the sample needs: a few activity pages, one small query), else the first page of its listing
    (the listing is closed at once, so a dump's scratch store is removed now, not when collected)."""
    sample = getattr(source, "sample", None)
    if callable(sample):
        return sample(size)
    with contextlib.closing(source.pages()) as pages:
        return next(pages, None)


@dataclass
class _SampleMapper:
    minter: IriMinter
    museum_id: str
    options: dict[str, Any]
    hooks: Sequence[RecordHook]
    registry_path: Path | None = None

    def map_samples(self, report: ProbeReport, records: Iterable[SourceRecord]) -> int:
        """Map ``records`` (each before the next is taken) into the report's samples; returns how many."""
        assert report.format is not None
        if self.registry_path is not None:
            mapping = museum_mapping(self.registry_path, self.museum_id, report.format)
        else:
            mapping = get_mapping(report.format)
        context = MappingContext(minter=self.minter, museum=self.museum_id)
        museum = Museum(id=self.museum_id, name=self.museum_id, feed_url=report.url, format=report.format,
                        protocol=report.protocol, set_spec=report.set_spec, options=self.options)
        failed = sampled = 0
        warnings: list[str] = []
        for record in records:
            sampled += 1
            sample = ProbeSample(record.identifier, record.datestamp, record.deleted)
            report.samples.append(sample)
            if record.deleted:
                continue
            try:
                # The harvest's own mapping step and record hooks, so the sample is what a harvest would store.
                mapped: MappedRecord = map_source_record(record, mapping, context)
                for hook in self.hooks:
                    mapped = hook(mapped, record, museum)
            except RecordError as exc:
                sample.error = exc.reason
                failed += 1
                continue
            sample.mapped = True
            warnings += [f"{record.identifier}: {w}" for w in mapped.warnings]
            sample.label = mapped.label
            sample.triples = mapped.triple_count
            sample.object_iri = mapped.object_iri
            sample.graph_iri = mapped.graph_iri
            sample.ntriples = mapped.ntriples
            sample.shared_ntriples = mapped.shared_ntriples
        for warning in warnings[:MAX_SAMPLE_WARNINGS]:
            report.warn(f"Part of a value was not used (record {warning}).")
        if len(warnings) > MAX_SAMPLE_WARNINGS:
            report.warn(f"… and {len(warnings) - MAX_SAMPLE_WARNINGS} more such notes in the sample records.")
        if failed:
            report.warn(f"{failed} of the {sampled} sample records cannot be mapped or fail validation; a "
                        "harvest quarantines such records with the reason shown.")
        return sampled


def probe_feed_by_value(url: str, protocol: str, metadata_format: str | None, *, allowed_networks: list[str],
                        **kwargs: Any) -> ProbeReport:
    """:func:`probe_feed` with the feed guard given by its allowed networks: what crosses a process boundary
    (``harvesters.isolation``) is plain values."""
    return probe_feed(url, protocol, metadata_format, guard=FeedGuard(allowed_networks), **kwargs)
