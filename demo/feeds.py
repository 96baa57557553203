"""The demo museums, each served as a real OAI-PMH 2.0 repository (and image server) on loopback.

This module owns the *serving* of the bundled demo data: it reads ``museums/<id>/museum.toml`` and the
generated ``records.xml`` (see ``build_records.py``), and runs ONE threaded werkzeug HTTP server that
answers, per museum,

- ``/<id>/oai``: OAI-PMH 2.0 through the PyPI ``oaipmh`` package's ``BatchingServer`` (batches of 10,
  so harvesters must follow resumption tokens), verbs Identify, ListMetadataFormats, ListSets,
  ListIdentifiers, ListRecords, GetRecord; ``from``/``until`` on fixed datestamps; deleted records
  reported persistently with ``<header status="deleted">``; sets are the museum's collection sections;
- ``/<id>/images/<file>``: the bundled drawings, standing in for the museum's web server.

LIDO museums disseminate ``lido`` (the stored ``<lido>`` element written as-is; for the museum that
delivers it without namespaces the envelope uses an ``oai:`` prefix so the bare ``<lido>`` stays in
no namespace) and ``oai_dc`` (a crosswalk from LIDO, since OAI-PMH requires every
repository to offer ``oai_dc``); the Dublin Core museum disseminates ``oai_dc`` only.

Records carry image links as ``@MUSEUM_BASE@/images/...``; the server replaces ``@MUSEUM_BASE@`` with
``http://HOST:PORT/<id>`` once it knows its port. Nothing here imports the rest of the hub.

    from demo.feeds import DemoFeedServer, load_demo_museums
    server = DemoFeedServer(load_demo_museums(), port=0)
    server.start(); print(server.feed_url("hz-silk")); server.stop()
"""

from __future__ import annotations

import re
import threading
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from lxml import etree
from oaipmh import common, error
from oaipmh.metadata import MetadataRegistry
from oaipmh.server import NS_OAIPMH, BatchingResumption, BatchingServer, ServerBase, XMLTreeServer
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

MUSEUMS_DIR = Path(__file__).resolve().parent / "museums"
MUSEUM_BASE = "@MUSEUM_BASE@"
BATCH_SIZE = 10
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"

LIDO_NS = "http://www.lido-schema.org"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DEMO_NS = "https://example.org/srom/demo-records#"

LIDO_SCHEMAS = {
    "1.0": "http://www.lido-schema.org/schema/v1.0/lido-v1.0.xsd",
    "1.1": "http://www.lido-schema.org/schema/v1.1/lido-v1.1.xsd",
}
OAI_DC_FORMAT = ("oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd", OAI_DC_NS)

# Only plain file names: no separators, no leading dot, a known image extension.
IMAGE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}\.(svg|png|jpe?g|webp)$")
SET_SPEC = re.compile(r"^[A-Za-z0-9_.!~*'()-]+$")  # OAI-PMH setSpec: unreserved URI characters
IMAGE_TYPES = {
    "svg": "image/svg+xml",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
}


def _parser() -> etree.XMLParser:
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
        tree = etree.parse(str(self.records_path), _parser())
        root = tree.getroot()
        records: list[DemoRecord] = []
        if self.metadata_format == "lido":
            for lido in root.iterchildren(f"{{{LIDO_NS}}}lido", "lido"):
                ns = f"{{{LIDO_NS}}}" if lido.tag.startswith("{") else ""
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
        stamp = _parse_datestamp(self.deleted_datestamp) if self.deleted_datestamp else None
        latest = max((r.datestamp for r in records), default=datetime(2024, 1, 1))
        for identifier in self.deleted:
            local_id = identifier.removeprefix(self.oai_identifier_prefix)
            records.append(DemoRecord(local_id, identifier, stamp or latest, deleted=True))
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


# --------------------------------------------------------------------------------------------------
# LIDO -> simple Dublin Core (every OAI-PMH repository must offer oai_dc)


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


def _texts(root: etree._Element, *path: str) -> list[etree._Element]:
    """Descendants along a path of local names: the same code reads namespaced and bare LIDO."""
    nodes = [root]
    for name in path:
        nodes = [c for n in nodes for c in n if isinstance(c.tag, str) and _local(c) == name]
    return nodes


