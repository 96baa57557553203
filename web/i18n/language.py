"""The visitor's language, and choosing which of a node's labels to show.

Museums write labels in their own languages; the visitor reads English or Chinese. A label is shown in
the visitor's language when the graph has it, else in English, else in whatever language there is — a
title is never hidden because it was not translated.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from flask import g, request

LANGUAGES = ("en", "zh")
DEFAULT_LANGUAGE = "en"


def current_language() -> str:
    lang = getattr(g, "srom_lang", None)
    if lang:
        return lang
    lang = request.args.get("lang") or request.cookies.get("lang")
    if lang not in LANGUAGES:
        lang = request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE
    g.srom_lang = lang
    return lang


def preference(lang: str) -> list[str]:
    """Language tags to try, best first, for a visitor reading ``lang``."""
    order = [lang, DEFAULT_LANGUAGE, ""]
    if lang == "zh":
        order[1:1] = ["zh-hans", "zh-cn", "zh-hant", "zh-tw"]
    return order


def best_literal(values: Iterable[ox.Literal | ox.NamedNode | ox.BlankNode | str], lang: str) -> str | None:
    """The literal to show a visitor reading ``lang`` (see the module docstring)."""
    by_lang: dict[str, str] = {}
    first: str | None = None
    for value in values:
        if isinstance(value, ox.Literal):
            tag = (value.language or "").lower()
            text = value.value
        else:
            tag, text = "", str(value)
        by_lang.setdefault(tag, text)
        if tag.split("-")[0] not in by_lang:
            by_lang[tag.split("-")[0]] = text
        first = first if first is not None else text
    for tag in preference(lang):
        if tag in by_lang:
            return by_lang[tag]
    return first


def format_year(year: int | None) -> str:
    """A signed year as visitors read it: 206 BCE, 618 CE (the era only where it helps: before 1000)."""
    if year is None:
        return "?"
    zh = current_language() == "zh"
    if year < 0:
        return f"公元前{-year}年" if zh else f"{-year} BCE"
    if year < 1000:
        return f"公元{year}年" if zh else f"{year} CE"
    return f"{year}年" if zh else str(year)
