"""``make bench``: harvest throughput against the store's own bulk load, and query latency.

    python -m bench [--records N] [--server] [--query-repeats K] [--worker-threshold T]
    python -m bench exhibitions ...   (exhibition pages under load: bench/exhibitions.py)
    python -m bench scale ...         (federation size, engines side by side: bench/scale.py)

1. A synthetic OAI-PMH feed of N LIDO records (default 100,000) is served from another process on
   loopback and harvested through the real pipeline (HTTP, parse, map, reconcile, validate, store) into a
   fresh on-disk store (or the managed Oxigraph server with --server). Baseline, same run: the store's
   bare ``bulk_load`` of the very same quads (dumped from the harvested store, streamed from the file)
   into another fresh store (with --server: ``oxigraph load`` into a fresh data folder). Ratio = harvest
   time / bulk time. A second baseline feeds the same loader in the harvest's batch sizes: the floor of a
   harvest that checkpoints after every stored batch. Peak RSS of each process is printed
   (the harvest's mapping worker separately: feeds of at least T records are mapped in a worker).
2. Query latency on the harvested store: median and p95 of typical hub queries, against a trivial
   query measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.static_oai import BenchOaiServer
from harvesters.pipeline import BULK_BATCH_FACTOR
from ontology.namespaces import sparql_prologue

QUERY_BUDGET_S = 15.0
QUERIES = {
    "trivial ASK (baseline)": "ASK { }",
    "count objects": "SELECT (COUNT(?o) AS ?n) WHERE { ?o a crm:E22_Human-Made_Object }",
    "material + date range, ORDER BY, LIMIT 50": """
        SELECT ?o ?begin WHERE { ?o crm:P45_consists_of/rdfs:label "silk"@en ;
          crm:P108i_was_produced_by/crm:P4_has_time-span/crm:P82a_begin_of_the_begin ?begin .
          FILTER(?begin >= "0600-01-01T00:00:00"^^xsd:dateTime && ?begin < "0900-01-01T00:00:00"^^xsd:dateTime) }
        ORDER BY ?begin LIMIT 50""",
    "keyword in titles (CONTAINS), LIMIT 20": """
        SELECT ?o WHERE { ?o a crm:E22_Human-Made_Object ; rdfs:label ?t .
          FILTER(CONTAINS(?t, "Samarkand")) } LIMIT 20""",
    "one object's record graph (object page)": """
        CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { <https://hub.example.org/id/object/bench/oai:bench:0000042>
          a crm:E22_Human-Made_Object . ?s ?p ?o } }""",
}


def run_worker(*args: str) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-m", "bench.harvest_worker", *args], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"bench worker failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _mb(value: object) -> str:
    """A peak memory figure (None: no such process was seen, e.g. no mapping worker for a small feed)."""
    return f"{float(value):.0f} MB" if isinstance(value, int | float) else "-"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def bench_queries(store_dir: Path, repeats: int) -> None:
    from store.embedded import EmbeddedStore

    store = EmbeddedStore(store_dir, "https://hub.example.org/graph/provenance", read_only=True)
    try:
        timings: dict[str, list[float]] = {}
        for name, text in QUERIES.items():
            query = sparql_prologue() + text
            store.query(query)  # warm up caches once
            samples = []
            budget = time.perf_counter() + QUERY_BUDGET_S  # slow queries get fewer runs (at least 3)
            for _ in range(repeats):
                started = time.perf_counter()
                store.query(query)
                samples.append((time.perf_counter() - started) * 1000)
                if len(samples) >= 3 and started > budget:
                    break
            timings[name] = samples
    finally:
        store.close()
    base = statistics.median(timings["trivial ASK (baseline)"])
    print(f"\nquery latency on the harvested store (up to {repeats} runs each, {QUERY_BUDGET_S:g} s at most; "
          "ratio = median / trivial ASK median)")
    print(f"  {'query':<44} {'median ms':>10} {'p95 ms':>9} {'ratio':>9}")
    for name, samples in timings.items():
        median = statistics.median(samples)
        print(f"  {name:<44} {median:>10.2f} {percentile(samples, 0.95):>9.2f} {median / base:>9.1f}")


def main() -> None:
    if sys.argv[1:2] == ["exhibitions"]:  # `python -m bench exhibitions ...`: exhibition pages under load
        from bench.exhibitions import main as exhibitions_main

        exhibitions_main(sys.argv[2:])
        return
    if sys.argv[1:2] == ["scale"]:  # `python -m bench scale ...`: the hub's queries at federation size
        from bench.scale import main as scale_main

        scale_main(sys.argv[2:])
        return
    if sys.argv[1:2] == ["textindex"]:  # `python -m bench textindex ...`: keyword search and indexing cost
        from bench.text_index import main as text_index_main

        text_index_main(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--server", action="store_true", help="harvest into the managed Oxigraph server")
    parser.add_argument("--query-repeats", type=int, default=30)
    parser.add_argument("--no-chunked-baseline", action="store_true",
                        help="skip the second baseline (the bulk loader fed in the harvest's batch sizes)")
    parser.add_argument("--keep", action="store_true", help="keep the stores and the dump (in a temp folder)")
    parser.add_argument("--worker-threshold", type=int, default=5000,
                        help="map feeds of at least this many records in a worker process (0: never)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="srom-bench-"))
    print(f"harvest bench: {args.records:,} synthetic LIDO records over OAI-PMH on loopback "
          f"(pages of 500), store: {'managed Oxigraph server' if args.server else 'embedded pyoxigraph on disk'}")
    phases: dict[str, float] = {}
    clock = time.perf_counter()
    with BenchOaiServer(args.records) as feed:
        harvest = run_worker("harvest", "--url", feed.url, "--store", str(work / "harvested"),
                             "--batch-size", str(args.batch_size), "--worker-threshold", str(args.worker_threshold),
                             *(["--server"] if args.server else []))
    if harvest["outcome"] != "ok":
        raise SystemExit(f"harvest failed: {harvest['error']}")

    from store.embedded import EmbeddedStore

    phases["harvest job"], clock = time.perf_counter() - clock, time.perf_counter()
    dump = work / "harvested.nq"
    store = EmbeddedStore(work / "harvested", "https://hub.example.org/graph/provenance", read_only=True)
    with dump.open("wb") as out:
        store.dump(out)
    store.close()
    phases["dump"], clock = time.perf_counter() - clock, time.perf_counter()
    # Baseline 1 (the target's): the store's own bulk loader on the same quads in one go — for --server,
    # the `oxigraph load` command into a fresh data folder. Baseline 2: the same loader fed in the harvest's
    # batch sizes, the floor for any harvest that checkpoints after every stored batch (each load is a
    # separate ingest the store has to compact).
    bulk = run_worker("bulk-load", "--nquads", str(dump), "--store", str(work / "bulk"),
                      *(["--cli"] if args.server else []))
    phases["bulk-load job"], clock = time.perf_counter() - clock, time.perf_counter()
    records, quads = int(harvest["records"]), int(harvest["quads"])
    batch_records = args.batch_size * BULK_BATCH_FACTOR
    chunk_quads = max(1, round(quads / max(records, 1) * batch_records))
    chunked = None
    if not args.server and not args.no_chunked_baseline:
        chunked = run_worker("bulk-load", "--nquads", str(dump), "--store", str(work / "chunked"),
                             "--chunk-quads", str(chunk_quads))
        phases["chunked-load job"], clock = time.perf_counter() - clock, time.perf_counter()

    h_s, b_s = float(harvest["seconds"]), float(bulk["seconds"])
    # The harvest's child processes: the mapping worker, and with --server the Oxigraph server itself.
    children = "mapping worker and Oxigraph server" if args.server else "mapping worker"
    server_peak = f", Oxigraph server: {_mb(harvest.get('server_peak_rss_mb'))}" if args.server else ""
    print(f"  harvest (HTTP+parse+map+store): {h_s:8.2f} s  {records / h_s:9,.0f} records/s  "
          f"{quads / h_s:10,.0f} quads/s  peak RSS {_mb(harvest['peak_rss_mb'])} "
          f"(mapping worker: {_mb(harvest['worker_peak_rss_mb'])}{server_peak})")
    loader = "oxigraph load (CLI)" if args.server else "bare bulk_load    "
    print(f"  baseline: {loader}   : {b_s:8.2f} s  {'':9}           {quads / b_s:10,.0f} quads/s  "
          f"peak RSS {_mb(bulk['peak_rss_mb'])}")
    if chunked:
        c_s = float(chunked["seconds"])
        print(f"  baseline: bulk_load per batch  : {c_s:8.2f} s  {'':9}           {quads / c_s:10,.0f} quads/s  "
              f"peak RSS {_mb(chunked['peak_rss_mb'])}  ({batch_records:,} records a load)")
    print(f"  CPU seconds                   : harvest process {harvest['cpu_s']:.1f}, {children} "
          f"{harvest['worker_cpu_s']:.1f}; bulk load {bulk['cpu_s']:.1f}"
          + (f"; bulk load per batch {chunked['cpu_s']:.1f}" if chunked else ""))
    timings = harvest.get("timings") or {}
    if timings:
        print("  harvest time split (s)        : " + ", ".join(f"{k} {v:.1f}" for k, v in timings.items()))
    per_record = quads / max(records, 1)
    print(f"  ratio harvest / bulk load     : {h_s / b_s:8.2f}x   ({quads:,} quads, {per_record:.1f} per record)")
    if chunked:
        print(f"  ratio harvest / per-batch load: {h_s / float(chunked['seconds']):8.2f}x   "
              f"(per-batch load / one load: {float(chunked['seconds']) / b_s:.2f}x)")
    bench_queries(work / "harvested", args.query_repeats)
    phases["queries"] = time.perf_counter() - clock
    print("\nbench phases (s, wall): " + ", ".join(f"{k} {v:.0f}" for k, v in phases.items()))
    if args.keep:
        print(f"\n(work files in {work})")
    else:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
