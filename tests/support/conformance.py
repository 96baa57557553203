"""What the conformance tests share: where the third-party samples are and what they measure per record."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from mappings import MappedRecord, MappingContext, RecordError, map_stream
from ontology.iris import IriMinter
from ontology.namespaces import sparql_prologue
from ontology.validation import validate_record

# Beside the checkout (../shared/samples); $SROM_SAMPLES names another place (a git worktree sits deeper).
SAMPLES = Path(os.environ.get("SROM_SAMPLES") or Path(__file__).resolve().parents[3] / "shared" / "samples")

# The shares each conformance report prints: a title, a machine-readable date span, a keeper.
SHAPE_CHECKS = {
    "title": "?o rdfs:label ?l",
    "date span": "?o crm:P108i_was_produced_by/crm:P4_has_time-span/crm:P82a_begin_of_the_begin ?b",
    "keeper": "?o crm:P50_has_current_keeper ?k",
}


def shape_counts(rec: MappedRecord) -> dict[str, bool]:
    """Which of SHAPE_CHECKS the record meets (its triples loaded once, one ASK per check)."""
    store = ox.Store()
    store.load((rec.ntriples + rec.shared_ntriples).encode(), format=ox.RdfFormat.N_TRIPLES)
    bind = f"BIND(<{rec.object_iri}> AS ?o)"
    return {
        name: bool(store.query(sparql_prologue() + f"ASK {{ {bind} {where} }}"))
        for name, where in SHAPE_CHECKS.items()
    }


def tally_xml_samples(
    files: Iterable[Path], metadata_format: str, *, validate: bool = False
) -> tuple[dict[str, dict[str, int]], list[str]]:
    """Map every record of ``files`` (XML, streamed) and count per sample folder: records mapped, errors,
    each SHAPE_CHECKS share and, with ``validate``, records conforming to the SHACL shapes. Also returns
    the errors as "file: reason" lines."""
    ctx = MappingContext(minter=IriMinter("https://hub.example.org"), museum="samples")
    stats: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    problems: list[str] = []
    for path in files:
        folder = str(path.parent.relative_to(SAMPLES))
        with path.open("rb") as fh:
            for item in map_stream(fh, metadata_format, ctx):
                if isinstance(item, RecordError):
                    stats[folder]["errors"] += 1
                    problems.append(f"{path.name}: {item}")
                    continue
                stats[folder]["mapped"] += 1
                assert item.triple_count > 0 and "_:" not in item.ntriples
                for name, met in shape_counts(item).items():
                    stats[folder][name] += met
                if validate:
                    stats[folder]["valid"] += validate_record(item.ntriples, item.shared_ntriples).conforms
    return stats, problems
