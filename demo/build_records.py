"""Generate the demo museums' records (``records.xml``) and pictures (``images/*.svg``) from the facts.

This module owns the *writing* of the bundled demo data. Its inputs are the hand-written
``museums/<id>/museum.toml`` files and the data read by ``facts.py`` (the facts table,
``data/objects/<id>.toml``) and ``vocab.py`` (the shared vocabulary, ``data/vocabulary.toml`` and
``data/places.toml``); its outputs, committed next to them, are what the demo feeds serve
(``feeds.py`` reads the XML, never this module). Output is deterministic: running it twice gives
byte-identical files, so a diff shows exactly what a facts change did.

    .venv/bin/python -m demo.build_records          # rewrite every museum
    .venv/bin/python -m demo.build_records --check  # exit 1 if the committed files are stale

Formats, one per museum, deliberately different (the hub must cope with each):

- ``hz-silk``: LIDO 1.1, ``lido:`` prefixed, in a ``lido:lidoWrap``;
- ``xa-history``: LIDO 1.0, ``lido:`` prefixed;
- ``sam-afrosiab``: LIDO 1.0 with every namespace stripped (a bare ``<lidoWrap>`` with unprefixed
  ``type``/``pref`` attributes and a bare ``<gml><Point><pos>``), as some aggregators deliver it;
- ``koeln-glass``: simple Dublin Core (``oai_dc:dc``) records, kept in a small container
  ``<demo:records>`` whose ``<demo:record identifier=... datestamp=... setSpec=... setName=...>``
  carry what OAI-PMH needs and Dublin Core has no field for.

For LIDO the OAI datestamp is ``recordInfoSet/recordMetadataDate``, the local identifier is
``lidoRecID`` and the OAI set is the collection section (``classification[@type='collection section']``,
its ``conceptID`` the setSpec, its first term the setName). Image links are written as
``@MUSEUM_BASE@/images/<file>``: the feed server replaces ``@MUSEUM_BASE@`` with its own URL for
the museum, since it stands in for the museum's web server.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from datetime import timedelta
from pathlib import Path

from lxml import etree

from demo.drawings import draw
from demo.facts import FIRST_DATESTAMP, MUSEUM_OBJECTS, Obj
from demo.vocab import CATEGORY_NAMES, DIMENSION_NAMES, EVENT_PRODUCTION, PLACES, TERMS, Term

MUSEUMS_DIR = Path(__file__).resolve().parent / "museums"
MUSEUM_BASE = "@MUSEUM_BASE@"

LIDO_NS = "http://www.lido-schema.org"
GML_NS = "http://www.opengis.net/gml"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
DEMO_NS = "https://example.org/srom/demo-records#"

LIDO_SCHEMA = {
    "1.0": "http://www.lido-schema.org/schema/v1.0/lido-v1.0.xsd",
    "1.1": "http://www.lido-schema.org/schema/v1.1/lido-v1.1.xsd",
}


def load_museum_config(museum_dir: Path) -> dict:
    with (museum_dir / "museum.toml").open("rb") as f:
        return tomllib.load(f)


def record_id(cfg: dict, n: int) -> str:
    return f"{cfg['record_prefix']}-{n:04d}"


def datestamp(museum_id: str, n: int) -> str:
    # Record n is stamped a few days after record n-1 (from the museum's fixed first datestamp in its
    # facts file: the feed must not change by itself), so that OAI `from`/`until` select real subsets.
    # Uneven steps (5-8 days, a few hours) so that datestamps do not line up across museums.
    first = FIRST_DATESTAMP[museum_id]
    stamp = first + timedelta(days=5 * (n - 1) + (n * 7) % 4, hours=(n * 5) % 9)
    return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")


def year_text(year: int) -> str:
    """ISO 8601 year as LIDO earliestDate/latestDate expect it: 4 digits, BCE negative ("-0206")."""
    return f"-{abs(year):04d}" if year < 0 else f"{year:04d}"


def parse_dims(spec: str) -> list[tuple[str, str, str]]:
    """``"h=24,w=18.5,wt=4g"`` -> ``[("h", "24", "cm"), ("w", "18.5", "cm"), ("wt", "4", "g")]``."""
    out = []
    for part in spec.split(","):
        key, value = part.split("=")
        unit = "cm"
        for suffix in ("mm", "g"):
            if value.endswith(suffix):
                value, unit = value[: -len(suffix)], suffix
        out.append((key.strip(), value.strip(), unit))
    return out


def display_dims(dims: list[tuple[str, str, str]]) -> str:
    return ", ".join(f"{DIMENSION_NAMES[k]['abbr']} {v} {u}" for k, v, u in dims)


def terms(keys: str) -> list[Term]:
    return [TERMS[k] for k in keys.split("|") if k]


def term_langs(cfg: dict) -> list[str]:
    """Languages a museum writes its terms in: all of its languages (English last)."""
    return list(cfg["languages"])


def has_label(labels: dict[str, str], lang: str, primary: str) -> bool:
    # The cataloguing language and English are always written (falling back if need be); a further
    # language (Uzbek in Samarkand) only where the museum has a real label for it.
    return lang in (primary, "en") or lang in labels


# --------------------------------------------------------------------------------------------------
# LIDO


class LidoWriter:
    """Writes one museum's LIDO, namespaced (1.0 or 1.1) or namespace-less."""

    def __init__(self, cfg: dict) -> None:
        self.cfg = cfg
        self.version: str = cfg["lido_version"]
        self.namespaced: bool = cfg.get("lido_namespaced", True)
        self.ns = f"{{{LIDO_NS}}}" if self.namespaced else ""
        self.gml = f"{{{GML_NS}}}" if self.namespaced else ""
        self.langs: list[str] = cfg["languages"]
        self.tlangs = term_langs(cfg)
        self.name_local = cfg["names"].get(self.langs[0]) or cfg["names"]["en"]

    def el(
        self,
        parent: etree._Element | None,
        name: str,
        text: str | None = None,
        lang: str | None = None,
        **attrs: str,
    ) -> etree._Element:
        tag = self.ns + name
        node = etree.Element(tag) if parent is None else etree.SubElement(parent, tag)
        for key, value in attrs.items():
            node.set(self.ns + key, value)  # LIDO attributes are qualified (lido:type) when namespaced
        if lang:
            node.set(XML_LANG, lang)
        if text is not None:
            node.text = text
        return node

    def concept(self, parent: etree._Element, name: str, term: Term, **attrs: str) -> etree._Element:
        node = self.el(parent, name, **attrs)
        if term.uri:
            self.el(node, "conceptID", term.uri, type="URI", source="AAT")
        for lang in self.tlangs:
            if has_label(term.labels, lang, self.tlangs[0]):
                self.el(node, "term", term.label(lang), lang=lang)
        return node

    def wrap(self) -> etree._Element:
        if self.namespaced:
            nsmap = {"lido": LIDO_NS, "gml": GML_NS, "xsi": XSI_NS}
            root = etree.Element(f"{{{LIDO_NS}}}lidoWrap", nsmap=nsmap)
            root.set(f"{{{XSI_NS}}}schemaLocation", f"{LIDO_NS} {LIDO_SCHEMA[self.version]}")
        else:
            # Stripped delivery: the schemaLocation survives as a plain attribute, as in real dumps.
            root = etree.Element("lidoWrap")
            root.set("schemaLocation", f"{LIDO_NS} {LIDO_SCHEMA[self.version]}")
        return root

    def record(self, n: int, obj: Obj) -> etree._Element:
        cfg, rid = self.cfg, record_id(self.cfg, n)
        lido = self.el(None, "lido")
        self.el(lido, "lidoRecID", rid, type="local", source=cfg["names"]["en"])
        category = self.el(lido, "category")
        self.el(category, "conceptID", "http://www.cidoc-crm.org/cidoc-crm/E22_Human-Made_Object", type="URI")
        self.el(category, "term", "Human-Made Object", lang="en")

        desc = self.el(lido, "descriptiveMetadata", lang=self.langs[0])
        classification = self.el(desc, "objectClassificationWrap")
        self.concept(self.el(classification, "objectWorkTypeWrap"), "objectWorkType", TERMS[obj.kind])
        cls = self.el(
            self.el(classification, "classificationWrap"), "classification", type="collection section"
        )
        # The section key doubles as the OAI setSpec of the record (feeds.py reads it from here).
        self.el(cls, "conceptID", obj.cat, type="local", source=f"{cfg['id']} collection sections")
        for lang in self.tlangs:
            if has_label(CATEGORY_NAMES[obj.cat], lang, self.tlangs[0]):
                self.el(
                    cls, "term", CATEGORY_NAMES[obj.cat].get(lang, CATEGORY_NAMES[obj.cat]["en"]), lang=lang
                )

        ident = self.el(desc, "objectIdentificationWrap")
        title_set = self.el(self.el(ident, "titleWrap"), "titleSet")
        for lang, title in zip(self.langs, obj.titles, strict=True):
            self.el(title_set, "appellationValue", title, lang=lang, pref="preferred")
        repo = self.el(self.el(ident, "repositoryWrap"), "repositorySet", type="current")
        legal = self.el(self.el(repo, "repositoryName"), "legalBodyName")
        for lang in self.langs:
            if lang in cfg["names"]:
                self.el(legal, "appellationValue", cfg["names"][lang], lang=lang)
        self.el(repo, "workID", obj.inv, type="inventory number")
        note = self.el(self.el(ident, "objectDescriptionWrap"), "objectDescriptionSet", type="description")
        self.el(note, "descriptiveNoteValue", obj.desc, lang="en")
        dims = parse_dims(obj.dims)
        mset = self.el(self.el(ident, "objectMeasurementsWrap"), "objectMeasurementsSet")
        self.el(mset, "displayObjectMeasurements", display_dims(dims), lang="en")
        measurements = self.el(mset, "objectMeasurements")
        for key, value, unit in dims:
            ms = self.el(measurements, "measurementsSet")
            if self.version == "1.1":  # 1.1 makes type and unit concepts (conceptID/term)
                self.el(self.el(ms, "measurementType"), "term", DIMENSION_NAMES[key]["en"], lang="en")
                self.el(self.el(ms, "measurementUnit"), "term", unit, lang="en")
            else:
                self.el(ms, "measurementType", DIMENSION_NAMES[key]["en"], lang="en")
                self.el(ms, "measurementUnit", unit, lang="en")
            self.el(ms, "measurementValue", value)

        event = self.el(self.el(self.el(desc, "eventWrap"), "eventSet"), "event")
        event_type = self.el(event, "eventType")
        for lang in self.tlangs:
            if lang in EVENT_PRODUCTION:
                self.el(event_type, "term", EVENT_PRODUCTION[lang], lang=lang)
        local_date, en_date, earliest, latest = obj.date
        event_date = self.el(event, "eventDate")
        if self.tlangs[0] != "en":  # display dates are written in the cataloguing language and English
            self.el(event_date, "displayDate", local_date, lang=self.tlangs[0])
        self.el(event_date, "displayDate", en_date, lang="en")
        date = self.el(event_date, "date")
        self.el(date, "earliestDate", year_text(earliest))
        self.el(date, "latestDate", year_text(latest))
        self.place(self.el(event, "eventPlace"), obj.place)
        mt = self.el(self.el(event, "eventMaterialsTech"), "materialsTech")
        for term in terms(obj.mats):
            self.concept(mt, "termMaterialsTech", term, type="material")
        for term in terms(obj.techs):
            self.concept(mt, "termMaterialsTech", term, type="technique")

        if obj.subj:
            relation = self.el(desc, "objectRelationWrap")
            subject = self.el(
                self.el(self.el(relation, "subjectWrap"), "subjectSet"), "subject", type="description"
            )
            for term in terms(obj.subj):
                self.concept(subject, "subjectConcept", term)

        self.admin(lido, rid, n, obj)
        return lido

    def place(self, event_place: etree._Element, key: str) -> None:
        place = PLACES[key]
        node = self.el(event_place, "place")
        names = self.el(node, "namePlaceSet")
        for lang in self.tlangs:
            if has_label(place.labels, lang, self.tlangs[0]):
                self.el(names, "appellationValue", place.label(lang), lang=lang)
        # GML pos in EPSG:4326 axis order: latitude first.
        gml = self.el(node, "gml")
        point = etree.SubElement(gml, self.gml + "Point")
        etree.SubElement(point, self.gml + "pos").text = f"{place.lat} {place.lon}"
        country = self.el(node, "partOfPlace", politicalEntity="nation")
        cnames = self.el(country, "namePlaceSet")
        for lang in self.tlangs:
            if has_label(place.country, lang, self.tlangs[0]):
                self.el(cnames, "appellationValue", place.country.get(lang, place.country["en"]), lang=lang)

    def admin(self, lido: etree._Element, rid: str, n: int, obj: Obj) -> None:
        cfg = self.cfg
        admin = self.el(lido, "administrativeMetadata", lang=self.langs[0])
        rights = self.el(self.el(admin, "rightsWorkWrap"), "rightsWorkSet")
        self.licence(rights)
        self.el(rights, "creditLine", cfg["attribution"])
        rec = self.el(admin, "recordWrap")
        self.el(rec, "recordID", rid, type="local")
        self.el(self.el(rec, "recordType"), "term", "item", lang="en")
        self.legal_body(self.el(rec, "recordSource"))
        record_rights = self.el(rec, "recordRights")
        self.licence(record_rights)
        info = self.el(rec, "recordInfoSet")
        self.el(info, "recordInfoLink", f"{cfg['homepage']}object/{rid}", formatResource="text/html")
        self.el(info, "recordMetadataDate", datestamp(cfg["id"], n), type="modified")
        res = self.el(self.el(admin, "resourceWrap"), "resourceSet")
        self.el(res, "resourceID", f"{rid}.svg", type="local")
        rep = self.el(res, "resourceRepresentation", type="image_master")
        self.el(rep, "linkResource", f"{MUSEUM_BASE}/images/{rid}.svg", formatResource="image/svg+xml")
        self.el(self.el(res, "resourceType"), "term", "drawing (demo placeholder image)", lang="en")
        self.el(res, "resourceDescription", f"Drawing of the object type: {obj.titles[-1]}", lang="en")
        rr = self.el(res, "rightsResource")
        self.licence(rr)
        self.el(rr, "creditLine", cfg["attribution"])

    def licence(self, parent: etree._Element) -> None:
        rights_type = self.el(parent, "rightsType")
        self.el(rights_type, "conceptID", self.cfg["licence_uri"], type="URI")
        self.el(rights_type, "term", self.cfg["licence"], lang="en")
        holder = self.el(parent, "rightsHolder")
        self.legal_body(holder)

    def legal_body(self, parent: etree._Element) -> None:
        name = self.el(parent, "legalBodyName")
        for lang in self.langs:
            if lang in self.cfg["names"]:
                self.el(name, "appellationValue", self.cfg["names"][lang], lang=lang)
        self.el(parent, "legalBodyWeblink", self.cfg["homepage"])


