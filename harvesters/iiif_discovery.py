"""IIIF Change Discovery API 1.0 harvester: Linked Art objects announced in an Activity Streams collection.

The feed URL is an ``OrderedCollection`` of ``OrderedCollectionPage``s of activities (Create, Update,
Delete; Add, Remove, Move and Refresh as the specification's processing algorithm says). Following that
algorithm, the run starts at the ``last`` page and walks back through ``prev``, newest activity first;
only the newest activity of each object counts, and the walk stops at the first activity that ended
before the previous harvest's newest activity (``since``). Each created or updated object's Linked Art
JSON-LD is then fetched from its ``id``; a deleted one becomes a deleted record.

Two phases keep a run resumable without storing every object id seen: the activity pages are walked
first (small JSON), up to a *horizon*, the newest ``endTime`` at the start of the run; the objects are
then fetched in pages. A checkpoint is ``{since, horizon, done}``: resuming walks the same activities
(nothing newer than the horizon) and skips the ``done`` first ones. The run's incremental date is the
horizon, so the next run starts where this one's listing ended.

A probe reads only what it shows (:meth:`IiifDiscoverySource.sample`): the collection, the last page and
as few earlier pages as it takes to find a sample of objects (at most ``SAMPLE_PAGES`` pages), then
those objects: a bounded number of requests whatever the stream's length.

Owns the protocol only: no mapping, storing or counting (``harvesters.run`` does that).
"""

from __future__ import annotations

import json
from collections.abc import Generator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from harvesters.errors import HarvestError
from harvesters.http import ContentError, HarvestHttpError
from harvesters.source import Source, SourcePage, SourceRecord

# Object classes of Linked Art documents; other classes (Manifests, Collections...) are skipped.
OBJECT_TYPES = ("HumanMadeObject", "ManMadeObject", "crm:E22_Human-Made_Object", "crm:E22_Man-Made_Object")
DELETIONS = {"Delete", "Remove"}
# Objects are asked for as Linked Art (an object IRI that also serves HTML then answers the data).
OBJECT_ACCEPT = ('application/ld+json;profile="https://linked.art/ns/v1/linked-art.json", '
                 "application/ld+json;q=0.9, application/json;q=0.8")
INCLUSIONS = {"Create", "Update", "Add"}
# When nothing was ever listed, the next run must still see everything, whatever the source's clock.
EPOCH = "1970-01-01T00:00:00Z"
MAX_PAGES = 100_000  # a `prev` chain longer than this is a loop
SAMPLE_PAGES = 5  # activity pages a probe reads at most, looking for objects to show


class DiscoveryError(HarvestError):
    """The collection or one of its pages is not a usable Activity Streams document."""


@dataclass(frozen=True)
class Change:
    """The newest activity of one object: its id, whether it is gone, and when."""

    object_id: str
    deleted: bool
    end_time: str | None


