"""The one cache of exhibitions: what visitor pages would otherwise recompute on every request.

Two kinds of entries, in one bounded LRU, keyed by tuples whose first item names the kind:
- *timed* entries (:meth:`ExhibitionCache.get` / :meth:`put`): live section results and rendered page
  content, kept for the exhibition's ``cache_seconds``;
- *database* answers (:meth:`ExhibitionCache.answer`): the repository's answers (published revision,
  documents, snapshots), kept while the hub's SQLite file is unchanged. Opening SQLite and reading a
  document costs milliseconds per request on a busy machine; every commit changes the database file or
  its write-ahead log (size or modification time), so comparing their ``stat`` is enough to know the
  answers still hold, also for writes made by another process (``srom`` on the command line).

Per process, cleared on restart. It knows nothing of exhibitions beyond keys and values.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

_FOREVER = float("inf")


class ExhibitionCache:
    def __init__(self, database: Path, size: int = 1024) -> None:
        self.size = size
        self._files = (database, database.with_name(database.name + "-wal"))
        self._stamp: tuple | None = None
        self._items: OrderedDict[tuple, tuple[float, Any]] = OrderedDict()
        self._answers: dict[tuple, Any] = {}
        self._lock = threading.Lock()

    # --- timed entries ----------------------------------------------------------------------------
    def get(self, key: tuple) -> Any | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if item[0] < time.monotonic():
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return item[1]

    def put(self, key: tuple, ttl: float, value: Any) -> None:
        if ttl <= 0:
            return
        with self._lock:
            self._items[key] = (time.monotonic() + ttl if ttl != _FOREVER else ttl, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    # --- answers valid while the database is unchanged ------------------------------------------------
    def _database_stamp(self) -> tuple:
        stamp: list[tuple[int, int] | None] = []
        for path in self._files:
            try:
                st = path.stat()
                stamp.append((st.st_mtime_ns, st.st_size))
            except FileNotFoundError:
                stamp.append(None)
        return tuple(stamp)

    def answer(self, key: tuple, compute: Callable[[], Any]) -> Any:
        stamp = self._database_stamp()
        with self._lock:
            if stamp != self._stamp:
                self._answers.clear()
                self._stamp = stamp
            if key in self._answers:
                return self._answers[key]
        value = compute()
        with self._lock:
            if self._stamp == stamp:
                self._answers[key] = value
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._answers.clear()
            self._stamp = None
