"""One measured job in a fresh process (so its peak RSS is its own): a harvest, or a bare bulk load.

Prints one JSON line. Used by ``python -m bench``; not meant to be run by hand.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

from harvesters.guard import FeedGuard
from harvesters.registry import Museum, Registry
from harvesters.run import Harvester
from ontology.iris import IriMinter
from store.embedded import EmbeddedStore

MINTER = IriMinter("https://hub.example.org")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def harvest(url: str, store_dir: Path, batch_size: int, server: bool) -> dict[str, object]:
    registry = Registry(Path(tempfile.mkdtemp()) / "hub.sqlite")
    registry.save_museum(Museum(id="bench", name="Bench Museum", feed_url=url, format="lido"))
    if server:
        from store.oxigraph_server import ManagedOxigraphServer

        managed = ManagedOxigraphServer(store_dir, timeout_s=600)
        managed.start()
        store = managed.store(MINTER.provenance_graph())
    else:
        managed = None
        store = EmbeddedStore(store_dir, MINTER.provenance_graph())
    try:
        harvester = Harvester(store, registry, MINTER, FeedGuard(["127.0.0.0/8"]), batch_size=batch_size)
        started = time.perf_counter()
        run = harvester.harvest("bench")
        seconds = time.perf_counter() - started
        quads = store.count_quads()
    finally:
        store.close()
        if managed:
            managed.stop()
    return {"seconds": seconds, "records": run.new + run.updated, "quarantined": run.quarantined,
            "outcome": run.outcome, "error": run.error, "quads": quads, "peak_rss_mb": peak_rss_mb()}


def bulk_load(nquads: Path, store_dir: Path) -> dict[str, object]:
    data = nquads.read_bytes()
    store = EmbeddedStore(store_dir, MINTER.provenance_graph())
    try:
        started = time.perf_counter()
        store.bulk_load(data)
        seconds = time.perf_counter() - started
        quads = store.count_quads()
    finally:
        store.close()
    return {"seconds": seconds, "quads": quads, "peak_rss_mb": peak_rss_mb()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("job", choices=["harvest", "bulk-load"])
    parser.add_argument("--url")
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--nquads", type=Path)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--server", action="store_true")
    args = parser.parse_args()
    if args.job == "harvest":
        result = harvest(args.url, args.store, args.batch_size, args.server)
    else:
        result = bulk_load(args.nquads, args.store)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
