"""``make bench BENCH_ARGS="scale ..."``: the hub's queries at federation size, on each engine side by side.

    python -m bench scale [--objects 400000] [--museums 40] [--engines oxigraph,virtuoso] [--repeat 5]
                          [--timeout 60] [--harvest-objects 20000] [--json FILE] [--work DIR] [--cache DIR]

1. Data: N synthetic objects over M museums, mapped in-process by the hub's own pipeline into an N-Quads
   file cached under ``bench/.cache/`` (``bench/scale_data.py``).
2. Each engine (``bench/scale_engines.py``) bulk-loads the file into a fresh database and serves it; the
   bench runs the facet builder's queries for each facet kind, the demo exhibitions' sections, the
   researchers' aggregates and one object's record graph (``bench/scale_queries.py``), then a live
   exhibition page cold through the real Flask app. Each case: one warm-up run (its answer is compared
   across engines), then up to ``--repeat`` timed runs within ``--budget`` seconds (a slow case keeps its
   warm-up as its only sample); a case past ``--timeout`` is reported as "timeout".
3. Harvest: ``--harvest-objects`` records over OAI-PMH on loopback harvested into each engine's managed
   server (``bench/scale_harvest.py``), then the live page cold on the harvested store.
4. Report (``bench/scale_report.py``): median and p95 per case per engine, the ratio Virtuoso/Oxigraph,
   rows and whether the answers are identical, load and harvest times, the peak memory of every process,
   and the targets of issue 10 with pass/fail. ``--json`` writes all of it.
Figures are printed, never asserted: tests/test_bench_scale.py only checks that the bench runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.process_memory import vm_hwm_mb
from bench.scale_data import BASE, CACHE, dataset
from bench.scale_engines import ENGINES, Engine, EngineUnavailable, engine
from bench.scale_index import bench_text_index
from bench.scale_queries import Answer, LivePage, cases
from store.base import QueryTimeout, StoreError
from store.text_index import TextIndex


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def measure(run: Callable[[], Answer], repeat: int, budget: float) -> dict[str, Any]:
    """Warm-up (whose answer is kept), then up to ``repeat`` timed runs within ``budget`` seconds."""
    samples: list[float] = []
    try:
        started = time.perf_counter()
        answer = run()
        warm = (time.perf_counter() - started) * 1000
        spent = warm / 1000
        for _ in range(repeat):
            if samples and spent > budget:
                break
            if not samples and warm / 1000 > budget / 2:  # slow: its warm-up is its one sample
                samples.append(warm)
                break
            started = time.perf_counter()
            run()
            samples.append((time.perf_counter() - started) * 1000)
            spent += samples[-1] / 1000
    except (QueryTimeout, TimeoutError) as exc:
        return {"status": "timeout", "error": str(exc)[:300], "samples": samples}
    except (StoreError, RuntimeError, ValueError) as exc:
        return {"status": "error", "error": f"{type(exc).__name__}: {exc}"[:300], "samples": samples}
    return {"status": "ok", "samples": samples, "p50": statistics.median(samples), "p95": percentile(samples, 0.95),
            "warmup_ms": warm, "rows": answer.rows, "digest": answer.digest}


def bench_engine(eng: Engine, data_path: Path, museum_ids: list[str], args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {"cases": {}}
    print(f"\n{eng.name}: loading {data_path.name} ...", flush=True)
    out["load"] = eng.load(data_path)
    print(f"  loaded in {out['load']['seconds']:.1f} s", flush=True)
    try:
        store = eng.start()
        out["quads"] = store.count_quads()
        # the server stops a query at --timeout; the client waits a little longer, so that it reads the
        # server's own "cancelled" answer and the next query never overlaps a cancelled one
        wait = args.timeout + 5
        text_index = bench_text_index(data_path, BASE)
        for case in cases(museum_ids, BASE, text_index):
            result = measure(lambda c=case: c.run(store, wait), args.repeat, args.budget)
            out["cases"][case.name] = {"group": case.group, **result}
            _progress(case.name, result)
        out["cases"]["live exhibition page, cold"] = {"group": "page",
                                                      **live_page(eng, store, "main", args, text_index)}
        _progress("live exhibition page, cold", out["cases"]["live exhibition page, cold"])
    finally:
        out["peak_rss_mb"] = eng.stop()
    return out


def live_page(eng: Engine, store: Any, label: str, args: argparse.Namespace,
              text_index: TextIndex | None = None) -> dict[str, Any]:
    page = LivePage(eng.work / f"hub-{label}", store, BASE, args.timeout, text_index)
    try:
        def cold() -> Answer:
            page.cold()
            return Answer(0, "")

        result = measure(cold, args.repeat, args.budget)
        result["option_lists_ms"] = round(page.option_lists_seconds * 1000)  # after the load, as a harvest
        if result["status"] == "ok":  # what the page showed: its sections' objects (not timed)
            answer = page.answer()
            result.update(rows=answer.rows, digest=answer.digest)
        return result
    finally:
        page.close()


def _progress(name: str, result: dict[str, Any]) -> None:
    if result["status"] == "ok":
        print(f"  {name:<52} p50 {result['p50']:>10.1f} ms  p95 {result['p95']:>10.1f} ms  "
              f"n {len(result['samples'])}  rows {result['rows']}", flush=True)
    else:
        print(f"  {name:<52} {result['status']}: {result.get('error', '')[:100]}", flush=True)


def bench_harvest(names: list[str], work: Path, args: argparse.Namespace) -> dict[str, Any]:
    """``--harvest-objects`` records over OAI-PMH into each engine, then the live page on what it stored."""
    from bench.scale_harvest import text_index_path
    from bench.static_oai import BenchOaiServer

    out: dict[str, Any] = {"records": args.harvest_objects, "engines": {}}
    print(f"\nharvest: {args.harvest_objects:,} synthetic LIDO records over OAI-PMH on loopback", flush=True)
    with BenchOaiServer(args.harvest_objects) as feed:
        for name in names:
            location = work / name / "harvested"
            shutil.rmtree(location, ignore_errors=True)
            shutil.rmtree(text_index_path(location), ignore_errors=True)
            command = [sys.executable, "-m", "bench.scale_harvest", "--engine", name, "--url", feed.url,
                       "--dir", str(location), "--virtuoso-memory-mb", str(args.virtuoso_memory_mb)]
            done = subprocess.run(command, capture_output=True, text=True)
            if done.returncode != 0:
                out["engines"][name] = {"outcome": "failed", "error": done.stderr[-2000:]}
                print(f"  {name}: harvest job failed:\n{done.stderr[-2000:]}", flush=True)
                continue
            result = json.loads(done.stdout.strip().splitlines()[-1])
            out["engines"][name] = result
            print(f"  {name}: {result['records']:,} records in {result['seconds']:.1f} s "
                  f"({result['records'] / result['seconds']:,.0f} records/s), outcome {result['outcome']}", flush=True)
            eng = engine(name, work / name, args.timeout, virtuoso_memory_mb=args.virtuoso_memory_mb,
                         location=location)
            try:
                result["live_page"] = live_page(eng, eng.start(), "harvested", args,
                                                TextIndex(text_index_path(location)))
                _progress(f"live page on the harvested {args.harvest_objects:,}", result["live_page"])
            except (StoreError, OSError) as exc:
                result["live_page"] = {"status": "error", "error": str(exc)[:300], "samples": []}
                print(f"  {name}: the harvested store could not be served: {exc}", flush=True)
            finally:
                result["serve_peak_rss_mb"] = eng.stop()
        out["oai_server_peak_rss_mb"] = vm_hwm_mb(feed.process.pid)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench scale", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--objects", type=int, default=400_000)
    parser.add_argument("--museums", type=int, default=40)
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per case after the warm-up")
    parser.add_argument("--budget", type=float, default=30.0, help="seconds of timed runs per case at most")
    parser.add_argument("--timeout", type=float, default=60.0, help="per-query timeout (seconds)")
    parser.add_argument("--harvest-objects", type=int, default=20_000, help="records harvested per engine (0: skip)")
    parser.add_argument("--virtuoso-memory-mb", type=int, default=2048)
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--cache", type=Path, default=CACHE, help="where the N-Quads files are kept")
    parser.add_argument("--work", type=Path, help="work folder (default: a temporary one, removed)")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.engines.split(",") if n.strip()]
    work = args.work or Path(tempfile.mkdtemp(prefix="srom-bench-scale-"))
    started = time.perf_counter()
    load_start = os.getloadavg()  # the machine is shared: the report says how busy it was
    results: dict[str, Any] = {"config": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
                               "engines": {}, "skipped": {}}
    try:
        data = dataset(args.objects, args.museums, args.cache)
        results["data"] = {"objects": data.objects, "museums": data.museums, "quads": data.quads,
                           "quarantined": data.quarantined, "file": str(data.path), "cached": data.cached,
                           "seconds": data.seconds}
        print(f"scale bench: {data.objects:,} objects over {data.museums} museums, {data.quads:,} quads "
              f"({'cached' if data.cached else f'mapped in {data.seconds:.0f} s'}); engines: {', '.join(names)}")
        available = []
        for name in names:
            try:
                eng = engine(name, work / name, args.timeout, virtuoso_memory_mb=args.virtuoso_memory_mb)
            except EngineUnavailable as exc:
                print(f"{name}: {exc}")
                results["skipped"][name] = str(exc)
                continue
            try:
                results["engines"][name] = bench_engine(eng, data.path, data.museum_ids(), args)
            except (StoreError, EngineUnavailable, OSError) as exc:  # the other engine still runs
                print(f"{name}: failed: {exc}")
                results["skipped"][name] = f"failed: {exc}"[:2000]
                continue
            available.append(name)
        if args.harvest_objects and available:
            results["harvest"] = bench_harvest(available, work, args)
        results["bench_peak_rss_mb"] = vm_hwm_mb()
        results["load_average"] = {"start": load_start, "end": os.getloadavg()}
        results["seconds"] = time.perf_counter() - started
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    from bench.scale_report import report

    results["targets"] = report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))
        print(f"\n(results written to {args.json})")


if __name__ == "__main__":
    main()
