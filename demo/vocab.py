"""Shared vocabulary of the demo records: terms, places and periods with labels in several languages.

This module owns the *reading* of the facts that several demo museums share (a material, a place, a
label of a collection section), so that "silk" in Hangzhou, "шёлк" in Samarkand and "Seide" in Cologne
are written from one entry. The entries are data: ``data/vocabulary.toml`` (terms, collection sections,
measurement names, event types) and ``data/places.toml`` (places and the countries they lie in). It is
read only by ``demo/build_records.py``; the served feeds read the generated XML, never this module.

Getty AAT ids are given only where they were checked against several independent uses (silk, wool,
gold, silver, copper, bronze, glass, porcelain, wood, ivory, parchment, paper, ink, coins, manuscripts,
sculpture); every other term carries its label only, as many real museum feeds do.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

AAT = "http://vocab.getty.edu/aat/"
DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Term:
    """A concept with labels per language (en, zh, ru, de, uz) and an optional AAT id."""

    key: str
    labels: dict[str, str]
    aat: str | None = None

    @property
    def uri(self) -> str | None:
        return AAT + self.aat if self.aat else None

    def label(self, lang: str) -> str:
        # Uzbek labels are sparse: fall back to Russian (the Samarkand museum's cataloguing language),
        # then English, as a real bilingual catalogue would.
        for candidate in (lang, "ru" if lang == "uz" else "en", "en"):
            if candidate in self.labels:
                return self.labels[candidate]
        raise KeyError(lang)


@dataclass(frozen=True)
class Place:
    """A real place with labels, WGS84 coordinates and the modern country it lies in."""

    key: str
    labels: dict[str, str]
    lat: float
    lon: float
    country: dict[str, str] = field(default_factory=dict)

    def label(self, lang: str) -> str:
        return self.labels.get(lang) or self.labels.get("ru" if lang == "uz" else "en") or self.labels["en"]


def _load(name: str) -> dict[str, Any]:
    with (DATA_DIR / name).open("rb") as f:
        return tomllib.load(f)


def _term(key: str, entry: dict[str, str]) -> Term:
    labels = dict(entry)  # every key but `aat` is a language code
    aat = labels.pop("aat", None)
    return Term(key, labels, aat)


def _place(key: str, entry: dict[str, Any], countries: dict[str, dict[str, str]]) -> Place:
    labels = dict(entry)  # every key but lat, lon and country is a language code
    lat, lon, country = float(labels.pop("lat")), float(labels.pop("lon")), labels.pop("country")
    return Place(key, labels, lat, lon, dict(countries[country]))


_VOCABULARY = _load("vocabulary.toml")
_PLACES = _load("places.toml")

TERMS: dict[str, Term] = {key: _term(key, entry) for key, entry in _VOCABULARY["terms"].items()}

PLACES: dict[str, Place] = {
    key: _place(key, entry, _PLACES["countries"]) for key, entry in _PLACES["places"].items()
}

# Labels of the collection sections (the OAI sets), of the measurement types (with the abbreviation
# used in displayed measurements) and of the production event, by language.
CATEGORY_NAMES: dict[str, dict[str, str]] = _VOCABULARY["categories"]
DIMENSION_NAMES: dict[str, dict[str, str]] = _VOCABULARY["dimensions"]
EVENT_PRODUCTION: dict[str, str] = _VOCABULARY["events"]["production"]
