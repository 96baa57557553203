"""Probing a feed before (and after) it is registered, and keeping each museum's last probe.

:func:`probe_and_preview` runs ``harvesters.probe`` and renders the sample records as the hub's own
object cards (``web.objects.cards``) from an in-memory store, so a museum sees its objects as the hub
will show them. :class:`ProbeResults` keeps the last report of each museum in the hub's database. This
module never decides who may probe (the views do) nor saves a museum (the service does).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harvesters.guard import FeedGuard
from harvesters.isolation import IsolatedFailure, run_isolated
from harvesters.probe import ProbeReport, probe_feed_by_value
from ontology.clock import utc_now
from ontology.iris import IriMinter
from store.base import RecordGraph
from store.embedded import EmbeddedStore
from web.objects.cards import fetch_cards

#: the memory a probe's child process may use (a page of a feed parsed whole takes ~35x its size)
PROBE_MEMORY_MB = 1024


@dataclass(frozen=True)
class FeedProbe:
    """What to probe: a feed URL and how to read it (a registered museum's, or one not saved yet)."""

    museum_id: str
    url: str
    protocol: str = "oai-pmh"
    metadata_format: str | None = None
    set_spec: str | None = None
    options: dict[str, Any] | None = field(default=None)


def probe_and_preview(feed: FeedProbe, *, guard: FeedGuard, minter: IriMinter, database: Path,
                      timeout: float, lang: str = "en", memory_mb: int = PROBE_MEMORY_MB) -> ProbeReport:
    """Probe ``feed`` in a child process capped at ``memory_mb`` (a hostile feed costs one failed probe,
    never the web process), then fill its samples as the hub's object cards show them."""
    timeout = min(timeout, 20.0)
    try:
        report = run_isolated(
            probe_feed_by_value, (feed.url, feed.protocol, feed.metadata_format),
            {"allowed_networks": [str(n) for n in guard.allowed], "minter": minter, "museum_id": feed.museum_id,
             "set_spec": feed.set_spec, "timeout": timeout, "options": feed.options, "registry_path": database},
            memory_mb=memory_mb, timeout=timeout * 6 + 10)
    except IsolatedFailure as exc:
        report = ProbeReport(url=feed.url, protocol=feed.protocol, format=feed.metadata_format,
                             set_spec=feed.set_spec)
        report.error(f"The probe of this feed was stopped: {exc}.")
        return report
    render_samples(report, minter, feed.museum_id, lang)
    return report


def render_samples(report: ProbeReport, minter: IriMinter, museum_id: str, lang: str) -> None:
    """Fill each mapped sample's title, date, place and image exactly as the hub's object cards do."""
    mapped = [s for s in report.samples if s.mapped and s.graph_iri and s.object_iri]
    if not mapped:
        return
    store = EmbeddedStore(None, minter.provenance_graph())
    try:
        shared = "".join(dict.fromkeys(line for s in mapped for line in s.shared_ntriples.splitlines(keepends=True)))
        vocabulary = minter.vocabulary_graph(museum_id)
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