def parse_time(value: Any) -> datetime | None:
    """An ``xsd:dateTime`` in UTC as an aware datetime (None when missing or unreadable)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _ref(value: Any) -> str | None:
    """The id of a reference written as ``{"id": ...}`` or as a bare string."""
    if isinstance(value, dict):
        value = value.get("id") or value.get("@id")
    return value if isinstance(value, str) and value.strip() else None


def _types(value: Any) -> list[str]:
    if isinstance(value, dict):
        value = value.get("type") or value.get("@type")
    if value is None:
        return []
    return [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)]


class IiifDiscoverySource(Source):
    """IIIF Change Discovery 1.0. Feed options: ``page_size`` (objects fetched per page, default 50),
    ``object_types`` (activity object classes to harvest; default Linked Art's object classes)."""

    protocol = "iiif-discovery"
    formats = ("linked-art",)
    #: deletions arrive as Delete activities; a run lists only what changed
    complete_listing = False

    def pages(self, since: str | None = None, resume: dict[str, Any] | None = None) -> Generator[SourcePage]:
        options = self.feed.options or {}
        page_size = max(1, int(options.get("page_size", 50)))
        resume = resume or {}
        since = resume.get("since", since)
        horizon = resume.get("horizon")
        done = int(resume.get("done", 0))
        changes, newest = self.changes(since, horizon)
        horizon = horizon or newest or since or EPOCH
        remaining = changes[done:]
        if not remaining:
            yield SourcePage([], None, complete_list_size=len(changes), response_date=horizon)
            return
        for start in range(0, len(remaining), page_size):
            batch = remaining[start : start + page_size]
            records = [self._record(change) for change in batch]
            position = done + start + len(batch)
            checkpoint = None if position >= len(changes) else {"since": since, "horizon": horizon, "done": position}
            yield SourcePage(records, checkpoint, complete_list_size=len(changes), response_date=horizon)

    def sample(self, size: int) -> SourcePage:
        """Records of the ``size`` most recently created or updated objects (fewer when the newest
        ``SAMPLE_PAGES`` pages hold fewer), for a probe. The listing's size is not known without
        reading every page, so ``complete_list_size`` stays None."""
        changes, newest = self.changes(None, wanted=max(1, size), max_pages=SAMPLE_PAGES)
        records = [self._record(change) for change in changes if not change.deleted]
        return SourcePage(records, None, response_date=newest)

    # --- the activity stream -------------------------------------------------------------------
    def changes(
        self, since: str | None, horizon: str | None = None, *, wanted: int | None = None, max_pages: int = MAX_PAGES
    ) -> tuple[list[Change], str | None]:
        """The newest activity per object, newest first, and the newest ``endTime`` seen.

        ``wanted``: stop once that many objects to fetch (not deleted) are found; ``max_pages``: read at
        most that many activity pages (a probe's bounds; a harvest reads back to ``since``)."""
        since_dt, horizon_dt = parse_time(since), parse_time(horizon)
        accepted = tuple((self.feed.options or {}).get("object_types") or OBJECT_TYPES)
        collection = self._json(self.feed.url)
        kinds = _types(collection)
        if "OrderedCollectionPage" in kinds:
            page_url: str | None = self.feed.url  # a stream of one page
        elif "OrderedCollection" in kinds or "last" in collection:
            page_url = _ref(collection.get("last"))
            if page_url is None:
                raise DiscoveryError(f"the collection {self.feed.url} has no `last` page")
        else:
            raise DiscoveryError(f"{self.feed.url} is not an Activity Streams OrderedCollection")
        processed: set[str] = set()
        changes: list[Change] = []
        newest: tuple[datetime, str] | None = None
        only_delete = False
        visited: set[str] = set()
        while page_url and len(visited) < max_pages:
            if page_url in visited:
                raise DiscoveryError(f"the pages loop back to {page_url}")
            visited.add(page_url)
            page = collection if page_url == self.feed.url and "orderedItems" in collection else self._json(page_url)
            items = page.get("orderedItems") or page.get("items") or []
            if not isinstance(items, list):
                raise DiscoveryError(f"orderedItems of {page_url} is not a list")
            for activity in reversed(items):
                if not isinstance(activity, dict):
                    continue
                end_text = activity.get("endTime")
                end = parse_time(end_text)
                if since_dt and end and end < since_dt:
                    return changes, newest[1] if newest else None
                if horizon_dt and end and end > horizon_dt:
                    continue  # newer than this run's listing: the next run takes it
                if end and isinstance(end_text, str) and (newest is None or end > newest[0]):
                    newest = (end, end_text)
                kind = next(iter(_types(activity)), "")
                if kind == "Refresh":
                    if since_dt is None:
                        return changes, newest[1] if newest else None  # everything newer is the full state
                    only_delete = True
                    continue
                self._take(activity, kind, accepted, processed, changes, only_delete)
                if wanted is not None and sum(not c.deleted for c in changes) >= wanted:
                    return changes, newest[1] if newest else None
            page_url = _ref(page.get("prev"))
        return changes, newest[1] if newest else None

    def _take(
        self, activity: dict, kind: str, accepted: tuple, processed: set[str], changes: list[Change], only_delete: bool
    ) -> None:
        obj = activity.get("object")
        object_id = _ref(obj)
        if object_id is None or object_id in processed:
            return
        object_types = _types(obj)
        if object_types and not any(t in accepted for t in object_types):
            return
        end = activity.get("endTime") if isinstance(activity.get("endTime"), str) else None
        if kind in DELETIONS:
            changes.append(Change(object_id, True, end))
        elif kind == "Move":
            changes.append(Change(object_id, True, end))
            target = _ref(activity.get("target"))
            if target and target not in processed and not only_delete:
                changes.append(Change(target, False, end))
                processed.add(target)
        elif kind in INCLUSIONS and not only_delete:
            changes.append(Change(object_id, False, end))
        else:
            return  # an activity type the algorithm does not act on: the object stays unprocessed
        processed.add(object_id)

    # --- fetching ------------------------------------------------------------------------------
    def _record(self, change: Change) -> SourceRecord:
        if change.deleted:
            return SourceRecord(change.object_id, change.end_time, True, None)
        try:
            response = self.http.get(change.object_id, headers={"Accept": OBJECT_ACCEPT})
        except HarvestHttpError as exc:
            if exc.status is not None and 400 <= exc.status < 500:
                # Inaccessible is not deleted (specification 4.2): quarantined with no metadata, kept
                # in the store, and fetched again when the object next changes or on a full harvest.
                return SourceRecord(change.object_id, change.end_time, False, None)
            raise
        try:
            text = response.content
        finally:
            response.close()
        try:
            payload: Any = json.loads(text)
        except ValueError:
            payload = text  # the mapping quarantines it as "not JSON"
        return SourceRecord(change.object_id, change.end_time, False, payload)

    def _json(self, url: str) -> dict[str, Any]:
        def parse(response: Any) -> dict[str, Any]:
            try:
                data = json.loads(response.content)
            except ValueError as exc:  # a page cut off or garbled in transit: retried by the session
                raise ContentError(f"not JSON from {url}: {exc}") from exc
            if not isinstance(data, dict):
                raise ContentError(f"not a JSON object from {url}")
            return data

        try:
            return self.http.fetch(url, None, parse)
        except ContentError as exc:
            raise DiscoveryError(str(exc)) from exc
