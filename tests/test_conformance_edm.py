"""Conformance: map every real third-party EDM record under ../shared/samples without a crash.

Reports, per folder, how many records mapped and the share with a title, a date span and a keeper (and
how many pass the SHACL shapes). Skipped with a message when the samples folder is absent (it is
present in CI).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.conformance import SAMPLES, SHAPE_CHECKS, tally_xml_samples

EDM = SAMPLES / "edm"

pytestmark = [
    pytest.mark.conformance,
    pytest.mark.skipif(not EDM.is_dir(), reason=f"third-party samples not found at {SAMPLES}"),
]



def _edm_files() -> list[Path]:
    # The records themselves; edm/schema holds the XSDs.
    return sorted(p for p in EDM.rglob("*.xml") if "schema" not in p.parts)




def test_every_edm_sample_maps_without_crash(capsys):
    files = _edm_files()
    assert files, f"no EDM records under {EDM}"
    stats, problems = tally_xml_samples(files, "edm", validate=True)

    with capsys.disabled():
        print("\nEDM conformance (records mapped; share with title / date span / keeper; SHACL conforming):")
        for folder, s in sorted(stats.items()):
            n = s["mapped"] or 1
            shares = " / ".join(f"{name} {100 * s[name] // n}%" for name in SHAPE_CHECKS)
            print(f"  {folder:45} {s['mapped']:3} mapped, {s['errors']} errors; {shares}; "
                  f"valid {100 * s['valid'] // n}%")
        for line in problems:
            print(f"  error: {line}")

    assert sum(s["mapped"] for s in stats.values()) == len(files)  # one record per EDM document
    assert all(s["keeper"] == s["mapped"] for s in stats.values())
    assert not [p for p in problems if "mapping failed" in p]