# --------------------------------------------------------------------------------------------------
# Simple Dublin Core


def dc_year_range(earliest: int, latest: int) -> str:
    """Machine-readable production dates as text: "618-907 CE", "206 BCE-8 CE", "1500 CE"."""

    def era(y: int) -> str:
        return f"{abs(y)} BCE" if y < 0 else f"{y} CE"

    if earliest == latest:
        return era(earliest)
    first = str(abs(earliest)) + (" BCE" if earliest < 0 and latest >= 0 else "")
    return f"{first}-{era(latest)}"


def dc_record(cfg: dict, n: int, obj: Obj) -> etree._Element:
    rid = record_id(cfg, n)
    section = CATEGORY_NAMES[obj.cat]
    container = etree.Element(
        f"{{{DEMO_NS}}}record",
        identifier=rid,
        datestamp=datestamp(cfg["id"], n),
        setSpec=obj.cat,
        setName=section.get(cfg["languages"][0], section["en"]),
    )
    dc = etree.SubElement(
        container, f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI_NS}
    )
    dc.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_DC_NS} http://www.openarchives.org/OAI/2.0/oai_dc.xsd")
    langs, tlangs = cfg["languages"], term_langs(cfg)

    def add(name: str, text: str, lang: str | None = None) -> None:
        node = etree.SubElement(dc, f"{{{DC_NS}}}{name}")
        node.text = text
        if lang:
            node.set(XML_LANG, lang)

    for lang, title in zip(langs, obj.titles, strict=True):
        add("title", title, lang)
    kind = TERMS[obj.kind]
    for lang in tlangs:
        if has_label(kind.labels, lang, tlangs[0]):
            add("type", kind.label(lang), lang)
    if kind.uri:
        add("type", kind.uri)
    add("type", "PhysicalObject")  # DCMI Type vocabulary
    for term in terms(obj.subj):
        for lang in tlangs:
            if has_label(term.labels, lang, tlangs[0]):
                add("subject", term.label(lang), lang)
    add("description", obj.desc, "en")
    techniques = terms(obj.techs)
    if techniques:
        add("description", "Technik: " + ", ".join(t.label("de") for t in techniques), "de")
        add("description", "Technique: " + ", ".join(t.label("en") for t in techniques), "en")
    add("publisher", cfg["names"][langs[0]], langs[0])
    local_date, en_date, earliest, latest = obj.date
    add("date", dc_year_range(earliest, latest))  # first: the one a harvester should parse
    add("date", local_date, langs[0])
    add("date", en_date, "en")
    for term in terms(obj.mats):
        for lang in tlangs:
            if has_label(term.labels, lang, tlangs[0]):
                add("format", term.label(lang), lang)
    add("format", display_dims(parse_dims(obj.dims)), "en")
    add("identifier", obj.inv)
    add("identifier", f"{cfg['homepage']}object/{rid}")
    place = PLACES[obj.place]
    for lang in tlangs:
        if has_label(place.labels, lang, tlangs[0]):
            add("coverage", place.label(lang), lang)
    # DCMI Point encoding scheme: the place's coordinates in a form Dublin Core consumers know.
    add("coverage", f"name={place.label('en')}; east={place.lon}; north={place.lat}")
    add("relation", f"{MUSEUM_BASE}/images/{rid}.svg")
    add("rights", cfg["licence_uri"])
    add("rights", cfg["attribution"], langs[0])
    return container


