"""`srom` on Virtuoso end to end, as an operator runs it: real `srom` processes with ``SROM_STORE=virtuoso``
harvest the four demo museums from their loopback feeds; the one-shot command starts the managed
Virtuoso for its own duration and stops it, and a second command finds the objects in the database.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from demo.feeds import DemoFeedServer, load_demo_museums
from store.managed import state_path
from tests.support.virtuoso_fixtures import virtuoso_missing

pytestmark = pytest.mark.slow

SROM = str(Path(sys.executable).with_name("srom"))
OBJECTS = "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a <http://www.cidoc-crm.org/cidoc-crm/E22_Human-Made_Object> }"


def virtuoso_processes(folder: Path) -> list[int]:
    """Pids of virtuoso-t processes whose command line names a file in ``folder``."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                argv = (proc / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if argv and argv[0].endswith(b"virtuoso-t") and any(str(folder).encode() in a for a in argv):
                found.append(int(proc.name))
    return found


def srom(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SROM, *args], env=env, capture_output=True, text=True, timeout=600)


def test_a_demo_harvest_through_srom_on_a_managed_virtuoso(instance: Path) -> None:
    if virtuoso_missing():
        pytest.skip(virtuoso_missing())
    env = {**os.environ, "SROM_HOME": str(instance), "SROM_STORE": "virtuoso", "SROM_VIRTUOSO_MEMORY_MB": "256",
           "SROM_ALLOWED_FEED_NETWORKS": "127.0.0.0/8"}
    museums = load_demo_museums()
    try:
        with DemoFeedServer(museums, host="127.0.0.1", port=0) as feeds:
            for m in museums:
                added = srom(env, "museums", "add", m.id, "--name", m.names["en"], "--feed", feeds.feed_url(m.id),
                             "--format", m.metadata_format)
                assert added.returncode == 0, added.stderr
            harvest = srom(env, "harvest", *(m.id for m in museums))
        assert harvest.returncode == 0, harvest.stdout + harvest.stderr
        assert re.search(r"store: virtuoso server on http://127\.0\.0\.1:\d+", harvest.stderr)
        new = [int(n) for n in re.findall(r": ok — new (\d+)", harvest.stdout + harvest.stderr)]
        assert len(new) == len(museums) and all(new), harvest.stdout + harvest.stderr
        # the command's server stopped with it: no process, no state file
        store_dir = instance / "virtuoso"
        assert (store_dir / "virtuoso.db").exists() and not state_path(store_dir).exists()
        assert virtuoso_processes(instance) == []

        # a second command runs its own server on the same database and finds every object
        query = srom(env, "query", OBJECTS)
        assert query.returncode == 0, query.stderr
        assert int(json.loads(query.stdout)["results"]["bindings"][0]["n"]["value"]) == sum(new)
        assert virtuoso_processes(instance) == [] and not state_path(store_dir).exists()
    finally:
        for pid in virtuoso_processes(instance):  # never leave one behind, whatever failed above
            os.kill(pid, 9)
