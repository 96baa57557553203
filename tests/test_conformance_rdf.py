"""Conformance: map every real third-party Linked Art and CIDOC-CRM RDF record under ../shared/samples
without a crash (linked-art/examples, its linkedart-js folder, cidoc-crm-rdf).

Prints, per folder, how many records mapped and the share with a title, a date span and a keeper.
Documents that are not objects (a Getty VisualItem, a museum's own non-Linked-Art JSON) are record
errors with a reason, never crashes. Skipped with a message when the samples folder is absent.
"""

from __future__ import annotations

import io
from collections import defaultdict

import pyoxigraph as ox
import pytest

from harvesters.rdf_dump import describe, list_objects, load_dump, rdf_format
from mappings import MappedRecord, MappingContext, RecordError, get_mapping
from ontology.iris import IriMinter
from tests.support.conformance import SAMPLES, SHAPE_CHECKS, shape_counts

LINKED_ART = SAMPLES / "linked-art" / "examples"
CRM_RDF = SAMPLES / "cidoc-crm-rdf"
RDF_SUFFIXES = {".ttl", ".nt", ".nq", ".trig", ".rdf", ".jsonld"}

pytestmark = [
    pytest.mark.conformance,
    pytest.mark.skipif(not LINKED_ART.is_dir() or not CRM_RDF.is_dir(),
                       reason=f"third-party samples not found at {SAMPLES}"),
]

CTX = MappingContext(minter=IriMinter("https://hub.example.org"), museum="samples")




def _linked_art_records() -> list[tuple[str, str, object]]:
    """(folder, name, mapped record or RecordError) for every Linked Art JSON document."""
    out = []
    mapping = get_mapping("linked-art")
    for path in sorted(LINKED_ART.rglob("*.json")):
        try:
            item: object = mapping.map_record(path.read_bytes(), CTX)
        except RecordError as exc:
            item = exc
        out.append((str(path.parent.relative_to(SAMPLES)), path.name, item))
    return out


def _crm_rdf_records() -> list[tuple[str, str, object]]:
    """The same for every object of every CRM RDF file, split as the RDF-dump harvester splits it."""
    out = []
    mapping = get_mapping("crm-rdf")
    for path in sorted(p for p in CRM_RDF.rglob("*") if p.suffix in RDF_SUFFIXES):
        store = ox.Store()
        load_dump(store, io.BytesIO(path.read_bytes()), rdf_format(path.name, None))
        for obj in list_objects(store):
            try:
                item: object = mapping.map_record(describe(store, obj), CTX, obj.value)
            except RecordError as exc:
                item = exc
            out.append((str(path.parent.relative_to(SAMPLES)), obj.value, item))
    return out


def test_every_rdf_native_sample_maps_without_crash(capsys: pytest.CaptureFixture[str]) -> None:
    results = _linked_art_records() + _crm_rdf_records()
    stats: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    problems: list[str] = []
    for folder, name, item in results:
        if isinstance(item, RecordError):
            stats[folder]["errors"] += 1
            problems.append(f"{folder}/{name}: {item.reason}")
            continue
        assert isinstance(item, MappedRecord)
        stats[folder]["mapped"] += 1
        assert item.triple_count > 0 and "_:" not in item.ntriples + item.shared_ntriples
        for what, met in shape_counts(item).items():
            stats[folder][what] += met

    with capsys.disabled():
        print("\nLinked Art / CIDOC-CRM RDF conformance (records mapped; share with title / date span / keeper):")
        for folder, s in sorted(stats.items()):
            n = s["mapped"] or 1
            shares = " / ".join(f"{what} {100 * s[what] // n}%" for what in SHAPE_CHECKS)
            print(f"  {folder:45} {s['mapped']:3} mapped, {s['errors']} not objects or unusable; {shares}")
        for line in problems:
            print(f"  not mapped: {line}")

    assert stats["linked-art/examples/linkedart-js"]["mapped"] >= 10
    assert stats["linked-art/examples"]["mapped"] >= 2  # the ANS coin (older model) and the IMA print
    assert stats["cidoc-crm-rdf"]["mapped"] == 20  # the British Museum's 20 objects (one part left inside)
    assert all(s["keeper"] == s["mapped"] for s in stats.values())
    assert not [p for p in problems if "mapping failed" in p]  # a crash would read "mapping failed: ..."
    # what may be refused: documents that are not objects at all
    assert all("not a HumanMadeObject" in p or "not a Linked Art document" in p for p in problems), problems
