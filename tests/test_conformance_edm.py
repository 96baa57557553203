"""Conformance: map every real third-party EDM record under ../shared/samples without a crash.

Reports, per folder, how many records mapped and the share with a title, a date span and a keeper (and
how many pass the SHACL shapes). Skipped with a message when the samples folder is absent (it is
present in CI).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest

from mappings import MappedRecord, MappingContext, RecordError, map_stream
from ontology.iris import IriMinter
from ontology.namespaces import sparql_prologue
from ontology.validation import validate_record

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"
EDM = SAMPLES / "edm"

pytestmark = [
    pytest.mark.conformance,
    pytest.mark.skipif(not EDM.is_dir(), reason=f"third-party samples not found at {SAMPLES}"),
]

_HAS = {
    "title": "?o rdfs:label ?l",
    "date span": "?o crm:P108i_was_produced_by/crm:P4_has_time-span/crm:P82a_begin_of_the_begin ?b",
    "keeper": "?o crm:P50_has_current_keeper ?k",
}


def _edm_files() -> list[Path]:
    # The records themselves; edm/schema holds the XSDs.
    return sorted(p for p in EDM.rglob("*.xml") if "schema" not in p.parts)


def _has(rec: MappedRecord, where: str) -> bool:
    store = ox.Store()
    store.load((rec.ntriples + rec.shared_ntriples).encode(), format=ox.RdfFormat.N_TRIPLES)
    return bool(store.query(sparql_prologue() + f"ASK {{ BIND(<{rec.object_iri}> AS ?o) {where} }}"))


def test_every_edm_sample_maps_without_crash(capsys):
    ctx = MappingContext(minter=IriMinter("https://hub.example.org"), museum="samples")
    stats: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    problems: list[str] = []
    files = _edm_files()
    assert files, f"no EDM records under {EDM}"
    for path in files:
        folder = str(path.parent.relative_to(SAMPLES))
        with path.open("rb") as fh:
            for item in map_stream(fh, "edm", ctx):
                if isinstance(item, RecordError):
                    stats[folder]["errors"] += 1
                    problems.append(f"{path.name}: {item}")
                    continue
                stats[folder]["mapped"] += 1
                assert item.triple_count > 0 and "_:" not in item.ntriples
                for name, where in _HAS.items():
                    stats[folder][name] += _has(item, where)
                stats[folder]["valid"] += validate_record(item.ntriples, item.shared_ntriples).conforms

    with capsys.disabled():
        print("\nEDM conformance (records mapped; share with title / date span / keeper; SHACL conforming):")
        for folder, s in sorted(stats.items()):
            n = s["mapped"] or 1
            shares = " / ".join(f"{name} {100 * s[name] // n}%" for name in _HAS)
            print(f"  {folder:45} {s['mapped']:3} mapped, {s['errors']} errors; {shares}; "
                  f"valid {100 * s['valid'] // n}%")
        for line in problems:
            print(f"  error: {line}")

    assert sum(s["mapped"] for s in stats.values()) == len(files)  # one record per EDM document
    assert all(s["keeper"] == s["mapped"] for s in stats.values())
    assert not [p for p in problems if "mapping failed" in p]
