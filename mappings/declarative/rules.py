"""A compiled mapping rule and the target it fills: the data ``mappings.declarative.spec`` compiles.

A :class:`Rule` knows where its values are (compiled paths, with fallbacks and an optional reference to
follow), which :class:`Target` it fills, its constants and its child rules; it selects its matches in a
record and hands them to the target's handler (``mappings.declarative.targets``), and reads its fields'
values. It knows no metadata format and no CRM. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .emit import Node, State
from .xpaths import PathChain, Value, read_values


@dataclass(frozen=True)
class Target:
    """What a target accepts: path fields, constant fields with defaults, child targets."""

    handler: Callable[..., None]
    paths: frozenset[str] = frozenset()
    consts: dict[str, Any] = field(default_factory=dict)
    children: frozenset[str] = frozenset()


@dataclass
class Rule:
    """One compiled rule: where its values are (paths), what node they fill (target), its children."""

    name: str
    target_name: str
    target: Target
    paths: PathChain
    x: dict[str, PathChain]
    c: dict[str, Any]
    children: tuple[Rule, ...]
    lang: str | None
    first: bool
    production: bool
    resolve: PathChain | None = None  # EDM: follow a reference (rdf:resource) to the record's entity

    def select(self, el: Any, st: State) -> list:
        """The rule's matches under ``el``: the first of its fallback paths that matches anything.

        With ``resolve``, a match that refers to an entity of the record (``[mapping].entities``) is
        replaced by that entity, so the rule's fields read the contextual entity (an EDM ``edm:Place``
        for ``<dcterms:spatial rdf:resource=...>``); a match whose reference is not in the record stays.
        """
        found = self.paths(el, st.bare)
        found = found[:1] if self.first else found
        if self.resolve is not None:
            found = [st.resolve(m, self.resolve) for m in found]
        return found

    def run(self, el: Any, st: State, subject: Node) -> None:
        matches = self.select(el, st)
        if matches:
            if self.production:
                subject = st.production()
            self.target.handler(self, matches, st, subject)

    def values(self, key: str, el: Any, st: State, block: bool = False) -> list[Value]:
        """Values of the field ``key`` read from ``el`` (``el`` itself when the field is absent)."""
        path = self.x.get(key)
        if path is None or not hasattr(el, "tag"):
            items = [el]
        else:
            items = path(el, st.bare)
        return read_values(items, st.bare, self.lang or st.default_lang, block)
