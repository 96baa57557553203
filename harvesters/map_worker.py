"""Fetching, parsing and mapping a feed's pages — in a thread, or for a large feed in a worker process.

Mapping is the Python-heavy part of a harvest (about two thirds of its CPU); in a worker process it runs
on the second core while the harvest process classifies and writes (the store's bulk loader, hooks,
bookkeeping). A page crosses the process boundary mapped: identifiers, datestamps and the mapped N-Triples
(``MappedRecord``), never lxml trees. The record hooks (reconciliation, validation) stay in the harvest
process, so their state (e.g. the unmatched-terms collector) is the harvest's own — except a leading
run of hooks that are plain module functions (stateless, e.g. SHACL validation), which the worker runs
too, to balance the two cores (:func:`portable_hooks`).

The harvest starts in-process; after the first page, when the feed says it has at least
``threshold`` records, the rest of the listing is handed to a worker that resumes the source from the
first page's checkpoint (the same checkpoint a resumed run would use). Small feeds and tests never pay
the worker's start-up (~0.5 s). Retried faults in the worker come back as messages; a failure comes
back as :class:`WorkerFailed` with the worker's error text; a worker whose parent died exits by itself.

This module fetches and maps (:func:`map_source_record`, with the museum's mapping from
:func:`museum_mapping`, is the harvest's one mapping step, for the run, the worker and the probe alike);
it never writes to the store or the registry.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from harvesters.errors import HarvestError
from harvesters.http import DEFAULT_MAX_DOWNLOAD_BYTES, DEFAULT_MAX_RECORD_BYTES, DEFAULT_MAX_STREAMED_PAGE_BYTES
from harvesters.mapping_overrides import MappingOverrides
from harvesters.source import FeedSpec, SourcePage, SourceRecord
from mappings import RecordError

#: feeds announcing at least this many records are mapped in a worker process
WORKER_THRESHOLD = 5000
_QUEUE_PAGES = 4  # pages in flight between the worker and the harvest (bounded memory)


class WorkerFailed(HarvestError):
    """The mapping worker stopped on an error (its type and message are in the text)."""


@dataclass
class PreparedRecord:
    record: SourceRecord  # without its payload
    mapped: Any = None  # MappedRecord; None when deleted or failed
    error: str | None = None  # why it could not be mapped


@dataclass
class PreparedPage:
    records: list[PreparedRecord]
    checkpoint: dict[str, Any] | None = None
    complete_list_size: int | None = None
    response_date: str | None = None
    #: how many of the harvest's record hooks already ran on these records (in the worker)
    hooks_done: int = 0
    #: one part of a large page, more of it follow (harvesters.source.SourcePage.partial)
    partial: bool = False


def portable_hooks(hooks: list[Callable[..., Any]]) -> list[str]:
    """Import paths of the leading hooks that are plain module functions (stateless: they can run in the
    worker); the first bound method or closure, and all after it, stay in the harvest process."""
    names = []
    for hook in hooks:
        module, qualname = getattr(hook, "__module__", None), getattr(hook, "__qualname__", "")
        if not module or "<" in qualname or "." in qualname or getattr(hook, "__self__", None) is not None:
            break
        names.append(f"{module}:{qualname}")
    return names


def museum_mapping(registry_path: str | Path, museum_id: str, metadata_format: str) -> Any:
    """The compiled mapping for a museum's feed: the base file plus the museum's overrides, if any."""
    return MappingOverrides.beside(Path(registry_path)).mapping(museum_id, metadata_format)


def map_source_record(record: SourceRecord, mapping, context):  # mapping types live in mappings
    """The harvest's mapping step for one record (raises ``RecordError``): its payload, or for XML the record
    element inside it, through ``mapping``."""
    element = record.payload
    if record.problem:
        raise RecordError(record.identifier, record.problem)
    if element is None:
        raise RecordError(record.identifier, "the record has no metadata")
    if mapping.root_tags and element.tag not in mapping.root_tags:
        # (Non-XML mappings, e.g. linked-art and crm-rdf, have no root tags: their payload is not XML.)
        # Some feeds wrap the record (e.g. a lidoWrap inside <metadata>): find the record element.
        found = next((el for el in element.iter(*mapping.root_tags)), None)
        if found is None:
            raise RecordError(
                record.identifier,
                f"the metadata is {etree.QName(element).localname!r}, not a {mapping.format_name} record",
            )
        element = found
    return mapping.map_record(element, context, source_id=record.identifier)


def prepare(page: SourcePage, map_record: Callable[[SourceRecord], Any], error_type: type[Exception]) -> PreparedPage:
    """Map a page's records (``map_record`` raises ``error_type`` with a ``reason`` for a bad record)."""
    records = []
    for r in page.records:
        bare = SourceRecord(r.identifier, r.datestamp, r.deleted)
        if r.deleted:
            records.append(PreparedRecord(bare))
            continue
        try:
            records.append(PreparedRecord(bare, map_record(r)))
        except error_type as exc:
            records.append(PreparedRecord(bare, error=getattr(exc, "reason", str(exc))))
    return PreparedPage(records, page.checkpoint, page.complete_list_size, page.response_date, partial=page.partial)


