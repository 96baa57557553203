"""``srom museums add|list|probe``, ``srom harvest``, ``srom runs``, ``srom quarantine``, ``srom removals``.

Each command parses its options, calls the museum service (``web.museums.service``) and prints its
answer; the checks and messages of a registration are the web form's and the API's.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from typing import Any

import click

from harvesters.feed_database import FORMATS, PROTOCOLS, HarvestRun
from harvesters.run import HarvestProgress
from store.base import StoreError
from web.cli.context import echo_json, pass_hub
from web.cli.progress import ProgressBar
from web.errors import Conflict, NotFound
from web.hub import Hub


@click.group()
def museums() -> None:
    """Register and list partner museums and their feeds."""


@museums.command("add")
@click.argument("museum_id")
@click.option("--name", required=True, help="The museum's name.")
@click.option("--feed", "feed_url", required=True, help="Base URL of the museum's feed.")
@click.option("--format", "metadata_format", type=click.Choice(FORMATS), required=True)
@click.option("--protocol", type=click.Choice(PROTOCOLS), default="oai-pmh", show_default=True)
@click.option("--set", "set_spec", default=None, help="Harvest only this OAI-PMH set.")
@click.option("--homepage", default=None)
@click.option("--city", default=None)
@click.option("--country", default=None)
@click.option("--schedule", default=None, help="Harvest on this cron schedule (5 fields, UTC), e.g. '0 3 * * *'.")
@click.option("--option", "options", multiple=True, metavar="KEY=VALUE", help="A protocol option (repeatable).")
@click.option("--probe", is_flag=True, help="Probe the feed before saving (as the web form does).")
@pass_hub
def museums_add(hub: Hub, museum_id: str, name: str, feed_url: str, metadata_format: str, protocol: str,
                set_spec: str | None, homepage: str | None, city: str | None, country: str | None,
                schedule: str | None = None, options: tuple[str, ...] = (), probe: bool = False) -> None:
    """Register (or update) museum MUSEUM_ID and its feed."""
    fields: dict[str, Any] = {"name": name, "names": {"en": name}, "feed_url": feed_url, "format": metadata_format,
                              "protocol": protocol, "set_spec": set_spec, "homepage": homepage, "city": city,
                              "country": country, "schedule": schedule, "options": list(options)}
    museum, _report = hub.museums.register_or_update(museum_id, fields, probe=probe)
    click.echo(f"registered {museum.id}: {museum.name} <{museum.feed_url}> ({museum.protocol}, {museum.format})"
               + (f", schedule {museum.schedule!r}" if museum.schedule else ""))


@museums.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_hub
def museums_list(hub: Hub, as_json: bool) -> None:
    """List registered museums."""
    rows = [m.as_json() for m in hub.museums.list()]
    if as_json:
        echo_json(museums=rows)
        return
    for m in rows:
        click.echo(f"{m['id']:<16} {m['format']:<7} {m['feed_url']}  {m['name']}")


@museums.command("probe")
@click.argument("museum_id")
@click.option("--json", "as_json", is_flag=True, help="Print the probe report as JSON.")
@pass_hub
def museums_probe(hub: Hub, museum_id: str, as_json: bool) -> None:
    """Probe museum MUSEUM_ID's feed: formats, sets and sample records as the hub would map them."""
    report = hub.museums.probe(museum_id)
    if as_json:
        echo_json(probe=report.as_json())
    else:
        if report.identify:
            i = report.identify
            click.echo(f"{i['repository_name']}: granularity {i['granularity']}, deletedRecord "
                       f"{i['deleted_record']}, earliest {i['earliest_datestamp']}")
        if report.formats:
            click.echo("formats: " + ", ".join(f"{f['prefix']}{'' if f['mapped'] else ' (not mapped)'}"
                                               for f in report.formats))
        if report.sets:
            click.echo("sets: " + ", ".join(s["spec"] for s in report.sets))
        for s in report.samples:
            shown = s.title or s.label or ""
            status = f"{s.triples} triples" if s.mapped else ("deleted" if s.deleted else f"NOT MAPPED: {s.error}")
            click.echo(f"  {s.identifier}: {shown}  [{s.date or '?'}; {s.place or '?'}; {status}]")
        for m in report.messages:
            click.echo(f"{m.level}: {m.text}", err=True)
    if not report.ok:
        sys.exit(1)


