"""A loopback OAI-PMH feed serving the EDM fixtures (tests/data/edm), for harvest, override and quality tests.

Every rdf:RDF record of the fixtures becomes one OAI record (``oai:edm:<n>``): the three of the
ListRecords fixture (one without a title), the external Zandaniji samite and the internal Dunhuang sutra.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lxml import etree

from mappings import parse_bytes
from tests.support.oai_test_server import OaiTestServer

DATA = Path(__file__).resolve().parents[1] / "data" / "edm"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}RDF"


def edm_records() -> list[str]:
    """Each rdf:RDF of the EDM fixtures as its own XML text, in file order."""
    out = []
    for name in ("oai-listrecords-edm.xml", "external-zandaniji-silk.xml", "internal-dunhuang-sutra.xml"):
        root = parse_bytes((DATA / name).read_bytes())
        for el in [root] if root.tag == RDF else root.iter(RDF):
            out.append(etree.tostring(el, encoding="unicode"))
    return out


@contextmanager
def edm_feed() -> Iterator[OaiTestServer]:
    server = OaiTestServer(page_size=2)
    for i, xml in enumerate(edm_records()):
        server.put(f"oai:edm:{i}", "2025-03-01T00:00:00Z", xml)
    server.start()
    try:
        yield server
    finally:
        server.stop()