# --------------------------------------------------------------------------------------------------


def build_museum(museum_dir: Path) -> dict[Path, bytes]:
    """All files of one museum (records.xml and images), as path -> bytes."""
    cfg = load_museum_config(museum_dir)
    objects = MUSEUM_OBJECTS[cfg["id"]]
    files: dict[Path, bytes] = {}
    if cfg["metadata_format"] == "lido":
        writer = LidoWriter(cfg)
        root = writer.wrap()
        for n, obj in enumerate(objects, start=1):
            root.append(writer.record(n, obj))
    else:
        root = etree.Element(f"{{{DEMO_NS}}}records", nsmap={"demo": DEMO_NS})
        for n, obj in enumerate(objects, start=1):
            root.append(dc_record(cfg, n, obj))
    etree.indent(root, space="  ")
    files[museum_dir / "records.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"
    for n, obj in enumerate(objects, start=1):
        svg = draw(obj.pic, cfg["id"], obj.titles[-1])
        files[museum_dir / "images" / f"{record_id(cfg, n)}.svg"] = svg.encode("utf-8")
    return files


def build_all(root: Path = MUSEUMS_DIR) -> dict[Path, bytes]:
    files: dict[Path, bytes] = {}
    for museum_dir in sorted(p for p in root.iterdir() if (p / "museum.toml").exists()):
        files.update(build_museum(museum_dir))
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if the committed files differ")
    args = parser.parse_args(argv)
    files = build_all()
    stale = [p for p, data in files.items() if not p.exists() or p.read_bytes() != data]
    # Images of objects that no longer exist are stale too.
    for images in MUSEUMS_DIR.glob("*/images"):
        stale += [p for p in images.glob("*.svg") if p not in files]
    if args.check:
        for p in stale:
            print(f"stale: {p.relative_to(MUSEUMS_DIR)}", file=sys.stderr)
        return 1 if stale else 0
    for p in stale:
        if p in files:
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(files[p])
        else:
            p.unlink()
    print(f"{len(files)} files, {len(stale)} written or removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
