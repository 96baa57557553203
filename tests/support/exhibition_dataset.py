"""A real hub with objects and published exhibitions, for the visitor-page tests.

The four demo museums are harvested over OAI-PMH from their loopback feeds (the real pipeline: HTTP,
mapping, validation, store) into a store (in memory, or the session's Virtuoso: the ``data`` fixture is
built once per engine of ``tests.support.engines``), plus a small museum served by the tests' own
OAI-PMH server whose object titles contain markup (the escaping tests). Exhibitions are created through
the exhibition repository and published, one of them with a section per view; a draft stays a draft.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from demo.feeds import DemoFeedServer, load_demo_museums
from harvesters.feed_database import Museum
from store.base import Store
from tests.support.engines import ENGINES, engine_store
from tests.support.iiif_image_server import IiifImageServer
from tests.support.oai_test_server import OaiTestServer
from web.exhibitions.document import ExhibitionDoc, Section
from web.exhibitions.repository import ExhibitionRepository
from web.hub import Hub
from web.settings import load_settings

MARKUP_TITLE = '<script>alert("x")</script><b>Silk & "quotes"</b>'
MARKUP_MUSEUM = "markup-museum"

_LIDO = """<lido:lido xmlns:lido="http://www.lido-schema.org" xmlns:gml="http://www.opengis.net/gml">
  <lido:lidoRecID lido:type="local">{rid}</lido:lidoRecID>
  <lido:descriptiveMetadata xml:lang="en">
    <lido:objectClassificationWrap><lido:objectWorkTypeWrap><lido:objectWorkType><lido:term>textile</lido:term>
    </lido:objectWorkType></lido:objectWorkTypeWrap></lido:objectClassificationWrap>
    <lido:objectIdentificationWrap>
      <lido:titleWrap><lido:titleSet><lido:appellationValue xml:lang="en">{title}</lido:appellationValue>
      </lido:titleSet></lido:titleWrap>
      <lido:repositoryWrap><lido:repositorySet><lido:workID>{rid}</lido:workID></lido:repositorySet></lido:repositoryWrap>
    </lido:objectIdentificationWrap>
    <lido:eventWrap><lido:eventSet><lido:event>
      <lido:eventType><lido:term>Production</lido:term></lido:eventType>
      <lido:eventDate><lido:displayDate>{date}</lido:displayDate>
        <lido:date><lido:earliestDate>{begin}</lido:earliestDate><lido:latestDate>{end}</lido:latestDate></lido:date>
      </lido:eventDate>
      <lido:eventPlace><lido:place><lido:namePlaceSet>
        <lido:appellationValue xml:lang="en">{place}</lido:appellationValue></lido:namePlaceSet>
        <lido:gml><gml:Point><gml:pos>{lat} {lon}</gml:pos></gml:Point></lido:gml></lido:place>
      </lido:eventPlace>
      <lido:eventMaterialsTech><lido:materialsTech><lido:termMaterialsTech lido:type="material">
        <lido:term>silk</lido:term></lido:termMaterialsTech></lido:materialsTech></lido:eventMaterialsTech>
    </lido:event></lido:eventSet></lido:eventWrap>
  </lido:descriptiveMetadata>
  <lido:administrativeMetadata xml:lang="en">{resources}</lido:administrativeMetadata>
