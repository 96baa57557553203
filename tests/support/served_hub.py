"""A whole hub (``create_app`` with an in-memory store) served by a real HTTP server on 127.0.0.1, whose base
IRI is its own address, so its object IRIs, change feed and dumps dereference over HTTP like a deployed
hub's. Used by the data-reuse and change-feed tests (a second hub harvests the first)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from flask import Flask

from harvesters.feed_database import Museum
from tests.support.loopback_server import LoopbackServer
from web.app import create_app
from web.hub import Hub


class ServedHub:
    def __init__(self, instance: Path, **config: Any) -> None:
        instance.mkdir(parents=True, exist_ok=True)
        self._app: Flask | None = None
        self.server = LoopbackServer(self._wsgi).start()
        self.url = self.server.url
        self.app = create_app({"INSTANCE": str(instance), "STORE": "memory", "BASE_IRI": self.url,
                               "ALLOWED_FEED_NETWORKS": ["127.0.0.0/8"], "HARVEST_BACKOFF": 0.01,
                               "HARVEST_SCHEDULER": False, "TESTING": True, **config})
        self._app = self.app
        self.hub: Hub = self.app.extensions["srom"]

    def _wsgi(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        assert self._app is not None
        return self._app(environ, start_response)

    def register(self, museum_id: str, feed_url: str, fmt: str, protocol: str = "oai-pmh", **extra: Any) -> None:
        self.hub.feeds.save_museum(Museum(id=museum_id, name=f"Museum {museum_id}", feed_url=feed_url,
                                             format=fmt, protocol=protocol, **extra))

    def harvest(self, museum_id: str, *, full: bool = False) -> Any:
        run = self.hub.harvester().harvest(museum_id, full=full)
        assert run.outcome == "ok", run.error
        return run

    def close(self) -> None:
        self.server.stop()
        self.hub.store().close()
