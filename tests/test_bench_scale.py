"""The scale bench runs end to end (``python -m bench scale``), small: 300 objects over 4 museums on
Oxigraph, a harvest of 100 records. It checks that every case answered and the report was made; it
never looks at a timing (figures are the bench's to print, not the tests' to assert)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.scale import main
from bench.scale_data import dataset

pytestmark = pytest.mark.slow


def test_scale_bench_runs_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "scale.json"
    main(["--objects", "300", "--museums", "4", "--engines", "oxigraph", "--repeat", "1",
          "--harvest-objects", "100", "--cache", str(tmp_path / "cache"), "--work", str(tmp_path / "work"),
          "--json", str(out)])
    printed = capsys.readouterr().out
    results = json.loads(out.read_text())
    assert results["data"]["objects"] == 300 and results["data"]["quarantined"] == 0
    cases = results["engines"]["oxigraph"]["cases"]
    groups = {c["group"] for c in cases.values()}
    assert groups == {"facet", "keyword", "section", "explore", "aggregate", "object", "page"}
    assert {name: c["status"] for name, c in cases.items() if c["status"] != "ok"} == {}
    assert all(c["rows"] > 0 for c in cases.values()), {n: c["rows"] for n, c in cases.items()}
    assert "keyword search 'Samarkand' (text index)" in cases  # keywords go through the hub's text index
    assert "text index built" in printed
    harvest = results["harvest"]["engines"]["oxigraph"]
    assert harvest["outcome"] == "ok" and harvest["records"] == 100
    assert harvest["live_page"]["status"] == "ok"
    assert {t["status"] for t in results["targets"]} <= {"pass", "FAIL", "n/a"}
    assert "peak memory" in printed and "targets (issue 10)" in printed
    assert dataset(300, 4, tmp_path / "cache").cached  # the next run maps nothing