# --- harvest ---------------------------------------------------------------------------------------
@click.command()
@click.argument("museum_ids", nargs=-1)
@click.option("--full", is_flag=True, help="List every record, then remove those the source no longer has.")
@click.option("--restart", is_flag=True, help="Start a new run instead of resuming an interrupted one.")
@click.option("--confirm-removal", is_flag=True,
              help="Apply the removal a full harvest held back (mass-drop guard) instead of harvesting.")
@click.option("--json", "as_json", is_flag=True, help="Print the runs made as JSON on stdout.")
@click.option("--progress-json", is_flag=True, hidden=True,
              help="Progress and each run's id as JSON lines on stdout (the web's harvest worker reads them).")
@pass_hub
def harvest(hub: Hub, museum_ids: tuple[str, ...], full: bool, restart: bool, confirm_removal: bool,
            as_json: bool, progress_json: bool = False) -> None:
    """Harvest the given museums (default: all). Exits non-zero if a run failed.

    A run that was interrupted (killed, crashed, or failed on a fault) is resumed from its checkpoint.
    """
    ids = list(museum_ids) or [m.id for m in hub.museums.list()]
    if confirm_removal:
        for museum_id in ids:
            _confirm_removal(hub, museum_id)
        return
    if progress_json:
        _harvest_reporting_json(hub, ids, full=full, restart=restart)
        return
    runs, failed = harvest_museums(hub, ids, full=full, restart=restart)
    warn_if_outgrown(hub)
    if as_json:
        echo_json(runs=[r.as_json() for r in runs], failed=failed)
    if failed:
        raise click.ClickException(f"harvest failed for {', '.join(failed)}")


def _harvest_reporting_json(hub: Hub, ids: list[str], *, full: bool, restart: bool) -> None:
    def report(state: HarvestProgress) -> None:
        fields = {k: v for k, v in dataclasses.asdict(state).items() if k not in ("errors", "timings")}
        click.echo(json.dumps({"progress": fields}))

    for museum_id in ids:
        run = hub.museums.harvest(museum_id, full=full, restart=restart, progress=report)
        click.echo(json.dumps({"run": {"id": run.id, "museum": museum_id, "outcome": run.outcome}}))


def harvest_museums(hub: Hub, ids: list[str], *, full: bool = False,
                    restart: bool = False) -> tuple[list[HarvestRun], list[str]]:
    """Harvest museums one after the other with a progress bar each: (the runs made, the ids that failed)."""
    unknown = [i for i in ids if hub.museums.find(i) is None]
    if unknown:
        raise click.ClickException(f"not registered: {', '.join(unknown)} (see `srom museums list`)")
    runs: list[HarvestRun] = []
    failed: list[str] = []
    for museum_id in ids:
        bar = ProgressBar()
        try:
            run = hub.museums.harvest(museum_id, full=full, restart=restart, progress=bar)
        except Conflict as exc:
            failed.append(museum_id)
            click.echo(f"  {museum_id}: not harvested — {exc}", err=True)
            continue
        finally:
            bar.close()
        runs.append(run)
        resumed = f" (resumed, attempt {run.attempts})" if run.attempts > 1 else ""
        if run.outcome == "ok":
            click.echo(f"  {museum_id}: ok{resumed} — new {run.new}, updated {run.updated}, deleted {run.deleted}, "
                       f"quarantined {run.quarantined}, unchanged {run.unchanged}", err=True)
            if run.held:
                click.echo(f"  {museum_id}: {run.held} records are gone from the source; their removal waits for "
                           f"confirmation: srom removals {museum_id} --confirm", err=True)
        else:
            failed.append(museum_id)
            click.echo(f"  {museum_id}: FAILED{resumed} — {run.error} (the next `srom harvest {museum_id}` "
                       "resumes from the last checkpoint)", err=True)
    return runs, failed


#: objects up to which Oxigraph answers the facet builder in interactive time on 2 cores (README, "Stores")
OXIGRAPH_COMFORT = 100_000


