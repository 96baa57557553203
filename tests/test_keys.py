"""The sort and filter keys written at harvest (mappings/keys.py) and the thesaurus' materialised closure
(ontology.thesaurus.closure_ntriples, loaded by harvesters.unmatched.sync_thesaurus); ontology/MODEL.md."""

from __future__ import annotations

import pyoxigraph as ox

from harvesters.unmatched import sync_thesaurus
from mappings.keys import date_order, key_triples, title_order, title_sort_text, with_keys
from mappings.records import MappedRecord
from ontology.namespaces import sparql_prologue
from ontology.thesaurus import closure_ntriples, get_thesaurus
from store.base import SolutionsResult
from store.embedded import EmbeddedStore

CRM = "http://www.cidoc-crm.org/cidoc-crm/"
XSD = "http://www.w3.org/2001/XMLSchema#"
SROM = "https://w3id.org/srom/ns#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
CONCEPT = "https://w3id.org/srom/concept/"
OBJ = "https://hub.example.org/id/object/m1/X1"


def t(s: str, p: str, o: str) -> str:
    return f"<{s}> <{p}> {o} .\n"


def dated(span: str, begin: str | None, end: str | None) -> str:
    out = ""
    if begin:
        out += t(span, CRM + "P82a_begin_of_the_begin", f'"{begin}"^^<{XSD}dateTime>')
    if end:
        out += t(span, CRM + "P82b_end_of_the_end", f'"{end}"^^<{XSD}dateTime>')
    return out


def keys_of(ntriples: str) -> dict[str, list[str]]:
    """The keys other than ``srom:dateOrder`` and the title order (every object has them; their own tests
    are below)."""
    out: dict[str, list[str]] = {}
    for quad in ox.parse(key_triples(ntriples, OBJ).encode(), format=ox.RdfFormat.N_TRIPLES):
        assert quad.subject == ox.NamedNode(OBJ)
        out.setdefault(quad.predicate.value.removeprefix(SROM), []).append(quad.object.value)
    assert len(out.pop("dateOrder")) == 1
    assert len(out.pop("titleOrder")) == 1 and len(out.pop("titleOrderNext")) == 1
    return out


def production(n: int, begin: str | None, end: str | None, place: str | None = None) -> str:
    prod, span = f"{OBJ}/production/{n}", f"{OBJ}/production/{n}/timespan"
    text = t(OBJ, CRM + "P108i_was_produced_by", f"<{prod}>") + t(prod, CRM + "P4_has_time-span", f"<{span}>")
    if place:
        text += t(prod, CRM + "P7_took_place_at", f"<{place}>")
    return text + dated(span, begin, end)


def test_bce_years_are_negative_integers() -> None:
    keys = keys_of(production(1, "-0206-01-01T00:00:00", "0008-12-31T23:59:59"))
    assert keys == {"beginYear": ["-206"], "endYear": ["8"]}
    literal = next(q for q in ox.parse(key_triples(production(1, "-0206-01-01T00:00:00", None), OBJ).encode(),
                                       format=ox.RdfFormat.N_TRIPLES) if q.predicate.value == SROM + "beginYear").object
    assert literal == ox.Literal("-206", datatype=ox.NamedNode(XSD + "integer"))


def test_the_span_of_several_productions_is_the_earliest_begin_and_the_latest_end() -> None:
    text = production(1, "0618-01-01T00:00:00", "0700-12-31T23:59:59") + production(
        2, "-0100-01-01T00:00:00", "0650-12-31T23:59:59")
    assert keys_of(text) == {"beginYear": ["-100"], "endYear": ["700"]}


def test_other_events_and_other_objects_give_no_keys() -> None:
    event, span = f"{OBJ}/event/1", f"{OBJ}/event/1/timespan"
    acquisition = (t(OBJ, CRM + "P12i_was_present_at", f"<{event}>") + t(event, CRM + "P4_has_time-span", f"<{span}>")
                   + dated(span, "1900-01-01T00:00:00", "1901-01-01T00:00:00"))
    other = production(1, "0618-01-01T00:00:00", None).replace(OBJ + ">", OBJ + "-other>")
    assert keys_of(acquisition + other) == {}


