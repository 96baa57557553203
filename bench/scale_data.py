"""The scale bench's data: N synthetic objects over M museums, as N-Quads the hub's own pipeline writes.

Harvesting 400,000 records over OAI-PMH takes longer than the queries it is loaded for, so the graph
is made once, in-process: each synthetic LIDO record (``bench.synthetic``, given to museum ``i % M``)
goes through the harvest's own steps — ``map_source_record`` with the LIDO mapping (reconciliation to
the thesaurus included), the validation hook, the content hash and the provenance writer — and the
record graphs, their provenance, each museum's graph and vocabulary graph and the thesaurus graph are
written as N-Quads (``store.base.iter_nquads``, the bulk path's own formatter).

The file is cached under ``bench/.cache/`` (or ``--cache``), keyed by N, M and a hash of the code that
shapes it (mappings, ontology, the harvest's provenance and record code, the generator): change the
mapping and the next run maps again.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

BASE = "https://hub.example.org"
CACHE = Path(__file__).resolve().parent / ".cache"
ROOT = Path(__file__).resolve().parent.parent
#: the code whose output is in the file: a change to any of it makes a new cache key
SOURCES = ("mappings", "ontology", "harvesters/provenance.py", "harvesters/map_worker.py", "harvesters/pipeline.py",
           "harvesters/run.py", "store/base.py", "bench/synthetic.py", "bench/scale_data.py")
#: synthetic museums sit in these cities (cycled): (city, country, lat, lon)
CITIES = [("Xi'an", "China", 34.26, 108.94), ("Samarkand", "Uzbekistan", 39.65, 66.97),
          ("Cologne", "Germany", 50.94, 6.96), ("Hangzhou", "China", 30.27, 120.16),
          ("Istanbul", "Türkiye", 41.01, 28.98), ("Tehran", "Iran", 35.69, 51.39)]
CHUNK = 2000


@dataclass
class Dataset:
    path: Path
    objects: int
    museums: int
    quads: int
    quarantined: int
    seconds: float  # time it took to write (0 when it came from the cache)
    cached: bool

    def museum_ids(self) -> list[str]:
        return museum_ids(self.museums)


def museum_ids(count: int) -> list[str]:
    width = max(2, len(str(count)))
    return [f"m{j + 1:0{width}d}" for j in range(count)]


def code_hash() -> str:
    digest = hashlib.sha256()
    for name in SOURCES:
        path = ROOT / name
        files = sorted(p for p in path.rglob("*") if p.suffix in (".py", ".toml", ".ttl")) if path.is_dir() else [path]
        for f in files:
            digest.update(str(f.relative_to(ROOT)).encode() + b"\0" + f.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def dataset(objects: int, museums: int, cache: Path = CACHE, *, log=print) -> Dataset:
    """The cached N-Quads file for ``objects`` over ``museums`` (written when missing)."""
    cache.mkdir(parents=True, exist_ok=True)
    stem = cache / f"scale-{objects}-{museums}-{code_hash()}"
    path, meta = stem.with_suffix(".nq"), stem.with_suffix(".json")
    if path.exists() and meta.exists():
        info = json.loads(meta.read_text())
        return Dataset(path, objects, museums, info["quads"], info["quarantined"], 0.0, True)
    log(f"mapping {objects:,} synthetic LIDO records over {museums} museums into {path.name} ...")
    started = time.perf_counter()
    tmp = path.with_suffix(".nq.tmp")
    quads, quarantined = write_nquads(tmp, objects, museums)
    os.replace(tmp, path)
    meta.write_text(json.dumps({"objects": objects, "museums": museums, "quads": quads, "quarantined": quarantined}))
    seconds = time.perf_counter() - started
    log(f"  {quads:,} quads in {seconds:.1f} s ({objects / seconds:,.0f} records/s)")
    return Dataset(path, objects, museums, quads, quarantined, seconds, False)


def write_nquads(path: Path, objects: int, museums: int) -> tuple[int, int]:
    """Write the whole graph to ``path``; returns (quads, quarantined records)."""
    from harvesters.provenance import museum_graph
    from ontology.iris import IriMinter
    from ontology.thesaurus import get_thesaurus, graph_ntriples, thesaurus_graph
    from store.base import RecordGraph, iter_nquads

    minter = IriMinter(BASE)
    ids = museum_ids(museums)
    th = get_thesaurus()
    graph = thesaurus_graph(BASE)
    head = [RecordGraph(graph, graph_ntriples(th, graph))]
    head += [museum_graph(_museum(m, j), minter) for j, m in enumerate(ids)]
    shared: dict[str, set[str]] = {m: set() for m in ids}
    quads = quarantined = 0
    chunks = [(start, min(start + CHUNK, objects), museums) for start in range(0, objects, CHUNK)]
    with path.open("w", encoding="utf-8") as out:
        for text in iter_nquads(head, minter.provenance_graph()):
            out.write(text)
            quads += text.count("\n")
        workers = min(os.cpu_count() or 2, 4)
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for text, lines, bad in pool.map(_map_chunk, chunks):
                out.write(text)
                quads += text.count("\n")
                quarantined += bad
                for museum, found in lines.items():
                    shared[museum].update(found)
        vocabularies = [RecordGraph(minter.vocabulary_graph(m), "".join(sorted(lines))) for m, lines in shared.items()]
        for text in iter_nquads([], minter.provenance_graph(), vocabularies):
            out.write(text)
            quads += text.count("\n")
    return quads, quarantined


def _museum(museum_id: str, j: int):
    from harvesters.feed_database import Museum

    city, country, lat, lon = CITIES[j % len(CITIES)]
    name = f"Scale Museum {museum_id[1:]}"
    return Museum(id=museum_id, name=name, names={"en": name}, feed_url=f"http://127.0.0.1/oai/{museum_id}",
                  format="lido", licence="CC BY 4.0", city=city, country=country, lat=lat, lon=lon)


def record_source(i: int, ids: list[str]) -> tuple[str, str, bytes]:
    """(museum id, OAI identifier, LIDO XML) of synthetic object ``i`` (museum ``i % len(ids)``)."""
    from bench.synthetic import lido_record

    museum = ids[i % len(ids)]
    xml = lido_record(i).replace("Bench Museum", f"Scale Museum {museum[1:]}")
    return museum, f"oai:scale:{i:07d}", xml.encode()


def _map_chunk(bounds: tuple[int, int, int]) -> tuple[str, dict[str, set[str]], int]:
    """N-Quads of objects ``range(start, end)`` as a harvest writes them, their shared lines per museum,
    and how many the validation hook quarantined."""
    from harvesters.map_worker import map_source_record
    from harvesters.pipeline import content_hash
    from harvesters.provenance import ProvenanceWriter
    from harvesters.run import validate_hook
    from harvesters.source import SourceRecord
    from mappings import MappingContext, RecordError, get_mapping
    from mappings.xml import parse_bytes
    from ontology.iris import IriMinter
    from store.base import RecordGraph, iter_nquads

    start, end, museums = bounds
    minter = IriMinter(BASE)
    mapping = get_mapping("lido")
    ids = museum_ids(museums)
    context = {m: MappingContext(minter=minter, museum=m) for m in ids}
    meta = {m: _museum(m, j) for j, m in enumerate(ids)}
    writers = {m: ProvenanceWriter(meta[m], minter.harvest_run(m, 1), minter) for m in ids}
    records: list[RecordGraph] = []
    shared: dict[str, set[str]] = {}
    bad = 0
    for i in range(start, end):
        museum, identifier, xml = record_source(i, ids)
        record = SourceRecord(identifier, "2025-06-01T00:00:00Z", False, parse_bytes(xml))
        try:
            mapped = validate_hook(map_source_record(record, mapping, context[museum]), record, meta[museum])
        except RecordError:
            bad += 1
            continue
        graph = minter.record_graph(museum, identifier)
        records.append(RecordGraph(graph, mapped.ntriples, writers[museum](mapped, record, content_hash(mapped))))
        shared.setdefault(museum, set()).update(mapped.shared_ntriples.splitlines(keepends=True))
    return "".join(iter_nquads(records, minter.provenance_graph())), shared, bad


def chunks(path: Path, size: int = 64 << 20) -> Iterator[bytes]:
    """The file in pieces of about ``size`` bytes, cut at line ends (for loaders fed in parts)."""
    with path.open("rb") as f:
        while True:
            block = f.read(size)
            if not block:
                return
            block += f.readline()
            yield block
