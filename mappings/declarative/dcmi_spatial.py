"""DCMI Point and DCMI Box: a place written as text, as Dublin Core records carry it in ``dc:coverage``.

``name=Samarkand; east=66.9597; north=39.6542`` (https://www.dublincore.org/specifications/dublin-core/dcmi-point/)
and ``name=Sogdiana; northlimit=40.5; southlimit=38.5; westlimit=65; eastlimit=69``
(https://www.dublincore.org/specifications/dublin-core/dcmi-box/) are lists of ``component=value`` pairs
separated by ``;`` (DCSV; ``\\;`` escapes a semicolon in a value). This module reads one into the place's
name and a WKT ``POINT(lon lat)`` (a box: its centre, the point the hub's map can show). Only decimal
degrees on WGS84 (the encodings' defaults) become coordinates.

A museum's encoding may be broken (a missing ``north``, ``east=200``, ``north=abc``, another projection):
the name is kept and the coordinates are dropped, with the reason in :attr:`SpatialValue.problem`. Text
that names no DCMI component is no encoding at all (a plain place name): :func:`parse_spatial` gives None.
Pure: no I/O, no RDF.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_POINT = ("east", "north")
_BOX = ("northlimit", "southlimit", "eastlimit", "westlimit")
_OTHER = ("name", "elevation", "uplimit", "downlimit", "units", "zunits", "projection")
COMPONENTS = frozenset(_POINT + _BOX + _OTHER)
#: DCMI Period's components: a period in a place field is not a place
PERIOD_COMPONENTS = frozenset({"start", "end", "scheme"})

_PAIR_SEPARATOR = re.compile(r"(?<!\\);")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_DEGREES = frozenset({"signeddecimaldegrees", "decimaldegrees", "deg", "degrees"})
_WGS84 = frozenset({"wgs84", "epsg:4326", "wgs1984", "crs84"})


@dataclass(frozen=True)
class SpatialValue:
    """What a DCMI Point or Box says: the place's name, its point (WKT), and why coordinates were dropped."""

    name: str | None
    point: str | None = None
    problem: str | None = None
    is_period: bool = False  # a DCMI Period (start=, end=): a time, not a place


def components(text: str) -> dict[str, str] | None:
    """The ``component=value`` pairs of ``text`` (keys lower-cased), or None when it names no DCMI component."""
    pairs: dict[str, str] = {}
    for part in _PAIR_SEPARATOR.split(text):
        key, sep, value = part.partition("=")
        key = key.strip().casefold()
        if sep and key and key not in pairs:
            pairs[key] = value.strip().replace("\\;", ";")
    if not pairs.keys() & (COMPONENTS | PERIOD_COMPONENTS):
        return None
    return pairs


def parse_spatial(text: str) -> SpatialValue | None:
    """The place a DCMI Point or Box in ``text`` describes; None when ``text`` is no such encoding."""
    pairs = components(text)
    if pairs is None:
        return None
    name = " ".join(pairs.get("name", "").split()) or None
    if not pairs.keys() & (COMPONENTS - {"name"}) and pairs.keys() & PERIOD_COMPONENTS:
        return SpatialValue(name, is_period=True)
    problem = _reference_problem(pairs)
    if problem is None:
        if pairs.keys() & set(_POINT):
            point, problem = _point(pairs)
        elif pairs.keys() & set(_BOX):
            point, problem = _box_centre(pairs)
        else:
            point, problem = None, "no coordinates (east and north, or the four limits of a box)"
        if problem is None:
            return SpatialValue(name, point)
    return SpatialValue(name, None, problem)


def _reference_problem(pairs: dict[str, str]) -> str | None:
    units = pairs.get("units", "").replace(" ", "").casefold()
    if units and units not in _DEGREES:
        return f"coordinates in units {pairs['units']!r}, not decimal degrees"
    projection = pairs.get("projection", "").replace(" ", "").casefold()
    if projection and projection not in _WGS84:
        return f"coordinates in projection {pairs['projection']!r}, not WGS84"
    return None


def _number(pairs: dict[str, str], key: str, bound: float) -> tuple[float | None, str | None]:
    raw = pairs.get(key)
    if raw is None or raw == "":
        return None, f"no {key}"
    if not _DECIMAL.match(raw):
        return None, f"{key}={raw!r} is not a number"
    value = float(raw)
    if not -bound <= value <= bound:
        return None, f"{key}={raw} is out of range (-{bound:g} to {bound:g})"
    return value, None


def _point(pairs: dict[str, str]) -> tuple[str | None, str | None]:
    east, problem = _number(pairs, "east", 180)
    if problem is None:
        north, problem = _number(pairs, "north", 90)
    if problem is not None:
        return None, problem
    return wkt(east, north), None  # type: ignore[arg-type]  # both set when there is no problem


def _box_centre(pairs: dict[str, str]) -> tuple[str | None, str | None]:
    limits: dict[str, float] = {}
    for key, bound in (("northlimit", 90), ("southlimit", 90), ("eastlimit", 180), ("westlimit", 180)):
        value, problem = _number(pairs, key, bound)
        if problem is not None:
            return None, problem
        limits[key] = value  # type: ignore[assignment]  # set when there is no problem
    if limits["southlimit"] > limits["northlimit"]:
        return None, "southlimit is north of northlimit"
    west, east = limits["westlimit"], limits["eastlimit"]
    lon = (west + east) / 2 if west <= east else (west + east + 360) / 2  # a box across the antimeridian
    if lon > 180:
        lon -= 360
    return wkt(lon, (limits["northlimit"] + limits["southlimit"]) / 2), None


def wkt(lon: float, lat: float) -> str:
    """``POINT(lon lat)`` with the numbers written plainly (no exponent, no trailing zeros)."""
    return f"POINT({_plain(lon)} {_plain(lat)})"


def _plain(value: float) -> str:
    text = f"{value:.7f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
