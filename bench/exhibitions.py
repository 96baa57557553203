"""Exhibition pages under load: pinned, live (warm cache), live (cold), against two baselines.

    python -m bench exhibitions [--records N] [--clients 4] [--requests 400] [--seconds 30] [--store server]

1. N synthetic LIDO records (bench/synthetic.py) are mapped by the real LIDO mapping and bulk-loaded
   into an instance's store directory (record graphs, the museum's vocabulary graph, provenance).
2. Three exhibitions with the same two sections are published: pinned, live with a cache, and live with
   ``cache_seconds = 0`` (every request runs its queries: the cold case).
3. The hub is served by a separate process exactly as ``srom serve`` does (web/cli/serving.py: the managed
   Oxigraph server over that directory, waitress with the configured threads), plus one route that
   serves a static file the size of the pinned page (baseline 1).
4. A threaded client (``--clients`` keep-alive connections, at most ``--requests`` requests and
   ``--seconds`` per case) measures each case; baseline 2 runs the exhibition's own queries (the section
   queries with their bound parameters, then the card query) directly against the same store, with the
   same concurrency. Medians, p95s and the ratios the issue sets as targets are printed.
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from bench.synthetic import lido_record
from web.hub import database_path

BASE = "https://hub.example.org"
MUSEUM = "bench"
SECTIONS = [
    {"id": "silk-tang", "title": {"en": "Silk of the Tang", "zh": "唐代丝绸"}, "layout": "timeline", "limit": 60,
     "query": """SELECT ?object WHERE {
        ?object crm:P45_consists_of/rdfs:label "silk"@en ;
                crm:P108i_was_produced_by/crm:P4_has_time-span/crm:P82a_begin_of_the_begin ?begin .
        FILTER(?begin >= ?from && ?begin < ?to) } ORDER BY ?begin ?object""",
     "parameters": [{"name": "from", "type": "date", "default": "600"},
                    {"name": "to", "type": "date", "default": "900"}]},
    {"id": "samarkand", "title": {"en": "Made in Samarkand", "zh": "撒马尔罕制造"}, "layout": "map", "limit": 60,
     "query": """SELECT ?object WHERE {
        ?object crm:P108i_was_produced_by/crm:P7_took_place_at/rdfs:label "Samarkand"@en ;
                crm:P2_has_type/rdfs:label "coin"@en } ORDER BY ?object"""},
]


# --- 1. data -----------------------------------------------------------------------------------------
def _map_chunk(bounds: tuple[int, int]) -> tuple[str, list[str]]:
    """N-Quads of records ``range(*bounds)`` (record graphs and provenance) and their shared lines."""
    from mappings import MappingContext, get_mapping
    from mappings.xml import parse_bytes
    from ontology.iris import IriMinter

    minter = IriMinter(BASE)
    mapping = get_mapping("lido")
    context = MappingContext(minter=minter, museum=MUSEUM)
    prov, museum = minter.provenance_graph(), minter.museum(MUSEUM)
    out: list[str] = []
    shared: set[str] = set()
    for i in range(*bounds):
        mapped = mapping.map_record(parse_bytes(lido_record(i).encode()), context)
        g = f"<{mapped.graph_iri}> .\n"
        out += [line[:-2] + g for line in mapped.ntriples.splitlines(keepends=True)]
        out.append(f"<{mapped.graph_iri}> <https://w3id.org/srom/ns#object> <{mapped.object_iri}> <{prov}> .\n")
        out.append(f"<{mapped.graph_iri}> <https://w3id.org/srom/ns#museum> <{museum}> <{prov}> .\n")
        shared.update(mapped.shared_ntriples.splitlines(keepends=True))
    return "".join(out), sorted(shared)


def load_objects(instance: Path, records: int, chunk: int = 2000) -> int:
    """Map ``records`` synthetic LIDO records (on every core) and bulk-load them; returns quads loaded."""
    from concurrent.futures import ProcessPoolExecutor

    from harvesters.feed_database import Museum
    from harvesters.run import museum_graph
    from ontology.iris import IriMinter
    from store.embedded import EmbeddedStore

    minter = IriMinter(BASE)
    store = EmbeddedStore(instance / "store", minter.provenance_graph())
    shared_lines: set[str] = set()
    try:
        museum = Museum(id=MUSEUM, name="Bench Museum", names={"en": "Bench Museum"}, feed_url="http://127.0.0.1/",
                        format="lido", licence="CC BY 4.0")
        graph = museum_graph(museum, minter)
        head = "".join(line[:-2] + f"<{graph.iri}> .\n" for line in graph.ntriples.splitlines(keepends=True))
        store.bulk_load(head.encode())
        total = head.count("\n")
        chunks = [(start, min(start + chunk, records)) for start in range(0, records, chunk)]
        with ProcessPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            for quads, shared in pool.map(_map_chunk, chunks):
                store.bulk_load(quads.encode())
                total += quads.count("\n")
                shared_lines.update(shared)
        vocabulary = minter.vocabulary_graph(MUSEUM)
        lines = "".join(line[:-2] + f"<{vocabulary}> .\n" for line in shared_lines)
        store.bulk_load(lines.encode())
        return total + len(shared_lines)
    finally:
        store.close()


def publish(instance: Path) -> None:
    from web.exhibitions.repository import ExhibitionRepository

    repo = ExhibitionRepository(database_path(instance))
    for slug, mode, cache in (("pinned", "pinned", 300), ("live-warm", "live", 300), ("live-cold", "live", 0)):
        doc = {"slug": slug, "title": {"en": f"Bench exhibition ({slug})", "zh": "基准展览"}, "theme": "silk",
               "intro": {"en": "<p>Silk and coins along the Silk Road.</p>"}, "mode": mode, "cache_seconds": cache,
               "time_budget": 30.0, "sections": SECTIONS}
        from web.exhibitions.document import normalise

        repo.create(normalise(doc), "bench")
        repo.publish(slug, 1)


# --- 3. the server (a subprocess, as `srom serve`) -----------------------------------------------------
def serve(instance: Path, port: int, static_dir: Path) -> None:
    """``srom serve`` (managed store + waitress), plus a route for the static-file baseline."""
    from flask import send_from_directory
    from waitress import serve as waitress_serve

    from web.app import create_app
    from web.cli.managed_store import managed_store
    from web.hub import Hub
    from web.settings import load_settings

    def stop(*_: object) -> None:
        raise KeyboardInterrupt  # waitress returns, then `managed_store` stops the Oxigraph server it started

    # Explicit: a process started in the background inherits SIGINT *ignored*.
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    hub = Hub(instance, load_settings(instance))
    with managed_store(hub):
        app = create_app(hub=hub)
        app.add_url_rule("/bench-static/<path:name>", "bench_static",
                         lambda name: send_from_directory(static_dir, name))
        print("serving", flush=True)
        waitress_serve(app, host="127.0.0.1", port=port, threads=hub.settings["WEB_THREADS"], ident="srom-hub",
                       _quiet=True)


# --- 4. the load -----------------------------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run_load(work: Callable[[object], None], connect: Callable[[], object], clients: int, requests: int,
             seconds: float) -> list[float]:
    """``work(connection)`` from ``clients`` threads until ``requests`` in all or ``seconds`` have passed."""
    lock = threading.Lock()
    timings: list[float] = []
    issued = [0]
    deadline = time.monotonic() + seconds

    def client() -> None:
        conn = connect()
        while True:
            with lock:
                if issued[0] >= requests or time.monotonic() > deadline:
                    return
                issued[0] += 1
            started = time.perf_counter()
            work(conn)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                timings.append(elapsed)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return timings


def http_get(port: int, path: str) -> tuple[Callable[[], object], Callable[[object], None]]:
    def connect() -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def work(conn: http.client.HTTPConnection) -> None:  # type: ignore[override]
        conn.request("GET", path, headers={"Accept-Language": "en"})
        response = conn.getresponse()
        body = response.read()
        if response.status != 200 or not body:
            raise SystemExit(f"GET {path}: HTTP {response.status}")

    return connect, work  # type: ignore[return-value]


def bare_queries(instance: Path) -> tuple[Callable[[], object], Callable[[object], None], Callable[[], None]]:
    """The exhibition's queries against the very store the hub uses (its section queries, its card query)."""
    from ontology.iris import IriMinter
    from store.oxigraph_server import find_running_server, server_store
    from web.exhibitions.queries import run_section
    from web.exhibitions.repository import ExhibitionRepository
    from web.objects.cards import fetch_cards

    url = find_running_server(instance / "store")
    if url is None:
        raise SystemExit("the hub's managed Oxigraph server is not running")
    store = server_store(url, IriMinter(BASE).provenance_graph())
    doc = ExhibitionRepository(database_path(instance)).get("live-cold")

    def work(_: object) -> None:
        iris = [i for s in doc.sections for i in run_section(store, s, timeout=doc.time_budget)]
        fetch_cards(store, iris, "en", timeout=doc.time_budget)

    return (lambda: None), work, store.close


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench exhibitions", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=400, help="most requests per case")
    parser.add_argument("--seconds", type=float, default=30.0, help="most seconds per case")
    parser.add_argument("--work", type=Path, default=None, help="reuse (or create) this work folder")
    parser.add_argument("--serve", nargs=3, metavar=("INSTANCE", "PORT", "STATIC"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(Path(args.serve[0]), int(args.serve[1]), Path(args.serve[2]))
        return

    work = args.work or Path(tempfile.mkdtemp(prefix="srom-bench-exhibitions-"))
    instance = work / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    (instance / "hub.toml").write_text(f'base_iri = "{BASE}"\nstore = "oxigraph-server"\nsparql_timeout = 60.0\n')
    if not (instance / "store").exists():
        started = time.perf_counter()
        quads = load_objects(instance, args.records)
        print(f"loaded {args.records:,} objects ({quads:,} quads) in {time.perf_counter() - started:.1f} s")
        publish(instance)
    static_dir = work / "static"
    static_dir.mkdir(exist_ok=True)

    from web.settings import load_settings

    port = _free_port()
    env = {**os.environ, "SROM_HOME": str(instance)}
    server = subprocess.Popen([sys.executable, "-m", "bench", "exhibitions", "--serve", str(instance), str(port),
                               str(static_dir)], env=env, stdout=subprocess.PIPE, start_new_session=True)
    try:
        assert server.stdout is not None
        if server.stdout.readline().strip() != b"serving":
            raise SystemExit("the hub did not start")
        _wait_for(port)
        threads = load_settings(instance)["WEB_THREADS"]
        print(f"hub: waitress ({threads} threads) + managed Oxigraph server; {args.clients} clients, "
              f"at most {args.requests} requests or {args.seconds:.0f} s per case")
        # warm up: the pinned snapshot is taken and the exhibition graphs written on first views
        size = 0
        for slug in ("pinned", "live-warm", "live-cold"):
            body = _warm_up(port, f"/exhibitions/{slug}")
            size = len(body) if slug == "pinned" else size
        (static_dir / "page.html").write_bytes(b"x" * size)
        cases: dict[str, tuple[Callable[[], object], Callable[[object], None]]] = {
            "static file, same size (baseline)": http_get(port, "/bench-static/page.html"),
            "pinned exhibition page": http_get(port, "/exhibitions/pinned"),
            "live page, warm cache": http_get(port, "/exhibitions/live-warm"),
            "live page, cold cache": http_get(port, "/exhibitions/live-cold"),
        }
        connect_bare, bare, close_bare = bare_queries(instance)
        results: dict[str, list[float]] = {}
        for name, (connect, get) in cases.items():
            results[name] = run_load(get, connect, args.clients, args.requests, args.seconds)
        results["its queries, bare (baseline)"] = run_load(bare, connect_bare, args.clients, args.requests,
                                                           args.seconds)
        close_bare()
    finally:
        # waitress stops, then `managed_store` stops the Oxigraph server it started (in its own session)
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(30)
    _report(results, size)
    print(f"\n(work files in {work})")


def _report(results: dict[str, list[float]], size: int) -> None:
    print(f"\nexhibition pages (page size {size:,} bytes)")
    print(f"  {'case':<36} {'requests':>8} {'median ms':>10} {'p95 ms':>9}")
    med = {}
    for name, samples in results.items():
        med[name] = statistics.median(samples)
        print(f"  {name:<36} {len(samples):>8} {med[name]:>10.2f} {percentile(samples, 0.95):>9.2f}")
    pinned, static = med["pinned exhibition page"], med["static file, same size (baseline)"]
    cold, bare = med["live page, cold cache"], med["its queries, bare (baseline)"]
    print(f"  pinned / static file      : {pinned / static:6.2f}x   (target <= 2x)")
    print(f"  live cold / bare queries  : {cold / bare:6.2f}x   (target <= 1.5x)")
    print(f"  pinned median             : {pinned:6.2f} ms (target < 50 ms)")


def _warm_up(port: int, path: str, attempts: int = 5) -> bytes:
    """GET ``path`` until it answers 200 (the first views take the pinned snapshot and write the graphs,
    while a freshly started store may still be compacting)."""
    for attempt in range(attempts):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        conn.close()
        if response.status == 200:
            return body
        print(f"  warm-up {path}: HTTP {response.status} (attempt {attempt + 1})", file=sys.stderr)
        time.sleep(2)
    raise SystemExit(f"{path} does not answer 200")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/exhibitions/")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the hub did not answer")


if __name__ == "__main__":
    main()
