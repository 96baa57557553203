"""The targets a mapping rule fills: the nodes of ontology/MODEL.md, written as N-Triples for one record.

A mapping file says *where* a value is (paths) and *which* node of the model it fills (its ``target``);
this module is the table of targets (:data:`TARGETS`: what each accepts) and their handlers, the only
place that knows what each node looks like in CRM: classes, properties, the minted sub-node paths
(``{obj}/name/{n}``, ``{obj}/production/timespan``...) and the Getty AAT classifications Linked Art uses.
It is format-agnostic: no LIDO or Dublin Core name appears here.

Every triple goes through ``ontology.ntriples`` and every node is an IRI, so output is safe and
deterministic: nodes are numbered in document order, and duplicate lines are dropped while keeping the
first occurrence's position.
"""

from __future__ import annotations

import re

from ontology.dates import parse_date_text, parse_iso_bound, span_bounds
from ontology.namespaces import XSD
from ontology.ntriples import iri, literal

from .emit import (
    ACCESS_POINT,
    CRMT,
    DIGITAL_IMAGE,
    DIGITAL_OBJECT,
    HTTP_URI,
    LABEL,
    SHOWN_BY,
    A,
    Node,
    State,
    Term,
    cached_iri,
    cached_literal,
)
from .measurements import DIMENSIONS, UNITS, Measurement, UnreadStatement, read_statement
from .rules import Rule, Target
from .terms import read_term, write_term
from .xpaths import Value

_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")

# (property from the subject, class of the term, local-term kind); material always hangs on the object.
TERM_TARGETS: dict[str, tuple[str, str, str]] = {
    "classification": (CRMT["P2_has_type"], CRMT["E55_Type"], "type"),
    "type": (CRMT["P2_has_type"], CRMT["E55_Type"], "type"),
    "material": (CRMT["P45_consists_of"], CRMT["E57_Material"], "material"),
    "technique": (CRMT["P32_used_general_technique"], CRMT["E55_Type"], "technique"),
    "place": (CRMT["P7_took_place_at"], CRMT["E53_Place"], "place"),
    "actor": (CRMT["P14_carried_out_by"], CRMT["E39_Actor"], "actor"),
    "unit": (CRMT["P91_has_unit"], CRMT["E58_Measurement_Unit"], "unit"),
}


def h_term(rule: Rule, matches: list, st: State, subject: Node) -> None:
    prop, cls, kind = TERM_TARGETS[rule.target_name]
    if rule.target_name == "material":
        subject = st.obj
    for el in matches:
        term = read_term(rule, el, st, kind)
        if term is not None:
            st.add(subject.term, prop, term.node.term)
            write_term(st, term, cls)


def h_subject(rule: Rule, matches: list, st: State, subject: Node) -> None:
    cls = rule.c.get("class", CRMT["E55_Type"])
    for el in matches:
        term = read_term(rule, el, st, "subject")
        if term is not None:
            st.add(st.visual().term, CRMT["P129_is_about"], term.node.term)
            write_term(st, term, cls)


# --- names, identifiers, texts -----------------------------------------------------------------------


def h_title(rule: Rule, matches: list, st: State, subject: Node) -> None:
    alternates: list[Value] = []
    test = rule.x.get("alternate_if")
    for el in matches:
        alternate = bool(test and hasattr(el, "tag") and test.test(el, st.bare))
        for v in rule.values("text", el, st):
            if not st.once("title", v, alternate):
                continue
            node = st.mint("name")
            st.add(st.obj.term, CRMT["P1_is_identified_by"], node.term)
            st.add(node.term, A, CRMT["E33_E41_Linguistic_Appellation"])
            st.add(node.term, CRMT["P190_has_symbolic_content"], literal(v.text, v.lang))
            kind = rule.c["alternate_type" if alternate else "preferred_type"]
            st.add(node.term, CRMT["P2_has_type"], kind)
            if alternate:
                alternates.append(v)
            elif v.lang not in st.label_langs:
                st.label_langs.add(v.lang)
                st.add(st.obj.term, LABEL, literal(v.text, v.lang))
                st.title = st.title or v.text
    if not st.label_langs and alternates:  # only alternative titles: still give the object a label
        st.label_langs.add(alternates[0].lang)
        st.add(st.obj.term, LABEL, literal(alternates[0].text, alternates[0].lang))
        st.title = alternates[0].text


