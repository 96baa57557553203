"""The scale bench's harvest job: one real OAI-PMH harvest into one engine's managed server, in a fresh
process (its own peak memory and its children's, from /proc: ``bench.process_memory``). Prints one JSON
line; run by ``python -m bench scale``.

    python -m bench.scale_harvest --engine oxigraph|virtuoso --url URL --dir DIR [--batch-size 500]

The harvest is the hub's (``harvesters.run.Harvester``: HTTP, parse, map, reconcile, validate, bulk path
for new graphs), writing through the store of the engine's managed server, started on ``DIR`` the way
``srom serve`` starts it (``store.oxigraph_server.ManagedOxigraphServer``; ``store.virtuoso_server.
ManagedVirtuosoServer`` where the checkout has it).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from bench.process_memory import PeakWatcher, vm_hwm_mb

BASE = "https://hub.example.org"


def _server(engine: str, location: Path, memory_mb: int):
    if engine == "oxigraph":
        from store.oxigraph_server import ManagedOxigraphServer

        return ManagedOxigraphServer(location, timeout_s=600)
    from store.virtuoso_server import ManagedVirtuosoServer  # type: ignore[import-not-found]

    return ManagedVirtuosoServer(location, timeout_s=600, memory_mb=memory_mb)


def text_index_path(location: Path) -> Path:
    """Where the harvest into the store at ``location`` keeps its full-text index (the live page reads it)."""
    return location.with_name(location.name + ".textindex")


def harvest(engine: str, url: str, location: Path, batch_size: int, memory_mb: int) -> dict[str, object]:
    from harvesters.feed_database import FeedDatabase, Museum
    from harvesters.guard import FeedGuard
    from harvesters.run import Harvester
    from ontology.iris import IriMinter
    from store.text_index import TextIndex

    minter = IriMinter(BASE)
    registry = FeedDatabase(location.parent / f"registry-{engine}.sqlite")
    registry.save_museum(Museum(id="bench", name="Bench Museum", feed_url=url, format="lido"))
    server = _server(engine, location, memory_mb)
    server.start()
    server_pid = server.pid
    store = server.store(minter.provenance_graph())
    try:
        # the index kept in step by the harvest, as the hub's harvester keeps it (web.hub.Hub.harvester)
        text_index = TextIndex(text_index_path(location))
        harvester = Harvester(store, registry, minter, FeedGuard(["127.0.0.0/8"]), batch_size=batch_size,
                              text_index=text_index)
        with PeakWatcher(os.getpid(), children=True) as watch:  # the mapping worker (and loaders)
            started = time.perf_counter()
            run = harvester.harvest("bench")
            seconds = time.perf_counter() - started
        quads = store.count_quads()
        server_rss = vm_hwm_mb(server_pid)
    finally:
        store.close()
        server.stop()
    return {"engine": engine, "seconds": seconds, "records": run.new + run.updated, "quarantined": run.quarantined,
            "outcome": run.outcome, "error": run.error, "quads": quads, "peak_rss_mb": vm_hwm_mb(),
            "worker_peak_rss_mb": watch.largest_child_mb(exclude={server_pid}), "server_peak_rss_mb": server_rss}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=["oxigraph", "virtuoso"], required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--virtuoso-memory-mb", type=int, default=2048)
    args = parser.parse_args()
    print(json.dumps(harvest(args.engine, args.url, args.dir, args.batch_size, args.virtuoso_memory_mb)))


if __name__ == "__main__":
    main()
