"""The hub's profile of CRM (ontology/MODEL.md) for RDF-native records: what CRM RDF and Linked Art say,
said the hub's way.

CRM RDF from museums is valid CRM but not always in the shape the hub's pages and exhibitions query
(Linked Art's profile). This module adds, next to what the source wrote (never instead of it, except
where noted), the triples MODEL.md expects:

- titles: the object's ``rdfs:label`` (one per language) from its preferred names, and names
  (``P1``/``P102``) with ``P190`` content and a classification; a source label alone becomes a name;
- identifiers with ``P190`` content (sources often write only ``rdfs:label``); ``P48`` also as ``P1``;
- productions: ``P108i`` also for a production reached through ``P94i``; a production that has no
  time-span, place, actor or technique of its own gets those of its parts (``P9``), the British Museum
  way of splitting a production;
- time-spans: ``P82a``/``P82b`` as ``xsd:dateTime`` (from ``xsd:date``, years, or the span's label when
  the bounds are missing); contradictory bounds are dropped, the label kept. *Replaces* the source bounds;
- measurements: ``P90`` as ``xsd:decimal`` (*replaces*), and a readable label;
- images: ``{obj}/visual la:digitally_shown_by {obj}/image/{n}`` with ``la:access_point``, from
  Linked Art digital objects and from representations that are image files;
- the source's ``P50_has_current_keeper`` is written as ``P49`` (the keeper is the hub's museum).

Pure; only ``mappings.rdf.record_builder`` uses it.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from ontology.dates import parse_date_text, parse_iso_bound, span_bounds
from ontology.namespaces import AAT, CRM, LA, XSD
from ontology.ntriples import iri, literal

from ..errors import RecordError
from .concept_links import link_concepts
from .description import LABEL_PREDICATES, RDF_TYPE, RDFS_LABEL, Term, crm
from .linked_art_vocab import LANGUAGES
from .record_nodes import RecordNodes

PREFERRED = ox.NamedNode(AAT + "300404670")
ALTERNATE = AAT + "300417227"
RECORD_ID = AAT + "300404621"
DIGITAL_IMAGE = ox.NamedNode(AAT + "300215302")
P1, P2, P48, P102 = (crm(n) for n in ("P1_is_identified_by", "P2_has_type", "P48_has_preferred_identifier",
                                       "P102_has_title"))
P190, P3, P4, P9 = (crm(n) for n in ("P190_has_symbolic_content", "P3_has_note", "P4_has_time-span", "P9_consists_of"))
P82A, P82B, P81A, P81B = (crm(n) for n in ("P82a_begin_of_the_begin", "P82b_end_of_the_end",
                                           "P81a_end_of_the_begin", "P81b_begin_of_the_end"))
P90, P91, P43 = crm("P90_has_value"), crm("P91_has_unit"), crm("P43_has_dimension")
P108I, P94I, P138I = crm("P108i_was_produced_by"), crm("P94i_was_created_by"), crm("P138i_has_representation")
P65, P72 = crm("P65_shows_visual_item"), crm("P72_has_language")
LIFTED = tuple(crm(n) for n in ("P7_took_place_at", "P14_carried_out_by", "P32_used_general_technique",
                                "P126_employed"))
NAME_CLASSES = frozenset(crm(n) for n in ("E33_E41_Linguistic_Appellation", "E41_Appellation", "E35_Title"))
TEXT_CLASSES = NAME_CLASSES | {crm("E33_Linguistic_Object"), crm("E34_Inscription")}
E42, E52, E12 = crm("E42_Identifier"), crm("E52_Time-Span"), crm("E12_Production")
DIGITAL = frozenset({ox.NamedNode(LA.DigitalObject), ox.NamedNode("http://www.ics.forth.gr/isl/CRMdig/D1_Digital_Object")})
ACCESS_POINT = ox.NamedNode(LA.access_point)
SHOWN_BY = ox.NamedNode(LA.digitally_shown_by)
FORMAT = ox.NamedNode("http://purl.org/dc/elements/1.1/format")
STRING = XSD.string
PARTS = frozenset({crm("E24_Physical_Human-Made_Thing"), crm("E22_Human-Made_Object")})
AVAILABLE_VIA = str(LA) + "digitally_available_via"
CONFORMS_TO = "http://purl.org/dc/terms/conformsTo"
IIIF_IMAGE_API = "http://iiif.io/api/image"
_IIIF_IMAGE_BASE = re.compile(r"/iiif/(?:image/)?(?:v?[23](?:\.\d)?/)?[^/.]+$", re.IGNORECASE)
_IMAGE_FILE = re.compile(r"\.(jpe?g|png|gif|tiff?|webp|jp2)(\?.*)?$|/full/[^/]+/\d+/\w+\.\w+$", re.IGNORECASE)
_BOUNDS = {P82A: False, P82B: True, P81A: True, P81B: False}  # predicate -> "is an end bound"


class ModelProfile:
    """What MODEL.md expects of one record, added to (and, where noted, replacing) what the source wrote."""

    def __init__(self, nodes: RecordNodes) -> None:
        self.s = nodes
        self.desc = nodes.desc
        self.title: str | None = None
        self.identifier: str | None = None
        self.names: list[Term] = []
        self.preferred: list[Term] = []
        self.identifiers: list[Term] = []
        self.spans: dict[Term, tuple[str | None, str | None]] = {}
        #: what productions got from their parts (``_productions``), reconciled like their own
        self.lifted: dict[Term, list[tuple[ox.NamedNode, Term]]] = {}
        self.unmatched: list[tuple[str, str, str | None]] = []

    # --- reading the source -------------------------------------------------------------------
    def out(self, node: Term, p: ox.NamedNode) -> list[Term]:
        return [o for q, o in self.desc.by_subject.get(node, ()) if q == p]

    def types(self, node: Term) -> set[ox.NamedNode]:
        return self.desc.types.get(node, set())

    def texts(self, node: Term, *predicates: ox.NamedNode) -> list[ox.Literal]:
        return [o for p in predicates for o in self.out(node, p) if isinstance(o, ox.Literal) and o.value.strip()]

    def prepare(self) -> None:
        obj = self.s.obj
        owned = set(self.s.owned)
        for p in (P1, P102):
            for node in self.out(obj, p):
                if node in owned and self.types(node) & NAME_CLASSES and E42 not in self.types(node):
                    self.names.append(node)
                elif node in owned and E42 in self.types(node):
                    self.identifiers.append(node)
        self.identifiers += [n for n in self.out(obj, P48) if n in owned and n not in self.identifiers]
        self.preferred = [n for n in self.names if PREFERRED in self.out(n, P2)] or self._first_per_language()
        for node in self.s.owned:
            if E52 in self.types(node):
                self.spans[node] = self._span(node)

    def _name_key(self, node: Term) -> tuple[str, str]:
        # Names in an order that does not depend on the order the triples came in.
        texts = self.texts(node, P190) or self.texts(node, RDFS_LABEL)
        return (texts[0].value if texts else "", node.value if isinstance(node, ox.NamedNode) else "")

    def _first_per_language(self) -> list[Term]:
        # No name says it is the preferred one: take one per language (titles of the British Museum kind
        # are one title in several languages).
        chosen: dict[str | None, Term] = {}
        for node in sorted(self.names, key=self._name_key):
            texts = [self.literal(node, P190, t) or t for t in self.texts(node, P190) or self.texts(node, RDFS_LABEL)]
            chosen.setdefault(texts[0].language or None if texts else None, node)
        return list(chosen.values())

    def _span(self, node: Term) -> tuple[str | None, str | None]:
        begin = next((b for o in self.texts(node, P82A) if (b := parse_iso_bound(o.value, end=False))), None)
        end = next((e for o in self.texts(node, P82B) if (e := parse_iso_bound(o.value, end=True))), None)
        if begin is None or end is None:
            for text in self._span_labels(node):
                span = parse_date_text(text.value)
                if span is not None:
                    b, e = span_bounds(span)
                    begin, end = begin or b, end or e
                    break
        if begin and end and _key(begin) > _key(end):
            return None, None  # contradictory: keep the label, drop the machine-readable span
        return begin, end

    def _span_labels(self, node: Term) -> list[ox.Literal]:
        labels = self.texts(node, RDFS_LABEL)
        for name in self.out(node, P1):
            labels += self.texts(name, P190, RDFS_LABEL)
        return labels + self.texts(node, P3)

    # --- filtering what the source wrote -------------------------------------------------------
    def skip(self, node: Term, p: ox.NamedNode, o: Term) -> bool:
        if node == self.s.obj and p == RDFS_LABEL and self.names:
            return True  # the object's labels come from its preferred names
        return node in self.spans and p in (P82A, P82B)

    def literal(self, node: Term, p: ox.NamedNode, o: ox.Literal) -> ox.Literal | None:
        if p == P90:
            number = _decimal(o.value)
            return ox.Literal(number, datatype=ox.NamedNode(XSD.decimal)) if number is not None else o
        if p in _BOUNDS:
            bound = parse_iso_bound(o.value, end=_BOUNDS[p])
            return ox.Literal(bound, datatype=ox.NamedNode(XSD.dateTime)) if bound else None
        if not o.language and o.datatype.value == STRING and p in (P190, RDFS_LABEL) and self.out(node, P72):
            # Linked Art states a text's language as a link to an AAT language concept (crm:P72).
            for language in self.out(node, P72):
                code = LANGUAGES.get(language.value.rsplit("/", 1)[-1]) if isinstance(language, ox.NamedNode) else None
                if code:
                    return ox.Literal(o.value, language=code)
        lang = self.s.ctx.default_language
        if (
            lang
            and not o.language
            and o.datatype.value == STRING
            and p in (P190, RDFS_LABEL)
            and (node == self.s.obj or self.types(node) & TEXT_CLASSES)
        ):
            return ox.Literal(o.value, language=lang)
        return o

    # --- adding the MODEL.md shape -------------------------------------------------------------
    def finish(self) -> None:
        self._titles()
        self._identifiers()
        self._spans()
        self._productions()
        self._images()
        self._dimensions()
        labels = {span: self._span_labels(span) for span in self.spans}
        self.unmatched = link_concepts(self.s, labels, self.lifted)

    def _lit(self, node: Term, o: ox.Literal) -> str:
        fixed = self.literal(node, P190, o) or o
        return self.s.term(fixed)

    def _titles(self) -> None:
        s, obj = self.s, self.s.hub_term
        a = iri(RDF_TYPE.value)
        if not self.names:
            labels = self.texts(self.s.obj, RDFS_LABEL)
            if labels:
                name = iri(f"{self.s.hub}/name/label")
                s.add(obj, iri(P1.value), name)
                s.add(name, a, iri(CRM.E33_E41_Linguistic_Appellation))
                s.add(name, iri(P2.value), iri(PREFERRED.value))
                for text in labels:
                    s.add(name, iri(P190.value), self._lit(self.s.obj, text))
                self.title = labels[0].value
            return
        langs: set[str | None] = set()
        for node in sorted(self.names, key=self._name_key):
            term = s.term(node)
            s.add(obj, iri(P1.value), term)  # titles reached through P102 too: pages read P1
            contents = self.texts(node, P190) or self.texts(node, RDFS_LABEL)
            if not self.texts(node, P190):
                for text in contents:
                    s.add(term, iri(P190.value), self._lit(node, text))
            if node in self.preferred:
                s.add(term, iri(P2.value), iri(PREFERRED.value))
                for text in contents:
                    fixed = self.literal(node, P190, text) or text
                    if fixed.language not in langs:
                        langs.add(fixed.language)
                        s.add(obj, iri(RDFS_LABEL.value), s.term(fixed))
                        self.title = self.title or text.value
            elif not self.out(node, P2):
                s.add(term, iri(P2.value), iri(ALTERNATE))

    def _identifiers(self) -> None:
        s = self.s
        # The source record's own id, as the XML mappings write it (aat:300404621): every object has one.
        record_id = iri(f"{s.hub}/identifier/source")
        s.add(s.hub_term, iri(P1.value), record_id)
        s.add(record_id, iri(RDF_TYPE.value), iri(E42.value))
        s.add(record_id, iri(P190.value), literal(s.source_id))
        s.add(record_id, iri(P2.value), iri(RECORD_ID))
        for node in self.identifiers:
            term = s.term(node)
            s.add(s.hub_term, iri(P1.value), term)
            contents = self.texts(node, P190)
            if not contents:
                contents = self.texts(node, RDFS_LABEL)
                for text in contents:
                    s.add(term, iri(P190.value), s.term(ox.Literal(text.value)))
            if contents:
                self.identifier = self.identifier or contents[0].value
        if self.title is None and self.identifier is None:
            raise RecordError(s.source_id, "record has neither a title nor an identifier")

    def _spans(self) -> None:
        s = self.s
        for node, (begin, end) in self.spans.items():
            term = s.term(node)
            if not self.texts(node, RDFS_LABEL):
                for text in self._span_labels(node)[:1]:
                    s.add(term, iri(RDFS_LABEL.value), s.term(text))
            if begin:
                s.add(term, iri(P82A.value), literal(begin, datatype=XSD.dateTime))
            if end:
                s.add(term, iri(P82B.value), literal(end, datatype=XSD.dateTime))

    def _productions(self) -> None:
        s = self.s
        productions = [n for n in self.out(s.obj, P108I) if n in s.names]
        for node in self.out(s.obj, P94I):
            if node in s.names and E12 in self.types(node) and node not in productions:
                s.add(s.hub_term, iri(P108I.value), s.term(node))
                productions.append(node)
        for node in productions:
            parts = [c for c in self.out(node, P9) if c in s.names]
            if not parts:
                continue
            term = s.term(node)
            if not self.out(node, P4):
                spans = [t for c in parts for t in self.out(c, P4) if t in self.spans]
                if len(spans) == 1:
                    s.add(term, iri(P4.value), s.term(spans[0]))
                elif spans:
                    self._combined_span(term, spans)
            for p in LIFTED:
                if not self.out(node, p):
                    for child in parts:
                        for value in self.out(child, p):
                            s.add(term, iri(p.value), s.term(value))
                            self.lifted.setdefault(node, []).append((p, value))

    def _combined_span(self, production: str, spans: list[Term]) -> None:
        s = self.s
        bounds = [self.spans[t] for t in spans]
        begins = [b for b, _ in bounds if b]
        ends = [e for _, e in bounds if e]
        node = iri(production[1:-1] + "/timespan")
        s.add(production, iri(P4.value), node)
        s.add(node, iri(RDF_TYPE.value), iri(E52.value))
        labels = dict.fromkeys(t.value for span in spans for t in self._span_labels(span)[:1])
        if labels:
            s.add(node, iri(RDFS_LABEL.value), literal("; ".join(labels)))
        if begins:
            s.add(node, iri(P82A.value), literal(min(begins, key=_key), datatype=XSD.dateTime))
        if ends:
            s.add(node, iri(P82B.value), literal(max(ends, key=_key), datatype=XSD.dateTime))

    def _images(self) -> None:
        s = self.s
        urls: dict[str, str | None] = {}  # image URL -> its IIIF Image API base, when it came from one
        for node in self.desc.by_subject:
            if self.types(node) & DIGITAL and self._is_image(node):
                for point in self.out(node, ACCESS_POINT):
                    if isinstance(point, ox.NamedNode):
                        urls.setdefault(point.value, None)
        holders = [s.obj] + [n for n in s.owned if self.types(n) & PARTS]
        for rep in (r for holder in holders for r in self.out(holder, P138I)):
            if not isinstance(rep, ox.NamedNode) or self.out(rep, SHOWN_BY):
                continue
            if _IIIF_IMAGE_BASE.search(rep.value) and not self.texts(rep, FORMAT):
                # A IIIF Image API base (older Linked Art): the full image, and the service for deep zoom.
                urls.setdefault(rep.value.rstrip("/") + "/full/max/0/default.jpg", rep.value.rstrip("/"))
            elif self._is_image(rep, rep.value):
                urls.setdefault(rep.value, None)
        if not urls:
            return
        visual = iri(f"{s.hub}/visual")
        s.add(s.hub_term, iri(P65.value), visual)
        s.add(visual, iri(RDF_TYPE.value), iri(CRM.E36_Visual_Item))
        for n, (url, service) in enumerate(urls.items(), 1):
            image = iri(f"{s.hub}/image/{n}")
            s.add(visual, iri(SHOWN_BY.value), image)
            s.add(image, iri(RDF_TYPE.value), iri(LA.DigitalObject))
            s.add(image, iri(P2.value), iri(DIGITAL_IMAGE.value))
            s.add(image, iri(ACCESS_POINT.value), iri(url))
            if service:
                service_node = iri(f"{s.hub}/image/{n}/service")
                s.add(image, iri(AVAILABLE_VIA), service_node)
                s.add(service_node, iri(RDF_TYPE.value), iri(LA.DigitalService))
                s.add(service_node, iri(ACCESS_POINT.value), iri(service))
                s.add(service_node, iri(CONFORMS_TO), iri(IIIF_IMAGE_API))

    def _is_image(self, node: Term, url: str | None = None) -> bool:
        formats = [f.value for f in self.texts(node, FORMAT)]
        if formats:
            return any(f.startswith("image/") for f in formats)
        if DIGITAL_IMAGE in self.out(node, P2):
            return True
        return url is None or bool(_IMAGE_FILE.search(url))

    def _dimensions(self) -> None:
        s = self.s
        for node in self.out(s.obj, P43):
            if node not in s.names or self.texts(node, RDFS_LABEL):
                continue
            values = [v for o in self.texts(node, P90) if (v := _decimal(o.value)) is not None]
            if not values:
                continue
            kind = next((self._label(t) for t in self.out(node, P2) if self._label(t)), "")
            unit = next((self._label(u) for u in self.out(node, P91) if self._label(u)), "")
            text = " ".join(w for w in (kind, values[0], unit) if w)
            s.add(s.term(node), iri(RDFS_LABEL.value), literal(text))

    def _label(self, node: Term) -> str:
        labels = [o for p, o in self.desc.by_subject.get(node, ()) if p in LABEL_PREDICATES]
        return labels[0].value if labels and isinstance(labels[0], ox.Literal) else ""


def _decimal(text: str) -> str | None:
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite():
        return None
    out = format(value, "f")
    return out.rstrip("0").rstrip(".") if "." in out else out


def _key(value: str) -> tuple[int, str]:
    body = value[1:] if value.startswith("-") else value
    year, rest = body.split("-", 1)
    return (-int(year) if value.startswith("-") else int(year), rest)