@dataclass
class WorkerJob:
    """Everything the worker needs to open the source and the mapping itself (picklable)."""

    protocol: str
    feed: FeedSpec
    museum_id: str
    minter_base: str
    registry_path: str
    allowed_networks: list[str]
    http_timeout: float
    retry: tuple[int, float, float]  # max_retries, backoff_base, max_backoff
    resume: dict[str, Any] | None = None
    since: str | None = None
    #: record hooks to run in the worker after mapping (see :func:`portable_hooks`)
    hooks: list[str] = field(default_factory=list)
    max_download_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES  # the harvest's (harvesters.http.GuardedSession)
    max_page_bytes: int = DEFAULT_MAX_STREAMED_PAGE_BYTES
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES


def worker_pages(job: WorkerJob, on_message: Callable[[str], None]) -> Iterator[PreparedPage]:
    """Prepared pages from a worker process running ``job``; stops the worker when closed early."""
    ctx = multiprocessing.get_context("spawn")  # not fork: the harvest process has threads
    channel = ctx.Queue(maxsize=_QUEUE_PAGES)
    process = ctx.Process(target=_worker_main, args=(job, channel, os.getpid()), name="srom-map-worker",
                          daemon=True)
    process.start()
    try:
        while True:
            try:
                kind, value = channel.get(timeout=1.0)
            except queue.Empty:
                if not process.is_alive():
                    raise WorkerFailed(f"the mapping worker exited with code {process.exitcode}") from None
                continue
            if kind == "page":
                yield value
            elif kind == "message":
                on_message(value)
            elif kind == "error":
                raise WorkerFailed(value)
            else:  # done
                return
    finally:
        if process.is_alive():
            process.terminate()
        process.join(10)
        channel.close()
        channel.join_thread()


def _worker_main(job: WorkerJob, channel: Any, parent_pid: int) -> None:
    """In the worker: list the source from ``job.resume`` and send each page mapped."""

    def send(item: tuple[str, Any]) -> None:
        while True:
            try:
                channel.put(item, timeout=1.0)
                return
            except queue.Full:
                if os.getppid() != parent_pid:  # the harvest process is gone (e.g. SIGKILL): stop
                    os._exit(0)

    try:
        from harvesters.feed_database import Museum
        from harvesters.guard import FeedGuard
        from harvesters.http import GuardedSession, RetryPolicy
        from harvesters.protocols import source_class
        from mappings import MappingContext
        from ontology.iris import IriMinter

        max_retries, base, cap = job.retry
        http = GuardedSession(FeedGuard(job.allowed_networks), timeout=job.http_timeout,
                              retry=RetryPolicy(max_retries, base, cap),
                              on_retry=lambda message: send(("message", message)),
                              max_download_bytes=job.max_download_bytes, max_page_bytes=job.max_page_bytes,
                              max_record_bytes=job.max_record_bytes)
        mapping = museum_mapping(job.registry_path, job.museum_id, job.feed.format)
        context = MappingContext(minter=IriMinter(job.minter_base), museum=job.museum_id)

        import importlib

        hooks = [getattr(importlib.import_module(m), name) for m, _, name in (h.partition(":") for h in job.hooks)]
        museum = Museum(id=job.museum_id, name=job.museum_id, feed_url=job.feed.url, format=job.feed.format)

        def map_record(record: SourceRecord) -> Any:
            mapped = map_source_record(record, mapping, context)
            for hook in hooks:
                mapped = hook(mapped, record, museum)
            return mapped

        try:
            source = source_class(job.protocol)(job.feed, http)
            for page in source.pages(since=job.since, resume=job.resume):
                prepared = prepare(page, map_record, RecordError)
                prepared.hooks_done = len(hooks)
                send(("page", prepared))
        finally:
            http.close()
        send(("done", None))
    except BaseException as exc:  # reported to the harvest, which records it on the run
        send(("error", f"{type(exc).__name__}: {exc}"))
