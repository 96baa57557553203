"""The pickers' option lists: counted once after a harvest that changed records, kept in the hub's database,
read by a cold page (and Explore's landing page) instead of counting; counted live where none are kept.
On both engines.

What a page shows is the evidence: the store is changed behind the hub's back (no harvest, so no new
count), and a cold page (its cache emptied, as after a restart) must still offer the kept values; with
the kept lists gone it counts live and offers the new value; a harvest that brings a new value, and a
deleted museum, count them again.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from store.base import RecordGraph
from tests.support.exhibition_dataset import _LIDO, MARKUP_MUSEUM, Dataset, data
from web.exhibitions.document import ExhibitionDoc, Section
from web.exhibitions.facets import TERM_FACETS, build, options
from web.i18n import LANGUAGES

pytestmark = pytest.mark.slow
__all__ = ["data"]  # the module's fixture (tests/support/exhibition_dataset.py)

SLUG = "by-material-live"
SROM = "https://w3id.org/srom/ns#"
CRM = "http://www.cidoc-crm.org/cidoc-crm/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


@pytest.fixture(scope="module")
def client(data: Dataset) -> Iterator[FlaskClient]:
    """A live exhibition whose one section the facet builder wrote (a material picker), and its client."""
    from web.app import create_app

    silk = next(o for o in options(data.hub.store(), "material") if o["label"] == "silk")
    built = build({"material": [silk["iris"][0]]})
    doc = ExhibitionDoc(slug=SLUG, title={"en": "Silk, live"}, mode="live", cache_seconds=60, sections=[
        Section(id="chosen", title={"en": "Chosen"}, text={}, query=built.query, parameters=built.parameters,
                arguments=built.arguments, facets=built.facets)])
    data.hub.exhibitions.create(doc, "curator")
    data.hub.exhibitions.publish(SLUG)
    yield create_app(hub=data.hub).test_client()


def offered(data: Dataset, client: FlaskClient, lang: str = "en") -> list[str]:
    """The material picker's options on a cold page (the exhibition cache emptied, as after a restart)."""
    data.hub.exhibitions.cache.clear()
    html = client.get(f"/exhibitions/{SLUG}?lang={lang}").get_data(as_text=True)
    select = re.search(r'<select [^>]*name="chosen\.material_1">(.*?)</select>', html, re.S)
    assert select is not None, "the section's material parameter is a picker"
    return re.findall(r"<option [^>]*>([^<]*)</option>", select.group(1))


def explored(data: Dataset, client: FlaskClient) -> list[str]:
    """The material facet's values on Explore's landing page (no choice made), cold."""
    data.hub.exhibitions.cache.clear()
    return [o["label"] for o in client.get("/explore.json").get_json()["facets"]["material"]]


def forget_kept_lists(data: Dataset) -> None:
    """The hub's database as an instance older than the kept lists has it: none kept."""
    with sqlite3.connect(data.hub.database) as db:
        db.execute("DELETE FROM facet_option_lists")
    db.close()


def unharvested_material(data: Dataset, label: str, objects: int = 50) -> str:
    """Objects of a new material written straight into the store (no harvest: nothing is counted), more
    of them than of any other material (so Explore's 20 most frequent list it); returns their graph."""
    base = data.hub.minter.base
    graph, material = f"{base}/graph/test-{label}", f"{base}/id/test/{label}"
    triples = f"<{material}> <{RDFS_LABEL}> \"{label}\"@en .\n"
    for i in range(objects):
        obj = f"{base}/id/object/test/{label}-{i}"
        triples += (f"<{obj}> <{SROM}dateOrder> \"{i}\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n"
                    f"<{obj}> <{CRM}P45_consists_of> <{material}> .\n")
    data.hub.store().replace_graphs([RecordGraph(graph, triples)])
    return graph


def test_the_harvest_keeps_every_facets_options_in_every_language(data: Dataset) -> None:
    lists = data.hub.exhibitions.option_lists
    assert all(lists.get(facet, "en") is not None for facet in TERM_FACETS)  # the dataset's harvests counted them
    for facet in TERM_FACETS:
        for lang in LANGUAGES:
            assert lists.get(facet, lang) == options(data.hub.store(), facet, lang), (facet, lang)
    assert "silk" in {o["label"] for o in lists.get("material", "en") or []}


def test_a_cold_page_offers_the_kept_options_without_counting_again(data: Dataset, client: FlaskClient) -> None:
    before = offered(data, client)
    assert "silk" in before
    graph = unharvested_material(data, "adamantine")
    try:
        # the store has a new material, but no harvest counted it: the cold page reads the kept list, and
        # so does Explore's landing page
        assert offered(data, client) == before
        assert "silk" in explored(data, client) and "adamantine" not in explored(data, client)
        # an instance with no kept lists counts live: the new material is offered
        forget_kept_lists(data)
        assert "adamantine" in offered(data, client)
        assert "adamantine" in explored(data, client)
        assert data.hub.exhibitions.option_lists.get("material", "en") is None
        # counted and kept again (srom exhibitions option-lists): offered from the kept list
        counted = data.hub.exhibitions.count_option_lists()
        assert counted.failed == {} and counted.options["material"] > 0
        assert "adamantine" in offered(data, client)
    finally:
        data.hub.store().drop_graphs([graph])
    # gone from the store, still on the page: the list is the kept one until the next count
    assert "adamantine" in offered(data, client)
    data.hub.exhibitions.count_option_lists()
    assert "adamantine" not in offered(data, client)


def test_a_harvest_that_brings_a_new_value_counts_the_lists_again(data: Dataset, client: FlaskClient) -> None:
    data.hub.exhibitions.count_option_lists()  # kept lists, so the page shows what the harvest counts
    assert "orichalcum" not in offered(data, client)
    record = _LIDO.format(rid="MK-9", title="Orichalcum plaque", date="7th century", begin="0601", end="0700",
                          place="Merv", lat="37.66", lon="62.19", resources="")
    data.oai.put("oai:markup:9", "2099-01-01T00:00:00Z", record.replace("<lido:term>silk</lido:term>",
                                                                        "<lido:term>orichalcum</lido:term>"))
    run = data.hub.museums.harvest(MARKUP_MUSEUM)
    assert run.outcome == "ok" and run.new == 1
    assert "orichalcum" in offered(data, client)
    assert "orichalcum" in offered(data, client, "zh")  # every language's list was counted
    assert "orichalcum" in {o["label"] for o in data.hub.exhibitions.option_lists.get("material", "en") or []}


def test_a_deleted_museum_leaves_the_kept_lists(data: Dataset) -> None:
    museum = data.hub.minter.museum(MARKUP_MUSEUM)
    def kept_museums() -> set[str]:
        return {i for o in data.hub.exhibitions.option_lists.get("museum", "en") or [] for i in o["iris"]}

    assert museum in kept_museums()
    data.hub.museums.delete(MARKUP_MUSEUM)
    assert museum not in kept_museums() and kept_museums()
