"""The `srom` command line: registration, map as a Unix filter, query formats, harvest exit status."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.support.lido_records import lido
from tests.support.oai_test_server import OaiTestServer
from web.cli import main

SROM = str(Path(sys.executable).with_name("srom"))


@pytest.fixture
def runner(instance: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("SROM_STORE", "embedded")
    return CliRunner()


@pytest.fixture
def feed() -> OaiTestServer:
    server = OaiTestServer(page_size=3)
    for i in range(5):
        server.put(f"oai:cli:{i}", "2025-01-01T00:00:00Z", lido(f"C{i}", f"Bronze mirror {i}", "mirror"))
    server.start()
    yield server
    server.stop()


def test_museums_add_and_list(runner: CliRunner, feed: OaiTestServer) -> None:
    result = runner.invoke(main, ["museums", "add", "xa-test", "--name", "Xi'an Test", "--feed", feed.url,
                                  "--format", "lido"])
    assert result.exit_code == 0, result.output
    listed = runner.invoke(main, ["museums", "list", "--json"])
    data = json.loads(listed.output)
    assert data["ok"] and data["museums"][0]["id"] == "xa-test"


def test_museums_add_refuses_private_addresses_and_bad_ids(runner: CliRunner, monkeypatch) -> None:
    monkeypatch.setenv("SROM_ALLOWED_FEED_NETWORKS", "")
    result = runner.invoke(main, ["museums", "add", "m", "--name", "M", "--feed", "http://127.0.0.1:9/oai",
                                  "--format", "lido"])
    assert result.exit_code != 0 and "private, loopback or link-local" in result.output
    result = runner.invoke(main, ["museums", "add", "Bad Id", "--name", "M", "--feed", "http://127.0.0.1:9/oai",
                                  "--format", "lido"])
    assert result.exit_code != 0 and "invalid museum id" in result.output


def test_harvest_then_query_in_every_format(runner: CliRunner, feed: OaiTestServer) -> None:
    runner.invoke(main, ["museums", "add", "xa-test", "--name", "X", "--feed", feed.url, "--format", "lido"])
    result = runner.invoke(main, ["harvest", "xa-test"])
    assert result.exit_code == 0, result.output
    assert "xa-test: ok" in result.output and "new 5" in result.output
    query = "SELECT ?o WHERE { ?o a <http://www.cidoc-crm.org/cidoc-crm/E22_Human-Made_Object> } ORDER BY ?o"
    as_json = json.loads(runner.invoke(main, ["query", query]).output)
    assert len(as_json["results"]["bindings"]) == 5
    rows = list(csv.reader(io.StringIO(runner.invoke(main, ["query", query, "--format", "csv"]).output)))
    assert rows[0] == ["o"] and len(rows) == 6
    tsv = runner.invoke(main, ["query", query, "--format", "tsv"]).output.splitlines()
    assert tsv[0] == "?o" and tsv[1].startswith("<")
    ask = json.loads(runner.invoke(main, ["query", "ASK { ?s ?p ?o }"]).output)
    assert ask == {"head": {}, "boolean": True}
    bad = runner.invoke(main, ["query", "SELEKT nothing"])
    assert bad.exit_code != 0 and "QuerySyntaxError" in bad.output
    runs = json.loads(runner.invoke(main, ["runs", "xa-test", "--json"]).output)
    assert runs["runs"][0]["outcome"] == "ok" and runs["runs"][0]["new"] == 5


def test_option_lists_are_counted_by_the_harvest_and_on_demand(runner: CliRunner, feed: OaiTestServer) -> None:
    runner.invoke(main, ["museums", "add", "xa-test", "--name", "X", "--feed", feed.url, "--format", "lido"])
    assert runner.invoke(main, ["harvest", "xa-test"]).exit_code == 0
    result = runner.invoke(main, ["exhibitions", "option-lists", "--json"])
    assert result.exit_code == 0, result.output
    counted = json.loads(result.output)
    assert counted["failed"] == {} and counted["options"]["museum"] == 1 and counted["options"]["type"] >= 1
    shown = runner.invoke(main, ["exhibitions", "option-lists"])
    assert shown.exit_code == 0 and "museum     1 options" in shown.output


def test_harvest_exits_non_zero_when_a_run_fails(runner: CliRunner) -> None:
    runner.invoke(main, ["museums", "add", "gone", "--name", "Gone", "--feed", "http://127.0.0.1:9/oai",
                         "--format", "lido"])
    result = runner.invoke(main, ["harvest", "gone"])
    assert result.exit_code != 0
    assert "FAILED" in result.output


def test_map_is_a_unix_filter_with_one_error_line_per_bad_record(instance: Path) -> None:
    good = [lido("M1", "Tang sancai camel", "figurine"), lido("M2", "Silk damask", "textile")]
    broken = '<lido:lido xmlns:lido="http://www.lido-schema.org"><lido:descriptiveMetadata/></lido:lido>'
    document = (
        '<lido:lidoWrap xmlns:lido="http://www.lido-schema.org">'
        + good[0] + broken + good[1] + "</lido:lidoWrap>"
    ).encode()
    out = subprocess.run([SROM, "map", "--format", "lido", "-"], input=document, capture_output=True, timeout=60)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.decode().splitlines()
    assert lines and all(line.endswith(" .") and line.count(" <http") >= 1 for line in lines)
    graphs = {line.rsplit(" ", 2)[-2] for line in lines}
    # N-Quads: each record in its own graph, the terms they share in the museum's vocabulary graph
    assert len(graphs) == 3
    assert "<http://127.0.0.1:5000/graph/vocabulary/local>" in graphs
    errors = [line for line in out.stderr.decode().splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    turtle = subprocess.run([SROM, "map", "--format", "lido", "--to", "turtle", "-"], input=document,
                            capture_output=True, timeout=60)
    assert turtle.returncode == 0 and b"@prefix crm:" in turtle.stdout
    nothing = subprocess.run([SROM, "map", "--format", "lido", "-"], input=broken.encode(),
                             capture_output=True, timeout=60)
    assert nothing.returncode == 1


def test_map_reads_linked_art_json_and_crm_rdf(instance: Path, data_dir: Path) -> None:
    linked_art = data_dir / "linked_art"
    art = subprocess.run([SROM, "map", "--format", "linked-art", str(linked_art / "tang-sancai-camel.json")],
                         capture_output=True, timeout=60)
    assert art.returncode == 0, art.stderr
    assert b"E22_Human-Made_Object" in art.stdout
    refused = subprocess.run([SROM, "map", "--format", "linked-art", str(linked_art / "not-an-object.json")],
                             capture_output=True, timeout=60)
    assert refused.returncode == 1 and b"error: record" in refused.stderr
    turtle = (data_dir / "crm_rdf" / "samarkand-erlangen.ttl").read_bytes()
    crm = subprocess.run([SROM, "map", "--format", "crm-rdf", "-"], input=turtle, capture_output=True, timeout=60)
    assert crm.returncode == 0, crm.stderr
    assert b"3 records mapped" in crm.stderr
    assert b"erlangen-crm.org" not in crm.stdout  # normalised to the official CRM namespace
