"""A harvest run: the lifecycle around the pipeline — lock, start or resume, full-harvest removals, record.

``Harvester.harvest(museum_id)`` is the one entry point (CLI, scheduler, web). Protocol-neutral: it asks
``harvesters.protocols`` for the museum's protocol and reads pages through the :class:`Source` interface.

- **Incremental by default**: ``from`` is the previous good run's responseDate (the source puts it in the
  feed's granularity). ``full=True`` lists everything and afterwards removes the museum's record graphs
  the source no longer has — unless that is more than ``max_drop_share`` of them (mass-drop guard): then
  the removal is held in the registry (``FeedDatabase.pending_removal``) until :meth:`Harvester.confirm_removal`
  (admin or museum; ``srom removals ID --confirm``) applies it. A later harvest that sees a held record
  again takes it off the list.
- **Resumable**: one harvest per museum at a time (the registry's lock). A run that did not finish —
  killed, crashed, or failed on a fault after its retries — is continued by the next ``harvest()`` of the
  museum (same run record, ``attempts`` + 1), from its checkpoint (see ``harvesters.pipeline``), unless
  ``restart=True`` or a full harvest is asked for while the interrupted run was incremental; the
  interrupted run is then marked ``abandoned`` and a new one starts.
- **Recorded**: start, end, outcome (ok, failed, abandoned), counts (new, updated, deleted, quarantined,
  unchanged, held), retried faults and errors, in the registry.
- **Followed up**: a run or an applied removal that changed the museum's records calls ``after_change``
  once, after the museum's lock is released: what the hub derives from the whole store (the facet option
  lists its pages offer) is worked out again there. A failure of it is logged, never the run's.

It writes only through the store interface and the registry.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from harvesters.confinement import confine_hook
from harvesters.errors import HarvestBusy
from harvesters.feed_database import FeedDatabase, HarvestRun, Museum
from harvesters.guard import FeedGuard
from harvesters.http import (
    DEFAULT_MAX_DOWNLOAD_BYTES,
    DEFAULT_MAX_RECORD_BYTES,
    DEFAULT_MAX_STREAMED_PAGE_BYTES,
    GuardedSession,
    RetryPolicy,
)
from harvesters.listing_guard import DEFAULT_MAX_PAGES, DEFAULT_MAX_RECORDS, ListingGuard
from harvesters.map_worker import (
    WORKER_THRESHOLD,
    PreparedPage,
    WorkerJob,
    map_source_record,
    museum_mapping,
    portable_hooks,
    prepare,
    worker_pages,
)
from harvesters.pipeline import BULK_BATCH_FACTOR, Pipeline, RecordHook, drop_in_batches
from harvesters.protocols import source_class
from harvesters.provenance import ProvenanceWriter, museum_graph, provenance_triples
from harvesters.source import FeedSpec, SourceRecord
from harvesters.unmatched import UnmatchedCollector, sync_thesaurus
from mappings import MappedRecord, MappingContext, RecordError
from mappings.keys import KEYS_VERSION
from ontology.clock import utc_now
from ontology.iris import IriMinter
from ontology.validation import validate_record
from store.base import Store
from store.text_index import TextIndex

log = logging.getLogger(__name__)

__all__ = ["HarvestProgress", "Harvester", "harvester_options", "museum_graph",
           "provenance_triples"]


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
    held: int = 0
    resumed: bool = False
    errors: list[str] = field(default_factory=list)
    #: where the time went (seconds), filled when the listing is done (see harvesters.pipeline)
    timings: dict[str, float] = field(default_factory=dict)


ProgressCallback = Callable[[HarvestProgress], None]


class Harvester:
    def __init__(
        self,
        store: Store,
        registry: FeedDatabase,
        minter: IriMinter,
        guard: FeedGuard,
        *,
        batch_size: int = 500,
        http_timeout: float = 60.0,
        max_download_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES,
        max_page_bytes: int = DEFAULT_MAX_STREAMED_PAGE_BYTES,
        max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
        retry: RetryPolicy | None = None,
        max_drop_share: float = 0.15,
        record_hooks: Sequence[RecordHook] = (),
        use_bulk: bool = True,
        map_worker_threshold: int | None = WORKER_THRESHOLD,
        bulk_batch_factor: int = BULK_BATCH_FACTOR,
        max_pages: int = DEFAULT_MAX_PAGES,
        max_records: int = DEFAULT_MAX_RECORDS,
        text_index: TextIndex | None = None,
        after_change: Callable[[], object] | None = None,
    ) -> None:
        self.store = store
        self.registry = registry
        self.minter = minter
        self.guard = guard
        self.batch_size = batch_size
        self.http_timeout = http_timeout
        #: the largest response body a harvest reads (harvesters.http.GuardedSession)
        self.max_download_bytes = max_download_bytes
        #: the largest OAI-PMH page (streamed through a spool) and record in it (harvesters.oai_page)
        self.max_page_bytes = max_page_bytes
        self.max_record_bytes = max_record_bytes
        self.retry = retry or RetryPolicy()
        self.max_drop_share = max_drop_share
        #: per-record steps after mapping (reconciliation, validation): see ``harvesters.pipeline``
        self.record_hooks: list[RecordHook] = list(record_hooks)
        # A museum's records describe only what it owns (harvesters.confinement), before validation.
        self.record_hooks.append(confine_hook)
        # --- issue 4: SHACL validation is the last step after mapping (and reconciliation) ---------------
        self.record_hooks.append(validate_hook)
        # --- issue 4 (thesaurus): unmatched terms per feed for the admin's review (harvesters/unmatched.py) ---
        self.unmatched = UnmatchedCollector(registry.path)
        self.record_hooks.append(self.unmatched.hook)
        #: write records that are new to the store through its bulk path (see ``Store.load_graphs``)
        self.use_bulk = use_bulk
        #: map feeds of at least this many records in a worker process (None: never; harvesters.map_worker)
        self.map_worker_threshold = map_worker_threshold
        #: a first harvest (bulk path) writes batches of ``batch_size * bulk_batch_factor`` records
        self.bulk_batch_factor = bulk_batch_factor
        #: caps on one run's listing (harvesters.listing_guard): a feed cannot make a run endless
        self.max_pages = max_pages
        self.max_records = max_records
        #: the full-text index kept in step with the record graphs (None: no index; ``store.text_index``)
        self.text_index = text_index
        #: called once after a run or removal that changed records (see the module's "Followed up")
        self.after_change = after_change

    # --- the run ---------------------------------------------------------------------------------
    def harvest(
        self, museum_id: str, *, full: bool = False, restart: bool = False, progress: ProgressCallback | None = None
    ) -> HarvestRun:
        """Run (or resume) one harvest of ``museum_id``; returns the recorded run (outcome ``ok`` or ``failed``).

        Raises KeyError for an unknown museum and :class:`HarvestBusy` when it is being harvested already.
        """
        museum = self.registry.get_museum(museum_id)
        if museum is None:
            raise KeyError(f"no museum {museum_id!r} is registered")
        # A source that lists every record on every run (an RDF dump, a SPARQL endpoint) has no incremental
        # form: each of its runs is a full harvest, and a record missing from the listing is gone.
        full = full or _lists_everything(museum.protocol)
        token = uuid.uuid4().hex
        if not self.registry.acquire_lock(museum_id, token):
            holder = self.registry.lock_holder(museum_id) or {}
            raise HarvestBusy(
                f"{museum_id} is being harvested already (process {holder.get('pid')} on {holder.get('host')}, "
                f"since {holder.get('acquired')})"
            )
        try:
            removed = self._apply_confirmed_removal(museum_id)
            latest = self.registry.runs(museum_id, limit=1)
            run = self._open_run(museum, full=full, restart=restart)
            if latest and latest[0].id != run.id and latest[0].outcome == "failed":
                self._reindex_pending(latest[0].id)  # failed before its first checkpoint: not resumed
            state = _state_of(run)
            state.resumed = run.attempts > 1
            http = GuardedSession(self.guard, timeout=self.http_timeout, retry=self.retry,
                                  on_retry=lambda message: self._note(run.id, state, message),
                                  max_download_bytes=self.max_download_bytes, max_page_bytes=self.max_page_bytes,
                                  max_record_bytes=self.max_record_bytes)
            try:
                self._execute(museum, run, state, http, token, progress)
                if run.full:
                    self._remove_missing(museum, run, state)
            except Exception as exc:  # every failure is recorded on the run, then reported
                log.exception("harvest of %s failed", museum_id)
                # The counts stay those of the last committed batch: they match the checkpoint.
                self.registry.finish_run(run.id, "failed", error=f"{type(exc).__name__}: {exc}"[:4000])
            else:
                self.registry.update_run(run.id, checkpoint=None)
                self.registry.finish_run(run.id, "ok")
                self.registry.clear_run_state(run.id)
            finally:
                http.close()
            if progress:
                progress(state)
            final = self.registry.get_run(run.id)
            assert final is not None
        finally:
            self.registry.release_lock(museum_id, token)
        if removed or final.new or final.updated or final.deleted:
            self._changed(museum_id)
        return final

    def _changed(self, museum_id: str) -> None:
        if self.after_change is None:
            return
        try:
            self.after_change()
        except Exception:  # the records are written and the run recorded; what follows from them can wait
            log.exception("the work after %s's records changed failed", museum_id)

    def _note(self, run_id: int, state: HarvestProgress, message: str) -> None:
        state.errors.append(message)
        self.registry.add_run_message(run_id, message)

    def _open_run(self, museum: Museum, *, full: bool, restart: bool) -> HarvestRun:
        """The interrupted run to continue, or a new run (after abandoning an interrupted one)."""
        interrupted = self.registry.interrupted_run(museum.id)
        if interrupted is not None:
            if not restart and (interrupted.full or not full):
                self.registry.reopen_run(interrupted.id)
                why = interrupted.error or "its process ended before it finished"
                self.registry.add_run_message(interrupted.id, f"resumed from its checkpoint (after: {why})")
                run = self.registry.get_run(interrupted.id)
                assert run is not None
                return run
            self._abandon(interrupted)
        last = None if full else self.registry.last_good_run(museum.id)
        stale_keys = last is not None and last.keys_version < KEYS_VERSION
        if stale_keys:  # an incremental run would leave the unchanged records without the new keys
            full, last = True, None
        run_id = self.registry.start_run(museum.id, full=full, harvest_from=last.response_date if last else None,
                                         keys_version=KEYS_VERSION)
        if stale_keys:
            self.registry.add_run_message(run_id, "a full harvest: the keys the hub writes on each object have "
                                                  "changed since the last run, so every record is mapped again")
        run = self.registry.get_run(run_id)
        assert run is not None
        return run

    def _abandon(self, run: HarvestRun) -> None:
        # Graphs of its last, uncommitted batch that were new may be half bulk-loaded: drop them (a later
        # run lists them again, since it starts from an earlier or the same `from`).
        pending = self.registry.pending_batch(run.id)
        partial = [g for g, change in pending.items() if change == "new"]
        drop_in_batches(self.store, partial)
        self._reindex_pending(run.id)
        self.registry.finish_run(run.id, "abandoned", error=run.error or "interrupted, then superseded")
        self.registry.clear_run_state(run.id)

    def _execute(self, museum: Museum, run: HarvestRun, state: HarvestProgress, http: GuardedSession,
                 token: str, progress: ProgressCallback | None) -> None:
        checkpoint = run.checkpoint or {}
        if checkpoint.get("done"):
            return  # the listing finished before the interruption; only the run's last steps are left
        feed = FeedSpec(museum.feed_url, museum.format, museum.set_spec, dict(museum.options))
        source = source_class(museum.protocol)(feed, http)
        # issue 4: the museum's mapping overrides ($SROM_HOME/mappings/<museum>.toml) merged onto the base file
        mapping = museum_mapping(self.registry.path, museum.id, museum.format)
        context = MappingContext(minter=self.minter, museum=museum.id)
        run_iri = self.minter.harvest_run(museum.id, run.id)
        self.store.replace_graphs([museum_graph(museum, self.minter)])
        sync_thesaurus(self.store, self.minter.base)  # issue 4: {base}/graph/thesaurus, when the file changed

        def map_record(record: SourceRecord) -> MappedRecord:
            return map_source_record(record, mapping, context)

        def finish_record(mapped: MappedRecord, record: SourceRecord, hooks_done: int = 0) -> MappedRecord:
            for warning in mapped.warnings:  # the mapping dropped part of a value (bad coordinates...)
                log.warning("record %s of %s: %s", mapped.source_id, museum.id, warning)
            for hook in self.record_hooks[hooks_done:]:
                mapped = hook(mapped, record, museum)
            return mapped

        provenance = ProvenanceWriter(museum, run_iri, self.minter)

        def checkpoint_after(page: PreparedPage | None) -> dict[str, Any]:
            position = page.checkpoint if page is not None else None
            return {"source": position, "done": position is None, "pages": state.pages,
                    "complete_list_size": state.complete_list_size}

        def listing() -> Iterator[PreparedPage]:
            pages = source.pages(since=run.harvest_from, resume=checkpoint.get("source"))
            for page in pages:
                yield prepare(page, map_record, RecordError)
                size = page.complete_list_size or 0
                if (self.map_worker_threshold and page.checkpoint and size >= self.map_worker_threshold
                        and source.resumes_cheaply and not page.partial):
                    pages.close()  # a large feed: the rest is fetched and mapped on the other core
                    job = WorkerJob(
                        museum.protocol, feed, museum.id, self.minter.base, str(self.registry.path),
                        [str(n) for n in self.guard.allowed], self.http_timeout,
                        (self.retry.max_retries, self.retry.backoff_base, self.retry.max_backoff),
                        resume=page.checkpoint, hooks=portable_hooks(self.record_hooks),
                        max_download_bytes=self.max_download_bytes, max_page_bytes=self.max_page_bytes,
                        max_record_bytes=self.max_record_bytes,
                    )
                    yield from worker_pages(job, lambda message: self._note(run.id, state, message))
                    return

        guard = ListingGuard(max_pages=self.max_pages, max_records=self.max_records,
                             pages=state.pages, records=state.records)

        def pages() -> Iterator[PreparedPage]:
            response_date = run.response_date
            for page in listing():
                guard.check(page.checkpoint, len(page.records), page.partial)
                if response_date is None:
                    response_date = page.response_date or utc_now()
                    self.registry.update_run(run.id, response_date=response_date)
                yield page

        pipeline = Pipeline(
            store=self.store, registry=self.registry, minter=self.minter, museum=museum, run=run, state=state,
            finish_record=finish_record, provenance=provenance, batch_size=self.batch_size, lock_token=token,
            use_bulk=self.use_bulk, progress=progress, bulk_batch_factor=self.bulk_batch_factor,
            text_index=self.text_index,
        )
        try:
            pipeline.run(pages(), checkpoint_after)
            state.timings = pipeline.timings
        finally:
            self.unmatched.flush(museum.id, run.id)  # issue 4: this run's unmatched terms to the review list

    # --- full harvests: removals and the mass-drop guard -------------------------------------------------
    def _remove_missing(self, museum: Museum, run: HarvestRun, state: HarvestProgress) -> None:
        existing = self.store.graph_names(prefix=self.minter.record_graph_prefix(museum.id))
        missing = self.registry.unseen(run.id, existing)
        if not missing:
            return
        share = len(missing) / len(existing)
        if share > self.max_drop_share:
            self.registry.hold_removal(museum.id, run.id, missing, total=len(existing))
            state.held = len(missing)
            self.registry.update_run(run.id, held=len(missing))
            self._note(run.id, state, f"{len(missing)} of {len(existing)} records ({share:.0%}) are gone from the "
                       f"source: more than the {self.max_drop_share:.0%} allowed, so their removal waits for "
                       f"confirmation (srom removals {museum.id} --confirm)")
            return
        for i in range(0, len(missing), 500):
            chunk = missing[i : i + 500]
            self._unindex(chunk)
            self.store.drop_graphs(chunk)
            self.registry.record_activity(museum.id, "Delete", chunk)
            state.deleted += len(chunk)
            self.registry.update_run(run.id, deleted=state.deleted)

    def _reindex_pending(self, run_id: int) -> None:
        """The text index documents of a run's uncommitted batch, as the store has them now.

        That batch may have reached the store and not the index (or the other way round); a run that
        resumes replays it, but one that does not (abandoned, or failed before its first checkpoint)
        leaves it to the next run, which finds those records unchanged in the store and writes nothing.
        """
        graphs = sorted(self.registry.pending_batch(run_id))
        if self.text_index is not None:
            for i in range(0, len(graphs), 500):
                self.text_index.refresh_from_store(self.store, graphs[i : i + 500])

    def _unindex(self, graphs: Sequence[str]) -> None:
        """Documents of graphs about to be dropped leave the text index first (redone after a crash, since
        what to drop is worked out from the store again)."""
        if self.text_index is not None and graphs:
            for i in range(0, len(graphs), 500):
                self.text_index.delete_graphs(graphs[i : i + 500])

    def pending_removal(self, museum_id: str) -> dict[str, Any] | None:
        """The removal held by the mass-drop guard for ``museum_id`` (see ``FeedDatabase.pending_removal``)."""
        return self.registry.pending_removal(museum_id)

    def confirm_removal(self, museum_id: str, by: str = "admin") -> int | None:
        """Confirm and apply the held removal of ``museum_id``; returns how many records were removed.

        None when a harvest of the museum is running: the confirmation is kept, and the next harvest
        applies confirmed removals before it starts.
        """
        if self.registry.pending_removal(museum_id) is None:
            return 0
        self.registry.confirm_removals(museum_id, by)
        token = uuid.uuid4().hex
        if not self.registry.acquire_lock(museum_id, token):
            return None
        try:
            removed = self._apply_confirmed_removal(museum_id)
        finally:
            self.registry.release_lock(museum_id, token)
        if removed:
            self._changed(museum_id)
        return removed

    def _apply_confirmed_removal(self, museum_id: str) -> int:
        pending = self.registry.pending_removal(museum_id)
        if not pending or not pending.get("confirmed"):
            return 0
        removed = 0
        while graphs := self.registry.removal_graphs(museum_id, limit=500):
            self._unindex(graphs)
            self.store.drop_graphs(graphs)
            self.registry.finish_removal(museum_id, graphs)
            removed += len(graphs)
        self.registry.finish_removal(museum_id, [])
        run = self.registry.get_run(int(pending["run_id"])) if pending.get("run_id") else None
        if run is not None:
            self.registry.update_run(run.id, deleted=run.deleted + removed, held=max(0, run.held - removed))
            self.registry.add_run_message(run.id, f"{removed} held removals applied, confirmed by "
                                                  f"{pending.get('confirmed_by')}")
        return removed


# --- issue 4: validation hook ------------------------------------------------------------------------------
def validate_hook(mapped: MappedRecord, record: SourceRecord, museum: Museum) -> MappedRecord:
    """Quarantine a record that breaks a SHACL shape of severity Violation, with the shape's message.

    Warnings (no date span, no image) never block: the quality report counts them from the store.
    ``ontology.validation`` is the compiled evaluator (~0.1 ms a record), not pyshacl (6-9 ms).
    """
    report = validate_record(mapped.ntriples, mapped.shared_ntriples)
    if not report.conforms:
        raise RecordError(mapped.source_id, report.reason())
    return mapped


def _lists_everything(protocol: str) -> bool:
    try:
        return bool(getattr(source_class(protocol), "complete_listing", False))
    except ValueError:
        return False  # an unknown protocol fails the run itself, where it is recorded


def harvester_options(settings: Mapping[str, Any], *, sleep: Callable[[float], None] | None = None) -> dict[str, Any]:
    """``Harvester`` keyword arguments from the hub's settings (``web.settings``: HARVEST_*, HTTP_TIMEOUT)."""
    retry = RetryPolicy(
        max_retries=int(settings.get("HARVEST_MAX_RETRIES", 5)),
        backoff_base=float(settings.get("HARVEST_BACKOFF", 1.0)),
        max_backoff=float(settings.get("HARVEST_MAX_BACKOFF", 60.0)),
    )
    if sleep is not None:
        retry.sleep = sleep
    return {
        "batch_size": int(settings.get("HARVEST_BATCH_SIZE", 500)),
        "http_timeout": float(settings.get("HTTP_TIMEOUT", 60.0)),
        "max_download_bytes": int(settings.get("HARVEST_MAX_DOWNLOAD_MB", 4096)) * 1024 * 1024,
        "max_page_bytes": int(settings.get("HARVEST_MAX_PAGE_MB", DEFAULT_MAX_STREAMED_PAGE_BYTES >> 20)) << 20,
        "max_record_bytes": int(settings.get("HARVEST_MAX_RECORD_MB", DEFAULT_MAX_RECORD_BYTES >> 20)) << 20,
        "retry": retry,
        "max_drop_share": float(settings.get("HARVEST_MAX_DROP_SHARE", 0.15)),
        "map_worker_threshold": int(settings.get("HARVEST_MAP_WORKER_THRESHOLD", WORKER_THRESHOLD)) or None,
        "max_pages": int(settings.get("HARVEST_MAX_PAGES", DEFAULT_MAX_PAGES)),
        "max_records": int(settings.get("HARVEST_MAX_RECORDS", DEFAULT_MAX_RECORDS)),
    }


def _state_of(run: HarvestRun) -> HarvestProgress:
    """Progress counters continuing from the run's committed counts (a resumed run goes on counting)."""
    checkpoint = run.checkpoint or {}
    return HarvestProgress(
        run.museum, pages=int(checkpoint.get("pages") or 0), records=run.records,
        complete_list_size=checkpoint.get("complete_list_size"), new=run.new, updated=run.updated,
        deleted=run.deleted, quarantined=run.quarantined, unchanged=run.unchanged, held=run.held,
    )
