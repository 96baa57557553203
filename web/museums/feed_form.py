"""Checking a museum's registration, whoever sends it: the web form, the JSON API or ``srom museums add``.

:func:`museum_from_fields` turns fields (form text or JSON values) into the feed database's
:class:`~harvesters.feed_database.Museum`, merged onto the museum as it is saved, and refuses what the hub
cannot use with one message per problem (:class:`FeedFormError`, naming the field). The feed URL passes
the :class:`~harvesters.guard.FeedGuard` here, before anything is saved or fetched. This module must not
save or fetch anything: :class:`web.museums.service.MuseumService` does.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from harvesters.feed_database import FORMATS, PROTOCOLS, Museum
from harvesters.guard import FeedGuard, FeedUrlRefused
from harvesters.schedule import check_schedule
from ontology.iris import check_museum_id
from web.errors import InvalidInput

TEXT_FIELDS = ("name", "feed_url", "protocol", "format", "set_spec", "schedule", "homepage", "city", "country",
               "licence", "attribution")
#: every field a registration may carry (the API refuses others, so a typo is never silently ignored)
INPUT_FIELDS = frozenset({*TEXT_FIELDS, "names", "lat", "lon", "options"})


class FeedFormError(InvalidInput):
    """A registration the hub refuses; ``field`` names the offending field when there is one."""


def museum_fields() -> set[str]:
    return {f.name for f in dataclasses.fields(Museum)}


def parse_names(value: object) -> dict[str, str]:
    """Names by language: a dict, or text with one ``lang: name`` per line (the web form)."""
    if value is None or value == "":
        return {}
    if isinstance(value, Mapping):
        pairs = [(str(k), str(v)) for k, v in value.items()]
    elif isinstance(value, str):
        pairs = []
        for line in value.splitlines():
            if not line.strip():
                continue
            lang, sep, name = line.partition(":")
            if not sep:
                raise FeedFormError(f"write each name as 'language: name' (line {line.strip()!r})", field="names")
            pairs.append((lang, name))
    else:
        raise FeedFormError("names must be an object of language → name", field="names")
    names: dict[str, str] = {}
    for lang, name in pairs:
        lang, name = lang.strip().lower(), name.strip()
        if not lang or len(lang) > 20 or not all(part.isalnum() for part in lang.split("-")):
            raise FeedFormError(f"{lang!r} is not a language tag (e.g. en, zh, zh-hant, ru)", field="names")
        if name:
            names[lang] = name[:300]
    return names


def parse_options(value: object) -> dict[str, Any]:
    """Protocol options: a JSON object, the web form's JSON text, or ``KEY=VALUE`` pairs (the CLI)."""
    if value is None or value == "":
        return {}
    if isinstance(value, (list, tuple)):
        pairs = [str(o).partition("=") for o in value]
        if any(not sep or not key.strip() for key, sep, _ in pairs):
            raise FeedFormError("write each option as KEY=VALUE", field="options")
        value = {key.strip(): text for key, _, text in pairs}
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else {}
        except ValueError as exc:
            raise FeedFormError(f"options must be a JSON object: {exc}", field="options") from exc
    if not isinstance(value, dict) or len(json.dumps(value)) > 20_000:
        raise FeedFormError("options must be a JSON object (at most 20 kB)", field="options")
    return value


def _http_url(value: str, name: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c in value for c in ' <>"{}|\\^`'):
        raise FeedFormError(f"{name} must be an http(s) URL", field=name)
    return value


def _coordinate(value: object, name: str, limit: float) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise FeedFormError(f"{name} must be a number", field=name) from None
    if not math.isfinite(number) or abs(number) > limit:
        raise FeedFormError(f"{name} must be between -{limit:g} and {limit:g}", field=name)
    return number


def museum_from_fields(guard: FeedGuard, museum_id: str, data: Mapping[str, Any],
                       existing: Museum | None = None) -> Museum:
    """The museum ``data`` describes (merged onto ``existing``), checked; raises :class:`FeedFormError`."""
    try:
        check_museum_id(museum_id)
    except ValueError as exc:
        raise FeedFormError(str(exc), field="id") from exc
    unknown = sorted(set(data) - INPUT_FIELDS)
    if unknown:
        raise FeedFormError(f"unknown fields {unknown}; known: {sorted(INPUT_FIELDS)}")
    values: dict[str, Any] = dataclasses.asdict(existing) if existing else {"id": museum_id, "protocol": "oai-pmh"}
    for name in TEXT_FIELDS:
        if name in data:
            text = data[name]
            if text is not None and not isinstance(text, str):
                raise FeedFormError(f"{name} must be text", field=name)
            values[name] = (text or "").strip()[:2000] or None
    if "names" in data:
        values["names"] = parse_names(data["names"])
    for name, limit in (("lat", 90.0), ("lon", 180.0)):
        if name in data:
            values[name] = _coordinate(data[name], name, limit)
    names = values.get("names") or {}
    values["name"] = values.get("name") or names.get("en") or next(iter(names.values()), None)
    if not values["name"]:
        raise FeedFormError("the museum needs a name", field="name")
    if not values.get("feed_url"):
        raise FeedFormError("the feed URL is required", field="feed_url")
    _http_url(values["feed_url"], "feed_url")
    if values.get("homepage"):
        _http_url(values["homepage"], "homepage")
    protocol = values.get("protocol") or "oai-pmh"
    if protocol not in PROTOCOLS:
        raise FeedFormError(f"unknown protocol {protocol!r}; the hub speaks {', '.join(PROTOCOLS)}", field="protocol")
    values["protocol"] = protocol
    if values.get("format") and values["format"] not in FORMATS:
        raise FeedFormError(f"unknown format {values['format']!r}; the hub maps {', '.join(FORMATS)}", field="format")
    if not values.get("names"):
        values["names"] = {"en": values["name"]}
    if values.get("schedule"):
        try:
            values["schedule"] = check_schedule(values["schedule"])
        except ValueError as exc:
            raise FeedFormError(str(exc), field="schedule") from exc
    if "options" in data:
        values["options"] = parse_options(data["options"])
    try:
        guard.check(values["feed_url"])
    except FeedUrlRefused as exc:
        raise FeedFormError(str(exc), field="feed_url") from exc
    known = museum_fields()
    values["format"] = values.get("format") or ""
    values["id"] = museum_id
    return Museum(**{k: v for k, v in values.items() if k in known})
