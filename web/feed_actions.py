"""What the web form, the JSON API and the CLI do to a museum's feed, in one place.

- :func:`museum_from_fields` checks a registration (form fields or JSON) and builds the registry's
  :class:`~harvesters.registry.Museum`; the feed URL passes the :class:`FeedGuard` before anything is
  saved or fetched.
- :func:`probe_and_preview` probes a feed (``harvesters.probe``) and renders its sample records as the
  hub's own object cards (``web.cards``) from an in-memory store, so the museum sees its objects as the
  hub will show them. :class:`ProbeResults` keeps the last probe of each museum (its own table).
- :class:`HarvestJobs` runs a harvest in a background thread, at most one per museum, and remembers its
  progress for the dashboard (the run itself is recorded by the harvester in the registry).

Permissions are checked by the callers (``web.views``); this module never decides who may act.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import sqlite3
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from harvesters.guard import FeedUrlRefused
from harvesters.probe import ProbeReport, probe_feed
from harvesters.registry import FORMATS, PROTOCOLS, Museum
from harvesters.run import HarvestProgress
from ontology.clock import utc_now
from ontology.iris import check_museum_id
from web.hub import Hub

log = logging.getLogger(__name__)

TEXT_FIELDS = ("name", "feed_url", "protocol", "format", "set_spec", "schedule", "homepage", "city", "country",
               "licence", "attribution")


class FeedFormError(ValueError):
    """A registration the hub refuses; ``field`` names the offending field when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def museum_fields() -> set[str]:
    return {f.name for f in dataclasses.fields(Museum)}


def parse_names(value: object) -> dict[str, str]:
    """Names by language: a dict, or text with one ``lang: name`` per line (the web form)."""
    if value is None or value == "":
        return {}
    if isinstance(value, Mapping):
        pairs = [(str(k), str(v)) for k, v in value.items()]
    elif isinstance(value, str):
        pairs = []
        for line in value.splitlines():
            if not line.strip():
                continue
            lang, sep, name = line.partition(":")
            if not sep:
                raise FeedFormError(f"write each name as 'language: name' (line {line.strip()!r})", "names")
            pairs.append((lang, name))
    else:
        raise FeedFormError("names must be an object of language → name", "names")
    names: dict[str, str] = {}
    for lang, name in pairs:
        lang, name = lang.strip().lower(), name.strip()
        if not lang or len(lang) > 20 or not all(part.isalnum() for part in lang.split("-")):
            raise FeedFormError(f"{lang!r} is not a language tag (e.g. en, zh, zh-hant, ru)", "names")
        if name:
            names[lang] = name[:300]
    return names


def _http_url(value: str, name: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c in value for c in ' <>"{}|\\^`'):
        raise FeedFormError(f"{name} must be an http(s) URL", name)
    return value


def _coordinate(value: object, name: str, limit: float) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise FeedFormError(f"{name} must be a number", name) from None
    if not math.isfinite(number) or abs(number) > limit:
        raise FeedFormError(f"{name} must be between -{limit:g} and {limit:g}", name)
    return number


def museum_from_fields(hub: Hub, museum_id: str, data: Mapping[str, Any], existing: Museum | None = None) -> Museum:
    """The museum ``data`` describes (merged onto ``existing``), checked; raises :class:`FeedFormError`."""
    try:
        check_museum_id(museum_id)
    except ValueError as exc:
        raise FeedFormError(str(exc), "id") from exc
    values: dict[str, Any] = dataclasses.asdict(existing) if existing else {"id": museum_id, "protocol": "oai-pmh"}
    for name in TEXT_FIELDS:
        if name in data:
            text = data[name]
            if text is not None and not isinstance(text, str):
                raise FeedFormError(f"{name} must be text", name)
            values[name] = (text or "").strip()[:2000] or None
    if "names" in data:
        values["names"] = parse_names(data["names"])
    for name, limit in (("lat", 90.0), ("lon", 180.0)):
        if name in data:
            values[name] = _coordinate(data[name], name, limit)
    names = values.get("names") or {}
    values["name"] = values.get("name") or names.get("en") or next(iter(names.values()), None)
    if not values["name"]:
        raise FeedFormError("the museum needs a name", "name")
    if not values.get("feed_url"):
        raise FeedFormError("the feed URL is required", "feed_url")
    _http_url(values["feed_url"], "feed_url")
    if values.get("homepage"):
        _http_url(values["homepage"], "homepage")
    protocol = values.get("protocol") or "oai-pmh"
    if protocol not in PROTOCOLS:
        raise FeedFormError(f"unknown protocol {protocol!r}; the hub speaks {', '.join(PROTOCOLS)}", "protocol")
    values["protocol"] = protocol
    if values.get("format") and values["format"] not in FORMATS:
        raise FeedFormError(f"unknown format {values['format']!r}; the hub maps {', '.join(FORMATS)}", "format")
    if not values.get("names"):
        values["names"] = {"en": values["name"]}
    if values.get("schedule"):
        from harvesters.schedule import check_schedule

        try:
            values["schedule"] = check_schedule(values["schedule"])
        except ValueError as exc:
            raise FeedFormError(str(exc), "schedule") from exc
    if "options" in data:
        options = data["options"] or {}
        if isinstance(options, str):  # the web form's JSON text
            try:
                options = json.loads(options) if options.strip() else {}
            except ValueError as exc:
                raise FeedFormError(f"options must be a JSON object: {exc}", "options") from exc
        if not isinstance(options, dict) or len(json.dumps(options)) > 20_000:
            raise FeedFormError("options must be a JSON object (at most 20 kB)", "options")
        values["options"] = options
    try:
        hub.guard.check(values["feed_url"])
    except FeedUrlRefused as exc:
        raise FeedFormError(str(exc), "feed_url") from exc
    known = museum_fields()  # e.g. ``schedule`` once the registry keeps it
    values["format"] = values.get("format") or ""
    values["id"] = museum_id
    return Museum(**{k: v for k, v in values.items() if k in known})


