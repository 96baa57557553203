"""The bundled demo museums and their OAI-PMH feeds (demo/).

Runs one real ``DemoFeedServer`` on 127.0.0.1 (port 0) and talks to it as a harvester would: through
the PyPI ``oaipmh`` package's client (POST, resumption tokens) and through plain ``requests`` + lxml.
Also checks that the committed records are in sync with the facts table, and validates the LIDO
against the official XSDs when ``../shared/samples`` is present.
"""

from __future__ import annotations

import http.client
import tomllib
from collections import Counter
from collections.abc import Iterator
from datetime import datetime

import pytest
import requests
from lxml import etree
from oaipmh import common, error
from oaipmh.client import Client
from oaipmh.metadata import MetadataRegistry

from demo import build_records
from demo.feeds import DemoFeedServer, DemoMuseum, load_demo_museums
from tests.support.conformance import SAMPLES

OAI = "http://www.openarchives.org/OAI/2.0/"
LIDO = "http://www.lido-schema.org"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
NS = {"oai": OAI, "lido": LIDO, "oai_dc": OAI_DC, "dc": DC}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SCHEMA_DIR = SAMPLES / "lido" / "schema"

EXPECTED_ROOT = {
    "hz-silk": f"{{{LIDO}}}lido",
    "xa-history": f"{{{LIDO}}}lido",
    "sam-afrosiab": "lido",  # delivered without namespaces
    "koeln-glass": f"{{{OAI_DC}}}dc",
}
DELETED = {"xa-history": "oai:xa-history.example.org:xah-0045"}


def _parse(content: bytes) -> etree._Element:
    return etree.fromstring(content, etree.XMLParser(resolve_entities=False, no_network=True))


@pytest.fixture(scope="module")
def museums() -> list[DemoMuseum]:
    return load_demo_museums()


@pytest.fixture(scope="module")
def server(museums: list[DemoMuseum]) -> Iterator[DemoFeedServer]:
    feeds = DemoFeedServer(museums, host="127.0.0.1", port=0)
    feeds.start()
    try:
        yield feeds
    finally:
        feeds.stop()


@pytest.fixture()
def session() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def _client(url: str) -> Client:
    registry = MetadataRegistry()
    # Keep the record's root element itself: what a harvester maps is the raw metadata.
    for prefix in ("lido", "oai_dc"):
        registry.registerReader(prefix, lambda el: common.Metadata(el[0], {}))
    return Client(url, registry)


def _format(museum: DemoMuseum) -> str:
    return museum.metadata_format


# --------------------------------------------------------------------------------------------------
# The museums


def test_four_demo_museums_are_described(museums: list[DemoMuseum]) -> None:
    by_id = {m.id: m for m in museums}
    assert set(by_id) == {"hz-silk", "xa-history", "sam-afrosiab", "koeln-glass"}
    local = {"hz-silk": "zh", "xa-history": "zh", "sam-afrosiab": "ru", "koeln-glass": "de"}
    for m in museums:
        assert "en" in m.names and local[m.id] in m.names
        assert m.homepage.startswith("https://example.org/")
        assert m.licence and m.attribution and m.city and m.country
        assert m.path.is_dir() and (m.path / "records.xml").is_file()
    assert by_id["hz-silk"].lido_version == "1.1" and by_id["xa-history"].lido_version == "1.0"
    assert not by_id["sam-afrosiab"].lido_namespaced
    assert by_id["koeln-glass"].metadata_format == "oai_dc"
    assert by_id["xa-history"].deleted == (DELETED["xa-history"],)
    assert by_id["xa-history"].record_count == 45  # 44 live + 1 deleted
    # Rough WGS84 sanity: Hangzhou, Xi'an, Samarkand, Cologne.
    assert 30 < by_id["hz-silk"].lat < 31 and 120 < by_id["hz-silk"].lon < 121
    assert 34 < by_id["xa-history"].lat < 35 and 108 < by_id["xa-history"].lon < 109
    assert 39 < by_id["sam-afrosiab"].lat < 40 and 66 < by_id["sam-afrosiab"].lon < 67.5
    assert 50 < by_id["koeln-glass"].lat < 51.5 and 6 < by_id["koeln-glass"].lon < 7.5


def test_committed_records_match_the_facts_table() -> None:
    # The feeds read the generated XML; it must be what build_records writes from the facts today.
    assert build_records.main(["--check"]) == 0


def test_images_are_small_and_one_per_record(museums: list[DemoMuseum]) -> None:
    for m in museums:
        live = [r for r in m.load_records() if not r.deleted]
        images = sorted(p.name for p in (m.path / "images").iterdir())
        assert images == sorted(f"{r.local_id}.svg" for r in live)
        assert max((m.path / "images" / name).stat().st_size for name in images) < 4096


