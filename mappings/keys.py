"""Sort and filter keys: a few triples on each mapped object that make facets and orderings one hop.

Every metadata format's mapping ends here (the declarative engine for LIDO, oai_dc, EDM and any TOML
format; ``mappings.rdf.record_builder`` for Linked Art and CIDOC-CRM RDF), so every path that maps a
record (the harvest in-process or in its worker, the probe, ``srom map``) writes the same keys. They are
read from the record's own N-Triples, after the mapping and reconciliation wrote them, and added to the
record graph (ontology/MODEL.md, "Sort and filter keys"):

- ``{obj} srom:beginYear n`` / ``srom:endYear n`` (``xsd:integer``, years BCE negative): the earliest
  ``P82a_begin_of_the_begin`` and the latest ``P82b_end_of_the_end`` of the object's productions
  (``P108i_was_produced_by/P4_has_time-span``). A date filter or the date order is then one hop instead
  of three, and integers sort BCE before CE on every engine (Virtuoso 7.2 sorts negative dateTimes last).
- ``{obj} srom:dateOrder n`` (``xsd:integer``) on every object: its begin year (undated last) and then a
  hash of its IRI in one integer, unique per object in practice. It is the whole sort key of the hub's
  date order, tie-breaker included: engines compare integers fast, but Oxigraph decodes both IRIs on
  every comparison, so ``ORDER BY ?begin ?object`` over 100,000 objects took 20 s and this key ~2 s.
- ``{obj} srom:titleOrder n ; srom:titleOrderNext m`` (``xsd:integer``) on every object: the first letters
  of its title (its English label, else one without a language, else the first other), folded (accents and
  case ignored, punctuation a space), coded so that integers sort as the texts do, 62 bits in each; untitled
  objects last. ``ORDER BY ?title_order ?title_order_next ?date_order`` is the title order: integers where
  Oxigraph compared language-tagged labels with LCASE(STR(...)) (a silk facet at 100,000 objects by title:
  3.5-4.7 s).
- ``{obj} srom:periodName "Tang dynasty, 618-907"@en``: the names of its productions' time-spans, as the
  museum wrote them. The period-name facet then scans these (one per object) rather than every
  ``rdfs:label`` of the store with CONTAINS (400,000 labels at 100,000 objects: 3 s on Oxigraph).
- ``{obj} srom:productionPlace {place}`` for every ``P7_took_place_at`` of its productions (the museum's
  place and the shared concept it was reconciled to), and ``{obj} srom:productionPeriod {period}`` for
  every ``P10_falls_within``: the place and period facets and the object cards join the object directly.

Pure: text in, text out, no I/O.
"""

from __future__ import annotations

import dataclasses
import hashlib
import unicodedata

from ontology.dates import year_of
from ontology.namespaces import CRM, RDFS, SROM, XSD
from ontology.ntriples import iri, literal, literal_text, triple

from .records import MappedRecord

#: raised whenever the keys change: a museum whose last harvest wrote an older version is harvested in full
#: next time (harvesters/run.py), so every record gains the new keys. 2: srom:dateOrder; 3: srom:periodName;
#: 4: srom:titleOrder and srom:titleOrderNext.
KEYS_VERSION = 4
BEGIN_YEAR = iri(SROM.beginYear)
END_YEAR = iri(SROM.endYear)
DATE_ORDER = iri(SROM.dateOrder)
PERIOD_NAME = iri(SROM.periodName)
TITLE_ORDER = iri(SROM.titleOrder)
TITLE_ORDER_NEXT = iri(SROM.titleOrderNext)
PRODUCTION_PLACE = iri(SROM.productionPlace)
PRODUCTION_PERIOD = iri(SROM.productionPeriod)
_P108I = iri(CRM.P108i_was_produced_by)
_P4 = iri(CRM.term("P4_has_time-span"))
_P7 = iri(CRM.P7_took_place_at)
_P10 = iri(CRM.P10_falls_within)
_P82A = iri(CRM.P82a_begin_of_the_begin)
_P82B = iri(CRM.P82b_end_of_the_end)
_INTEGER = str(XSD.integer)
_LABEL = iri(RDFS.label)
_WANTED = frozenset((_P108I, _P4, _P7, _P10, _P82A, _P82B, _LABEL))
# dateOrder = (year + _YEAR_OFFSET) << _HASH_BITS | 42 bits of the IRI's SHA-256: years -999,999..999,999
# (the facet builder's range; undated objects take _UNDATED, after every year) and the whole stays below
# 2**63, the integer every engine holds natively. Two objects of one year share a key with odds ~n²/2**43.
_HASH_BITS = 42
_YEAR_OFFSET = 1_000_000
_UNDATED = 1_000_000


def date_order_of_year_sparql(year: str) -> str:
    """A SPARQL expression: the first ``srom:dateOrder`` of the year after ``year`` (a variable or number),
    so ``?date_order < <this>`` is "its making began in ``year`` or before" without the ``beginYear`` join."""
    return f"({year} + {_YEAR_OFFSET + 1}) * {1 << _HASH_BITS}"


def date_order(object_iri: str, begin_year: int | None) -> int:
    """The ``srom:dateOrder`` of an object: begin year first (undated last), then a hash of its IRI."""
    year = _UNDATED if begin_year is None else max(-_YEAR_OFFSET + 1, min(begin_year, _UNDATED - 1))
    digest = int.from_bytes(hashlib.sha256(object_iri.encode()).digest()[:8], "big") >> (64 - _HASH_BITS)
    return (year + _YEAR_OFFSET) << _HASH_BITS | digest


