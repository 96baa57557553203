"""The exhibitions' use cases, the one place every entry point calls: create, edit, restore, publish,
unpublish, refresh the snapshot, import TOML files, and the results a visitor page shows.

The curator's editor (``web.views.curate``), the visitor pages (``web.views.exhibitions``), the CLI
(``web.cli.exhibitions``) and ``srom demo`` only parse input, call :class:`ExhibitionService` and render
its answer. The exhibition's named graph in the store is written and dropped here and only here: on
publish, when a published revision's snapshot is taken or refreshed, and on unpublish. The service owns
the one cache of exhibitions (``web.exhibitions.cache``). Errors are :class:`web.errors.HubError`
subclasses (``ExhibitionError`` 400, ``ExhibitionNotFound`` 404, ``ParameterError`` 400).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from store.base import Store, StoreError
from web.errors import Conflict
from web.exhibitions.cache import ExhibitionCache
from web.exhibitions.document import ExhibitionDoc, Section, normalise
from web.exhibitions.option_lists import Counted, FacetOptionLists
from web.exhibitions.queries import run_section
from web.exhibitions.rdf import drop_graph, publish_graph
from web.exhibitions.repository import ExhibitionNotFound, ExhibitionRepository
from web.exhibitions.toml_files import doc_from_toml
from web.objects.cards import fetch_cards

if TYPE_CHECKING:
    from web.accounts.database import User
    from web.hub import Hub

#: how many of an exhibition's objects are looked at for a cover (the first with an image is the default)
COVER_CANDIDATES = 48



@dataclass(frozen=True)
class Publication:
    """A published revision and the object lists it shows (empty until a pinned snapshot is taken)."""

    slug: str
    revision: int
    sections: dict[str, list[str]]

    @property
    def objects(self) -> int:
        return sum(len(v) for v in self.sections.values())


class ExhibitionService:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.repository = ExhibitionRepository(hub.database)
        self.cache = ExhibitionCache(hub.database)
        #: the facet option lists the pickers offer, counted after each change of the store
        self.option_lists = FacetOptionLists(hub.database)

    def _store(self) -> Store:
        return self.hub.store()

    # --- reading (visitor pages read through the cache) --------------------------------------------------
    def get(self, slug: str, revision: int | None = None) -> ExhibitionDoc:
        doc = self.repository.get(slug, revision)
        if doc is None:
            raise ExhibitionNotFound(f"no revision {revision} of exhibition {slug!r}" if revision
                                     else f"no exhibition {slug!r}")
        return doc

    def published(self, slug: str) -> tuple[int, ExhibitionDoc] | None:
        return self.cache.answer(("published", slug), lambda: self.repository.published(slug))

    def revision(self, slug: str, revision: int) -> ExhibitionDoc | None:
        return self.cache.answer(("revision", slug, revision), lambda: self.repository.get(slug, revision))

    def may_edit(self, user: User | None, slug: str) -> bool:
        """Whether ``user`` may edit (and so see every revision of) the exhibition: its curator or an admin."""
        if user is None:
            return False
        return user.role == "admin" or (user.role == "curator" and self.repository.owner(slug) == user.username)

    def latest_revision(self, slug: str) -> int:
        listed = self.repository.revisions(slug)
        if not listed:
            raise ExhibitionNotFound(f"no exhibition {slug!r}")
        return int(listed[0]["number"])

    def count_option_lists(self) -> Counted:
        """Count the facet option lists the visitor pages' pickers offer and keep them: after every change
        of the store's records (a harvest, a deleted museum), so that no page counts them."""
        return self.option_lists.refresh(self._store())

    # --- editing -----------------------------------------------------------------------------------
    def create(self, doc: ExhibitionDoc | Mapping[str, Any], author: str) -> int:
        doc = normalise(doc)
        if self.repository.exists(doc.slug):
            raise Conflict(f"an exhibition {doc.slug!r} already exists: choose another address")
        return self.repository.create(doc, author)

    def save(self, doc: ExhibitionDoc | Mapping[str, Any], author: str) -> int:
        """Store an edit as a new revision (drafts stay private until published)."""
        return self.repository.save(normalise(doc), author)

    def restore(self, slug: str, revision: int, author: str) -> int:
        """Save an old revision again as the newest one: an unpublished draft until it is published."""
        return self.repository.restore(slug, revision, author)

    # --- publishing ----------------------------------------------------------------------------------
    def publish(self, slug: str, revision: int | None = None, *, pin: bool = True) -> Publication:
        """Publish ``revision`` (the latest by default) and write the exhibition's graph.

        A pinned exhibition's snapshot is taken now (``pin``), or on the first visit (``pin=False``, for
        an import before the store holds the objects); a live one keeps no snapshot.
        """
        number = revision or self.latest_revision(slug)
        doc = self.get(slug, number)
        if doc.mode == "pinned" and pin:
            sections = self._snapshot(slug, number, doc)
        else:
            sections = self.repository.snapshot(slug, number) or {}
        cover = self._object_cover(doc, sections) if sections or doc.mode == "live" else None
        self.repository.publish(slug, number, cover)
        self._write_graph(doc, number, sections)
        return Publication(slug, number, sections)

    def object_images(self, doc: ExhibitionDoc, sections: Mapping[str, list[str]] | None = None, *,
                      lang: str = "en", limit: int = 12) -> list[dict[str, str]]:
        """Images of the exhibition's objects, in the order they are shown (``[{"iri", "title", "image"}]``):
        the covers a curator may pick, the first being the default. ``sections`` are results already at
        hand (a snapshot); without them the sections' queries run (with the exhibition's time budget)."""
        if not sections:
            sections = {s.id: run_section(self._store(), s, timeout=doc.time_budget, text_index=self.hub.text_index())
                        for s in doc.sections}
        iris = list(dict.fromkeys(i for s in doc.sections for i in sections.get(s.id, [])))[:COVER_CANDIDATES]
        cards = fetch_cards(self._store(), iris, lang, timeout=doc.time_budget)
        found = [{"iri": c.iri, "title": c.title, "image": c.thumbnail or c.image} for c in cards if c.image]
        return found[:limit]

    def unpublish(self, slug: str) -> None:
        """Make the exhibition a private draft again and drop its graph."""
        self.latest_revision(slug)
        self.repository.unpublish(slug)
        drop_graph(self._store(), self.hub.minter, slug)

    def refresh_snapshot(self, slug: str) -> Publication:
        """Run the published revision's queries again, pin the new results and rewrite the graph."""
        published = self.repository.published(slug)
        if published is None:
            raise Conflict("the exhibition is not published: there is no snapshot to refresh")
        number, doc = published
        sections = self._snapshot(slug, number, doc)
        self._write_graph(doc, number, sections)
        return Publication(slug, number, sections)

    def take_snapshot(self, slug: str, revision: int) -> dict[str, list[str]]:
        """Run every section of ``revision`` (with its time budget) and keep the results as its snapshot;
        the graph follows when that revision is the published one."""
        doc = self.get(slug, revision)
        sections = self._snapshot(slug, revision, doc)
        published = self.repository.published(slug)
        if published is not None and published[0] == revision:
            self._write_graph(doc, revision, sections)
            self.repository.set_cover(slug, revision, self._object_cover(doc, sections))
        return sections

    def _object_cover(self, doc: ExhibitionDoc, sections: Mapping[str, list[str]]) -> str | None:
        """The first object image, for an exhibition whose document names no cover (None if it does, or if
        no object has one; a failing query only costs the cover)."""
        if doc.cover_image:
            return None
        try:
            found = self.object_images(doc, sections, limit=1)
        except (ValueError, StoreError):
            return None
        return found[0]["image"] if found else None

    def _snapshot(self, slug: str, revision: int, doc: ExhibitionDoc) -> dict[str, list[str]]:
        sections = {s.id: run_section(self._store(), s, timeout=doc.time_budget, text_index=self.hub.text_index())
                    for s in doc.sections}
        self.repository.save_snapshot(slug, revision, sections)
        return sections

    def _write_graph(self, doc: ExhibitionDoc, revision: int, sections: Mapping[str, list[str]]) -> None:
        publish_graph(self._store(), self.hub.minter, doc, revision, sections)

    # --- importing ----------------------------------------------------------------------------------
    def import_toml(self, path: Path, author: str = "demo", *, publish: bool = True,
                    pin: bool = True) -> tuple[str, bool]:
        """Create the exhibition in ``path`` unless its slug exists (a curator may have edited it), and
        publish it; returns (slug, whether it was imported)."""
        doc = doc_from_toml(Path(path))
        if self.repository.exists(doc.slug):
            return doc.slug, False
        revision = self.repository.create(doc, author)
        if publish:
            self.publish(doc.slug, revision, pin=pin)
        return doc.slug, True

    # --- what a visitor sees -------------------------------------------------------------------------
    def section_objects(self, slug: str, revision: int, doc: ExhibitionDoc, *,
                        arguments: Mapping[str, Mapping[str, str]] | None = None) -> dict[str, list[str]]:
        """Section id → object IRIs for a revision, as a visitor page shows them.

        Pinned mode serves the stored snapshot; a revision published without one gets it taken on first
        view (and its graph rewritten). Live mode, and any request that overrides a section's arguments
        (section id → {parameter: value}), runs the queries with the exhibition's time budget and keeps
        the object lists for ``cache_seconds``, keyed by slug + revision + section + arguments.
        Raises ParameterError, ExhibitionError, QueryTimeout.
        """
        arguments = arguments or {}
        if doc.mode == "pinned" and not any(arguments.values()):
            pinned = self.cache.answer(("snapshot", slug, revision), lambda: self.repository.snapshot(slug, revision))
            if pinned is None or set(pinned) != {s.id for s in doc.sections}:
                pinned = self.take_snapshot(slug, revision)
            return pinned
        out: dict[str, list[str]] = {}
        for section in doc.sections:
            args = {**section.arguments, **dict(arguments.get(section.id) or {})}
            key = ("live", slug, revision, section.id, tuple(sorted(args.items())))
            iris = self.cache.get(key)
            if iris is None:
                bound = Section(**{**section.__dict__, "arguments": args})
                iris = run_section(self._store(), bound, timeout=doc.time_budget, text_index=self.hub.text_index())
                self.cache.put(key, doc.cache_seconds, iris)
            out[section.id] = iris
        return out
