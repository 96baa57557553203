"""Exhibitions written as TOML files (the demo's, and any a curator keeps in version control).

Two shapes: the old one-query file (``title``, ``description`` in plain text, ``query``, ``limit``) and
the sectioned one (``title``, ``subtitle``, ``intro`` in HTML, ``theme``, ``mode``, ``cache_seconds``,
``time_budget``, ``cover_image`` and ``[[sections]]``). The slug is the file name. This module only
reads files into documents; importing them is ``ExhibitionService.import_toml``.
"""

from __future__ import annotations

import html
import tomllib
from pathlib import Path
from typing import Any

from web.exhibitions.document import ExhibitionDoc, ExhibitionError, normalise


def _toml_texts(value: Any) -> dict[str, str]:
    if isinstance(value, str):
        return {"en": value}
    return dict(value or {})


def _paragraphs(values: dict[str, str]) -> dict[str, str]:
    """Plain text (the old ``description``) as curator HTML: escaped, one paragraph."""
    return {lang: f"<p>{html.escape(text)}</p>" for lang, text in values.items() if text}


def doc_from_toml(path: Path) -> ExhibitionDoc:
    """An exhibition document from a TOML file: the old one-query format or the sectioned one.

    Old: ``title``, ``description`` (plain text), ``query``, ``limit``. Sectioned: ``title``, ``subtitle``,
    ``intro`` (HTML), ``theme``, ``mode``, ``cache_seconds``, ``time_budget``, ``cover_image`` and
    ``[[sections]]`` tables with ``id``, ``title``, ``text``, ``query``, ``layout``, ``limit``, ``pinned``,
    ``parameters``, ``arguments``. The slug is the file name.
    """
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ExhibitionError(f"{path}: {exc}") from exc
    if "sections" in data:
        sections = data["sections"]
    elif "query" in data:
        sections = [{"id": "objects", "title": {}, "text": {}, "query": data["query"], "limit": data.get("limit", 200)}]
    else:
        raise ExhibitionError(f"{path}: an exhibition needs a query or [[sections]]")
    intro = data.get("intro")
    intro = _toml_texts(intro) if intro is not None else _paragraphs(_toml_texts(data.get("description")))
    try:
        return normalise({
            "slug": path.stem, "title": _toml_texts(data.get("title")), "subtitle": _toml_texts(data.get("subtitle")),
            "intro": intro, "sections": sections, "theme": data.get("theme", "silk"),
            "cover_image": data.get("cover_image"), "mode": data.get("mode", "pinned"),
            "cache_seconds": data.get("cache_seconds", 300), "time_budget": data.get("time_budget", 5.0),
        })
    except ExhibitionError as exc:
        raise ExhibitionError(f"{path}: {exc}") from None
