"""The full-text index: what it costs a harvest, and what it saves a keyword facet.

    python -m bench textindex [--records 20000] [--repeats 5]

1. The same synthetic OAI-PMH feed (``bench/synthetic.py``) is harvested twice into fresh on-disk stores,
   each in its own process: without a text index, and with one kept in step per batch. Ratio = harvest
   with / without; the harvest's own split says how long the index writes took.
2. On the harvested store (and its index), for a few keywords: the keyword facet as the facet builder
   writes it now (a ``search`` parameter: index lookup, then the query with ``VALUES ?object``) against
   the old shape (``FILTER EXISTS`` with CONTAINS over every title and description), each alone and
   with a material facet; medians of ``--repeats`` runs, and the objects each finds.
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

KEYWORDS = ("silk", "kashgar mirror", "1234")
OLD_BLOCK = """  FILTER EXISTS {
    ?object rdfs:label|crm:P67i_is_referred_to_by/crm:P190_has_symbolic_content ?text .
    FILTER(CONTAINS(LCASE(STR(?text)), LCASE(?keyword)))
  }
"""


def _median_ms(work, repeats: int) -> tuple[float, object]:
    result, samples = None, []
    for _ in range(repeats):
        started = time.perf_counter()
        result = work()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), result


def run_worker(*args: str) -> dict[str, object]:
    """One job of ``bench.harvest_worker`` in a fresh process (as ``bench.__main__`` runs them)."""
    out = subprocess.run([sys.executable, "-m", "bench.harvest_worker", *args], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"bench worker failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def harvests(records: int, work: Path) -> None:
    results = {}
    with BenchOaiServer(records) as feed:
        for name, extra in (("without index", []), ("with index", ["--text-index", str(work / "text-index")])):
            results[name] = run_worker("harvest", "--url", feed.url, "--store", str(work / name.replace(" ", "-")),
                                       "--worker-threshold", "0", *extra)
            if results[name]["outcome"] != "ok":
                raise SystemExit(f"harvest failed: {results[name]['error']}")
    print(f"harvest of {records:,} synthetic LIDO records (embedded store on disk, batches of 500)")
    for name, r in results.items():
        timings = r.get("timings") or {}
        print(f"  {name:<14} {float(r['seconds']):8.1f} s  {records / float(r['seconds']):7,.0f} records/s  "
              f"CPU {float(r['cpu_s']):6.1f} s  peak RSS {float(r['peak_rss_mb']):5.0f} MB  "
              f"(index writes {float(timings.get('write_text_index', 0.0)):.1f} s)")
    ratio = float(results["with index"]["seconds"]) / float(results["without index"]["seconds"])
    print(f"  ratio with / without index: {ratio:.2f}x")


def keyword_queries(work: Path, repeats: int) -> None:
    import pyoxigraph as ox

    from ontology.namespaces import sparql_prologue
    from store.embedded import EmbeddedStore
    from store.text_index import TextIndex
    from web.exhibitions.document import Section
    from web.exhibitions.facets import _keyword_block, build
    from web.exhibitions.queries import run_section

    store = EmbeddedStore(work / "with-index", "https://hub.example.org/graph/provenance", read_only=True)
    index = TextIndex(work / "text-index")
    bronze = "https://w3id.org/srom/concept/material/bronze"
    print(f"\nkeyword facet, median of {repeats} runs (ms; objects found; the index binds at most 1,000)")
    print(f"  {'keyword':<28} {'index lookup':>12} {'index facet':>12} {'CONTAINS facet':>15}")
    try:
        for keyword in KEYWORDS:
            for extra in ({}, {"material": [bronze]}):
                built = build({"keyword": keyword, "order": "none", **extra})
                section = Section(id="s", title={}, text={}, query=built.query, parameters=built.parameters,
                                  arguments=built.arguments, limit=100_000)
                old_query = built.query.replace("\n".join(_keyword_block("?keyword")) + "\n", OLD_BLOCK)
                assert "CONTAINS" in old_query
                lookup_ms, hits = _median_ms(lambda k=keyword: index.object_iris(k, 1000), repeats)
                index_ms, found = _median_ms(lambda s=section: run_section(store, s, timeout=600, text_index=index),
                                             repeats)
                subs = {p.name: ox.Literal(v) if p.type in ("search", "literal") else ox.NamedNode(v)
                        for p, v in ((p, built.arguments[p.name]) for p in built.parameters)}
                old_ms, rows = _median_ms(lambda q=old_query, s=subs: store.query(sparql_prologue() + q,
                                                                                  substitutions=s, timeout=600),
                                          repeats)
                label = keyword + (" + bronze" if extra else "")
                print(f"  {label:<28} {lookup_ms:8.1f} ({len(hits):>4}) {index_ms:7.1f} ({len(found):>4}) "
                      f"{old_ms:9.1f} ({len(rows.rows):>5})")  # type: ignore[attr-defined]
    finally:
        store.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench textindex", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="srom-bench-textindex-"))
    try:
        harvests(args.records, work)
        keyword_queries(work, args.repeats)
    finally:
        if args.keep:
            print(f"\n(work files in {work})")
        else:
            shutil.rmtree(work, ignore_errors=True)
