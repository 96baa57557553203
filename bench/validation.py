"""Per-record cost of SHACL validation on synthetic LIDO records: the compiled evaluator the harvest runs
(``ontology.validation.validate_record``) against pyshacl (``pyshacl_report``), and the mapping itself
for scale. Prints CPU microseconds per record (process time: the machine is shared) and the ratios.

    .venv/bin/python -m bench.validation [--records 2000] [--pyshacl 100]
"""

from __future__ import annotations

import argparse
import time

from lxml import etree

from bench.synthetic import lido_record
from mappings import MappingContext, get_mapping
from ontology.iris import IriMinter
from ontology.validation import default_validator, pyshacl_report, validate_record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--pyshacl", type=int, default=100, help="records validated with pyshacl (slow)")
    args = parser.parse_args()

    mapping = get_mapping("lido")
    ctx = MappingContext(minter=IriMinter("https://hub.example.org"), museum="bench")
    elements = [etree.fromstring(lido_record(i).encode()) for i in range(args.records)]
    t0 = time.process_time()
    records = [mapping.map_record(el, ctx) for el in elements]
    map_us = (time.process_time() - t0) / len(records) * 1e6
    triples = sum(r.triple_count for r in records) / len(records)

    default_validator()  # compiled once per process, as in a harvest
    best = float("inf")
    for _ in range(3):  # the best of three: the machine is shared
        t0 = time.process_time()
        for r in records:
            validate_record(r.ntriples, r.shared_ntriples)
        best = min(best, (time.process_time() - t0) / len(records) * 1e6)

    sample = records[: args.pyshacl]
    pyshacl_report(sample[0].ntriples, sample[0].shared_ntriples)  # warm imports and the shapes graph
    t0 = time.process_time()
    for r in sample:
        pyshacl_report(r.ntriples, r.shared_ntriples)
    shacl_us = (time.process_time() - t0) / len(sample) * 1e6

    print(f"records: {len(records)} synthetic LIDO, {triples:.0f} triples each")
    print(f"mapping:                 {map_us:9.1f} us/record")
    print(f"validation (compiled):   {best:9.1f} us/record  ({best / map_us:.0%} of mapping)")
    print(f"validation (pyshacl):    {shacl_us:9.1f} us/record  ({shacl_us / best:.0f}x the compiled evaluator, "
          f"{shacl_us / map_us:.0f}x mapping)")


if __name__ == "__main__":
    main()