# The title order's code: each character of the folded title as bits that sort as the characters do (a
# space, then digits, then a-z in 6 bits; any other letter or digit a 6-bit escape above them and its code
# point, 16 bits), the first _TITLE_BITS * 2 bits of the whole (about 20 Latin letters, 5 Chinese
# characters) split over two integers. The end of a text is zeros, so a text sorts before its continuations.
_TITLE_BITS = 62
_TITLE_ESCAPE = 63
_UNTITLED = (1 << _TITLE_BITS) - 1


def title_sort_text(title: str) -> str:
    """``title`` as the title order compares it: accents dropped, case folded, each run of punctuation and
    spaces one space (``"Bowl, \u00e9maill\u00e9e"`` -> ``"bowl emaillee"``)."""
    decomposed = unicodedata.normalize("NFKD", title)
    folded = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join("".join(c if c.isalnum() else " " for c in folded).split())


def _character_code(ch: str) -> tuple[int, int]:
    """(bits, width) of one character of a sort text."""
    if ch == " ":
        return 1, 6
    if "0" <= ch <= "9":
        return 2 + ord(ch) - ord("0"), 6
    if "a" <= ch <= "z":
        return 12 + ord(ch) - ord("a"), 6
    return _TITLE_ESCAPE << 16 | min(ord(ch), 0xFFFF), 22


def title_order(title: str | None) -> tuple[int, int]:
    """The ``srom:titleOrder`` and ``srom:titleOrderNext`` of a title: two integers below 2**62 that sort
    (first, then second) as the titles' sort texts do, over their first ~20 letters; untitled last."""
    text = title_sort_text(title or "")
    if not text:
        return _UNTITLED, _UNTITLED
    code, width = 0, 0
    for ch in text:
        bits, size = _character_code(ch)
        code, width = code << size | bits, width + size
        if width >= 2 * _TITLE_BITS:
            break
    code = code << max(0, 2 * _TITLE_BITS - width) >> max(0, width - 2 * _TITLE_BITS)
    return code >> _TITLE_BITS, code & ((1 << _TITLE_BITS) - 1)


def _title(labels: list[str]) -> str | None:
    """The label the title order reads: English, else one without a language, else the first by tag."""
    ranked = []
    for term in labels:
        if term.startswith('"'):
            text, lang = literal_text(term)
            tag = (lang or "").lower()
            ranked.append((0 if tag == "en" or tag.startswith("en-") else 1 if not tag else 2, tag, text))
    return min(ranked)[2] if ranked else None


def _lexical(term: str) -> str | None:
    """The lexical form of an N-Triples literal (``"0701-01-01T00:00:00"^^<...>`` -> ``0701-01-01T00:00:00``)."""
    if not term.startswith('"'):
        return None
    end = term.rfind('"')
    return term[1:end] if end > 0 else None


def key_triples(ntriples: str, object_iri: str) -> str:
    """The key triples (N-Triples text) for the object ``object_iri`` described by ``ntriples``."""
    by_predicate: dict[str, dict[str, list[str]]] = {p: {} for p in _WANTED}
    for line in ntriples.splitlines():
        subject, _, rest = line.partition(" ")
        predicate, _, obj = rest.partition(" ")
        if predicate in _WANTED:
            by_predicate[predicate].setdefault(subject, []).append(obj[:-2].rstrip() if obj.endswith(" .") else obj)
    subject = iri(object_iri)
    productions = by_predicate[_P108I].get(subject, [])
    spans = [s for p in productions for s in by_predicate[_P4].get(p, [])]
    begins = [y for s in spans for t in by_predicate[_P82A].get(s, []) if (y := year_of(_lexical(t))) is not None]
    ends = [y for s in spans for t in by_predicate[_P82B].get(s, []) if (y := year_of(_lexical(t))) is not None]
    out = [triple(subject, DATE_ORDER, literal(str(date_order(object_iri, min(begins, default=None))),
                                                datatype=_INTEGER))]
    if begins:
        out.append(triple(subject, BEGIN_YEAR, literal(str(min(begins)), datatype=_INTEGER)))
    if ends:
        out.append(triple(subject, END_YEAR, literal(str(max(ends)), datatype=_INTEGER)))
    # the time-spans' names as the museum wrote them ("Tang dynasty, 618-907"), language tags kept
    title_first, title_next = title_order(_title(by_predicate[_LABEL].get(subject, [])))
    out.append(triple(subject, TITLE_ORDER, literal(str(title_first), datatype=_INTEGER)))
    out.append(triple(subject, TITLE_ORDER_NEXT, literal(str(title_next), datatype=_INTEGER)))
    out += [triple(subject, PERIOD_NAME, name) for name in dict.fromkeys(
        t for s in spans for t in by_predicate[_LABEL].get(s, []) if t.startswith('"'))]
    for predicate, key in ((_P7, PRODUCTION_PLACE), (_P10, PRODUCTION_PERIOD)):
        targets = dict.fromkeys(t for p in productions for t in by_predicate[predicate].get(p, []) if t.startswith("<"))
        out += [triple(subject, key, t) for t in sorted(targets)]
    return "".join(out)


def with_keys(record: MappedRecord) -> MappedRecord:
    """``record`` with its key triples added to the record graph."""
    keys = key_triples(record.ntriples, record.object_iri)
    return dataclasses.replace(record, ntriples=record.ntriples + keys,
                               triple_count=record.triple_count + keys.count("\n"))
