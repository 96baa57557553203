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
# object. At 20,000 objects a page of 60 went from 9.6 s to 0.05 s on Oxigraph. A concept's name and its
# point are branches of their own too, not OPTIONALs after the concept: the rows do not depend on each
# other (each field is gathered per object), and Virtuoso evaluated the chained OPTIONALs of the shared
# concepts slowly (240 objects at 100,000: 1.8 s for the query, 0.5 s with the branches split).
CARD_QUERY = """
SELECT ?object ?title ?image ?date ?begin ?end ?place ?placeName ?conceptName ?wkt ?conceptWkt ?lat ?long
       ?museum ?museumName ?licence WHERE {
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
  UNION { VALUES ?object { } ?object srom:productionPlace ?concept . ?concept a skos:Concept ;
          skos:prefLabel ?conceptName }
  UNION { VALUES ?object { } ?object srom:productionPlace ?concept . ?concept a skos:Concept ;
          crm:P168_place_is_defined_by ?conceptWkt }
  UNION { VALUES ?object { } ?object srom:productionPlace ?matched .
          ?matched skos:exactMatch|skos:closeMatch|la:equivalent ?concept . ?concept skos:prefLabel ?conceptName }
  UNION { VALUES ?object { } ?object srom:productionPlace ?matched .
          ?matched skos:exactMatch|skos:closeMatch|la:equivalent ?concept .
          ?concept crm:P168_place_is_defined_by ?conceptWkt }
  UNION { VALUES ?object { } ?object srom:productionPlace ?matched .
          ?matched skos:exactMatch|skos:closeMatch|la:equivalent ?concept . ?concept wgs:lat ?lat ; wgs:long ?long }
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
    for name in ("wkt", "conceptWkt"):
        if name in row:
            point = parse_wkt_point(row[name].value)
            if point:
                return point
    if "lat" in row and "long" in row:
        try:
            lat, lon = float(row["lat"].value), float(row["long"].value)
        except ValueError:
            return None
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            return lat, lon
    return None


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
    points: dict[str, tuple[set[tuple[float, float]], set[tuple[float, float]]]] = {}  # own, concept's
    for row in result.dicts():  # type: ignore[union-attr]
        key = row["object"].value
        card = cards.get(key)
        if card is None:
            card = cards[key] = Card(iri=key, title="")
        for name in ("title", "date", "placeName", "conceptName", "museumName", "licence"):
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
        begin, end = (year_of(row[n].value) if n in row else None for n in ("begin", "end"))
        if begin is not None:
            card.begin_year = begin if card.begin_year is None else min(card.begin_year, begin)
        if end is not None:
            card.end_year = end if card.end_year is None else max(card.end_year, end)
        point = _point_of(row)
        if point:
            points.setdefault(key, (set(), set()))[0 if "wkt" in row else 1].add(point)
    for key, card in cards.items():
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
        own, shared = points.get(key, (set(), set()))
        if own or shared:
            card.lat, card.lon = min(own or shared)
    return [cards[o] for o in dict.fromkeys(objects) if o in cards]
