"""The museums' use cases, the one place every entry point calls: register, update, probe, harvest,
confirm or discard held removals, delete.

The web form (``web.views.manage``), the JSON API (``web.views.api``), the CLI (``web.cli.museums``) and
the scheduler only parse their input, call :class:`MuseumService` and render its answer, so a museum
registered by any of them is checked by the same code (``web.museums.feed_form``) with the same
messages. Errors are :class:`web.errors.HubError` subclasses carrying their HTTP status. Permissions
are the callers' business: this service never decides who may act.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from harvesters.errors import HarvestBusy
from harvesters.feed_database import FeedDatabaseError, HarvestRun, Museum
from harvesters.probe import ProbeReport
from harvesters.run import Harvester, HarvestProgress
from ontology.namespaces import sparql_prologue
from store.base import SolutionsResult
from store.oxigraph_server import find_running_server
from store.virtuoso_server import find_running_virtuoso
from web.errors import Conflict, InvalidInput, NotFound
from web.museums.feed_form import museum_from_fields
from web.museums.harvest_jobs import HarvestJob, HarvestJobs, harvest_in_worker
from web.museums.probes import FeedProbe, ProbeResults, probe_and_preview
from web.museums.quality import QualityReports

if TYPE_CHECKING:
    from web.hub import Hub

_COUNTS_QUERY = """
SELECT ?museum (COUNT(DISTINCT ?object) AS ?objects) WHERE {
  ?object a crm:E22_Human-Made_Object ; crm:P50_has_current_keeper ?museum .
} GROUP BY ?museum
"""

#: graphs dropped per store call when a museum is deleted
_DROP_BATCH = 500


@dataclass(frozen=True)
class RemovalDecision:
    """What confirming or discarding a held removal did."""

    museum_id: str
    action: str  # "confirm" or "discard"
    pending: dict[str, Any]
    removed: int | None  # None: a harvest is running; it keeps the confirmation and applies it
    by: str

    @property
    def applied(self) -> bool:
        return self.removed is not None

    def as_json(self) -> dict[str, Any]:
        data = {**self.pending, "removed": self.removed if self.action == "confirm" else 0}
        if self.action == "confirm":
            data.update(confirmed_by=self.by, applied=self.applied)
        return data


class MuseumService:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.probes = ProbeResults(hub.database)
        self._in_worker = harvest_in_worker(hub.instance, int(hub.settings.get("HARVEST_WORKER_MEMORY_MB", 4096)),
                                            hub.feeds.get_run)
        self.jobs = HarvestJobs(self._harvest_for_job)
        self.quality = QualityReports(hub)

    # --- reading -----------------------------------------------------------------------------------
    def get(self, museum_id: str) -> Museum:
        museum = self.hub.feeds.get_museum(museum_id)
        if museum is None:
            raise NotFound(f"no museum {museum_id!r} is registered")
        return museum

    def find(self, museum_id: str) -> Museum | None:
        return self.hub.feeds.get_museum(museum_id)

    def list(self) -> list[Museum]:
        return self.hub.feeds.museums()

    def object_count(self, museum_id: str) -> int:
        """The museum's current number of objects in the store (objects it keeps)."""
        query = sparql_prologue() + (
            "SELECT (COUNT(DISTINCT ?object) AS ?n) WHERE { ?object a crm:E22_Human-Made_Object ; "
            "crm:P50_has_current_keeper ?museum }"
        )
        museum = ox.NamedNode(self.hub.minter.museum(museum_id))
        result = self.hub.store().query(query, substitutions={"museum": museum})
        rows = result.dicts()  # type: ignore[union-attr]
        return int(rows[0]["n"].value) if rows else 0

    def object_counts(self) -> dict[str, int]:
        """Museum IRI -> number of objects it keeps, for every museum, in one query."""
        result = self.hub.store().query(sparql_prologue() + _COUNTS_QUERY)
        assert isinstance(result, SolutionsResult)
        return {row["museum"].value: int(row["objects"].value) for row in result.dicts()}

    def listing(self, lang: str = "en") -> builtins.list[dict[str, Any]]:
        """Every museum as the public pages list it: its fields, name in ``lang``, objects, last run."""
        counts = self.object_counts()
        rows = []
        for museum in self.list():
            data = museum.as_json()
            data["display_name"] = museum.names.get(lang) or museum.names.get("en") or museum.name
            data["objects"] = counts.get(self.hub.minter.museum(museum.id), 0)
            last = self.hub.feeds.runs(museum.id, limit=1)
            data["last_run"] = last[0].as_json() if last else None
            rows.append(data)
        return rows

    # --- registering -------------------------------------------------------------------------------
    def register(self, museum_id: str, fields: Mapping[str, Any], *, probe: bool = True,
                 lang: str = "en") -> tuple[Museum, ProbeReport | None]:
        """Register a new museum; 409 when the id is taken."""
        if self.find(museum_id) is not None:
            raise Conflict(f"the museum {museum_id!r} is registered already; update it instead")
        return self._save(museum_from_fields(self.hub.guard, museum_id, fields), probe=probe, lang=lang)

    def update(self, museum_id: str, fields: Mapping[str, Any], *, probe: bool = True,
               lang: str = "en") -> tuple[Museum, ProbeReport | None]:
        """Change a registered museum: ``fields`` are merged onto what is saved."""
        existing = self.get(museum_id)
        return self._save(museum_from_fields(self.hub.guard, museum_id, fields, existing), probe=probe, lang=lang)

    def register_or_update(self, museum_id: str, fields: Mapping[str, Any], *, probe: bool = True,
                           lang: str = "en") -> tuple[Museum, ProbeReport | None]:
        existing = self.find(museum_id)
        candidate = museum_from_fields(self.hub.guard, museum_id, fields, existing)
        return self._save(candidate, probe=probe, lang=lang)

    def _save(self, museum: Museum, *, probe: bool, lang: str) -> tuple[Museum, ProbeReport | None]:
        """Probe (unless told not to) and save ``museum``; an empty format is chosen by the probe."""
        report = self._probe(museum, lang) if probe or not museum.format else None
        if not museum.format:
            if report is None or not report.format:
                reason = "; ".join(m.text for m in report.messages if m.level == "error") if report else ""
                raise InvalidInput("choose the metadata format: the probe could not pick one"
                                   + (f" ({reason})" if reason else ""), field="format")
            museum.format = report.format
        try:
            saved = self.hub.feeds.save_museum(museum)
        except FeedDatabaseError as exc:
            raise InvalidInput(str(exc)) from exc
        if report is not None:
            self.probes.save(saved.id, report)
        return saved, report

    # --- probing -----------------------------------------------------------------------------------
    def probe_url(self, museum_id: str, url: str, *, protocol: str = "oai-pmh", metadata_format: str | None = None,
                  set_spec: str | None = None, lang: str = "en") -> ProbeReport:
        """Probe a feed that is not registered (yet): nothing is saved."""
        if not url:
            raise InvalidInput("give feed_url", field="feed_url")
        return self._run_probe(FeedProbe(museum_id, url, protocol, metadata_format, set_spec), lang)

    def probe(self, museum_id: str, *, lang: str = "en") -> ProbeReport:
        """Probe a registered museum's feed now and keep the report for its dashboard."""
        report = self._probe(self.get(museum_id), lang)
        self.probes.save(museum_id, report)
        return report

    def last_probe(self, museum_id: str) -> dict[str, Any] | None:
        return self.probes.get(museum_id)

    def _probe(self, museum: Museum, lang: str) -> ProbeReport:
        feed = FeedProbe(museum.id, museum.feed_url, museum.protocol, museum.format or None, museum.set_spec,
                         getattr(museum, "options", None))
        return self._run_probe(feed, lang)

    def _run_probe(self, feed: FeedProbe, lang: str) -> ProbeReport:
        return probe_and_preview(feed, guard=self.hub.guard, minter=self.hub.minter, database=self.hub.database,
                                 timeout=float(self.hub.settings.get("HTTP_TIMEOUT") or 20.0), lang=lang)

    # --- harvesting --------------------------------------------------------------------------------
    def harvester(self) -> Harvester:
        return self.hub.harvester()

    def _harvest_one(self, museum_id: str, *, full: bool = False, restart: bool = False,
                     progress: Callable[[HarvestProgress], None] | None = None) -> HarvestRun:
        return self.harvester().harvest(museum_id, full=full, restart=restart, progress=progress)

    def _harvest_for_job(self, museum_id: str, *, full: bool = False,
                         progress: Callable[[HarvestProgress], None] | None = None) -> HarvestRun:
        """A web-started harvest: in a worker process with a memory cap when the store is a server another
        process can reach (the managed one `srom serve` runs, or a remote one), else here."""
        if self.hub.settings.get("HARVEST_IN_WORKER", True) and self._store_reachable_elsewhere():
            return self._in_worker(museum_id, full=full, progress=progress)
        return self._harvest_one(museum_id, full=full, progress=progress)

    def _store_reachable_elsewhere(self) -> bool:
        spec = self.hub.settings["STORE"]
        if spec in ("memory", "embedded"):
            return False
        if self.hub.managed_engine == "oxigraph":
            return find_running_server(self.hub.store_location) is not None
        if self.hub.managed_engine == "virtuoso":
            return find_running_virtuoso(self.hub.store_location) is not None
        return True  # a remote SPARQL endpoint or an existing Virtuoso

    def harvest(self, museum_id: str, *, full: bool = False, restart: bool = False,
                progress: Callable[[HarvestProgress], None] | None = None) -> HarvestRun:
        """Harvest one museum in this thread (resuming an interrupted run unless ``restart``).

        Raises :class:`Conflict` while another process harvests it.
        """
        self.get(museum_id)
        try:
            return self._harvest_one(museum_id, full=full, restart=restart, progress=progress)
        except HarvestBusy as exc:
            raise Conflict(str(exc)) from exc

    def start_harvest(self, museum_id: str, *, full: bool = False) -> HarvestJob:
        """Start a harvest in a background thread; 409 while one started here runs for the museum."""
        self.get(museum_id)
        job = self.jobs.start(museum_id, full=full)
        if job is None:
            raise Conflict(f"a harvest of {museum_id!r} is already running")
        return job

    def harvest_job(self, museum_id: str) -> HarvestJob | None:
        return self.jobs.get(museum_id)

    # --- removals held by the mass-drop guard ------------------------------------------------------
    def pending_removal(self, museum_id: str) -> dict[str, Any] | None:
        return self.hub.feeds.pending_removal(museum_id)

    def removal_sample(self, museum_id: str, limit: int = 20) -> builtins.list[str]:
        return self.hub.feeds.removal_graphs(museum_id, limit=limit)

    def decide_removal(self, museum_id: str, action: str, by: str) -> RemovalDecision:
        """Confirm (apply now, or by the running harvest) or discard the removal a full harvest holds back.

        Raises :class:`NotFound` when no removal is waiting.
        """
        if action not in ("confirm", "discard"):
            raise InvalidInput(f"confirm or discard, not {action!r}")
        pending = self.pending_removal(museum_id)
        if pending is None:
            raise NotFound(f"no removal of {museum_id!r} is waiting for confirmation")
        if action == "discard":
            self.hub.feeds.discard_removal(museum_id)
            return RemovalDecision(museum_id, action, pending, 0, by)
        removed = self.harvester().confirm_removal(museum_id, by)
        return RemovalDecision(museum_id, action, pending, removed, by)

    # --- deleting ----------------------------------------------------------------------------------
    def delete(self, museum_id: str) -> int:
        """Unregister a museum and drop its records, vocabulary and description; returns graphs dropped."""
        self.get(museum_id)
        minter = self.hub.minter
        store = self.hub.store()
        graphs = store.graph_names(prefix=minter.record_graph_prefix(museum_id))
        self.hub.text_index().delete_museum(minter.museum(museum_id))  # first: a retry finds the graphs again
        for start in range(0, len(graphs), _DROP_BATCH):
            store.drop_graphs(graphs[start : start + _DROP_BATCH])
            self.hub.feeds.record_activity(museum_id, "Delete", graphs[start : start + _DROP_BATCH])
        store.drop_graphs([minter.vocabulary_graph(museum_id), minter.museum_graph(museum_id)])
        self.hub.feeds.remove_museum(museum_id)
        self.probes.delete(museum_id)
        self.hub.exhibitions.count_option_lists()  # its museum, materials... leave the pages' pickers
        return len(graphs)
