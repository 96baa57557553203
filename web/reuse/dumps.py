"""The hub's dumps: the whole hub and each museum as gzipped N-Quads, in ``$SROM_HOME/dumps/``.

Built from the store (``Store.dump``: every quad, never through the public endpoint and its row limit), in
one pass that writes every file: ``hub.nq.gz`` (all graphs) and ``{museum}.nq.gz`` (the museum's record
graphs, its vocabulary graph, its description graph, and the provenance of its record graphs). A
``manifest.json`` beside them says when they were built, from which state of the hub (``version``,
``FeedDatabase.data_version``) and what each holds (quads, bytes, objects): the VoID description and the
service description read their counts there.

**When they are regenerated: lazily.** A request for the listing, a dump or the VoID description finds the
dumps older than the hub's data (a harvest run finished, records were removed, a museum was registered or
changed since the build: the version differs) and rebuilds them first, one build at a time (other requests
wait for it, then serve the new files). A hub nobody downloads from never spends the time; a harvest
never waits for a dump. Files are replaced atomically, so a download in progress keeps its file.
"""

from __future__ import annotations

import gzip
import json
import os
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from ontology.clock import utc_now
from ontology.iris import RESERVED_IDS
from ontology.namespaces import SROM

if TYPE_CHECKING:
    from web.hub import Hub

HUB_DUMP = "hub.nq.gz"
MANIFEST = "manifest.json"
_BUILD_LOCK = threading.Lock()


def dumps_folder(hub: Hub) -> Path:
    return Path(hub.instance) / "dumps"


def read_manifest(hub: Hub) -> dict[str, Any] | None:
    try:
        return json.loads((dumps_folder(hub) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def fresh_manifest(hub: Hub) -> dict[str, Any]:
    """The manifest of dumps as fresh as the hub's data, building them first when they are not."""
    version = hub.feeds.data_version()
    manifest = read_manifest(hub)
    if manifest is not None and manifest.get("version") == version:
        return manifest
    with _BUILD_LOCK:
        manifest = read_manifest(hub)  # another request may have built them while this one waited
        if manifest is not None and manifest.get("version") == version:
            return manifest
        return build_dumps(hub, version)


def dump_name(museum_id: str) -> str:
    return f"{museum_id}.nq.gz"


class _Router:
    """Which museum a quad belongs to, from its graph (and, in the provenance graph, its subject)."""

    def __init__(self, hub: Hub) -> None:
        base = hub.minter.base
        self.graphs = f"{base}/graph/"
        self.provenance = hub.minter.provenance_graph()

    def museum(self, quad: ox.Quad) -> str | None:
        graph = quad.graph_name
        if not isinstance(graph, ox.NamedNode):
            return None
        name = graph.value
        if name == self.provenance:
            subject = quad.subject
            name = subject.value if isinstance(subject, ox.NamedNode) else ""
        if not name.startswith(self.graphs):
            return None
        first, slash, rest = name[len(self.graphs):].partition("/")
        if first in ("vocabulary", "museum"):
            return rest or None  # a museum's vocabulary or description graph (not the shared vocabulary)
        return first if slash and rest and first not in RESERVED_IDS else None


def build_dumps(hub: Hub, version: str) -> dict[str, Any]:
    """Write every dump and the manifest (see the module docstring); returns the manifest."""
    folder = dumps_folder(hub)
    folder.mkdir(parents=True, exist_ok=True)
    museums = [m.id for m in hub.feeds.museums()]
    router = _Router(hub)
    object_predicate = ox.NamedNode(SROM.object)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".build-") as scratch:
        raw = Path(scratch) / "store.nq"
        with raw.open("wb") as out:
            hub.store().dump(out)
        writers: dict[str, gzip.GzipFile] = {}
        counts: dict[str, dict[str, int]] = {m: {"quads": 0, "objects": 0} for m in museums}
        total = {"quads": 0, "objects": 0}
        try:
            whole = writers[""] = gzip.open(Path(scratch) / HUB_DUMP, "wb")
            for m in museums:
                writers[m] = gzip.open(Path(scratch) / dump_name(m), "wb")
            with raw.open("rb") as source:
                for quad in ox.parse(source, format=ox.RdfFormat.N_QUADS):
                    line = f"{quad} .\n".encode()
                    whole.write(line)
                    total["quads"] += 1
                    is_object = quad.predicate == object_predicate
                    total["objects"] += is_object
                    museum = router.museum(quad)
                    if museum in writers and museum:
                        writers[museum].write(line)
                        counts[museum]["quads"] += 1
                        counts[museum]["objects"] += is_object
        finally:
            for writer in writers.values():
                writer.close()
        built = utc_now()
        files: dict[str, dict[str, Any]] = {}
        for key, name in [("", HUB_DUMP), *[(m, dump_name(m)) for m in museums]]:
            os.replace(Path(scratch) / name, folder / name)
            numbers = total if not key else counts[key]
            files[name] = {"museum": key or None, "quads": numbers["quads"], "objects": numbers["objects"],
                           "bytes": (folder / name).stat().st_size, "modified": built}
    for stale in folder.glob("*.nq.gz"):  # a museum removed since the last build
        if stale.name not in files:
            stale.unlink(missing_ok=True)
    manifest = {"version": version, "built": built, "quads": total["quads"], "objects": total["objects"],
                "files": files}
    scratch_manifest = folder / f".{MANIFEST}.tmp"
    scratch_manifest.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    os.replace(scratch_manifest, folder / MANIFEST)
    return manifest