def register_feed(
    hub: Hub, museum: Museum, *, probe: bool = True, lang: str = "en"
) -> tuple[Museum, ProbeReport | None]:
    """Probe (unless told not to) and save ``museum``; an empty format is chosen by the probe."""
    report = probe_and_preview(hub, museum.id, museum.feed_url, museum.protocol, museum.format or None,
                               museum.set_spec, lang=lang, options=getattr(museum, "options", None)) \
        if probe or not museum.format else None
    if not museum.format:
        if report is None or not report.format:
            reason = "; ".join(m.text for m in report.messages if m.level == "error") if report else ""
            raise FeedFormError("choose the metadata format: the probe could not pick one" +
                                (f" ({reason})" if reason else ""), "format")
        museum.format = report.format
    saved = hub.registry.save_museum(museum)
    if report is not None:
        ProbeResults(hub.instance / "hub.sqlite").save(saved.id, report)
    return saved, report


# --- probing -------------------------------------------------------------------------------------
def probe_and_preview(hub: Hub, museum_id: str, url: str, protocol: str, metadata_format: str | None,
                      set_spec: str | None = None, *, lang: str = "en",
                      options: dict[str, Any] | None = None) -> ProbeReport:
    timeout = min(float(hub.settings.get("HTTP_TIMEOUT") or 20.0), 20.0)
    report = probe_feed(url, protocol, metadata_format, guard=hub.guard, minter=hub.minter,
                        museum_id=museum_id, set_spec=set_spec, timeout=timeout, options=options,
                        registry_path=hub.registry.path)
    render_samples(report, hub, museum_id, lang)
    return report


def probe_museum(hub: Hub, museum: Museum, *, lang: str = "en") -> ProbeReport:
    """Probe a registered museum's feed and keep the result for its dashboard."""
    report = probe_and_preview(hub, museum.id, museum.feed_url, museum.protocol, museum.format or None,
                               museum.set_spec, lang=lang, options=getattr(museum, "options", None))
    ProbeResults(hub.instance / "hub.sqlite").save(museum.id, report)
    return report


def render_samples(report: ProbeReport, hub: Hub, museum_id: str, lang: str) -> None:
    """Fill each mapped sample's title, date, place and image exactly as the hub's object cards do."""
    from store.base import RecordGraph
    from store.embedded import EmbeddedStore
    from web.cards import fetch_cards

    mapped = [s for s in report.samples if s.mapped and s.graph_iri and s.object_iri]
    if not mapped:
        return
    store = EmbeddedStore(None, hub.minter.provenance_graph())
    try:
        shared = "".join(dict.fromkeys(line for s in mapped for line in s.shared_ntriples.splitlines(keepends=True)))
        vocabulary = hub.minter.vocabulary_graph(museum_id)
        store.replace_graphs([RecordGraph(s.graph_iri or "", s.ntriples) for s in mapped],
                             additions=[RecordGraph(vocabulary, shared)] if shared else [])
        cards = {c.iri: c for c in fetch_cards(store, [s.object_iri or "" for s in mapped], lang)}
    finally:
        store.close()
    for sample in mapped:
        card = cards.get(sample.object_iri or "")
        if card:
            sample.title, sample.date, sample.place, sample.image = card.title, card.date, card.place, card.image
            if card.date is None and card.begin_year is not None:
                sample.date = f"{card.begin_year}–{card.end_year}" if card.end_year != card.begin_year \
                    else str(card.begin_year)