# --------------------------------------------------------------------------------------------------
# OAI-PMH through the oaipmh package's client


def test_identify(server: DemoFeedServer, museums: list[DemoMuseum]) -> None:
    for m in museums:
        identify = _client(server.feed_url(m.id)).identify()
        with (m.path / "museum.toml").open("rb") as f:
            assert identify.repositoryName() == tomllib.load(f)["repository_name"]
        assert identify.baseURL() == server.feed_url(m.id)
        assert identify.protocolVersion() == "2.0"
        assert identify.deletedRecord() == "persistent"
        assert identify.granularity() == "YYYY-MM-DDThh:mm:ssZ"
        assert identify.earliestDatestamp() == min(r.datestamp for r in m.load_records())


def test_list_metadata_formats(server: DemoFeedServer, museums: list[DemoMuseum]) -> None:
    for m in museums:
        formats = {
            prefix: (schema, ns)
            for prefix, schema, ns in _client(server.feed_url(m.id)).listMetadataFormats()
        }
        assert formats["oai_dc"][1] == OAI_DC
        if m.metadata_format == "lido":
            assert set(formats) == {"lido", "oai_dc"}
            assert formats["lido"][1] == LIDO
            assert f"v{m.lido_version}" in formats["lido"][0]
        else:
            assert set(formats) == {"oai_dc"}


@pytest.mark.parametrize("museum_id", ["hz-silk", "xa-history", "sam-afrosiab", "koeln-glass"])
def test_list_records_walks_every_record(
    server: DemoFeedServer, museums: list[DemoMuseum], museum_id: str
) -> None:
    museum = next(m for m in museums if m.id == museum_id)
    records = list(_client(server.feed_url(museum_id)).listRecords(metadataPrefix=_format(museum)))
    headers = [h for h, _, _ in records]
    identifiers = [h.identifier() for h in headers]
    assert len(identifiers) == len(set(identifiers)) == len(museum.load_records())
    live = [(h, md) for h, md, _ in records if not h.isDeleted()]
    assert len(live) >= 40  # > batch size 10: the walk followed several resumption tokens
    for header, metadata in live:
        assert header.identifier().startswith(museum.oai_identifier_prefix)
        assert metadata.element().tag == EXPECTED_ROOT[museum_id]
        assert header.setSpec(), "every live record is in a collection-section set"
    deleted = [h.identifier() for h in headers if h.isDeleted()]
    assert deleted == ([DELETED[museum_id]] if museum_id in DELETED else [])
    for header, metadata, _ in records:
        if header.isDeleted():
            assert metadata is None


def test_resumption_tokens_are_used(server: DemoFeedServer, session: requests.Session) -> None:
    url = server.feed_url("hz-silk")
    first = _parse(session.get(url, params={"verb": "ListIdentifiers", "metadataPrefix": "lido"}).content)
    assert len(first.findall("oai:ListIdentifiers/oai:header", NS)) == 10
    token = first.findtext("oai:ListIdentifiers/oai:resumptionToken", namespaces=NS)
    assert token
    second = _parse(session.get(url, params={"verb": "ListIdentifiers", "resumptionToken": token}).content)
    ids_1 = first.xpath("//oai:identifier/text()", namespaces=NS)
    ids_2 = second.xpath("//oai:identifier/text()", namespaces=NS)
    assert len(ids_2) == 10 and not set(ids_1) & set(ids_2)


