"""Terms in a mapped record: a concept, place, actor or unit read from the record, then written.

:func:`read_term` reads a term a rule matched: its own http(s) URI (preferring the mapping's vocabularies),
else a local term IRI minted from its first label (``IriMinter.local_term``), with its labels, an extra
class (a person actor) and a WKT point (a place). :func:`write_term` writes its class, labels and point,
then has ``mappings.declarative.concept_links`` add the shared concept. Pure: no I/O.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ontology.ntriples import literal

from .concept_links import link_term
from .dcmi_spatial import parse_spatial
from .emit import CRMT, HTTP_URI, LABEL, WKT, A, Node, State, Term, cached_iri, cached_literal
from .rules import Rule
from .xpaths import Value

if TYPE_CHECKING:
    from ontology.iris import IriMinter


def pick_uri(values: list[Value], prefer: tuple[str, ...]) -> str | None:
    """The concept's own http(s) URI; among several, the first from a preferred vocabulary."""
    uris = [v.text for v in values if HTTP_URI.match(v.text)]
    for prefix in prefer:
        for u in uris:
            if u.startswith(prefix):
                return u
    return uris[0] if uris else None


def read_term(rule: Rule, el: Any, st: State, kind: str) -> Term | None:
    labels = rule.values("label", el, st)
    encoded_point = None
    if rule.c.get("encoding") == "dcmi":
        labels, encoded_point = _decode_dcmi(rule, labels, st)
    uri = None
    if rule.c.get("iri", "concept") == "concept" and "uri" in rule.x and hasattr(el, "tag"):
        uri = pick_uri(rule.values("uri", el, st), st.prefer)
    if uri is None:
        if not labels:
            return None
        uri = _local_term(st.ctx.minter, st.ctx.museum, rule.c.get("kind") or kind, labels[0].text)
    extra: tuple[str, ...] = ()
    kinds = rule.c.get("kinds")
    if kinds and "kind_of" in rule.x and hasattr(el, "tag"):
        for v in rule.values("kind_of", el, st):
            cls = kinds.get(v.text.casefold())
            if cls:
                extra = (cls,)
                break
    point = None
    if "coordinates" in rule.x and hasattr(el, "tag"):
        for v in rule.values("coordinates", el, st):
            point = wkt_point(v.text, rule.c.get("coordinate_order", "lat lon"))
            if point:
                break
    return Term(Node(uri, cached_iri(uri)), labels, extra, point or encoded_point)


def _decode_dcmi(rule: Rule, labels: list[Value], st: State) -> tuple[list[Value], str | None]:
    """Labels with DCMI Point / Box encodings read into their names, and the first point they give.

    A broken encoding keeps its name and loses its coordinates, which the record's warnings say.
    """
    names: list[Value] = []
    point = None
    for v in labels:
        spatial = parse_spatial(v.text)
        if spatial is None:  # a plain name
            names.append(v)
            continue
        shown = v.text if len(v.text) <= 200 else v.text[:200] + "…"
        if spatial.is_period:
            st.warn(rule.name, f"{shown!r} is a DCMI Period, not a place: not read as a place")
            continue
        if spatial.problem:
            kept = "kept the name, dropped" if spatial.name else "no name either: dropped"
            st.warn(rule.name, f"{shown!r}: {spatial.problem}; {kept} the coordinates")
        if spatial.name:
            names.append(Value(spatial.name, v.lang))
            point = point or spatial.point
        elif spatial.point:
            st.warn(rule.name, f"{shown!r} has coordinates but no name: not read as a place")
    return names, point


@lru_cache(maxsize=1 << 16)
def _local_term(minter: IriMinter, museum: str, kind: str, label: str) -> str:
    return minter.local_term(museum, kind, label)


def wkt_point(text: str, order: str) -> str | None:
    """``POINT(lon lat)`` from "lat lon" (GML ``pos`` in EPSG:4326 order) or "lon lat"; None if invalid."""
    parts = text.replace(",", " ").split()
    if len(parts) < 2:
        return None
    try:
        a, b = float(parts[0]), float(parts[1])
    except ValueError:
        return None
    lat, lon, lat_s, lon_s = (a, b, parts[0], parts[1]) if order == "lat lon" else (b, a, parts[1], parts[0])
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return f"POINT({lon_s} {lat_s})"


def write_term(st: State, term: Term, cls: str) -> None:
    link = st.last  # the triple that pointed at this term: every caller adds it just before writing the term
    st.add(term.node.term, A, cls)
    for extra in term.extra:
        st.add(term.node.term, A, extra)
    for v in term.labels:
        st.add(term.node.term, LABEL, cached_literal(v.text, v.lang))
    if term.point:
        st.add(term.node.term, CRMT["P168_place_is_defined_by"], literal(term.point, datatype=WKT))
    link_term(st, term, cls, link)  # the shared concept (concept_links.py)
