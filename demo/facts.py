"""The demo museums' objects, as a compact facts table (input of ``build_records.py``).

This module owns the *reading* of the facts table, which is data: one file per museum,
``data/objects/<museum id>.toml``, with one ``[[objects]]`` entry per record in record order, and the
datestamp of the museum's first record. The entries become ``Obj`` values; nothing is computed here.

These are DEMO records about representative object types of the Silk Road, written for the SROM Hub:
the types, materials, techniques, places, periods and dynasties are real; the individual objects,
inventory numbers and measurements are invented (plausible for the type) and describe no real
museum's catalogue. See ``demo/README.md``.

Compact encodings of an entry, parsed by ``build_records.py``:

- ``titles``: one title per museum language, in the order of the museum's ``languages`` (English last);
- ``mats`` / ``techs`` / ``subj``: ``|``-separated keys of ``vocab.TERMS``;
- ``date``: ``[display in the museum language, display in English, earliest year, latest year]`` with
  BCE years negative; centuries run 701-800 for "8th century";
- ``dims``: ``"h=24,w=18.5,wt=4.1g"`` — h height, w width, l length, d diameter, th thickness,
  wt weight; the unit is cm unless suffixed ``mm`` or ``g``;
- ``kind``: the object type, a key of ``vocab.TERMS``; ``place``: a key of ``vocab.PLACES``;
- ``pic``: which drawing ``drawings.py`` makes for the object.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

OBJECTS_DIR = Path(__file__).resolve().parent / "data" / "objects"

# The museums of the facts table, east to west along the Silk Road (the order of MUSEUM_OBJECTS).
MUSEUM_IDS = ("hz-silk", "xa-history", "sam-afrosiab", "koeln-glass")


@dataclass(frozen=True)
class Obj:
    inv: str
    cat: str  # broad class (an OAI set): textiles, coins, ceramics, glass, manuscripts, metalwork, ...
    kind: str  # object type, a key of vocab.TERMS
    titles: tuple[str, ...]
    mats: str
    techs: str
    date: tuple[str, str, int, int]
    place: str
    desc: str
    dims: str
    subj: str = ""
    pic: str = ""


def load_objects(museum_id: str, directory: Path = OBJECTS_DIR) -> tuple[datetime, list[Obj]]:
    """One museum's facts file: the datestamp of its first record, and its objects in record order."""
    path = directory / f"{museum_id}.toml"
    with path.open("rb") as f:
        data = tomllib.load(f)
    if data.get("museum") != museum_id:
        raise ValueError(f"{path}: museum = {data.get('museum')!r}, expected {museum_id!r}")
    objects = []
    for entry in data["objects"]:
        # Obj(**entry) rejects an unknown or missing field; lists become the tuples Obj holds.
        objects.append(Obj(**{**entry, "titles": tuple(entry["titles"]), "date": tuple(entry["date"])}))
    return data["first_datestamp"], objects


_LOADED = {museum_id: load_objects(museum_id) for museum_id in MUSEUM_IDS}

MUSEUM_OBJECTS: dict[str, list[Obj]] = {museum_id: objects for museum_id, (_, objects) in _LOADED.items()}

# First datestamp of each museum's records (naive, UTC); build_records steps on from it record by record.
FIRST_DATESTAMP: dict[str, datetime] = {museum_id: first for museum_id, (first, _) in _LOADED.items()}
