"""Object cards: the few fields a gallery, map or timeline shows, for many objects at once.

One query fetches the fields of a whole page of objects (a VALUES block of IRIs that came out of the
store itself), and the visitor's language picks among the labels. It owns that query and the Card; it
must not render anything nor decide which views fit (that is web/exhibitions/layouts.py).

Dates and places come from the keys the harvest writes on each object (``srom:beginYear``/``srom:endYear``:
the earliest begin and latest end of its productions; ``srom:productionPlace``: its production places).
Coordinates: the production place's own WKT point (``crm:P168_place_is_defined_by``, as a museum gave
it), else the point of the shared place concept the place was reconciled to (SKOS match, or Linked
Art's ``la:equivalent``; WKT or WGS84 lat/long), all in the same query.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import pyoxigraph as ox

from ontology.dates import year_of
from ontology.namespaces import sparql_prologue
from store.base import Store, Term
from web.i18n import best_literal
from web.objects.images import thumbnail_url

# One UNION branch per field, not nested OPTIONALs: optionals multiply (titles x museum names x place
# names x ...), a union adds, so a page of 200 objects stays a few hundred rows. Each branch starts from
# the page's objects (the VALUES block is repeated inside it: an engine joins a block outside a UNION only
# after evaluating each branch over the whole graph) and reaches its field through the keys written at
# harvest (srom:beginYear, srom:endYear, srom:productionPlace; ontology/MODEL.md): a few index lookups per
# object. At 20,000 objects a page of 60 went from 9.6 s to 0.05 s on Oxigraph.
# The shared place concepts come in two parts: which concepts each object has (?concept: its place is one;
# ?matchedConcept: its place was reconciled to it), and each of those concepts' names and points once
# (?named), not once per object: a concept has a name in a dozen languages, and many objects share it
# (240 objects at 100,000 on Virtuoso: 8,640 rows and 0.56 s, 3,261 rows and 0.32 s).
CARD_QUERY = """
SELECT ?object ?title ?image ?date ?begin ?end ?place ?placeName ?wkt ?concept ?matchedConcept
       ?named ?conceptName ?conceptWkt ?lat ?long ?museum ?museumName ?licence WHERE {
  { VALUES ?object { } ?object rdfs:label ?title }
  UNION { VALUES ?object { } ?object crm:P65_shows_visual_item ?visual . ?visual la:digitally_shown_by ?digital .
          ?digital la:access_point ?image }
  UNION { VALUES ?object { } ?object crm:P50_has_current_keeper ?museum . OPTIONAL { ?museum rdfs:label ?museumName } }
  UNION { VALUES ?object { } ?object crm:P50_has_current_keeper ?keeper . ?keeper dcterms:license ?licence }
  UNION { VALUES ?object { } ?object srom:beginYear ?begin }
  UNION { VALUES ?object { } ?object srom:endYear ?end }
  UNION { VALUES ?object { } ?object crm:P108i_was_produced_by ?production . ?production crm:P4_has_time-span ?span .
          ?span rdfs:label ?date }
  UNION { VALUES ?object { } ?object srom:productionPlace ?place . FILTER NOT EXISTS { ?place a skos:Concept }
          OPTIONAL { ?place rdfs:label ?placeName } OPTIONAL { ?place crm:P168_place_is_defined_by ?wkt } }
  UNION { VALUES ?object { } ?object srom:productionPlace ?concept . ?concept a skos:Concept }
  UNION { VALUES ?object { } ?object srom:productionPlace ?matched .
          ?matched skos:exactMatch|skos:closeMatch|la:equivalent ?matchedConcept }
  UNION { { SELECT DISTINCT ?named WHERE {
              { VALUES ?object { } ?object srom:productionPlace ?named . ?named a skos:Concept }
              UNION { VALUES ?object { } ?object srom:productionPlace ?matched .
                      ?matched skos:exactMatch|skos:closeMatch|la:equivalent ?named } } }
          { ?named skos:prefLabel ?conceptName } UNION { ?named crm:P168_place_is_defined_by ?conceptWkt }
          UNION { ?named wgs:lat ?lat ; wgs:long ?long } }
}
"""

# "POINT(lon lat)", optionally after a CRS IRI ("<http://www.opengis.net/def/crs/OGC/1.3/CRS84> POINT(...)").
_POINT = re.compile(r"POINT\s*Z?\s*\(\s*(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?)", re.IGNORECASE)


def parse_wkt_point(text: str | None) -> tuple[float, float] | None:
    """(lat, lon) of a WKT point in WGS84 longitude-latitude order, or None when it is not one."""
    if not text:
        return None
    match = _POINT.search(text)
    if not match:
        return None
    lon, lat = float(match.group(1)), float(match.group(2))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


@dataclass
class Card:
    iri: str
    title: str
    image: str | None = None
    date: str | None = None
    begin_year: int | None = None
    end_year: int | None = None
    place: str | None = None
    place_iri: str | None = None
    lat: float | None = None
    lon: float | None = None
    museum: str | None = None
    museum_name: str | None = None
    licence: str | None = None
    _labels: dict[str, list[Term]] = field(default_factory=dict, repr=False)

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data.pop("_labels")
        return data

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.lon is not None

    @property
    def thumbnail(self) -> str | None:
        """The image at card size (scaled by the museum's IIIF image service where it has one)."""
        return thumbnail_url(self.image)


def _point_of(row: dict[str, Term]) -> tuple[float, float] | None:
    """The WGS84 point of a row's ``lat`` and ``long``, when both are there and in range."""
    if "lat" in row and "long" in row:
        try:
            lat, lon = float(row["lat"].value), float(row["long"].value)
        except ValueError:
            return None
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            return lat, lon
    return None


@dataclass
class _Named:
    """A shared place concept's names and points (the ``?named`` rows of the card query)."""

    names: list[Term] = field(default_factory=list)
    wkt: set[str] = field(default_factory=set)
    lat_long: set[tuple[float, float]] = field(default_factory=set)

    def points(self, *, reconciled: bool) -> set[tuple[float, float]]:
        """Its WKT points; for a concept an object's place was reconciled to, also its WGS84 lat/long
        where it has no WKT that reads as a point."""
        found = {p for p in map(parse_wkt_point, self.wkt) if p}
        if reconciled and (not self.wkt or len(found) < len(self.wkt)):
            found |= self.lat_long
        return found


def preferred_label(own: list[Term], shared: list[Term], lang: str) -> str | None:
    """The museum's own label when it is in the visitor's language, else the shared concept's label in that
    language (reconciliation gives "Samarkand" its 撒马尔罕), else the museum's label, else the concept's."""
    exact = [v for v in own if isinstance(v, ox.Literal) and (v.language or "").split("-")[0] == lang]
    if exact:
        return exact[0].value
    translated = [v for v in shared if isinstance(v, ox.Literal) and (v.language or "").split("-")[0] == lang]
    if translated:
        return best_literal(translated, lang)
    return best_literal(own, lang) or best_literal(shared, lang)


def fetch_cards(store: Store, objects: Sequence[str], lang: str, *, timeout: float | None = None) -> list[Card]:
    """Cards for ``objects`` (IRIs), in the order given; objects the store does not know are left out."""
    if not objects:
        return []
    result = store.query(sparql_prologue() + CARD_QUERY, rows={"object": [ox.NamedNode(o) for o in objects]},
                         timeout=timeout)
    cards: dict[str, Card] = {}
    # Where an object has several of a field (images, places, points, spans), the card takes the least
    # (the earliest begin, the latest end), so the same store always gives the same card.
    images: dict[str, set[str]] = {}
    places: dict[str, set[str]] = {}
    own_points: dict[str, set[tuple[float, float]]] = {}
    concepts: dict[str, tuple[set[str], set[str]]] = {}  # object -> (its concepts, those its place matched)
    named: dict[str, _Named] = {}
    for row in result.dicts():  # type: ignore[union-attr]
        if "named" in row:  # a concept's name or point, for every object that has the concept
            concept = named.setdefault(row["named"].value, _Named())
            if "conceptName" in row and row["conceptName"] not in concept.names:
                concept.names.append(row["conceptName"])
            if "conceptWkt" in row:
                concept.wkt.add(row["conceptWkt"].value)
            if (point := _point_of(row)) is not None:
                concept.lat_long.add(point)
            continue
        key = row["object"].value
        card = cards.get(key)
        if card is None:
            card = cards[key] = Card(iri=key, title="")
        for name in ("title", "date", "placeName", "museumName", "licence"):
            if name in row:
                bucket = card._labels.setdefault(name, [])
                if row[name] not in bucket:
                    bucket.append(row[name])
        if "image" in row:
            images.setdefault(key, set()).add(row["image"].value)
        if "museum" in row:
            card.museum = row["museum"].value
        if "place" in row:
            places.setdefault(key, set()).add(row["place"].value)
        if "wkt" in row and (point := parse_wkt_point(row["wkt"].value)) is not None:
            own_points.setdefault(key, set()).add(point)
        for index, name in enumerate(("concept", "matchedConcept")):
            if name in row:
                concepts.setdefault(key, (set(), set()))[index].add(row[name].value)
        begin, end = (year_of(row[n].value) if n in row else None for n in ("begin", "end"))
        if begin is not None:
            card.begin_year = begin if card.begin_year is None else min(card.begin_year, begin)
        if end is not None:
            card.end_year = end if card.end_year is None else max(card.end_year, end)
    for key, card in cards.items():
        direct, matched = concepts.get(key, (set(), set()))
        shared: set[tuple[float, float]] = set()
        for iri in direct | matched:
            concept = named.get(iri, _Named())
            bucket = card._labels.setdefault("conceptName", [])
            bucket += [n for n in concept.names if n not in bucket]
            shared |= concept.points(reconciled=iri in matched)
        for bucket in card._labels.values():
            bucket.sort(key=lambda v: (getattr(v, "language", None) or "", v.value))
        card.title = best_literal(card._labels.get("title", []), lang) or card.iri.rsplit("/", 1)[-1]
        card.date = best_literal(card._labels.get("date", []), lang)
        card.place = preferred_label(card._labels.get("placeName", []), card._labels.get("conceptName", []), lang)
        card.museum_name = best_literal(card._labels.get("museumName", []), lang)
        card.licence = best_literal(card._labels.get("licence", []), lang)
        card.image = min(images.get(key, ()), default=None)
        card.place_iri = min(places.get(key, ()), default=None)
        # The museum's own point wins over a reconciled concept's: it may be more precise (a site, not a city).
        own = own_points.get(key, set())
        if own or shared:
            card.lat, card.lon = min(own or shared)
    return [cards[o] for o in dict.fromkeys(objects) if o in cards]