class ProbeResults:
    """The last probe report of each museum (JSON), so the dashboard shows it without probing again."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        db = self._connect()
        try:
            with db:
                db.execute("CREATE TABLE IF NOT EXISTS feed_probes (museum_id TEXT PRIMARY KEY, "
                           "probed TEXT NOT NULL, report TEXT NOT NULL)")
        finally:
            db.close()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.row_factory = sqlite3.Row
        return db

    def save(self, museum_id: str, report: ProbeReport) -> None:
        data = json.dumps(report.as_json(), ensure_ascii=False)
        db = self._connect()
        try:
            with db:
                db.execute("INSERT INTO feed_probes (museum_id, probed, report) VALUES (?, ?, ?) ON CONFLICT("
                           "museum_id) DO UPDATE SET probed = excluded.probed, report = excluded.report",
                           (museum_id, utc_now(), data))
        finally:
            db.close()

    def delete(self, museum_id: str) -> None:
        db = self._connect()
        try:
            with db:
                db.execute("DELETE FROM feed_probes WHERE museum_id = ?", (museum_id,))
        finally:
            db.close()

    def get(self, museum_id: str) -> dict[str, Any] | None:
        db = self._connect()
        try:
            row = db.execute("SELECT probed, report FROM feed_probes WHERE museum_id = ?", (museum_id,)).fetchone()
        finally:
            db.close()
        if row is None:
            return None
        return {**json.loads(row["report"]), "probed": row["probed"]}


def _harvester(hub: Hub) -> Any:
    """The harvester ``srom harvest`` and the scheduler use, with every HARVEST_* setting applied."""
    from web.serving import make_harvester

    return make_harvester(hub)


# --- background harvests ---------------------------------------------------------------------------
@dataclass
class HarvestJob:
    museum_id: str
    full: bool
    started: str = field(default_factory=utc_now)
    finished: str | None = None
    progress: dict[str, Any] = field(default_factory=dict)
    run: dict[str, Any] | None = None
    error: str | None = None
    thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def running(self) -> bool:
        return self.finished is None

    def as_json(self) -> dict[str, Any]:
        return {"museum_id": self.museum_id, "full": self.full, "running": self.running, "started": self.started,
                "finished": self.finished, "progress": self.progress, "run": self.run, "error": self.error}


class HarvestJobs:
    """Harvests started from the web, one thread per museum at a time."""

    def __init__(self) -> None:
        self._jobs: dict[str, HarvestJob] = {}
        self._lock = threading.Lock()

    def start(self, hub: Hub, museum_id: str, *, full: bool = False) -> HarvestJob | None:
        """Start a harvest of ``museum_id``; None when one started here is running for it.

        A harvest that another process runs (``srom harvest``, the scheduler) holds the registry's lock:
        the job then ends at once with the harvester's HarvestBusy message as its error.
        """
        with self._lock:
            current = self._jobs.get(museum_id)
            if current is not None and current.running:
                return None
            job = self._jobs[museum_id] = HarvestJob(museum_id, full)
            job.thread = threading.Thread(target=self._run, args=(hub, job), name=f"harvest-{museum_id}",
                                          daemon=True)
            job.thread.start()
        return job

    def _run(self, hub: Hub, job: HarvestJob) -> None:
        def progress(state: HarvestProgress) -> None:
            job.progress = {k: v for k, v in dataclasses.asdict(state).items() if k != "errors"}

        try:
            run = _harvester(hub).harvest(job.museum_id, full=job.full, progress=progress)
            job.run = run.as_json()
            job.error = run.error
        except Exception as exc:  # noqa: BLE001 - reported on the dashboard; the harvester records its own runs
            log.exception("background harvest of %s failed", job.museum_id)
            job.error = f"{type(exc).__name__}: {exc}"
        finally:
            job.finished = utc_now()

    def get(self, museum_id: str) -> HarvestJob | None:
        return self._jobs.get(museum_id)

    def wait(self, museum_id: str, timeout: float | None = None) -> HarvestJob | None:
        job = self._jobs.get(museum_id)
        if job is not None and job.thread is not None:
            job.thread.join(timeout)
        return job

    def wait_all(self, timeout: float | None = None) -> None:
        for job in list(self._jobs.values()):
            if job.thread is not None:
                job.thread.join(timeout)


def decide_removal(hub: Hub, museum_id: str, action: str, by: str) -> dict[str, Any] | None:
    """Confirm or discard the removal a full harvest holds back; None when none is waiting.

    A confirmed removal is applied at once (``Harvester.confirm_removal``), or by the museum's next
    harvest when one is running now.
    """
    pending = hub.registry.pending_removal(museum_id)
    if pending is None:
        return None
    if action == "discard":
        hub.registry.discard_removal(museum_id)
        return {**pending, "removed": 0}
    removed = _harvester(hub).confirm_removal(museum_id, by)
    # None: a harvest of the museum is running; it keeps the confirmation and the next run applies it.
    return {**pending, "confirmed_by": by, "removed": removed, "applied": removed is not None}


def object_count(hub: Hub, museum_id: str) -> int:
    """The museum's current number of objects in the store (objects it keeps)."""
    import pyoxigraph as ox

    from ontology.namespaces import sparql_prologue

    query = sparql_prologue() + (
        "SELECT (COUNT(DISTINCT ?object) AS ?n) WHERE { ?object a crm:E22_Human-Made_Object ; "
        "crm:P50_has_current_keeper ?museum }"
    )
    result = hub.store().query(query, substitutions={"museum": ox.NamedNode(hub.minter.museum(museum_id))})
    rows = result.dicts()  # type: ignore[union-attr]
    return int(rows[0]["n"].value) if rows else 0