def h_identifier(rule: Rule, matches: list, st: State, subject: Node) -> None:
    for el in matches:
        for v in rule.values("text", el, st):
            if not st.once("identifier", v.text, rule.c["type"]):
                continue
            node = st.mint("identifier")
            st.add(st.obj.term, CRMT["P1_is_identified_by"], node.term)
            st.add(node.term, A, CRMT["E42_Identifier"])
            st.add(node.term, CRMT["P190_has_symbolic_content"], literal(v.text))
            st.add(node.term, CRMT["P2_has_type"], rule.c["type"])
            if rule.target_name == "identifier":  # the record id alone does not make an object
                st.identifier = st.identifier or v.text


def h_text(rule: Rule, matches: list, st: State, subject: Node) -> None:
    for el in matches:
        for v in rule.values("text", el, st, block=True):
            if not st.once("text", v, rule.c["type"]):
                continue
            node = st.mint("text")
            st.add(st.obj.term, CRMT["P67i_is_referred_to_by"], node.term)
            st.add(node.term, A, CRMT["E33_Linguistic_Object"])
            st.add(node.term, CRMT["P190_has_symbolic_content"], literal(v.text, v.lang))
            st.add(node.term, CRMT["P2_has_type"], rule.c["type"])


# --- events, time-spans, dimensions, images ----------------------------------------------------------


def _dt_key(value: str) -> tuple[int, str]:
    body = value[1:] if value.startswith("-") else value
    year, rest = body.split("-", 1)
    return (-int(year) if value.startswith("-") else int(year), rest)


def h_timespan(rule: Rule, matches: list, st: State, subject: Node) -> None:
    el = matches[0]  # one time-span per event: the first match wins
    labels = rule.values("label", el, st) if "label" in rule.x else []
    begin_raw = rule.values("begin", el, st) if "begin" in rule.x else []
    end_raw = rule.values("end", el, st) if "end" in rule.x else []
    begin = parse_iso_bound(begin_raw[0].text, end=False) if begin_raw else None
    end = parse_iso_bound(end_raw[0].text, end=True) if end_raw else None
    if "label" not in rule.x and "begin" not in rule.x:
        labels = rule.values("text", el, st)
    if (begin is None or end is None) and labels:
        span = parse_date_text(labels[0].text)
        if span is not None:
            b, e = span_bounds(span)
            begin, end = begin or b, end or e
    if begin and end and _dt_key(begin) > _dt_key(end):
        begin = end = None  # contradictory bounds: keep the label, drop the machine-readable span
    if not labels and (begin_raw or end_raw):
        texts = dict.fromkeys(v.text for v in begin_raw[:1] + end_raw[:1])
        labels = [Value(" – ".join(texts), None)]
    if not labels and not begin and not end:
        return
    node = Node(f"{subject.iri}/timespan", iri(f"{subject.iri}/timespan"))
    st.add(subject.term, CRMT["P4_has_time-span"], node.term)
    st.add(node.term, A, CRMT["E52_Time-Span"])
    langs: set[str | None] = set()
    for v in labels:  # one label per language (displayDate may be repeated in several)
        if v.lang not in langs:
            langs.add(v.lang)
            st.add(node.term, LABEL, literal(v.text, v.lang))
    if begin:
        st.add(node.term, CRMT["P82a_begin_of_the_begin"], literal(begin, datatype=XSD.dateTime))
    if end:
        st.add(node.term, CRMT["P82b_end_of_the_end"], literal(end, datatype=XSD.dateTime))


def _is_production(terms: list[Term], production_types: frozenset[str]) -> bool:
    for term in terms:
        if term.node.iri.casefold() in production_types:
            return True
        if any(v.text.casefold() in production_types for v in term.labels):
            return True
    return False


