"""A small harvested store for the exhibition tests: two museums' LIDO records served by a loopback
OAI-PMH repository and harvested through the real pipeline into an in-memory pyoxigraph store.

Each object's facts are chosen so that every facet of the facet builder selects a known subset.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from harvesters.feed_database import FeedDatabase, Museum
from harvesters.guard import FeedGuard
from harvesters.run import Harvester
from ontology.iris import IriMinter
from store.base import Store
from store.embedded import EmbeddedStore
from tests.support.oai_test_server import OaiTestServer
from web.hub import database_path

BASE = "http://hub.example.test"  # http: the browser tests serve plain http on loopback (Secure cookies follow https)
MINTER = IriMinter(BASE)


@dataclass(frozen=True)
class Fact:
    key: str
    title: str
    type: str
    material: str
    place: str
    begin: str  # LIDO earliestDate
    end: str
    period: str
    image: bool
    description: str = ""


FACTS: dict[str, list[Fact]] = {
    "east": [
        Fact("E1", "Silk samite with rams", "textile", "silk", "Samarkand", "0601", "0700", "Tang dynasty", True),
        Fact("E2", "Kaiyuan tongbao coin", "coin", "bronze", "Chang'an", "0621", "0907", "Tang dynasty", False),
        Fact("E3", "Han bronze mirror", "mirror", "bronze", "Chang'an", "-0206", "0008", "Western Han", True,
             "A mirror with a TLV pattern"),
        Fact("E4", "Silk banner } ; DROP ALL ; {", "textile", "silk", "Dunhuang", "0801", "0900", "Tang dynasty",
             False),
        Fact("E5", "<b>Wool</b> rug <script>window.pwned = 1</script>", "carpet", "wool", "Kashgar", "1001", "1100",
             "Liao", False),
    ],
    "west": [
        Fact("W1", "Sasanian cut-glass bowl", "bowl", "glass", "Ctesiphon", "0501", "0600", "Sasanian", True),
        Fact("W2", "Solidus of Justinian I", "coin", "gold", "Constantinople", "0527", "0565", "Byzantine", True),
        Fact("W3", "Zandaniji silk fragment", "textile", "silk", "Samarkand", "0650", "0750", "Sogdian", False,
             "Woven with rams in roundels"),
    ],
}


def iri(key: str) -> str:
    """The object IRI of a fact by its key (E1, W2, ...)."""
    museum = "east" if key.startswith("E") else "west"
    return MINTER.object(museum, f"oai:{museum}:{key}")


def lido(fact: Fact) -> str:
    image = (
        "<lido:resourceWrap><lido:resourceSet><lido:resourceRepresentation>"
        f"<lido:linkResource>https://images.example.org/{fact.key}.jpg</lido:linkResource>"
        "</lido:resourceRepresentation></lido:resourceSet></lido:resourceWrap>"
        if fact.image else ""
    )
    description = (
        "<lido:objectDescriptionWrap><lido:objectDescriptionSet><lido:descriptiveNoteValue>"
        f"{escape(fact.description)}</lido:descriptiveNoteValue></lido:objectDescriptionSet></lido:objectDescriptionWrap>"
        if fact.description else ""
    )
    return f"""<lido:lido xmlns:lido="http://www.lido-schema.org">
  <lido:lidoRecID lido:type="local">{fact.key}</lido:lidoRecID>
  <lido:descriptiveMetadata xml:lang="en">
    <lido:objectClassificationWrap><lido:objectWorkTypeWrap><lido:objectWorkType>
      <lido:term>{escape(fact.type)}</lido:term></lido:objectWorkType></lido:objectWorkTypeWrap></lido:objectClassificationWrap>
    <lido:objectIdentificationWrap>
      <lido:titleWrap><lido:titleSet><lido:appellationValue>{escape(fact.title)}</lido:appellationValue>
      </lido:titleSet></lido:titleWrap>
      <lido:objectMaterialsTechWrap><lido:objectMaterialsTechSet><lido:materialsTech>
        <lido:termMaterialsTech lido:type="http://terminology.lido-schema.org/lido00132">
          <lido:term>{escape(fact.material)}</lido:term></lido:termMaterialsTech>
      </lido:materialsTech></lido:objectMaterialsTechSet></lido:objectMaterialsTechWrap>
      {description}
    </lido:objectIdentificationWrap>
    <lido:eventWrap><lido:eventSet><lido:event>
      <lido:eventType><lido:term>Production</lido:term></lido:eventType>
      <lido:periodName><lido:term>{escape(fact.period)}</lido:term></lido:periodName>
      <lido:eventDate><lido:displayDate>{escape(fact.period)}</lido:displayDate>
        <lido:date><lido:earliestDate>{fact.begin}</lido:earliestDate><lido:latestDate>{fact.end}</lido:latestDate></lido:date>
      </lido:eventDate>
      <lido:eventPlace><lido:place><lido:namePlaceSet>
        <lido:appellationValue>{escape(fact.place)}</lido:appellationValue></lido:namePlaceSet></lido:place></lido:eventPlace>
    </lido:event></lido:eventSet></lido:eventWrap>
  </lido:descriptiveMetadata>
  <lido:administrativeMetadata xml:lang="en"><lido:recordWrap>
    <lido:recordID lido:type="local">{fact.key}</lido:recordID>
    <lido:recordType><lido:term>item</lido:term></lido:recordType>
    <lido:recordSource><lido:legalBodyName><lido:appellationValue>Test</lido:appellationValue>
    </lido:legalBodyName></lido:recordSource></lido:recordWrap>{image}</lido:administrativeMetadata>
</lido:lido>"""


@contextmanager
def harvested_store(folder: Path, store: Store | None = None) -> Iterator[Store]:
    """A store holding FACTS, harvested over OAI-PMH (an in-memory one unless ``store`` is given, e.g. an
    emptied Virtuoso from ``tests.support.engines.engine_store``); ``folder`` holds the registry."""
    store = store if store is not None else EmbeddedStore(None, MINTER.provenance_graph())
    registry = FeedDatabase(database_path(folder))
    try:
        for museum, facts in FACTS.items():
            server = OaiTestServer(page_size=10)
            for fact in facts:
                server.put(f"oai:{museum}:{fact.key}", "2025-01-01T00:00:00Z", lido(fact))
            server.start()
            try:
                registry.save_museum(Museum(id=museum, name=f"{museum.title()} Museum", feed_url=server.url,
                                            format="lido"))
                harvester = Harvester(store, registry, MINTER, FeedGuard(["127.0.0.0/8"]), batch_size=10,
                                      http_timeout=10)
                run = harvester.harvest(museum)
                assert run.outcome == "ok" and run.quarantined == 0, (run.error, registry.quarantined(museum))
            finally:
                server.stop()
        yield store
    finally:
        store.close()
