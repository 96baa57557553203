"""The exhibition editor's form, both ways, and the readable difference between two revisions.

``form_to_data`` turns the editor's posted fields into the document's JSON form (``normalise`` then
validates and sanitises it); ``diff_docs`` flattens two documents into field paths and reports what was
added, removed and changed, with line diffs for queries and texts. This module must not touch the
repository, the store or the request.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any, Protocol, overload

from web.exhibitions.document import ExhibitionDoc

#: the languages the editor always offers; others already in a document are kept and shown too
EDITOR_LANGUAGES = ("en", "zh")
LANGUAGE_NAMES = {"en": "English", "zh": "中文"}
NEW_SECTION = "new"
STARTER_QUERY = """SELECT DISTINCT ?object WHERE {
  ?object a crm:E22_Human-Made_Object .
  # srom:dateOrder: its begin year and a tie-breaker in one integer, a key the harvest writes (ontology/MODEL.md)
  OPTIONAL { ?object srom:dateOrder ?date_order }
}
ORDER BY ?date_order ?object
LIMIT 200
"""


class FormLike(Protocol):
    @overload
    def get(self, key: str) -> str | None: ...
    @overload
    def get(self, key: str, default: str) -> str: ...
    def getlist(self, key: str) -> list[str]: ...


def languages_of(doc: ExhibitionDoc | None) -> list[str]:
    """The editor's languages plus any other language a document already has texts in."""
    found = list(EDITOR_LANGUAGES)
    if doc is not None:
        maps = [doc.title, doc.subtitle, doc.intro]
        for s in doc.sections:
            maps += [s.title, s.text]
        for values in maps:
            found += [lang for lang in values if lang not in found]
    return found


def _texts(form: FormLike, prefix: str, languages: list[str]) -> dict[str, str]:
    return {lang: form.get(f"{prefix}-{lang}", "") for lang in languages if form.get(f"{prefix}-{lang}")}


def form_to_data(form: FormLike, slug: str) -> dict[str, Any]:
    """The document (JSON form, not yet validated) the editor posted. Sections come in page order; the
    sections the curator added ("new…" keys) are kept once they have a query, and a section marked for
    removal is left out."""
    languages = list(dict.fromkeys([*EDITOR_LANGUAGES, *form.getlist("languages")]))
    sections: list[dict[str, Any]] = []
    for key in form.getlist("section"):
        p = f"s-{key}"
        query = form.get(f"{p}-query", "").strip()
        if form.get(f"{p}-remove") or (key.startswith(NEW_SECTION) and not query):
            continue
        facets_raw = form.get(f"{p}-facets", "").strip()
        try:
            facets = json.loads(facets_raw) if facets_raw else None
        except json.JSONDecodeError:
            facets = None
        parameters, arguments = [], {}
        rows = zip(*(form.getlist(f"{p}-p-{f}") for f in ("name", "type", "label-en", "label-zh", "default",
                                                          "choices", "value")), strict=False)
        for name, kind, label_en, label_zh, default, choices, value in rows:
            if not name.strip():
                continue
            parameters.append({"name": name.strip(), "type": kind, "label": {"en": label_en, "zh": label_zh},
                               "default": default or None, "choices_query": choices or None})
            if value != "":
                arguments[name.strip()] = value
        sections.append({
            "id": form.get(f"{p}-id", "").strip() or f"section-{len(sections) + 1}",
            "title": _texts(form, f"{p}-title", languages),
            "text": _texts(form, f"{p}-text", languages), "query": query, "layout": form.get(f"{p}-layout", "gallery"),
            "facets": facets if isinstance(facets, dict) else None, "parameters": parameters,
            "arguments": arguments, "pinned": form.get(f"{p}-pinned", "").split(),
            "limit": form.get(f"{p}-limit") or 200,
        })
    return {
        "slug": slug, "title": _texts(form, "title", languages), "subtitle": _texts(form, "subtitle", languages),
        "intro": _texts(form, "intro", languages), "sections": sections, "theme": form.get("theme", "silk"),
        "cover_image": form.get("cover_image", ""), "mode": form.get("mode", "pinned"),
        "cache_seconds": form.get("cache_seconds") or 300, "time_budget": form.get("time_budget") or 5.0,
    }


def _flatten(doc: ExhibitionDoc) -> dict[str, str]:
    """Field path → text: ``title.en``, ``sections[silk].query``, ``sections[silk].pinned`` ..."""
    out: dict[str, str] = {}
    data = asdict(doc)

    def put(path: str, value: Any) -> None:
        if isinstance(value, Mapping):
            for k, v in value.items():
                put(f"{path}.{k}", v)
        elif isinstance(value, list):
            out[path] = "\n".join(json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else str(v) for v in value)
        elif value is not None and value != "":
            out[path] = str(value)

    for key, value in data.items():
        if key == "sections":
            out["sections"] = ", ".join(s["id"] for s in value)  # their order
            for s in value:
                for field_name, v in s.items():
                    if field_name != "id":
                        put(f"sections[{s['id']}].{field_name}", v)
        else:
            put(key, value)
    return out


def diff_docs(old: ExhibitionDoc, new: ExhibitionDoc) -> list[dict[str, Any]]:
    """What changed from ``old`` to ``new``: ``[{"field", "change", "old", "new", "lines"}]``, in field order.

    ``change`` is added / removed / changed; ``lines`` is a unified line diff for multi-line values.
    """
    a, b = _flatten(old), _flatten(new)
    changes = []
    for path in list(dict.fromkeys([*a, *b])):
        before, after = a.get(path), b.get(path)
        if before == after:
            continue
        change = "added" if before is None else "removed" if after is None else "changed"
        lines: list[str] = []
        if "\n" in (before or "") or "\n" in (after or ""):
            lines = list(difflib.unified_diff((before or "").splitlines(), (after or "").splitlines(),
                                              lineterm="", n=1))[2:]
        changes.append({"field": path, "change": change, "old": before, "new": after, "lines": lines})
    return changes