def warn_if_outgrown(hub: Hub) -> None:
    """Say so when an Oxigraph store has grown past what it serves in interactive time."""
    if not hub.settings["STORE"].startswith(("oxigraph", "embedded")):
        return
    try:
        objects = sum(hub.museums.object_counts().values())
    except StoreError:
        return
    if objects > OXIGRAPH_COMFORT:
        click.echo(f"note: the store holds {objects:,} objects; past ~{OXIGRAPH_COMFORT:,} Oxigraph's facet and "
                   "exhibition queries take seconds. Switch to Virtuoso: SROM_STORE=virtuoso (README, \"Stores\").",
                   err=True)


def _confirm_removal(hub: Hub, museum_id: str, by: str = "admin (cli)") -> None:
    try:
        decision = hub.museums.decide_removal(museum_id, "confirm", by)
    except NotFound:
        click.echo(f"{museum_id}: no removal is waiting for confirmation")
        return
    if decision.applied:
        click.echo(f"{museum_id}: removed {decision.removed} records")
    else:
        click.echo(f"{museum_id}: confirmed; a harvest is running, the next harvest applies the removal")


@click.command()
@click.argument("museum_id")
@click.option("--json", "as_json", is_flag=True)
@pass_hub
def runs(hub: Hub, museum_id: str, as_json: bool) -> None:
    """List a museum's harvest runs with outcome and counts."""
    rows: list[dict[str, Any]] = [r.as_json() for r in hub.feeds.runs(museum_id)]
    if as_json:
        echo_json(runs=rows)
        return
    for r in rows:
        click.echo(
            f"#{r['id']:<4} {r['started']}  {r['outcome']:<9} new {r['new']}  updated {r['updated']}  "
            f"deleted {r['deleted']}  quarantined {r['quarantined']}  unchanged {r['unchanged']}"
            + (f"  held {r['held']}" if r.get("held") else "")
            + (f"  attempts {r['attempts']}" if (r.get("attempts") or 1) > 1 else "")
            + (f"  error: {r['error']}" if r["error"] else "")
        )


@click.command()
@click.argument("museum_id")
@click.option("--json", "as_json", is_flag=True)
@pass_hub
def quarantine(hub: Hub, museum_id: str, as_json: bool) -> None:
    """List a museum's quarantined records (those that could not be mapped) with their reasons."""
    rows = hub.feeds.quarantined(museum_id)
    if as_json:
        echo_json(museum=museum_id, quarantined=rows)
        return
    for q in rows:
        click.echo(f"{q['source_id']}  (run #{q['run_id']}, {q['recorded']}): {q['reason']}")
    click.echo(f"{len(rows)} quarantined", err=True)


@click.command()
@click.argument("museum_id")
@click.option("--confirm", is_flag=True, help="Confirm the held removal and apply it.")
@click.option("--discard", is_flag=True, help="Drop the held removal: the records stay.")
@click.option("--json", "as_json", is_flag=True)
@pass_hub
def removals(hub: Hub, museum_id: str, confirm: bool, discard: bool, as_json: bool) -> None:
    """Show (or confirm, or discard) the removal a full harvest held back for confirmation."""
    if confirm and discard:
        raise click.UsageError("--confirm or --discard, not both")
    if confirm:
        _confirm_removal(hub, museum_id)
        return
    if discard:
        try:
            hub.museums.decide_removal(museum_id, "discard", "admin (cli)")
            click.echo(f"{museum_id}: held removal discarded")
        except NotFound:
            click.echo(f"{museum_id}: no removal is waiting for confirmation")
        return
    pending = hub.museums.pending_removal(museum_id)
    sample = hub.museums.removal_sample(museum_id) if pending else []
    if as_json:
        echo_json(museum=museum_id, pending=pending, sample=sample)
        return
    if pending is None:
        click.echo(f"{museum_id}: no removal is waiting for confirmation")
        return
    click.echo(f"{museum_id}: run #{pending['run_id']} found {pending['count']} of {pending['total']} records "
               f"({pending['share']:.0%}) gone from the source; confirm with "
               f"`srom removals {museum_id} --confirm`")
    for graph in sample:
        click.echo(f"  {graph}")