def lido_to_dc(lido: etree._Element) -> etree._Element:
    """A simple Dublin Core view of one LIDO record (titles, type, dates, place, materials, image...)."""
    dc = etree.Element(f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI_NS})
    dc.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_DC_NS} http://www.openarchives.org/OAI/2.0/oai_dc.xsd")

    def copy(name: str, nodes: Iterable[etree._Element]) -> None:
        for node in nodes:
            text = (node.text or "").strip()
            if text:
                out = etree.SubElement(dc, f"{{{DC_NS}}}{name}")
                out.text = text
                if node.get(XML_LANG):
                    out.set(XML_LANG, node.get(XML_LANG))

    d, ident = "descriptiveMetadata", ("descriptiveMetadata", "objectIdentificationWrap")
    event = (d, "eventWrap", "eventSet", "event")
    copy("title", _texts(lido, *ident, "titleWrap", "titleSet", "appellationValue"))
    copy("type", _texts(lido, d, "objectClassificationWrap", "objectWorkTypeWrap", "objectWorkType", "term"))
    copy(
        "subject",
        _texts(
            lido, d, "objectRelationWrap", "subjectWrap", "subjectSet", "subject", "subjectConcept", "term"
        ),
    )
    copy(
        "description",
        _texts(lido, *ident, "objectDescriptionWrap", "objectDescriptionSet", "descriptiveNoteValue"),
    )
    copy("date", _texts(lido, *event, "eventDate", "displayDate"))
    copy("format", _texts(lido, *event, "eventMaterialsTech", "materialsTech", "termMaterialsTech", "term"))
    copy(
        "format",
        _texts(lido, *ident, "objectMeasurementsWrap", "objectMeasurementsSet", "displayObjectMeasurements"),
    )
    copy("identifier", _texts(lido, *ident, "repositoryWrap", "repositorySet", "workID"))
    copy("coverage", _texts(lido, *event, "eventPlace", "place", "namePlaceSet", "appellationValue"))
    copy(
        "relation",
        _texts(
            lido,
            "administrativeMetadata",
            "resourceWrap",
            "resourceSet",
            "resourceRepresentation",
            "linkResource",
        ),
    )
    copy(
        "rights",
        _texts(lido, "administrativeMetadata", "rightsWorkWrap", "rightsWorkSet", "rightsType", "conceptID"),
    )
    copy("rights", _texts(lido, "administrativeMetadata", "rightsWorkWrap", "rightsWorkSet", "creditLine"))
    return dc


# --------------------------------------------------------------------------------------------------
# The OAI-PMH repository of one museum (oaipmh's IBatchingOAI interface)


def _write_stored(element: etree._Element, metadata: common.Metadata) -> None:
    """Metadata writer: append the stored element (lido or oai_dc:dc) as-is under <metadata>."""
    element.append(metadata.element())


