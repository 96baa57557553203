"""A demo museum as its bundled files describe it: ``museum.toml`` and the generated ``records.xml``.

This module owns the *reading* of one museum's directory, ``museums/<id>/``: its description
(``DemoMuseum``, from the hand-written ``museum.toml``) and its records (``DemoRecord``: OAI identifier,
datestamp, set, the stored ``<lido>`` or ``<oai_dc:dc>`` element, and the records withdrawn at the
source). ``oai.py`` puts the records behind OAI-PMH and ``feeds.py`` serves them; nothing here serves.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from lxml import etree

MUSEUMS_DIR = Path(__file__).resolve().parent / "museums"

LIDO_NS = "http://www.lido-schema.org"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DEMO_NS = "https://example.org/srom/demo-records#"

LIDO_SCHEMAS = {
    "1.0": "http://www.lido-schema.org/schema/v1.0/lido-v1.0.xsd",
    "1.1": "http://www.lido-schema.org/schema/v1.1/lido-v1.1.xsd",
}
OAI_DC_FORMAT = ("oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd", OAI_DC_NS)

SET_SPEC = re.compile(r"^[A-Za-z0-9_.!~*'()-]+$")  # OAI-PMH setSpec: unreserved URI characters


def xml_parser() -> etree.XMLParser:
    # Bundled data, but read it as untrusted all the same: no entities, no network, no DTD.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _parse_datestamp(text: str) -> datetime:
    # OAI datestamps are UTC; the oaipmh package wants naive datetimes.
    return datetime.strptime(text.strip(), "%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class DemoRecord:
    """One source record: what a feed knows about it, and its metadata as serialized XML."""

    local_id: str
    identifier: str  # OAI identifier, e.g. "oai:hz-silk.example.org:hzs-0001"
    datestamp: datetime
    deleted: bool = False
    sets: tuple[tuple[str, str], ...] = ()  # (setSpec, setName)
    payload: bytes = b""  # the stored <lido> or <oai_dc:dc> element, with @MUSEUM_BASE@ unreplaced


@dataclass(frozen=True)
class DemoMuseum:
    """A bundled demo partner museum, as described by its ``museum.toml``."""

    id: str
    names: dict[str, str]
    city: str
    country: str
    lat: float
    lon: float
    homepage: str
    licence: str
    attribution: str
    metadata_format: str  # "lido" | "oai_dc"
    path: Path
    licence_uri: str = ""
    country_code: str = ""
    repository_name: str = ""
    admin_email: str = ""
    languages: tuple[str, ...] = ()
    lido_version: str | None = None
    lido_namespaced: bool = True
    oai_identifier_prefix: str = ""
    deleted: tuple[str, ...] = ()  # OAI identifiers of records withdrawn at the source
    deleted_datestamp: str | None = None
    config: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_dir(cls, path: Path) -> DemoMuseum:
        with (path / "museum.toml").open("rb") as f:
            cfg = tomllib.load(f)
        prefix = cfg.get("oai_identifier_prefix", f"oai:{cfg['id']}.example.org:")
        return cls(
            id=cfg["id"],
            names=dict(cfg["names"]),
            city=cfg["city"],
            country=cfg["country"],
            lat=float(cfg["lat"]),
            lon=float(cfg["lon"]),
            homepage=cfg["homepage"],
            licence=cfg["licence"],
            attribution=cfg["attribution"],
            metadata_format=cfg["metadata_format"],
            path=path,
            licence_uri=cfg.get("licence_uri", ""),
            country_code=cfg.get("country_code", ""),
            repository_name=cfg.get("repository_name", cfg["names"]["en"]),
            admin_email=cfg.get("admin_email", ""),
            languages=tuple(cfg.get("languages", ())),
            lido_version=cfg.get("lido_version"),
            lido_namespaced=bool(cfg.get("lido_namespaced", True)),
            oai_identifier_prefix=prefix,
            # museum.toml may list local ids ("xah-0045") or full OAI identifiers.
            deleted=tuple(d if d.startswith("oai:") else prefix + d for d in cfg.get("deleted", ())),
            deleted_datestamp=cfg.get("deleted_datestamp"),
            config=cfg,
        )

    @cached_property
    def record_count(self) -> int:
        """How many records the feed lists, the deleted ones included."""
        return len(self.load_records())

    @property
    def records_path(self) -> Path:
        return self.path / "records.xml"

    @property
    def images_dir(self) -> Path:
        return self.path / "images"

    def metadata_formats(self) -> list[tuple[str, str, str]]:
        """(prefix, schema, namespace) of every format this museum's feed disseminates."""
        if self.metadata_format == "lido":
            lido = ("lido", LIDO_SCHEMAS[self.lido_version or "1.0"], LIDO_NS)
            return [lido, OAI_DC_FORMAT]
        return [OAI_DC_FORMAT]

    def load_records(self) -> list[DemoRecord]:
        """Every record of the feed, live ones in file order, then the deleted ones."""
        tree = etree.parse(str(self.records_path), xml_parser())
        root = tree.getroot()
        records: list[DemoRecord] = []
        if self.metadata_format == "lido":
            for lido in root.iterchildren(f"{{{LIDO_NS}}}lido", "lido"):
                ns = f"{{{LIDO_NS}}}" if isinstance(lido.tag, str) and lido.tag.startswith("{") else ""
                local_id = lido.findtext(f"{ns}lidoRecID", "").strip()
                stamp = lido.findtext(
                    f"{ns}administrativeMetadata/{ns}recordWrap/{ns}recordInfoSet/{ns}recordMetadataDate", ""
                )
                section = lido.find(
                    f"{ns}descriptiveMetadata/{ns}objectClassificationWrap/{ns}classificationWrap/"
                    f"{ns}classification[@{ns}type='collection section']"
                )
                spec = name = ""
                if section is not None:
                    spec = section.findtext(f"{ns}conceptID", "").strip()
                    name = section.findtext(f"{ns}term", "").strip()
                records.append(
                    self._record(local_id, stamp, spec, name, etree.tostring(lido, encoding="UTF-8"))
                )
        else:
            for rec in root.iterchildren(f"{{{DEMO_NS}}}record"):
                dc = rec.find(f"{{{OAI_DC_NS}}}dc")
                if dc is None:
                    raise ValueError(f"{self.records_path}: record {rec.get('identifier')} has no oai_dc:dc")
                records.append(
                    self._record(
                        rec.get("identifier", ""),
                        rec.get("datestamp", ""),
                        rec.get("setSpec", ""),
                        rec.get("setName", ""),
                        etree.tostring(dc, encoding="UTF-8"),
                    )
                )
        deleted_at = _parse_datestamp(self.deleted_datestamp) if self.deleted_datestamp else None
        latest = max((r.datestamp for r in records), default=datetime(2024, 1, 1))
        for identifier in self.deleted:
            local_id = identifier.removeprefix(self.oai_identifier_prefix)
            records.append(DemoRecord(local_id, identifier, deleted_at or latest, deleted=True))
        return records

    def _record(self, local_id: str, stamp: str, spec: str, name: str, payload: bytes) -> DemoRecord:
        if not local_id or not stamp:
            raise ValueError(f"{self.records_path}: a record lacks its identifier or datestamp")
        if spec and not SET_SPEC.match(spec):
            raise ValueError(f"{self.records_path}: {local_id}: bad setSpec {spec!r}")
        sets = ((spec, name or spec),) if spec else ()
        return DemoRecord(
            local_id,
            self.oai_identifier_prefix + local_id,
            _parse_datestamp(stamp),
            sets=sets,
            payload=payload,
        )


def load_demo_museums(root: Path | None = None) -> list[DemoMuseum]:
    """The bundled demo museums (package data), sorted by id."""
    base = root or MUSEUMS_DIR
    return [DemoMuseum.from_dir(p) for p in sorted(base.iterdir()) if (p / "museum.toml").is_file()]
