"""Exhibitions as saved SPARQL queries, kept as TOML files in the instance folder.

An exhibition file ``<slug>.toml`` has a title and description (tables of language → text), and a
SPARQL SELECT query that binds ``?object``; its order is the exhibition's order. The hub's prefixes
(crm, la, rdfs, ...) are declared for the query.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ontology.namespaces import sparql_prologue
from store.base import SolutionsResult, Store

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")


class ExhibitionError(ValueError):
    pass


@dataclass
class Exhibition:
    slug: str
    title: dict[str, str]
    description: dict[str, str]
    query: str
    limit: int = 200
    source: Path | None = field(default=None, repr=False)

    def text(self, which: str, lang: str) -> str:
        values: dict[str, str] = getattr(self, which)
        return values.get(lang) or values.get("en") or next(iter(values.values()), "")

    def object_iris(self, store: Store, timeout: float | None = None) -> list[str]:
        result = store.query(sparql_prologue() + self.query, timeout=timeout, limit=self.limit)
        if not isinstance(result, SolutionsResult) or "object" not in result.variables:
            raise ExhibitionError(f"the query of exhibition {self.slug!r} must be a SELECT binding ?object")
        column = result.variables.index("object")
        seen: dict[str, None] = {}
        for row in result.rows:
            term = row[column]
            if isinstance(term, ox.NamedNode):
                seen.setdefault(term.value, None)
        return list(seen)


def _texts(value: object, name: str, path: Path) -> dict[str, str]:
    if isinstance(value, str):
        return {"en": value}
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        return dict(value)
    raise ExhibitionError(f"{path}: {name} must be a string or a table of language = text")


def load_exhibition(path: Path) -> Exhibition:
    slug = path.stem
    if not SLUG.match(slug):
        raise ExhibitionError(f"{path}: the file name must be a slug (lower-case letters, digits, hyphens)")
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ExhibitionError(f"{path}: {exc}") from exc
    if "query" not in data or "title" not in data:
        raise ExhibitionError(f"{path}: an exhibition needs a title and a query")
    return Exhibition(
        slug=slug,
        title=_texts(data["title"], "title", path),
        description=_texts(data.get("description", {}), "description", path),
        query=str(data["query"]),
        limit=int(data.get("limit", 200)),
        source=path,
    )


def list_exhibitions(folder: Path) -> list[Exhibition]:
    if not folder.is_dir():
        return []
    return [load_exhibition(p) for p in sorted(folder.glob("*.toml"))]


def get_exhibition(folder: Path, slug: str) -> Exhibition | None:
    if not SLUG.match(slug):
        return None
    path = folder / f"{slug}.toml"
    return load_exhibition(path) if path.is_file() else None