class MuseumRepository:
    """One museum's records behind the ``oaipmh`` IBatchingOAI interface (read-only, thread-safe)."""

    def __init__(self, museum: DemoMuseum, base_url: str) -> None:
        self.museum = museum
        self.base_url = base_url  # http://HOST:PORT/<id>
        self.feed_url = f"{base_url}/oai"
        self.records = museum.load_records()
        self.by_identifier = {r.identifier: r for r in self.records}
        self.formats = museum.metadata_formats()
        live = [r for r in self.records if not r.deleted]
        self.earliest = min(r.datestamp for r in self.records)
        sections: dict[str, str] = {}
        for r in live:
            for spec, name in r.sets:
                sections.setdefault(spec, name)
        self.sets = sorted(sections.items())

    # -- metadata ----------------------------------------------------------------------------------

    def _metadata(self, record: DemoRecord, prefix: str) -> common.Metadata:
        # Records are kept serialized and parsed per request: the server is threaded, and lxml trees
        # must not be shared between threads that modify them (appending moves an element).
        text = record.payload.replace(MUSEUM_BASE.encode(), self.base_url.encode())
        element = etree.fromstring(text, _parser())
        if prefix == "oai_dc" and self.museum.metadata_format == "lido":
            element = lido_to_dc(element)
        return common.Metadata(element, {})

    def _check_prefix(self, prefix: str) -> None:
        if prefix not in {f[0] for f in self.formats}:
            raise error.CannotDisseminateFormatError(f"{prefix} is not disseminated by {self.museum.id}")

    def _header(self, record: DemoRecord) -> common.Header:
        return common.Header(
            None, record.identifier, record.datestamp, [s for s, _ in record.sets], record.deleted
        )

    def _select(
        self, prefix: str, set_: str | None, from_: datetime | None, until: datetime | None
    ) -> list[DemoRecord]:
        self._check_prefix(prefix)
        if set_ is not None and set_ not in dict(self.sets):
            return []  # an unknown set matches nothing (the server then says noRecordsMatch)
        return [
            r
            for r in self.records
            if (from_ is None or r.datestamp >= from_)
            and (until is None or r.datestamp <= until)
            # A deleted record has lost its sets; report it to set-wise harvesters too, so they drop it.
            and (set_ is None or r.deleted or any(spec == set_ for spec, _ in r.sets))
        ]

    # -- IBatchingOAI ----------------------------------------------------------------------------------

    def identify(self) -> common.Identify:
        identify = common.Identify(
            repositoryName=self.museum.repository_name,
            baseURL=self.feed_url,
            protocolVersion="2.0",
            adminEmails=[self.museum.admin_email] if self.museum.admin_email else [],
            earliestDatestamp=self.earliest,
            deletedRecord="persistent",
            granularity=GRANULARITY,
            compression=["identity"],
        )
        return identify

    def listMetadataFormats(self, identifier: str | None = None) -> list[tuple[str, str, str]]:  # noqa: N802
        if identifier is not None and identifier not in self.by_identifier:
            raise error.IdDoesNotExistError(identifier)
        return list(self.formats)

    def listSets(self, cursor: int = 0, batch_size: int = BATCH_SIZE) -> list[tuple[str, str, None]]:  # noqa: N802
        if not self.sets:
            raise error.NoSetHierarchyError("This repository does not support sets.")
        return [(spec, name, None) for spec, name in self.sets][cursor : cursor + batch_size]

    def listIdentifiers(
        self,
        metadataPrefix: str,
        set: str | None = None,  # noqa: N802,N803,A002
        from_: datetime | None = None,
        until: datetime | None = None,
        cursor: int = 0,
        batch_size: int = BATCH_SIZE,
    ) -> list[common.Header]:
        selected = self._select(metadataPrefix, set, from_, until)
        return [self._header(r) for r in selected[cursor : cursor + batch_size]]

    def listRecords(
        self,
        metadataPrefix: str,
        set: str | None = None,  # noqa: N802,N803,A002
        from_: datetime | None = None,
        until: datetime | None = None,
        cursor: int = 0,
        batch_size: int = BATCH_SIZE,
    ) -> list[tuple[Any, Any, None]]:
        selected = self._select(metadataPrefix, set, from_, until)
        return [
            (self._header(r), None if r.deleted else self._metadata(r, metadataPrefix), None)
            for r in selected[cursor : cursor + batch_size]
        ]

    def getRecord(self, metadataPrefix: str, identifier: str) -> tuple[Any, Any, None]:  # noqa: N802,N803
        self._check_prefix(metadataPrefix)
        record = self.by_identifier.get(identifier)
        if record is None:
            raise error.IdDoesNotExistError(identifier)
        return self._header(record), None if record.deleted else self._metadata(record, metadataPrefix), None


class _PrefixedTreeServer(XMLTreeServer):
    """XMLTreeServer writing the envelope as ``<oai:OAI-PMH xmlns:oai=...>`` instead of a default namespace.

    Needed for namespace-less LIDO: under a default-namespace envelope a bare ``<lido>`` would silently
    become an OAI-PMH element (lxml cannot write the ``xmlns=""`` undeclaration), whereas the point of
    that feed is to hand harvesters elements in no namespace. A prefixed envelope is equally valid
    OAI-PMH.
    """

    def __init__(self, server: Any, metadata_registry: MetadataRegistry) -> None:
        super().__init__(server, metadata_registry)
        self._nsmap = {"oai": NS_OAIPMH}  # replaces the package's {None: NS_OAIPMH}


class _PrefixedBatchingServer(ServerBase):
    """``BatchingServer`` with a prefixed envelope (see :class:`_PrefixedTreeServer`)."""

    def __init__(self, server: Any, metadata_registry: MetadataRegistry, resumption_batch_size: int) -> None:
        self._tree_server = _PrefixedTreeServer(
            BatchingResumption(server, resumption_batch_size), metadata_registry
        )


def metadata_registry() -> MetadataRegistry:
    registry = MetadataRegistry()
    registry.registerWriter("lido", _write_stored)
    registry.registerWriter("oai_dc", _write_stored)
    return registry


# --------------------------------------------------------------------------------------------------
# The HTTP server