def h_event(rule: Rule, matches: list, st: State, subject: Node) -> None:
    type_rules = [c for c in rule.children if c.target_name == "type"]
    for el in matches:
        types = [t for c in type_rules for m in c.select(el, st) if (t := read_term(c, m, st, "type"))]
        if not st.production_event_seen and _is_production(types, rule.c["production_types"]):
            st.production_event_seen = True  # the first production event is the production
            node = st.production()
        else:
            node = st.mint("event")
            st.add(st.obj.term, CRMT["P12i_was_present_at"], node.term)
            st.add(node.term, A, CRMT["E5_Event"])
            for t in types:
                st.add(node.term, CRMT["P2_has_type"], t.node.term)
                write_term(st, t, CRMT["E55_Type"])
                for v in t.labels:
                    st.add(node.term, LABEL, cached_literal(v.text, v.lang))
        for child in rule.children:
            if child.target_name != "type":
                child.run(el, st, node)


def _dimension_node(st: State, number: str) -> Node:
    node = st.mint("dimension")
    st.add(st.obj.term, CRMT["P43_has_dimension"], node.term)
    st.add(node.term, A, CRMT["E54_Dimension"])
    st.add(node.term, CRMT["P90_has_value"], literal(number, datatype=XSD.decimal))
    return node


def h_measurements(rule: Rule, matches: list, st: State, subject: Node) -> None:
    """Measurement statements in text ("H. 17 cm, Diam. 9 cm") as dimensions (``measurements.py``)."""
    words: dict[str, str] = rule.c["types"]
    for el in matches:
        for v in rule.values("text", el, st):
            try:
                found = read_statement(v.text, words, rule.c["order"])
            except UnreadStatement as exc:
                shown = v.text if len(v.text) <= 200 else v.text[:200] + "…"
                st.warn(rule.name, f"{shown!r} is not read as measurements ({exc})")
                continue
            for m in found:
                if st.once("measurement", m):
                    _write_measurement(st, m)


def _write_measurement(st: State, m: Measurement) -> None:
    node = _dimension_node(st, m.value)
    if m.dimension:
        kind = DIMENSIONS[m.dimension]
        st.add(node.term, CRMT["P2_has_type"], cached_iri(kind))
        write_term(st, Term(Node(kind, cached_iri(kind)), [Value(m.dimension, "en")]), CRMT["E55_Type"])
    if m.unit:
        label, unit = UNITS[m.unit]
        st.add(node.term, CRMT["P91_has_unit"], cached_iri(unit))
        write_term(st, Term(Node(unit, cached_iri(unit)), [Value(label, None)]), CRMT["E58_Measurement_Unit"])
    st.add(node.term, LABEL, literal(m.label))


def h_resource_type(rule: Rule, matches: list, st: State, subject: Node) -> None:
    """Terms of a closed vocabulary naming what kind of resource the record describes (DCMI Type):
    ``{obj} <property> <namespace + Term>``; values outside the vocabulary are left to other rules."""
    terms: dict[str, str] = rule.c["terms"]
    namespace: str = rule.c["namespace"]
    for el in matches:
        for v in rule.values("text", el, st):
            text = v.text.removeprefix(namespace) if v.text.startswith(namespace) else v.text
            term = terms.get(text.replace(" ", "").casefold())
            if term is not None:
                st.add(st.obj.term, rule.c["property"], cached_iri(namespace + term))


def h_dimension(rule: Rule, matches: list, st: State, subject: Node) -> None:
    for el in matches:
        values = rule.values("value", el, st)
        number = values[0].text.replace(",", ".").replace(" ", "") if values else ""
        if not _DECIMAL.match(number):
            continue
        node = _dimension_node(st, number)
        words = {"type": "", "unit": ""}
        for child in rule.children:
            for m in child.select(el, st):
                term = read_term(child, m, st, TERM_TARGETS[child.target_name][2])
                if term is None:
                    continue
                prop, cls, _ = TERM_TARGETS[child.target_name]
                st.add(node.term, prop, term.node.term)
                write_term(st, term, cls)
                if term.labels and not words[child.target_name]:
                    words[child.target_name] = term.labels[0].text
        st.add(node.term, LABEL, literal(" ".join(w for w in (words["type"], number, words["unit"]) if w)))