def test_from_and_until_select_by_datestamp(server: DemoFeedServer, museums: list[DemoMuseum]) -> None:
    for m in museums:
        stamps = sorted(r.datestamp for r in m.load_records())
        cut = stamps[len(stamps) // 2]
        client = _client(server.feed_url(m.id))
        after = list(client.listIdentifiers(metadataPrefix=_format(m), from_=cut))
        assert len(after) == sum(1 for s in stamps if s >= cut)
        assert all(h.datestamp() >= cut for h in after)
        before = list(client.listIdentifiers(metadataPrefix=_format(m), until=cut))
        assert len(before) == sum(1 for s in stamps if s <= cut)
        assert 0 < len(after) < len(stamps) and 0 < len(before) < len(stamps)
    xa = _client(server.feed_url("xa-history"))
    recent = list(xa.listIdentifiers(metadataPrefix="lido", from_=datetime(2025, 1, 1)))
    assert [h.identifier() for h in recent] == [DELETED["xa-history"]] and recent[0].isDeleted()


def test_from_with_day_granularity_and_no_match(server: DemoFeedServer, session: requests.Session) -> None:
    url = server.feed_url("koeln-glass")
    ok = _parse(
        session.get(
            url, params={"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "from": "2024-03-01"}
        ).content
    )
    assert ok.findall("oai:ListIdentifiers/oai:header", NS)
    none = _parse(
        session.get(
            url, params={"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "from": "2099-01-01"}
        ).content
    )
    assert none.find("oai:error", NS).get("code") == "noRecordsMatch"


def test_get_record_and_oai_dc_crosswalk(server: DemoFeedServer, session: requests.Session) -> None:
    client = _client(server.feed_url("hz-silk"))
    header, metadata, _ = client.getRecord(
        metadataPrefix="lido", identifier="oai:hz-silk.example.org:hzs-0001"
    )
    lido = metadata.element()
    titles = {t.get(XML_LANG): t.text for t in lido.iterfind(".//lido:titleSet/lido:appellationValue", NS)}
    assert set(titles) == {"zh", "en"}
    assert lido.findtext(
        ".//lido:gml/{http://www.opengis.net/gml}Point/{http://www.opengis.net/gml}pos", namespaces=NS
    )
    assert lido.findtext(".//lido:earliestDate", namespaces=NS) == "0618"
    # The same record as Dublin Core, derived from the LIDO.
    _, dc, _ = client.getRecord(metadataPrefix="oai_dc", identifier="oai:hz-silk.example.org:hzs-0001")
    dc_titles = {t.get(XML_LANG): t.text for t in dc.element().iterfind("dc:title", NS)}
    assert dc_titles == titles
    # Deleted records come back as a header only.
    xa = _client(server.feed_url("xa-history"))
    header, metadata, _ = xa.getRecord(metadataPrefix="lido", identifier=DELETED["xa-history"])
    assert header.isDeleted() and metadata is None


def test_namespace_less_lido_is_served_as_is(server: DemoFeedServer, session: requests.Session) -> None:
    response = session.get(
        server.feed_url("sam-afrosiab"),
        params={
            "verb": "GetRecord",
            "metadataPrefix": "lido",
            "identifier": "oai:sam-afrosiab.example.org:sam-0001",
        },
    )
    record = _parse(response.content).find("oai:GetRecord/oai:record/oai:metadata", NS)[0]
    assert record.tag == "lido" and record.nsmap.get(None) is None
    langs = {
        t.get(XML_LANG)
        for t in record.iterfind(
            "descriptiveMetadata/objectIdentificationWrap/titleWrap/titleSet/appellationValue"
        )
    }
    assert langs == {"ru", "uz", "en"}
    assert record.findtext(".//eventPlace/place/gml/Point/pos")


def test_sets(server: DemoFeedServer) -> None:
    client = _client(server.feed_url("koeln-glass"))
    specs = {spec for spec, _, _ in client.listSets()}
    assert {"glass", "textiles", "coins", "manuscripts"} <= specs
    coins = list(client.listRecords(metadataPrefix="oai_dc", set="coins"))
    assert len(coins) >= 5 and all(h.setSpec() == ["coins"] for h, _, _ in coins)


def test_protocol_errors(server: DemoFeedServer, session: requests.Session) -> None:
    def code(museum_id: str, params: dict[str, str] | list[tuple[str, str]]) -> str | None:
        response = session.get(server.feed_url(museum_id), params=params)
        assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/xml")
        err = _parse(response.content).find("oai:error", NS)
        return None if err is None else err.get("code")

    assert code("hz-silk", {"verb": "Frobnicate"}) == "badVerb"
    assert code("koeln-glass", {"verb": "ListRecords", "metadataPrefix": "lido"}) == "cannotDisseminateFormat"
    assert (
        code("hz-silk", {"verb": "GetRecord", "metadataPrefix": "lido", "identifier": "oai:nope:1"})
        == "idDoesNotExist"
    )
    assert code("hz-silk", {"verb": "ListRecords", "resumptionToken": "garbage"}) == "badResumptionToken"
    assert code("hz-silk", {"verb": "ListRecords"}) == "badArgument"
    assert code("hz-silk", [("verb", "Identify"), ("verb", "Identify")]) == "badArgument"
    with pytest.raises(error.IdDoesNotExistError):
        _client(server.feed_url("hz-silk")).listMetadataFormats(identifier="oai:nope:1")
    assert session.get(f"{server.base_url}/no-such-museum/oai").status_code == 404


# --------------------------------------------------------------------------------------------------
# Images


def _image_links(server: DemoFeedServer, museum: DemoMuseum) -> list[str]:
    records = _client(server.feed_url(museum.id)).listRecords(metadataPrefix=_format(museum))
    links = []
    for header, metadata, _ in records:
        if header.isDeleted():
            continue
        links += metadata.element().xpath(
            ".//*[local-name()='linkResource']/text() | dc:relation/text()", namespaces=NS
        )
    return links


def test_image_links_point_at_the_server_and_serve_images(
    server: DemoFeedServer, museums: list[DemoMuseum], session: requests.Session
) -> None:
    for m in museums:
        links = _image_links(server, m)
        assert len(links) >= 40
        prefix = f"{server.base_url}/{m.id}/images/"
        assert all(link.startswith(prefix) for link in links), links[:3]
        for link in links:
            response = session.get(link)
            assert response.status_code == 200
            assert response.headers["Content-Type"] == "image/svg+xml"
            assert _parse(response.content).tag == "{http://www.w3.org/2000/svg}svg"
    assert session.head(links[0]).status_code == 200


@pytest.mark.parametrize(
    "raw_path",
    [
        "/hz-silk/images/../museum.toml",
        "/hz-silk/images/..%2Fmuseum.toml",
        "/hz-silk/images/%2e%2e%2fmuseum.toml",
        "/hz-silk/images/..%5Cmuseum.toml",
        "/hz-silk/images/%2e%2e/%2e%2e/feeds.py",
        "/hz-silk/images/.hidden.svg",
        "/hz-silk/images/records.xml",
        "/hz-silk/images/%2Fetc%2Fpasswd",
        "/hz-silk/images/no-such-image.svg",
    ],
)
def test_image_path_traversal_is_refused(server: DemoFeedServer, raw_path: str) -> None:
    # http.client sends the path byte for byte (requests/urllib3 would normalise the dot segments).
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        conn.request("GET", raw_path)
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    assert response.status == 404
    assert b"metadata_format" not in body and b"root:" not in body


# --------------------------------------------------------------------------------------------------
# LIDO validity against the official schemas (from ../shared/samples when present)


def _schema(version: str) -> etree.XMLSchema:
    if not (SCHEMA_DIR / f"lido-v{version}.xsd").is_file():
        pytest.skip(f"LIDO schemas not found at {SCHEMA_DIR} (../shared/samples is absent)")
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / f"lido-v{version}.xsd")))


