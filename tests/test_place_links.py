"""Gazetteer links of the thesaurus places: well-formed, unshared, documented, and usable by reconciliation.

``ontology/PLACE_LINKS.md`` lists, for every place that has one, its Wikidata / Pleiades / GeoNames / WHG id
and the published data that confirmed it. These tests read the real thesaurus file with pyoxigraph and the
real markdown table, so the documentation and the data cannot drift apart, and they run the reconciler on
each linked URI the way a museum record would give it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest

from ontology.reconcile import reconcile
from ontology.thesaurus import CONCEPT_BASE, THESAURUS_PATH

DOC_PATH = Path(__file__).resolve().parents[1] / "ontology" / "PLACE_LINKS.md"
SKOS = "http://www.w3.org/2004/02/skos/core#"
EXACT, CLOSE = SKOS + "exactMatch", SKOS + "closeMatch"
PLACE_SCHEME = CONCEPT_BASE + "scheme/places"
PLACE_BASE = CONCEPT_BASE + "place/"

# The four gazetteers the thesaurus links to, each in the one IRI form the file uses.
IRI_FORMS = {
    "wikidata": re.compile(r"^http://www\.wikidata\.org/entity/Q[1-9]\d*$"),
    "pleiades": re.compile(r"^https://pleiades\.stoa\.org/places/[1-9]\d*$"),
    "geonames": re.compile(r"^https://sws\.geonames\.org/[1-9]\d*/$"),
    "whg": re.compile(r"^https://whgazetteer\.org/api/place/[1-9]\d*/$"),
}
# Table columns of PLACE_LINKS.md -> how a cell's id becomes an IRI.
COLUMNS = {
    "Wikidata": "http://www.wikidata.org/entity/{}",
    "Pleiades": "https://pleiades.stoa.org/places/{}",
    "GeoNames": "https://sws.geonames.org/{}/",
    "WHG": "https://whgazetteer.org/api/place/{}/",
}
Links = dict[str, set[tuple[str, str]]]  # place slug -> {(predicate, external IRI)}


def _thesaurus_links() -> Links:
    store = ox.Store()
    with THESAURUS_PATH.open("rb") as f:
        store.load(f, format=ox.RdfFormat.TURTLE)
    query = f"""
        SELECT ?place ?p ?o WHERE {{
            ?place <{SKOS}inScheme> <{PLACE_SCHEME}> ; ?p ?o .
            VALUES ?p {{ <{EXACT}> <{CLOSE}> }}
        }}"""
    links: Links = defaultdict(set)
    for row in store.query(query):
        links[row["place"].value.removeprefix(PLACE_BASE)].add((row["p"].value, row["o"].value))
    return dict(links)


def _thesaurus_places() -> set[str]:
    store = ox.Store()
    with THESAURUS_PATH.open("rb") as f:
        store.load(f, format=ox.RdfFormat.TURTLE)
    rows = store.query(f"SELECT ?place WHERE {{ ?place <{SKOS}inScheme> <{PLACE_SCHEME}> }}")
    return {row["place"].value.removeprefix(PLACE_BASE) for row in rows}


def _doc_links() -> Links:
    """The links table of PLACE_LINKS.md: "Q5753" is an exactMatch, "727070 (close)" a closeMatch, "—" none."""
    text = DOC_PATH.read_text(encoding="utf-8")
    section = text.split("\n## Links\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in rows[0].strip("|").split("|")]
    assert header[0] == "place" and set(COLUMNS) <= set(header), header
    links: Links = {}
    for line in rows[2:]:
        cells = dict(zip(header, (cell.strip() for cell in line.strip().strip("|").split("|")), strict=True))
        slug = cells["place"]
        assert slug not in links, f"{slug} is listed twice"
        links[slug] = set()
        for column, form in COLUMNS.items():
            cell = cells[column]
            if cell in ("—", "-", ""):
                continue
            m = re.fullmatch(r"(Q?\d+)( \(close\))?", cell)
            assert m, f"{slug}: cannot read {column} cell {cell!r}"
            links[slug].add((CLOSE if m.group(2) else EXACT, form.format(m.group(1))))
        assert links[slug], f"{slug} is listed without any link"
        assert cells["confirmed by"], f"{slug}: no source given"
    return links


THESAURUS_LINKS = _thesaurus_links()
DOC_LINKS = _doc_links()


def test_every_link_has_one_of_the_four_gazetteer_forms() -> None:
    bad = [(slug, iri) for slug, links in THESAURUS_LINKS.items() for _, iri in links
           if not any(form.match(iri) for form in IRI_FORMS.values())]
    assert not bad
    # And a place names each gazetteer at most once: two Wikidata items for one city would be a contradiction.
    for slug, links in THESAURUS_LINKS.items():
        kinds = [name for _, iri in links for name, form in IRI_FORMS.items() if form.match(iri)]
        assert len(kinds) == len(set(kinds)), (slug, sorted(links))


def test_no_external_iri_is_claimed_by_two_places_or_twice_by_one() -> None:
    owners: dict[str, list[str]] = defaultdict(list)
    for slug, links in THESAURUS_LINKS.items():
        for _, iri in links:
            owners[iri].append(slug)
    assert {iri: slugs for iri, slugs in owners.items() if len(slugs) > 1} == {}


def test_the_document_and_the_thesaurus_list_the_same_links() -> None:
    assert set(DOC_LINKS) <= _thesaurus_places(), "PLACE_LINKS.md lists a place the thesaurus does not have"
    for slug, links in DOC_LINKS.items():
        assert THESAURUS_LINKS.get(slug, set()) == links, slug
    undocumented = sorted(set(THESAURUS_LINKS) - set(DOC_LINKS))
    assert not undocumented, f"linked in thesaurus.ttl but missing from PLACE_LINKS.md: {undocumented}"


def test_the_linked_places_cover_the_gazetteers_the_issue_names() -> None:
    counts = defaultdict(int)
    for links in THESAURUS_LINKS.values():
        for _, iri in links:
            counts[next(name for name, form in IRI_FORMS.items() if form.match(iri))] += 1
    # Floors, not targets: a later edit that drops a block of verified links should be noticed.
    assert counts["wikidata"] >= 37 and counts["pleiades"] >= 21 and counts["geonames"] >= 55, dict(counts)


@pytest.mark.parametrize(("slug", "iri"), sorted((s, iri) for s, links in DOC_LINKS.items() for _, iri in links))
def test_a_museum_term_given_as_the_gazetteer_uri_reconciles_to_the_place(slug: str, iri: str) -> None:
    concept = reconcile("place", uri=iri)
    assert concept is not None and concept.iri == PLACE_BASE + slug
    # The same URI written as the term's text, as dc:coverage or a LIDO place term often carries it.
    assert reconcile("place", labels=[(iri, None)]).iri == PLACE_BASE + slug
    # A place URI is no material: reconciliation stays kind-aware.
    assert reconcile("material", uri=iri) is None


@pytest.mark.parametrize(("written", "slug"), [
    ("http://pleiades.stoa.org/places/658381/", "antioch"),       # http, trailing slash
    ("https://pleiades.stoa.org/places/893976", "ctesiphon"),
    ("https://www.wikidata.org/wiki/Q3766", "damascus"),           # the page form of a Wikidata id
    ("https://www.geonames.org/1216265/samarkand.html", "samarkand"),  # the GeoNames page museums copy
    ("http://sws.geonames.org/1217662", "bukhara"),
    ("https://pleiades.stoa.org/places/462410", "palermo"),         # a closeMatch reconciles too
    ("https://www.geonames.org/3176219/genoa.html", "genoa"),
    ("http://www.wikidata.org/entity/Q491879", "termez"),
    ("https://pleiades.stoa.org/places/961873", "merv"),           # Alexandria/Antiochia/Merv, the ancient site
    ("http://pleiades.stoa.org/places/961874", "herat"),            # Alexandria Ariorum/Harey, a closeMatch
    ("https://www.wikidata.org/wiki/Q877381", "gaochang"),
])
def test_gazetteer_uris_in_the_forms_museums_write_them(written: str, slug: str) -> None:
    concept = reconcile("place", uri=written)
    assert concept is not None and concept.iri == PLACE_BASE + slug


def test_an_unlinked_gazetteer_id_reaches_no_place() -> None:
    # Merv's Nomisma record puts the mint at modern Mary (0.36 deg off): its GeoNames id (the modern city) was left
    # out and matches nothing, while the Wikidata item, which Pleiades and WHG give as the archaeological site, is in.
    assert reconcile("place", uri="https://sws.geonames.org/1218667/") is None
    assert reconcile("place", uri="http://www.wikidata.org/entity/Q193325").iri == PLACE_BASE + "merv"
    # Alexandria Ariana's Wikidata item is the ancient city, not modern Herat: only its Pleiades place is linked.
    assert reconcile("place", uri="http://www.wikidata.org/entity/Q4720950") is None
    # Alexandria Eschate is usually put at Khujand, but no record read says so: no link.
    assert reconcile("place", uri="https://pleiades.stoa.org/places/59672") is None
    # A shared name is no evidence: GeoNames "Astana" is the capital of Kazakhstan, not the cemetery at Turfan.
    assert reconcile("place", uri="https://sws.geonames.org/1526273/") is None
    # The comune feature the Wikidata item of Genoa links to was not confirmed, so only the city row matches.
    assert reconcile("place", uri="https://sws.geonames.org/6542282/") is None
