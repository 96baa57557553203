"""The composition root's object: settings, IRI minter, the hub's database, the store and the services.

The web app, the CLI and the scheduler all work through a :class:`Hub` and its services
(:attr:`Hub.museums`, :attr:`Hub.exhibitions`, :attr:`Hub.accounts`). The hub's SQLite file
(:data:`DATABASE_FILE`, in the instance folder) holds the feed database, accounts, exhibitions, probes
and mapping overrides: its name is written here only. The store is opened on first use, never while the
app is being created: an embedded pyoxigraph store takes a lock on its directory, and ``create_app``
runs in processes (tests, tooling) that must not take it.
"""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harvesters.feed_database import FeedDatabase
from harvesters.guard import FeedGuard
from harvesters.run import Harvester, harvester_options
from ontology.iris import IriMinter
from store.base import Store
from store.open import open_store, open_virtuoso
from store.text_index import TextIndex, index_path
from store.virtuoso_server import find_running_virtuoso
from web.accounts.database import Accounts
from web.exhibitions.service import ExhibitionService
from web.museums.service import MuseumService
from web.settings import load_settings

#: the hub's SQLite file in the instance folder (feeds, runs, accounts, exhibitions, probes, overrides)
DATABASE_FILE = "hub.sqlite"


def database_path(instance: Path) -> Path:
    return Path(instance) / DATABASE_FILE


def create_private(path: Path) -> None:
    """Create ``path`` empty and readable by its owner only, unless it exists."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


class Hub:
    def __init__(self, instance: Path, settings: dict[str, Any] | None = None) -> None:
        self.instance = Path(instance)
        self.instance.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.settings = settings if settings is not None else load_settings(self.instance)
        self.minter = IriMinter(self.settings["BASE_IRI"])
        self.database = database_path(self.instance)
        create_private(self.database)  # before SQLite makes it (and its journal files) world-readable
        self.feeds = FeedDatabase(self.database)
        self.guard = FeedGuard(self.settings["ALLOWED_FEED_NETWORKS"])
        self._store: Store | None = None
        self._exhibitions: ExhibitionService | None = None
        self._museums: MuseumService | None = None
        self._accounts: Accounts | None = None
        self._lock = threading.RLock()  # start_store() hands the store over through use_store()
        #: starts the managed store's server when a command needs it and none runs (set by ``web.cli``)
        self.start_store: Callable[[], None] | None = None
        self._text_index: TextIndex | None = None

    @property
    def store_location(self) -> Path:
        """The managed store's directory: ``store`` (Oxigraph) or ``virtuoso`` in the instance folder."""
        return self.instance / ("virtuoso" if self.settings["STORE"] == "virtuoso" else "store")

    @property
    def text_index_location(self) -> Path:
        return index_path(self.instance)

    def text_index(self) -> TextIndex:
        """The full-text index of objects (``store.text_index``), next to the store; nothing is opened yet."""
        if self._text_index is None:
            with self._lock:
                if self._text_index is None:
                    self._text_index = TextIndex(self.text_index_location)
        return self._text_index

    # The services are built on first use: a command that only lists museums never opens the others' tables.
    @property
    def exhibitions(self) -> ExhibitionService:
        """Exhibitions: documents, revisions, publishing, snapshots, their graph and their cache."""
        if self._exhibitions is None:
            self._exhibitions = ExhibitionService(self)
        return self._exhibitions

    @property
    def museums(self) -> MuseumService:
        """Museums and their feeds: registration, probes, harvests, held removals, deletion."""
        if self._museums is None:
            self._museums = MuseumService(self)
        return self._museums

    @property
    def accounts(self) -> Accounts:
        """Accounts and API tokens."""
        if self._accounts is None:
            self._accounts = Accounts(self.database)
        return self._accounts

    @property
    def managed_engine(self) -> str | None:
        """``oxigraph`` or ``virtuoso`` when the hub runs its store's server itself, else None."""
        spec = self.settings["STORE"]
        if spec == "oxigraph-server":
            return "oxigraph"
        if spec == "virtuoso" and not self.settings.get("VIRTUOSO_URL"):
            return "virtuoso"
        return None

    def store(self) -> Store:
        """The store, opened on first call (thread-safe).

        A managed Virtuoso that is not running is started by ``start_store`` when a command set one
        (``web.cli``: for the command's duration); Oxigraph's directory is opened embedded instead.
        """
        if self._store is None:
            with self._lock:
                if self._store is None and self.start_store is not None and self.managed_engine == "virtuoso":
                    if not find_running_virtuoso(self.store_location):
                        self.start_store()  # hands its client over through use_store()
                if self._store is None:
                    self._store = self._open_store()
        return self._store

    def _open_store(self) -> Store:
        if self.settings["STORE"] == "virtuoso" and self.settings.get("VIRTUOSO_URL"):
            return open_virtuoso(self.settings["VIRTUOSO_URL"], self.settings.get("VIRTUOSO_USER") or "",
                                 self.settings.get("VIRTUOSO_PASSWORD") or "", self.minter.provenance_graph(),
                                 timeout_s=self.settings["SPARQL_TIMEOUT"])
        return open_store(self.settings["STORE"], self.minter.provenance_graph(), location=self.store_location,
                          timeout_s=self.settings["SPARQL_TIMEOUT"])

    def use_store(self, store: Store) -> None:
        """Adopt an already-open store (``srom serve`` hands over the managed server's client)."""
        with self._lock:
            self._store = store

    def harvester(self) -> Harvester:
        """The harvester with every HARVEST_* setting applied (retries, backoff, mass-drop guard); after a
        run that changed records it counts the exhibition pages' facet option lists again."""
        return Harvester(self.store(), self.feeds, self.minter, self.guard, text_index=self.text_index(),
                         after_change=self.exhibitions.count_option_lists, **harvester_options(self.settings))

    def secret_key(self) -> str:
        """The configured secret key, else one generated once and kept in the instance folder."""
        if self.settings.get("SECRET_KEY"):
            return str(self.settings["SECRET_KEY"])
        path = self.instance / "secret_key"
        if not path.exists():
            # Written private from the first byte, under a temporary name, then renamed into place: a
            # reader never sees a half-written key, and two processes starting at once agree on one.
            tmp = path.with_name(f".secret_key.{secrets.token_hex(4)}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
            try:
                os.link(tmp, path)  # fails if another process won the race: its key stands
            except FileExistsError:
                pass
            finally:
                tmp.unlink()
        return path.read_text().strip()

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None