class _QuietRequestHandler(WSGIRequestHandler):
    """Logs errors only: a full harvest is hundreds of requests, which would drown the demo's output."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return


class DemoFeedServer:
    """One threaded HTTP server on loopback, serving every demo museum at ``/<id>/oai`` and ``/<id>/images/``.

    ``start()`` binds (port 0 picks a free port) and serves from a daemon thread; ``stop()`` shuts the
    server down and closes its socket. Usable as a context manager.
    """

    def __init__(
        self,
        museums: Sequence[DemoMuseum],
        host: str = "127.0.0.1",
        port: int = 0,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self.museums = {m.id: m for m in museums}
        self.host = host
        self._requested_port = port
        self.batch_size = batch_size
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._oai: dict[str, ServerBase] = {}
        self._errors: dict[str, XMLTreeServer] = {}

    # -- lifecycle -------------------------------------------------------------------------------------

    def start(self) -> None:
        if self._server is not None:
            raise RuntimeError("DemoFeedServer already started")
        # Bind first: the port (when 0) is only known then, and the records' image links need it.
        server = make_server(
            self.host,
            self._requested_port,
            self.wsgi_app,
            threaded=True,
            request_handler=_QuietRequestHandler,
        )
        self._server = server
        try:
            registry = metadata_registry()
            for museum_id, museum in self.museums.items():
                repo = MuseumRepository(museum, f"{self.base_url}/{museum_id}")
                if museum.lido_namespaced:
                    oai: ServerBase = BatchingServer(repo, registry, resumption_batch_size=self.batch_size)
                    errors = XMLTreeServer(BatchingResumption(repo, self.batch_size), registry)
                else:
                    oai = _PrefixedBatchingServer(repo, registry, resumption_batch_size=self.batch_size)
                    errors = _PrefixedTreeServer(BatchingResumption(repo, self.batch_size), registry)
                self._oai[museum_id] = oai
                self._errors[museum_id] = errors
        except BaseException:
            server.server_close()
            self._server = None
            raise
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="srom-demo-feeds", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> DemoFeedServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses -------------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("DemoFeedServer not started")
        return int(self._server.server_port)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def feed_url(self, museum_id: str) -> str:
        if museum_id not in self.museums:
            raise KeyError(museum_id)
        return f"{self.base_url}/{museum_id}/oai"

    def image_url(self, museum_id: str, filename: str) -> str:
        return f"{self.base_url}/{museum_id}/images/{filename}"

    # -- WSGI ------------------------------------------------------------------------------------------

    def wsgi_app(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        response = self._dispatch(request)
        return response(environ, start_response)

    def _dispatch(self, request: Request) -> Response:
        # PATH_INFO arrives percent-decoded: "..%2F" is already "../" here and splits into more parts.
        parts = request.path.strip("/").split("/") if request.path.strip("/") else []
        if not parts:
            return self._index()
        museum_id = parts[0]
        if museum_id not in self.museums:
            return Response("not found\n", status=404, mimetype="text/plain")
        if parts[1:] == ["oai"]:
            if request.method not in ("GET", "POST"):
                return Response(
                    "method not allowed\n", status=405, mimetype="text/plain", headers={"Allow": "GET, POST"}
                )
            return self._oai_response(museum_id, request)
        if len(parts) == 3 and parts[1] == "images":
            if request.method not in ("GET", "HEAD"):
                return Response(
                    "method not allowed\n", status=405, mimetype="text/plain", headers={"Allow": "GET, HEAD"}
                )
            return self._image(museum_id, parts[2])
        return Response("not found\n", status=404, mimetype="text/plain")

    def _index(self) -> Response:
        lines = [f"{m.id}\t{self.feed_url(m.id)}\t{m.metadata_format}" for m in self.museums.values()]
        return Response(
            "SROM demo museum feeds (OAI-PMH 2.0)\n" + "\n".join(lines) + "\n", mimetype="text/plain"
        )

    def _oai_response(self, museum_id: str, request: Request) -> Response:
        values = request.values  # query string and form body: OAI-PMH allows GET and POST
        args: dict[str, str] = {}
        repeated = [key for key in values if len(values.getlist(key)) > 1]
        if repeated:
            # OAI-PMH: a repeated argument is a badArgument; the oaipmh package only sees a dict.
            tree = self._errors[museum_id].handleException(
                error.BadArgumentError(f"Repeated argument: {', '.join(sorted(repeated))}")
            )
            body = etree.tostring(tree.getroot(), encoding="UTF-8", xml_declaration=True)
        else:
            args = {key: values[key] for key in values}
            body = self._oai[museum_id].handleRequest(args)
        return Response(body, mimetype="text/xml", content_type="text/xml; charset=utf-8")

    def _image(self, museum_id: str, name: str) -> Response:
        if not IMAGE_NAME.match(name):
            return Response("not found\n", status=404, mimetype="text/plain")
        images = self.museums[museum_id].images_dir.resolve()
        path = (images / name).resolve()
        if path.parent != images or not path.is_file():
            return Response("not found\n", status=404, mimetype="text/plain")
        content_type = IMAGE_TYPES[name.rsplit(".", 1)[1].lower()]
        return Response(
            path.read_bytes(),
            content_type=content_type,
            headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
        )
