"""What one museum's records may describe: only IRIs the museum owns, and external vocabularies.

A record links its object to terms by IRI, and the museum's graphs describe those terms (class, labels,
coordinates). A record may name any IRI as a term, including another museum's object, a museum IRI or a
concept of the hub's thesaurus; were its description of that IRI kept, pages reading labels from the
union would show the attacker's title on another museum's object, a false "Held by" name, or a second
point for Samarkand. So a record's triples (its record graph and its share of the museum's vocabulary
graph) keep a subject only when it is:

- a blank node, or an IRI outside the hub's own spaces (AAT, Wikidata, the museum's own IRIs: external
  vocabularies a museum may describe in its own graphs), or
- one of the museum's own IRIs: ``{base}/id/object/{museum}/...`` (its objects and the nodes minted under
  them) and ``{base}/id/term/{museum}/...`` (its local terms).

Everything else under ``{base}/`` (other museums' objects and terms, museum, feed, run and exhibition
IRIs, graphs) and the thesaurus' concepts stay links (the triple pointing at them is kept), never
descriptions: those triples are dropped, and the record's log says how many.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from mappings import MappedRecord
from ontology.thesaurus import CONCEPT_BASE

log = logging.getLogger(__name__)

_OBJECT_SPACE = "/id/object/"


def _subject(line: str) -> str | None:
    """The subject IRI of an N-Triples line (None for a blank node or a line that is not a triple)."""
    if not line.startswith("<"):
        return None
    end = line.find(">")
    return line[1:end] if end > 0 else None


def owned_by(museum_id: str, base: str, iri: str) -> bool:
    """May ``museum_id``'s graphs describe ``iri`` (see the module docstring)?"""
    if iri.startswith(CONCEPT_BASE):
        return False
    if not iri.startswith(base + "/"):
        return True
    return iri.startswith((f"{base}/id/object/{museum_id}/", f"{base}/id/term/{museum_id}/"))


def confine(ntriples: str, museum_id: str, base: str) -> tuple[str, list[str]]:
    """(the triples ``museum_id`` may write, the foreign subjects whose description was dropped)."""
    kept: list[str] = []
    dropped: dict[str, None] = {}
    for line in ntriples.splitlines(keepends=True):
        subject = _subject(line)
        if subject is not None and not owned_by(museum_id, base, subject):
            dropped.setdefault(subject, None)
            continue
        kept.append(line)
    return "".join(kept), list(dropped)


def confine_hook(mapped: MappedRecord, record: Any, museum: Any) -> MappedRecord:
    """The record with its descriptions of IRIs the museum does not own removed (see the module docstring)."""
    base = mapped.object_iri.split(_OBJECT_SPACE, 1)[0]
    own, dropped_own = confine(mapped.ntriples, museum.id, base)
    shared, dropped_shared = confine(mapped.shared_ntriples, museum.id, base)
    dropped = dropped_own + [s for s in dropped_shared if s not in dropped_own]
    if not dropped:
        return mapped
    log.warning("record %s of %s: descriptions of %d IRIs it does not own were dropped (e.g. <%s>)",
                mapped.source_id, museum.id, len(dropped), dropped[0])
    triples = sum(1 for line in own.splitlines() if line.strip())
    return replace(mapped, ntriples=own, shared_ntriples=shared, triple_count=triples)