def _rank(kind: str, prefer: list[str]) -> int:
    if kind in prefer:
        return prefer.index(kind)
    return prefer.index("") if "" in prefer else len(prefer)


def h_image(rule: Rule, matches: list, st: State, subject: Node) -> None:
    prefer: list[str] = rule.c.get("prefer", [])
    pattern: re.Pattern[str] | None = rule.c.get("link_pattern")
    for el in matches:
        reps = rule.x["representation"](el, st.bare) if "representation" in rule.x else [el]
        best: tuple[int, str] | None = None
        for rep in reps:
            kind = next((v.text for v in rule.values("kind_of", rep, st)), "") if "kind_of" in rule.x else ""
            for v in rule.values("link", rep, st):
                if not HTTP_URI.match(v.text) or (pattern and not pattern.search(v.text)):
                    continue
                rank = _rank(kind, prefer)
                if best is None or rank < best[0]:
                    best = (rank, v.text)
        if best is None or not st.once("image", best[1]):
            continue
        node = st.mint("image")
        st.add(st.visual().term, SHOWN_BY, node.term)
        st.add(node.term, A, DIGITAL_OBJECT)
        st.add(node.term, CRMT["P2_has_type"], DIGITAL_IMAGE)
        st.add(node.term, ACCESS_POINT, iri(best[1]))


_TERM_PATHS = frozenset({"uri", "label", "kind_of", "coordinates"})
_TERM_CONSTS = {"kind": None, "iri": "concept", "kinds": None, "coordinate_order": "lat lon", "encoding": None}

TARGETS: dict[str, Target] = {
    "record_id": Target(h_identifier, frozenset({"text"}), {"type": "aat:300404621"}),
    "title": Target(
        h_title,
        frozenset({"text", "alternate_if"}),
        {"preferred_type": "aat:300404670", "alternate_type": "aat:300417227"},
    ),
    "identifier": Target(h_identifier, frozenset({"text"}), {"type": "aat:300312355"}),
    "description": Target(h_text, frozenset({"text"}), {"type": "aat:300435416"}),
    "rights": Target(h_text, frozenset({"text"}), {"type": "aat:300435434"}),
    "credit_line": Target(h_text, frozenset({"text"}), {"type": "aat:300026687"}),
    "subject": Target(h_subject, _TERM_PATHS, {**_TERM_CONSTS, "class": "crm:E55_Type"}),
    "image": Target(
        h_image, frozenset({"representation", "link", "kind_of"}), {"prefer": [], "link_pattern": None}
    ),
    "event": Target(
        h_event,
        consts={"production_types": frozenset()},
        children=frozenset({"type", "timespan", "place", "actor", "material", "technique"}),
    ),
    "dimension": Target(h_dimension, frozenset({"value"}), children=frozenset({"type", "unit"})),
    "measurements": Target(h_measurements, frozenset({"text"}), {"types": {}, "order": ["height", "width", "depth"]}),
    "resource_type": Target(
        h_resource_type, frozenset({"text"}), {"namespace": None, "terms": [], "property": "dcterms:type"}
    ),
    "timespan": Target(h_timespan, frozenset({"text", "label", "begin", "end"})),
    **{name: Target(h_term, _TERM_PATHS, dict(_TERM_CONSTS)) for name in TERM_TARGETS},
}

# Targets a rule may name at the top of a mapping (the object is the subject); "production.X" targets
# write X on the object's production, created on first use.
TOP_TARGETS = frozenset(
    {"record_id", "title", "identifier", "classification", "material", "description", "rights",
     "credit_line", "subject", "image", "event", "dimension", "measurements", "resource_type"}
)
PRODUCTION_TARGETS = frozenset({"timespan", "place", "actor", "technique", "material"})
