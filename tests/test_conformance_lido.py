"""Conformance: map every real third-party LIDO file under ../shared/samples without a crash.

Reports, per folder, how many records mapped and the share with a title, a date span and a keeper.
Skipped with a message when the samples folder is absent (it is present in CI).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.conformance import SAMPLES, SHAPE_CHECKS, tally_xml_samples

LIDO = SAMPLES / "lido"
EXTRA = [
    SAMPLES / "oai-pmh" / "kenom" / "ListRecords-lido-page1.xml",  # LIDO inside OAI-PMH
    SAMPLES / "mappings" / "forth-lido07" / "lido07-sample.xml",  # LIDO 0.7
]

pytestmark = [
    pytest.mark.conformance,
    pytest.mark.skipif(not LIDO.is_dir(), reason=f"third-party samples not found at {SAMPLES}"),
]



def _lido_files() -> list[Path]:
    files = sorted(p for p in LIDO.rglob("*.xml") if "schema" not in p.parts)
    return files + [p for p in EXTRA if p.is_file()]




def test_every_lido_sample_maps_without_crash(capsys):
    stats, problems = tally_xml_samples(_lido_files(), "lido")

    with capsys.disabled():
        print("\nLIDO conformance (records mapped; share with title / date span / keeper):")
        for folder, s in sorted(stats.items()):
            n = s["mapped"] or 1
            shares = " / ".join(f"{name} {100 * s[name] // n}%" for name in SHAPE_CHECKS)
            print(f"  {folder:45} {s['mapped']:3} mapped, {s['errors']} errors; {shares}")
        for line in problems:
            print(f"  error: {line}")

    total = sum(s["mapped"] for s in stats.values())
    assert total > 0
    assert all(s["keeper"] == s["mapped"] for s in stats.values())
    # A real sample's record may lack what the hub needs, but a mapping crash would show up as
    # "mapping failed"; that must never happen.
    assert not [p for p in problems if "mapping failed" in p]
