"""Object cards: the few fields a gallery shows (title, image, date, place, museum) for many objects.

One query fetches the fields of a whole page of objects (a VALUES block of IRIs that came out of the
store itself), and the visitor's language picks among the labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import pyoxigraph as ox

from ontology.dates import year_of
from ontology.namespaces import sparql_prologue
from ontology.ntriples import iri
from store.base import Store
from web.i18n import best_literal

CARD_QUERY = """
SELECT ?object ?title ?image ?date ?begin ?end ?place ?museum ?museumName WHERE {
  VALUES ?object { %s }
  OPTIONAL { ?object crm:P50_has_current_keeper ?museum . OPTIONAL { ?museum rdfs:label ?museumName } }
  OPTIONAL { ?object rdfs:label ?title }
  OPTIONAL { ?object crm:P65_shows_visual_item/la:digitally_shown_by/la:access_point ?image }
  OPTIONAL {
    ?object crm:P108i_was_produced_by ?production .
    OPTIONAL { ?production crm:P4_has_time-span ?span .
               OPTIONAL { ?span rdfs:label ?date }
               OPTIONAL { ?span crm:P82a_begin_of_the_begin ?begin }
               OPTIONAL { ?span crm:P82b_end_of_the_end ?end } }
    OPTIONAL { ?production crm:P7_took_place_at/rdfs:label ?place }
  }
}
"""


@dataclass
class Card:
    iri: str
    title: str
    image: str | None = None
    date: str | None = None
    begin_year: int | None = None
    end_year: int | None = None
    place: str | None = None
    museum: str | None = None
    museum_name: str | None = None
    _labels: dict[str, list[ox.Literal]] = field(default_factory=dict, repr=False)

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data.pop("_labels")
        return data


def fetch_cards(store: Store, objects: Sequence[str], lang: str) -> list[Card]:
    """Cards for ``objects`` (IRIs), in the order given; objects the store does not know are left out."""
    if not objects:
        return []
    values = " ".join(iri(o) for o in dict.fromkeys(objects))
    result = store.query(sparql_prologue() + CARD_QUERY % values)
    cards: dict[str, Card] = {}
    for row in result.dicts():  # type: ignore[union-attr]
        key = row["object"].value
        card = cards.get(key)
        if card is None:
            card = cards[key] = Card(iri=key, title="")
        for name in ("title", "date", "place", "museumName"):
            if name in row:
                bucket = card._labels.setdefault(name, [])
                if row[name] not in bucket:
                    bucket.append(row[name])
        if "image" in row and card.image is None:
            card.image = row["image"].value
        if "museum" in row:
            card.museum = row["museum"].value
        if "begin" in row and card.begin_year is None:
            card.begin_year = year_of(row["begin"].value)
        if "end" in row and card.end_year is None:
            card.end_year = year_of(row["end"].value)
    for card in cards.values():
        card.title = best_literal(card._labels.get("title", []), lang) or card.iri.rsplit("/", 1)[-1]
        card.date = best_literal(card._labels.get("date", []), lang)
        card.place = best_literal(card._labels.get("place", []), lang)
        card.museum_name = best_literal(card._labels.get("museumName", []), lang)
    return [cards[o] for o in dict.fromkeys(objects) if o in cards]
