"""The quality report per feed: EDM and LIDO museums harvested for real from loopback OAI-PMH feeds into an
in-memory store, then /quality, /quality.json, /museums/<id>/quality(.json) read back; plus the SHACL
quarantine the harvest applies on the way."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from harvesters.feed_database import Museum
from harvesters.http import RetryPolicy
from harvesters.run import Harvester
from tests.support.edm_feed import edm_feed
from tests.support.lido_records import lido
from tests.support.oai_test_server import OaiTestServer
from web.app import create_app


@pytest.fixture(scope="module")
def harvested(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    instance = tmp_path_factory.mktemp("quality") / "instance"
    app = create_app({"INSTANCE": instance, "STORE": "memory", "ALLOWED_FEED_NETWORKS": ["127.0.0.0/8"]})
    hub = app.extensions["srom"]
    lido_feed = OaiTestServer(page_size=5)
    for i in range(3):
        lido_feed.put(f"oai:lido:{i}", "2025-01-01T00:00:00Z", lido(f"L{i}", f"Bronze mirror {i}", "mirror"))
    lido_feed.start()
    try:
        with edm_feed() as feed:
            hub.feeds.save_museum(Museum(id="xa-history", name="Shaanxi History Museum", feed_url=feed.url,
                                            format="edm", names={"en": "Shaanxi History Museum",
                                                                 "zh": "陕西历史博物馆"}))
            hub.feeds.save_museum(Museum(id="hz-silk", name="Mirror <b>Museum</b>", feed_url=lido_feed.url,
                                            format="lido"))
            hub.feeds.save_museum(Museum(id="empty", name="Empty Museum", feed_url=lido_feed.url,
                                            format="lido"))
            harvester = hub.harvester()
            for museum in ("xa-history", "hz-silk"):
                run = harvester.harvest(museum)
                assert run.outcome == "ok", run.error
        yield app
    finally:
        lido_feed.stop()
        hub.close()


@pytest.fixture
def client(harvested: Flask) -> FlaskClient:
    return harvested.test_client()


def test_harvest_quarantines_a_record_that_breaks_a_shape(harvested):
    hub = harvested.extensions["srom"]
    quarantined = hub.feeds.quarantined("xa-history")
    assert [q["source_id"] for q in quarantined] == ["oai:edm:2"]  # the Sasanian plate: no title
    assert quarantined[0]["reason"].startswith("SHACL: no title")
    run = hub.feeds.runs("xa-history", limit=1)[0]
    assert (run.new, run.quarantined) == (4, 1)


def test_museum_quality_json(client):
    data = client.get("/museums/xa-history/quality.json").get_json()
    assert data["ok"] is True
    report = data["museum"]
    assert report["id"] == "xa-history" and report["format"] == "edm"
    # camel, solidus, samite and sutra: every one has a date span, a place with coordinates, an image,
    # and a material or type the thesaurus knows (earthenware, gold, silk, paper).
    assert {k: report[k] for k in ("records", "with_date_span", "with_place_coordinates", "with_image",
                                   "with_reconciled_term", "quarantined")} == {
        "records": 4, "with_date_span": 4, "with_place_coordinates": 4, "with_image": 4,
        "with_reconciled_term": 4, "quarantined": 1}
    assert report["shares"]["with_image"] == 1.0
    assert report["unmatched"]["collected"] is True


def test_lido_museum_without_dates_places_or_images(client):
    report = client.get("/museums/hz-silk/quality.json").get_json()["museum"]
    assert report["records"] == 3
    assert report["with_date_span"] == report["with_place_coordinates"] == report["with_image"] == 0
    assert report["shares"]["with_date_span"] == 0.0


def test_overview_json_has_every_museum_and_totals(client):
    data = client.get("/quality.json").get_json()
    by_id = {m["id"]: m for m in data["museums"]}
    assert set(by_id) == {"xa-history", "hz-silk", "empty"}
    assert by_id["empty"]["records"] == 0 and by_id["empty"]["shares"]["with_image"] is None
    assert data["totals"]["records"] == 7 and data["totals"]["with_image"] == 4
    assert data["measures"] == ["with_date_span", "with_place_coordinates", "with_image", "with_reconciled_term"]


def test_unmatched_terms_are_listed_most_used_first_and_escaped(harvested, client):
    from harvesters.unmatched import UnmatchedTerms

    table = UnmatchedTerms(harvested.extensions["srom"].feeds.path)
    table.record("xa-history", None, Counter({("material", "sancai <glaze>", "en"): 30,
                                              ("place", "Afrasiab", "en"): 20}))
    report = client.get("/museums/xa-history/quality.json").get_json()["museum"]
    assert [t["label"] for t in report["unmatched"]["terms"]][:2] == ["sancai <glaze>", "Afrasiab"]
    assert report["unmatched"]["terms"][0] | {"last_seen": None} == {
        "kind": "material", "label": "sancai <glaze>", "lang": "en", "records": 30, "last_seen": None}
    page = client.get("/museums/xa-history/quality").get_data(as_text=True)
    assert "sancai &lt;glaze&gt;" in page and "<glaze>" not in page


def test_html_pages(client):
    page = client.get("/quality").get_data(as_text=True)
    assert "Data quality per feed" in page
    assert 'data-museum="xa-history"' in page and "Mirror &lt;b&gt;Museum&lt;/b&gt;" in page
    one = client.get("/museums/xa-history/quality?lang=zh").get_data(as_text=True)
    assert "陕西历史博物馆" in one and "数据质量" in one
    assert '<td class="num" data-measure="records">4</td>' in one


def test_unknown_museum_is_404_in_both_forms(client):
    assert client.get("/museums/nowhere/quality").status_code == 404
    response = client.get("/museums/nowhere/quality.json")
    assert response.status_code == 404 and response.get_json() == {
        "ok": False, "error": "no museum 'nowhere' is registered", "status": 404}


def test_store_queries_bind_the_museum_as_a_term(harvested):
    # The museum IRI is a substitution, never text in the query: an odd id cannot change the query.
    from web.museums.quality import QUERIES

    assert all("xa-history" not in q and "?museum" in q for q in QUERIES.values())


def test_counts_are_cached_until_a_run_changes(instance: Path):
    app = create_app({"INSTANCE": instance, "STORE": "memory", "ALLOWED_FEED_NETWORKS": ["127.0.0.0/8"]})
    hub = app.extensions["srom"]
    try:
        with edm_feed() as feed:
            hub.feeds.save_museum(Museum(id="xa-history", name="Shaanxi", feed_url=feed.url, format="edm"))
            assert hub.harvester().harvest("xa-history").outcome == "ok"
        client = app.test_client()
        assert client.get("/museums/xa-history/quality.json").get_json()["museum"]["records"] == 4
        graph = hub.minter.record_graph("xa-history", "oai:edm:0")
        hub.store().drop_graphs([graph])  # behind the hub's back: the cached counts stay
        assert client.get("/museums/xa-history/quality.json").get_json()["museum"]["records"] == 4
        # a new run of the museum (here one that fails at once: the feed is gone) invalidates them
        impatient = Harvester(hub.store(), hub.feeds, hub.minter, hub.guard, retry=RetryPolicy(max_retries=0))
        assert impatient.harvest("xa-history").outcome == "failed"
        assert client.get("/museums/xa-history/quality.json").get_json()["museum"]["records"] == 3
    finally:
        hub.close()


def test_edm_instance_has_no_override_files(harvested):
    folder = Path(harvested.instance_path) / "mappings"
    assert not folder.exists()