</lido:lido>"""
_RESOURCE = """<lido:resourceWrap><lido:resourceSet><lido:resourceRepresentation lido:type="image_master">
<lido:linkResource>{url}</lido:linkResource></lido:resourceRepresentation></lido:resourceSet></lido:resourceWrap>"""


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def markup_records(iiif_base: str) -> dict[str, str]:
    return {
        "oai:markup:1": _LIDO.format(rid="MK-1", title=_escape(MARKUP_TITLE), date="Han dynasty", begin="-0206",
                                     end="0220", place=_escape("<i>Dunhuang</i>"), lat="40.14", lon="94.66",
                                     resources=""),
        "oai:markup:2": _LIDO.format(rid="MK-2", title="Plain silk fragment", date="8th century", begin="0701",
                                     end="0800", place="Samarkand", lat="39.65", lon="66.97", resources=""),
        # an image the museum serves through the IIIF Image API (deep zoom by tiles)
        "oai:markup:3": _LIDO.format(rid="MK-3", title="Silk banner (IIIF)", date="9th century", begin="0801",
                                     end="0900", place="Dunhuang", lat="40.14", lon="94.66",
                                     resources=_RESOURCE.format(url=f"{iiif_base}/banner/full/max/0/default.jpg")),
    }


SILK = """SELECT DISTINCT ?object WHERE {
  ?object a crm:E22_Human-Made_Object ; crm:P45_consists_of/rdfs:label ?label .
  FILTER(REGEX(STR(?label), "silk|seide|丝|絲", "i"))
  OPTIONAL { ?object crm:P108i_was_produced_by/crm:P4_has_time-span/crm:P82a_begin_of_the_begin ?begin }
} ORDER BY ?begin ?object"""
PLACED = """SELECT DISTINCT ?object WHERE {
  ?object a crm:E22_Human-Made_Object ; crm:P108i_was_produced_by/crm:P7_took_place_at/crm:P168_place_is_defined_by ?w .
} ORDER BY ?object"""
DATED = """SELECT DISTINCT ?object WHERE {
  ?object crm:P108i_was_produced_by/crm:P4_has_time-span/crm:P82a_begin_of_the_begin ?begin .
} ORDER BY ?begin ?object"""
NOTHING = "SELECT ?object WHERE { ?object a crm:E22_Human-Made_Object } LIMIT 0"
GLASS = """SELECT DISTINCT ?object WHERE {
  ?object crm:P45_consists_of/rdfs:label ?label . FILTER(REGEX(STR(?label), "glass|glas|玻璃", "i"))
} ORDER BY ?object"""
MARKUP = f"""SELECT ?object WHERE {{ ?object crm:P50_has_current_keeper ?m .
  ?m <https://w3id.org/srom/ns#museumId> "{MARKUP_MUSEUM}" }} ORDER BY ?object"""


@dataclass
class Dataset:
    hub: Hub
    repo: ExhibitionRepository
    feeds: DemoFeedServer
    oai: OaiTestServer
    iiif: IiifImageServer
    museums: list[str] = field(default_factory=list)

    def object_of(self, museum: str, key: str) -> str:
        return self.hub.minter.object(museum, key)

    def close(self) -> None:
        self.hub.close()
        self.feeds.stop()
        self.oai.stop()
        self.iiif.stop()


def _compare_objects(hub: Hub) -> list[str]:
    """One object from each of three different museums (the compare view's input)."""
    from ontology.namespaces import sparql_prologue

    rows = hub.store().query(sparql_prologue() + """
        SELECT ?m (MIN(STR(?o)) AS ?first) WHERE { ?o a crm:E22_Human-Made_Object ; crm:P50_has_current_keeper ?m }
        GROUP BY ?m ORDER BY ?m""").dicts()
    return [r["first"].value for r in rows][:3]


def build_dataset(instance: Path, open_store: Callable[[Hub], Store] | None = None) -> Dataset:
    """The dataset in the hub's in-memory store, or in the empty store ``open_store`` opens for the hub."""
    settings = load_settings(instance, environ={}, overrides={"ALLOWED_FEED_NETWORKS": ["127.0.0.0/8"],
                                                               "STORE": "memory" if open_store is None else "virtuoso"})
    hub = Hub(instance, settings)
    if open_store is not None:
        hub.use_store(open_store(hub))
    museums = load_demo_museums()
    feeds = DemoFeedServer(museums, host="127.0.0.1", port=0)
    feeds.start()
    iiif = IiifImageServer().start()
    oai = OaiTestServer()
    for identifier, xml in markup_records(iiif.base).items():
        oai.put(identifier, "2025-01-01T00:00:00Z", xml)
    oai.start()
    for m in museums:
        hub.feeds.save_museum(Museum(
            id=m.id, name=m.names["en"], names=dict(m.names), feed_url=feeds.feed_url(m.id), format=m.metadata_format,
            city=m.city, country=m.country, lat=m.lat, lon=m.lon, licence=m.licence, attribution=m.attribution,
        ))
    name = 'Museum <i>of</i> "Markup"'
    hub.feeds.save_museum(Museum(id=MARKUP_MUSEUM, name=name, names={"en": name}, feed_url=oai.url,
                                    format="lido", licence="CC BY 4.0"))
    harvester = hub.harvester()
    ids = [m.id for m in museums] + [MARKUP_MUSEUM]
    for museum_id in ids:
        run = harvester.harvest(museum_id)
        assert run.outcome == "ok", (museum_id, run.error)
        assert run.quarantined == 0, hub.feeds.quarantined(museum_id)
    data = Dataset(hub, hub.exhibitions.repository, feeds, oai, iiif, ids)
    _publish(data)
    return data


def _publish(data: Dataset) -> None:
    """Create and publish through the exhibition service, as the editor and ``srom`` do."""
    repo = data.hub.exhibitions
    tour = ExhibitionDoc(
        slug="silk-road-tour",
        title={"en": "Along the Silk Road", "zh": "丝绸之路行"},
        subtitle={"en": "Objects from four museums", "zh": "四家博物馆的藏品"},
        intro={"en": "<p>From Chang'an to Constantinople.</p>", "zh": "<p>从长安到君士坦丁堡。</p>"},
        theme="lapis",
        sections=[
            Section(id="silk", title={"en": "Silk", "zh": "丝绸"}, text={"en": "<p>Silk travelled west.</p>"},
                    query=SILK, layout="gallery", limit=24),
            Section(id="where", title={"en": "Where they were made", "zh": "产地"}, text={}, query=PLACED,
                    layout="map", limit=60),
            Section(id="when", title={"en": "When they were made", "zh": "年代"}, text={}, query=DATED,
                    layout="timeline", limit=60),
            Section(id="compare", title={"en": "Side by side", "zh": "对比"}, text={}, query=NOTHING,
                    layout="compare", pinned=_compare_objects(data.hub)),
            Section(id="story", title={"en": "A story", "zh": "故事"},
                    text={"en": "<p>First paragraph.</p><p>Second paragraph.</p><p>Third.</p>"},
                    query=SILK, layout="story", limit=3),
        ],
    )
    repo.create(tour, "curator")
    repo.publish("silk-road-tour", 1)
    markup = ExhibitionDoc(
        slug="markup", title={"en": MARKUP_TITLE}, subtitle={"en": MARKUP_TITLE}, theme="paper",
        intro={"en": '<p onclick="alert(1)">Intro<script>alert(2)</script></p>'},
        sections=[Section(id="all", title={"en": MARKUP_TITLE}, text={}, query=MARKUP, layout="gallery"),
                  Section(id="map", title={"en": "Map"}, text={}, query=MARKUP, layout="map"),
                  Section(id="when", title={"en": "When"}, text={}, query=MARKUP, layout="timeline")],
    )
    repo.create(markup, "curator")
    repo.publish("markup", 1)
    glass = ExhibitionDoc(slug="live-glass", title={"en": "Glass, live", "zh": "玻璃（实时）"}, mode="live",
                          theme="silk", cache_seconds=60,
                          sections=[Section(id="glass", title={}, text={}, query=GLASS, layout="gallery")])
    repo.create(glass, "curator")
    repo.publish("live-glass", 1)
    draft = ExhibitionDoc(slug="secret-draft", title={"en": "Secret draft", "zh": "草稿"},
                          sections=[Section(id="all", title={}, text={}, query=GLASS)])
    repo.create(draft, "curator")


def dataset_on(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, name: str) -> Dataset:
    """The dataset on the engine ``request.param`` names (a module fixture with ``params=ENGINES``)."""
    instance = tmp_path_factory.mktemp(f"{name}-{request.param}") / "instance"
    if request.param == "oxigraph":
        return build_dataset(instance)  # the hub's own in-memory store, as `STORE = "memory"` opens it
    return build_dataset(instance, lambda hub: engine_store(
        request, hub.minter.provenance_graph(), query_timeout=hub.settings["SPARQL_TIMEOUT"]))


@pytest.fixture(scope="module", params=ENGINES)
def data(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dataset]:
    """The dataset, built once per engine for each test module that imports this fixture."""
    dataset = dataset_on(request, tmp_path_factory, "exhibitions")
    try:
        yield dataset
    finally:
        dataset.close()


@pytest.fixture(scope="module")
def client(data: Dataset) -> FlaskClient:
    from web.app import create_app

    return create_app(hub=data.hub).test_client()
