"""A museum's mapping overrides: one small TOML file per museum in the instance folder.

A museum's feed may put a field in another place, use a local classification scheme or another
identifier. Instead of copying the whole mapping file, the museum's differences live in
``<instance>/mappings/<museum>.toml``, in the shape of the mapping file itself (mappings/README.md,
"Overrides"), and are deep-merged onto the base file of the museum's format whenever that museum is
harvested::

    [rules.inventory]                     # the inventory number is elsewhere in this museum's LIDO
    path = "lido:objectPublishedID"

    [rules.medium]                        # this museum writes credit lines in dcterms:medium
    enabled = false

Unless the override sets ``[mapping].version`` itself, the mapping version becomes
``{base version}+{museum}``: provenance tells overridden records apart, and adding or changing an
override re-writes the museum's records on the next harvest (the version is part of the content hash).

This module owns where override files live, checking them (by compiling the merged mapping), writing
them atomically, and the compiled mapping per museum (recompiled when the file changes). It holds no
mapping logic (``mappings``) and touches no store.
"""

from __future__ import annotations

import os
import tempfile
import threading
import tomllib
from pathlib import Path
from typing import Any

from harvesters.errors import HarvestError
from mappings import Mapping, MappingError, get_mapping, load_mapping
from ontology.iris import check_museum_id

FOLDER = "mappings"  # under the instance folder
MAX_BYTES = 256 * 1024  # an override is a handful of rules; anything this big is a mistake


class OverrideError(HarvestError, ValueError):
    """An override file that is not TOML, or does not compile onto the base mapping."""


def compile_override(text: str, metadata_format: str, museum_id: str | None = None) -> Mapping:
    """The mapping ``text`` (an override file) gives on ``metadata_format``; raises :class:`OverrideError`."""
    if len(text.encode()) > MAX_BYTES:
        raise OverrideError(f"the override is larger than {MAX_BYTES // 1024} KB")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise OverrideError(f"the override is not valid TOML: {exc}") from exc
    try:
        return load_mapping(metadata_format, _versioned(data, metadata_format, museum_id))
    except MappingError as exc:
        raise OverrideError(f"the override does not fit the {metadata_format} mapping: {exc}") from exc


def _versioned(data: dict[str, Any], metadata_format: str, museum_id: str | None) -> dict[str, Any]:
    if not data or not museum_id or "version" in data.get("mapping", {}):
        return data
    header = {**data.get("mapping", {}), "version": f"{get_mapping(metadata_format).version}+{museum_id}"}
    return {**data, "mapping": header}


class MappingOverrides:
    """The override files in one folder (``<instance>/mappings``) and the compiled mappings they give."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._cache: dict[tuple[str, str], tuple[tuple[int, int], Mapping]] = {}
        self._lock = threading.Lock()

    @classmethod
    def beside(cls, registry_path: Path) -> MappingOverrides:
        """The overrides of the instance folder that holds the registry file (``hub.sqlite``)."""
        return _shared(Path(registry_path).resolve().parent / FOLDER)

    def path(self, museum_id: str) -> Path:
        return self.folder / f"{check_museum_id(museum_id)}.toml"

    def text(self, museum_id: str) -> str | None:
        """The museum's override file as written, or None when it has none."""
        try:
            return self.path(museum_id).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    def museums(self) -> list[str]:
        """Museums that have an override file."""
        if not self.folder.is_dir():
            return []
        return sorted(p.stem for p in self.folder.glob("*.toml"))

    def save(self, museum_id: str, text: str, metadata_format: str) -> Path:
        """Check ``text`` against the museum's format, then write it (atomically); raises OverrideError."""
        compile_override(text, metadata_format, museum_id)
        path = self.path(museum_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{museum_id}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path

    def remove(self, museum_id: str) -> bool:
        """Delete the museum's override; False when there was none."""
        try:
            self.path(museum_id).unlink()
        except FileNotFoundError:
            return False
        return True

    def mapping(self, museum_id: str, metadata_format: str) -> Mapping:
        """The museum's compiled mapping: the base one, or the base with its override merged on top.

        Compiled once per file version (size and modification time); raises OverrideError when the file
        no longer fits (say, the museum changed format), so a harvest fails loudly instead of silently
        mapping without the museum's corrections.
        """
        path = self.path(museum_id)
        try:
            st = path.stat()
        except FileNotFoundError:
            return get_mapping(metadata_format)
        stamp = (st.st_mtime_ns, st.st_size)
        key = (museum_id, metadata_format)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None and cached[0] == stamp:
                return cached[1]
        mapping = compile_override(path.read_text(encoding="utf-8"), metadata_format, museum_id)
        with self._lock:
            self._cache[key] = (stamp, mapping)
        return mapping


_FOLDERS: dict[Path, MappingOverrides] = {}
_FOLDERS_LOCK = threading.Lock()


def _shared(folder: Path) -> MappingOverrides:
    # One instance per folder, so a compiled mapping is reused across harvests of the same process.
    with _FOLDERS_LOCK:
        found = _FOLDERS.get(folder)
        if found is None:
            found = _FOLDERS[folder] = MappingOverrides(folder)
        return found
