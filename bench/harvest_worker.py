"""One measured job in a fresh process: a harvest, or a bare bulk load. Peak memory: each process's own
(``bench.process_memory``: VmHWM, not ru_maxrss, which a child inherits from the process that started it).

Prints one JSON line. Used by ``python -m bench``; not meant to be run by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from pathlib import Path

from bench.process_memory import PeakWatcher, vm_hwm_mb
from bench.scale_engines import run_measured
from harvesters.feed_database import FeedDatabase, Museum
from harvesters.guard import FeedGuard
from harvesters.run import Harvester
from ontology.iris import IriMinter
from store.embedded import EmbeddedStore

MINTER = IriMinter("https://hub.example.org")


def cpu_seconds(who: int = resource.RUSAGE_SELF) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def harvest(url: str, store_dir: Path, batch_size: int, server: bool, worker_threshold: int,
            text_index: Path | None = None) -> dict[str, object]:
    registry = FeedDatabase(store_dir.parent / "bench-registry.sqlite")  # removed with the bench's work folder
    registry.save_museum(Museum(id="bench", name="Bench Museum", feed_url=url, format="lido"))
    if server:
        from store.oxigraph_server import ManagedOxigraphServer

        managed = ManagedOxigraphServer(store_dir, timeout_s=600)
        managed.start()
        server_pid = managed.pid
        store = managed.store(MINTER.provenance_graph())
    else:
        managed, server_pid = None, None
        store = EmbeddedStore(store_dir, MINTER.provenance_graph())
    try:
        from store.text_index import TextIndex

        harvester = Harvester(store, registry, MINTER, FeedGuard(["127.0.0.0/8"]), batch_size=batch_size,
                              map_worker_threshold=worker_threshold or None,
                              text_index=TextIndex(text_index) if text_index else None)
        last: dict[str, object] = {}
        with PeakWatcher(os.getpid(), children=True) as watch:  # the mapping worker (and loaders)
            started = time.perf_counter()
            run = harvester.harvest("bench", progress=lambda state: last.update(timings=state.timings))
            seconds = time.perf_counter() - started
        quads = store.count_quads()
        server_peak = vm_hwm_mb(server_pid) if server_pid else None
    finally:
        store.close()
        if managed:
            managed.stop()
    return {"seconds": seconds, "records": run.new + run.updated, "quarantined": run.quarantined,
            "outcome": run.outcome, "error": run.error, "quads": quads, "peak_rss_mb": vm_hwm_mb(),
            "worker_peak_rss_mb": watch.largest_child_mb(exclude={server_pid}), "server_peak_rss_mb": server_peak,
            "cpu_s": cpu_seconds(),
            "worker_cpu_s": cpu_seconds(resource.RUSAGE_CHILDREN), "timings": last.get("timings") or {}}


def bulk_load(nquads: Path, store_dir: Path, chunk_quads: int = 0, cli: bool = False) -> dict[str, object]:
    """The store's own bulk loader on the dump: in one go, or (``chunk_quads``) in the harvest's batch sizes.

    ``cli``: the ``oxigraph load`` command into a server's data folder (the baseline for ``--server``).
    """
    import pyoxigraph as ox

    if cli:
        from store.oxigraph_server import _default_executable

        seconds, peak = run_measured([_default_executable(), "load", "--location", str(store_dir),
                                      "--file", str(nquads)])
        store = EmbeddedStore(store_dir, MINTER.provenance_graph(), read_only=True)
        quads = store.count_quads()
        store.close()
        return {"seconds": seconds, "quads": quads, "peak_rss_mb": peak,
                "cpu_s": cpu_seconds(resource.RUSAGE_CHILDREN)}
    store = EmbeddedStore(store_dir, MINTER.provenance_graph())
    try:
        started = time.perf_counter()
        if chunk_quads:
            # The dump is in graph order, so each chunk holds whole record graphs, as a harvest batch does.
            chunk: list[str] = []
            with nquads.open(encoding="utf-8") as lines:
                for line in lines:
                    chunk.append(line)
                    if len(chunk) >= chunk_quads:
                        store.store.bulk_load("".join(chunk), format=ox.RdfFormat.N_QUADS)
                        chunk = []
            if chunk:
                store.store.bulk_load("".join(chunk), format=ox.RdfFormat.N_QUADS)
        else:
            # Streamed from the file (the same pyoxigraph bulk loader the harvest's bulk path uses).
            store.store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
        seconds = time.perf_counter() - started
        quads = store.count_quads()
    finally:
        store.close()
    return {"seconds": seconds, "quads": quads, "peak_rss_mb": vm_hwm_mb(), "cpu_s": cpu_seconds()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("job", choices=["harvest", "bulk-load"])
    parser.add_argument("--url")
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--nquads", type=Path)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--server", action="store_true")
    parser.add_argument("--worker-threshold", type=int, default=5000)
    parser.add_argument("--chunk-quads", type=int, default=0)
    parser.add_argument("--cli", action="store_true")
    parser.add_argument("--text-index", type=Path, default=None, help="keep a text index in this folder")
    args = parser.parse_args()
    if args.job == "harvest":
        result = harvest(args.url, args.store, args.batch_size, args.server, args.worker_threshold, args.text_index)
    else:
        result = bulk_load(args.nquads, args.store, args.chunk_quads, args.cli)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