def test_places_and_periods_of_the_production_are_on_the_object() -> None:
    local = "https://hub.example.org/id/term/m1/place/samarkand"
    text = production(1, None, None, local) + t(f"{OBJ}/production/1", CRM + "P7_took_place_at",
                                                f"<{CONCEPT}place/samarkand>")
    text += t(f"{OBJ}/production/1", CRM + "P10_falls_within", f"<{CONCEPT}period/tang>")
    assert keys_of(text) == {"productionPlace": sorted([local, CONCEPT + "place/samarkand"]),
                             "productionPeriod": [CONCEPT + "period/tang"]}


def test_with_keys_adds_the_triples_to_the_record_graph_and_counts_them() -> None:
    text = production(1, "0618-01-01T00:00:00", "0907-12-31T23:59:59")
    record = MappedRecord("s", OBJ, "https://hub.example.org/graph/m1/X1", text, text.count("\n"), "x", "v/1")
    keyed = with_keys(record)
    # the date order, the two years and the two title order keys
    assert keyed.ntriples.startswith(text) and keyed.triple_count == record.triple_count + 5
    bare = MappedRecord("s", OBJ, "g", t(OBJ, CRM + "P2_has_type", "<x:y>"), 1, "x", "v/1")
    assert with_keys(bare).ntriples == bare.ntriples + key_triples(bare.ntriples, OBJ)  # an undated object's order


def within(store: EmbeddedStore, concept: str) -> set[str]:
    result = store.query(sparql_prologue() + "SELECT ?c ?chosen WHERE { ?c srom:within ?chosen }",
                         substitutions={"chosen": ox.NamedNode(CONCEPT + concept)})
    assert isinstance(result, SolutionsResult)
    return {row["c"].value.removeprefix(CONCEPT) for row in result.dicts()}


def test_the_thesaurus_is_loaded_with_its_broader_closure() -> None:
    store = EmbeddedStore(None, "https://hub.example.org/graph/provenance")
    try:
        assert sync_thesaurus(store, "https://hub.example.org")
        assert {"place/samarkand", "place/afrasiyab"} <= within(store, "place/samarkand")
        assert within(store, "place/afrasiyab") == {"place/afrasiyab"}  # reflexive; nothing narrower
        assert {"period/han", "period/western-han", "period/eastern-han"} <= within(store, "period/han")
        assert "type/drachm" in within(store, "type/coin") and "type/coin" not in within(store, "type/drachm")
        # every concept is within itself and each ancestor, and nothing else: skos:broader* exactly
        result = store.query(sparql_prologue() + """SELECT ?c ?a WHERE {
            GRAPH <https://hub.example.org/graph/thesaurus> { ?c a skos:Concept . ?c skos:broader* ?a } }""")
        assert isinstance(result, SolutionsResult)
        expected = {(r["c"].value, r["a"].value) for r in result.dicts()}
        result = store.query(sparql_prologue() + "SELECT ?c ?a WHERE { ?c srom:within ?a }")
        assert isinstance(result, SolutionsResult)
        assert {(r["c"].value, r["a"].value) for r in result.dicts()} == expected
        result = store.query(sparql_prologue() + """SELECT ?c ?a WHERE { ?c skos:broaderTransitive ?a }""")
        assert isinstance(result, SolutionsResult)
        assert {(r["c"].value, r["a"].value) for r in result.dicts()} == {(c, a) for c, a in expected if c != a}
    finally:
        store.close()


def test_the_closure_changes_the_version_so_stores_reload_it() -> None:
    th = get_thesaurus()
    import hashlib

    from ontology.thesaurus import THESAURUS_PATH

    assert th.version != hashlib.sha256(THESAURUS_PATH.read_bytes()).hexdigest()[:16]
    assert closure_ntriples(th).count("\n") > len(th.concepts)  # each concept within itself, and more


