"""The exhibition as a IIIF Presentation 3 manifest: valid for iiif-prezi3, one canvas per object with an
image, each painted with that image; ranges per section; IIIF Image API services where museums give them."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient
from iiif_prezi3 import Manifest

from tests.support.exhibition_dataset import client, data
from web.exhibitions.document import ExhibitionDoc, Section
from web.exhibitions.iiif_manifest import ManifestLinks, build_manifest, manifest_json
from web.objects.cards import Card
from web.objects.images import deepzoom_sources, iiif_service, image_url, licence_uri, media_type

pytestmark = pytest.mark.slow
__all__ = ["client", "data"]  # the module's fixtures (tests/support/exhibition_dataset.py)



def test_manifest_validates_and_has_a_canvas_per_object_with_an_image(client: FlaskClient) -> None:
    response = client.get("/exhibitions/silk-road-tour/manifest.json")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    body = response.get_json(force=True)
    manifest = Manifest(**body)  # iiif-prezi3's pydantic model validates the whole document
    assert body["@context"] == "http://iiif.io/api/presentation/3/context.json"
    assert body["id"] == "http://localhost/exhibitions/silk-road-tour/manifest.json"
    assert body["label"] == {"en": ["Along the Silk Road"], "zh": ["丝绸之路行"]}
    exhibition = client.get("/exhibitions/silk-road-tour.json").get_json()["exhibition"]
    with_image = {o["iri"]: o for s in exhibition["sections"] for o in s["objects"] if o["image"]}
    assert len(manifest.items) == len(with_image) > 20
    painted = set()
    for canvas in body["items"]:
        (page,) = canvas["items"]
        (annotation,) = page["items"]
        assert annotation["motivation"] == "painting" and annotation["target"] == canvas["id"]
        assert annotation["body"]["type"] == "Image" and annotation["body"]["format"].startswith("image/")
        painted.add(annotation["body"]["id"])
        assert canvas["homepage"][0]["id"].startswith("http://localhost/id/object/")
    assert painted == {o["image"] for o in with_image.values()}
    ranges = {r["id"].rsplit("/", 1)[-1]: r for r in body["structures"]}
    assert {"silk", "where", "when", "compare"} <= set(ranges)
    canvas_ids = {c["id"] for c in body["items"]}
    assert all(item["id"] in canvas_ids for r in ranges.values() for item in r["items"])


def test_manifest_of_a_draft_is_not_found(client: FlaskClient) -> None:
    assert client.get("/exhibitions/secret-draft/manifest.json").status_code == 404


def test_image_services_licences_and_labels() -> None:
    doc = ExhibitionDoc(slug="t", title={"en": "T", "zh": "测"}, sections=[
        Section(id="a", title={"en": "A"}, text={}, query="SELECT ?object {}")])
    iiif = "https://images.example.org/iiif/3/abc%2F1/full/max/0/default.jpg"
    cards = {
        "en": {"urn:o:1": Card(iri="urn:o:1", title="Bowl", image=iiif, licence="CC BY-SA 4.0", museum_name="M"),
               "urn:o:2": Card(iri="urn:o:2", title="Cup", image="https://e.org/cup.png"),
               "urn:o:3": Card(iri="urn:o:3", title="No image")},
        "zh": {"urn:o:1": Card(iri="urn:o:1", title="碗", image=iiif, museum_name="馆"),
               "urn:o:2": Card(iri="urn:o:2", title="Cup", image="https://e.org/cup.png")},
    }
    links = ManifestLinks("https://hub.example.org/exhibitions/t/manifest.json", "https://hub.example.org/exhibitions/t",
                          lambda i: f"https://hub.example.org/o?{i}", lambda i: f"https://hub.example.org/o.jsonld?{i}")
    body = json.loads(manifest_json(build_manifest(doc, {"a": ["urn:o:1", "urn:o:2", "urn:o:3", "urn:o:1"]},
                                                   cards, links)))
    Manifest(**body)
    assert len(body["items"]) == 2  # one canvas per object with an image, never twice
    first, second = body["items"]
    assert first["label"] == {"en": ["Bowl"], "zh": ["碗"]} and second["label"] == {"en": ["Cup"]}
    image = first["items"][0]["items"][0]["body"]
    assert image["service"] == [{"id": "https://images.example.org/iiif/3/abc%2F1", "type": "ImageService3",
                                 "profile": "level1"}]
    assert first["rights"] == "http://creativecommons.org/licenses/by-sa/4.0/"
    assert second["items"][0]["items"][0]["body"]["format"] == "image/png" and "rights" not in second
    assert len(body["structures"][0]["items"]) == 3


def test_image_url_helpers() -> None:
    assert iiif_service("https://x.org/iiif/img1/info.json") == "https://x.org/iiif/img1"
    assert iiif_service("https://x.org/iiif/img1/full/!800,800/0/default.jpg") == "https://x.org/iiif/img1"
    assert iiif_service("https://x.org/iiif/img1/0,0,100,100/full/90/gray.png") == "https://x.org/iiif/img1"
    assert iiif_service("https://x.org/images/bowl.jpg") is None and iiif_service(None) is None
    assert image_url("https://x.org/iiif/img1/info.json") == "https://x.org/iiif/img1/full/max/0/default.jpg"
    assert media_type("https://x.org/a.SVG?x=1") == "image/svg+xml" and media_type("https://x.org/a") == "image/jpeg"
    assert deepzoom_sources(["https://x.org/iiif/i/info.json", "https://x.org/b.png"]) == [
        {"url": "https://x.org/iiif/i/full/max/0/default.jpg", "info": "https://x.org/iiif/i/info.json"},
        {"url": "https://x.org/b.png"}]
    assert licence_uri("CC BY 4.0") == "http://creativecommons.org/licenses/by/4.0/"
    assert licence_uri("CC0") == "http://creativecommons.org/publicdomain/zero/1.0/"
    assert licence_uri("https://rightsstatements.org/vocab/InC/1.0") == "https://rightsstatements.org/vocab/InC/1.0/"
    assert licence_uri("all rights reserved") is None