def _assert_valid(schema: etree.XMLSchema, doc: etree._ElementTree) -> None:
    if not schema.validate(doc):
        errors = [f"{e.line}: {e.message}" for e in list(schema.error_log)[:5]]
        pytest.fail("invalid LIDO:\n" + "\n".join(errors))


@pytest.mark.parametrize("museum_id", ["hz-silk", "xa-history"])
def test_namespaced_lido_is_schema_valid(museums: list[DemoMuseum], museum_id: str) -> None:
    museum = next(m for m in museums if m.id == museum_id)
    schema = _schema(museum.lido_version or "1.0")
    _assert_valid(schema, etree.parse(str(museum.records_path)))


def test_namespace_less_lido_is_valid_once_namespaced(museums: list[DemoMuseum]) -> None:
    # A stripped feed cannot validate as is; put the namespaces back and the structure must be LIDO 1.0.
    museum = next(m for m in museums if m.id == "sam-afrosiab")
    schema = _schema("1.0")
    doc = etree.parse(str(museum.records_path))
    gml = "http://www.opengis.net/gml"
    for el in doc.getroot().iter():
        in_gml = any(a.tag in ("gml", f"{{{LIDO}}}gml") for a in el.iterancestors())
        el.tag = f"{{{gml if in_gml else LIDO}}}{el.tag}"
        for key in [k for k in el.attrib if not k.startswith("{")]:
            ns = "http://www.w3.org/2001/XMLSchema-instance" if key == "schemaLocation" else LIDO
            el.set(f"{{{ns}}}{key}", el.attrib.pop(key))
    _assert_valid(schema, doc)


def test_records_cover_shared_concepts(museums: list[DemoMuseum]) -> None:
    # A later feature reconciles these across museums: each appears in at least three of the four.
    text = {m.id: m.records_path.read_text(encoding="utf-8") for m in museums}
    for needle in (
        "http://vocab.getty.edu/aat/300243428",
        "http://vocab.getty.edu/aat/300010797",
        "Samarkand",
        "Tang dynasty",
        "http://vocab.getty.edu/aat/300037222",
    ):
        assert sum(needle in t for t in text.values()) >= 3, needle
    counts = Counter(m.id for m in museums for r in m.load_records() if not r.deleted)
    assert min(counts.values()) >= 40