def test_the_date_order_sorts_by_year_then_breaks_ties_and_puts_undated_objects_last() -> None:
    years = [-206, 618, 618, 618, None, -999_999, 999_999, 1_500_000, -2_000_000]
    objects = [(f"https://hub.example.org/id/object/m{i % 3}/{i}", year) for i, year in enumerate(years)]
    orders = {iri: date_order(iri, year) for iri, year in objects}
    assert len(set(orders.values())) == len(objects)  # a tie-breaker: no two objects share one
    assert all(0 < order < 2**63 for order in orders.values())  # a 64-bit integer on every engine
    by_order = [year for _, year in sorted(objects, key=lambda o: orders[o[0]])]
    assert by_order[:2] == [-2_000_000, -999_999]  # clamped to the first year the key holds
    assert by_order[2:6] == [-206, 618, 618, 618] and set(by_order[6:]) == {999_999, 1_500_000, None}
    assert by_order[-1] is None  # undated last
    text = production(1, "0618-01-01T00:00:00", None)
    order = next(q.object for q in ox.parse(key_triples(text, OBJ).encode(), format=ox.RdfFormat.N_TRIPLES)
                 if q.predicate.value == SROM + "dateOrder")
    assert order == ox.Literal(str(date_order(OBJ, 618)), datatype=ox.NamedNode(XSD + "integer"))
    assert date_order(OBJ, 618) == date_order(OBJ, 618)  # the same on every harvest, engine and machine


def test_the_names_of_the_production_time_spans_are_on_the_object() -> None:
    span = f"{OBJ}/production/1/timespan"
    text = production(1, "0618-01-01T00:00:00", "0907-12-31T23:59:59") + t(span, RDFS_LABEL, '"Tang dynasty"@en')
    text += t(span, RDFS_LABEL, '"唐代"@zh') + t(OBJ, RDFS_LABEL, '"Not a period: the title"@en')
    assert keys_of(text)["periodName"] == ["Tang dynasty", "唐代"]


def test_the_title_order_sorts_folded_titles_and_puts_untitled_objects_last() -> None:
    titles = ["Bowl with lotus", "bowl with fish", "Bowl", "Àmphora", "amphora, fragment", "9 coins", "Zebra",
              "丝绸残片", "唐三彩马", "Ewer (brass), inlaid", "  ", None]
    ordered = sorted(titles, key=title_order)
    assert ordered[:-2] == ["9 coins", "Àmphora", "amphora, fragment", "Bowl", "bowl with fish", "Bowl with lotus",
                            "Ewer (brass), inlaid", "Zebra", "丝绸残片", "唐三彩马"]
    assert set(ordered[-2:]) == {"  ", None} and title_order("  ") == title_order(None)  # untitled last
    assert title_sort_text("Ewer (brass), INLAID — Côte") == "ewer brass inlaid cote"
    # case and accents do not count; the first ~20 letters do, so long titles tie (the date order breaks it)
    assert title_order("ÉCUELLE") == title_order("ecuelle")
    assert title_order("A bowl with lotus decoration, Song") == title_order("A bowl with lotus decoration, Yuan")
    assert title_order("Bowl with lotus, dec") < title_order("Bowl with lotus, ded")  # the 20th letter counts
    # what a museum may write: a title of a million letters, a lone surrogate, controls, astral characters
    for hostile in ("x" * 1_000_000, "\ud800 bowl", "\x00\x1f\u202e bowl", "𠀀𠀁 bowl"):
        titles.append(hostile)
    assert title_order("\x00\x1f\u202e bowl") == title_order("bowl")
    for title in titles:
        first, after = title_order(title)
        assert 0 <= first < 2**62 and 0 <= after < 2**62  # a 64-bit integer on every engine
    # every pair of short titles sorts as its sort text does
    for a in titles:
        for b in titles:
            ta, tb = title_sort_text(a or ""), title_sort_text(b or "")
            if ta and tb and len(ta) <= 10 and len(tb) <= 10:
                assert (title_order(a) < title_order(b)) == (ta < tb), (a, b)


def test_the_title_order_reads_the_english_label_else_one_without_language() -> None:
    def order_of(*labels: str) -> tuple[int, int]:
        text = "".join(t(OBJ, RDFS_LABEL, label) for label in labels)
        found = {q.predicate.value.removeprefix(SROM): int(q.object.value)
                 for q in ox.parse(key_triples(text, OBJ).encode(), format=ox.RdfFormat.N_TRIPLES)}
        return found["titleOrder"], found["titleOrderNext"]

    assert order_of('"杯"@zh', '"Cup"@en', '"Tasse"@fr') == title_order("Cup")
    assert order_of('"杯"@zh', '"Coupe"', '"Tasse"@fr') == title_order("Coupe")
    assert order_of('"杯"@zh', '"Tasse"@fr') == title_order("Tasse")  # the first by language tag
    assert order_of('"Caf\\u00E9 \\"cup\\""@en-GB') == title_order('Café "cup"')
    assert order_of() == title_order(None)
