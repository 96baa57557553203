"""Reading museum date texts into year spans, and writing CRM time-span bounds.

Museums write dates as free text ("618-907", "206 BC - 220 AD", "early 8th century", "ca. 1750") or as
ISO-ish bounds (LIDO ``earliestDate``/``latestDate``: "1480", "1510-05-17", "-0206"). This module turns
both into the ``xsd:dateTime`` strings of ``crm:P82a_begin_of_the_begin`` / ``crm:P82b_end_of_the_end``
(ontology/MODEL.md: years BCE are negative, "206 BC" -> ``-0206``; at least four digits).

It owns parsing and formatting only: no I/O, no RDF terms. Besides numbers it reads centuries in Roman
numerals ("VII–VIII вв.") and in Chinese, Japanese and Korean ("8世纪", "7世纪末", "8세기"), and, when nothing
numeric is found, a named period or dynasty ("Tang dynasty", "唐代", "東漢", "Sasanian period") through the
shared thesaurus (``ontology.reconcile.period_span``; the spans live in ontology/thesaurus.ttl, not here).
Anything it cannot read returns None, so a malformed date never costs a record.
"""

from __future__ import annotations

import calendar
import re

YearSpan = tuple[int, int]

_BCE = r"(?:b\.?\s?c\.?(?:\s?e\.?)?|v\.\s?chr\.?|av\.?\s?j\.?-?c\.?|公元前|до\s?н\.\s?э\.?)"
_CE = r"(?:a\.?\s?d\.?|c\.?\s?e\.?|n\.\s?chr\.?|ap\.?\s?j\.?-?c\.?|н\.\s?э\.?)"
_DASH = r"\s*(?:-|–|—|‒|/|\bto\b|\bbis\b|\buntil\b)\s*"
_CIRCA = r"(?:c\.|ca\.?|circa|approx\.?|about|around|um)\s*"
_ORD = r"(\d{1,2})\s*(?:st|nd|rd|th|\.)"
_CENTURY_WORD = r"(?:century|centuries|cent\.?|c\.|jh\.?|jahrhundert|siècle|s\.)"
_PART = r"(?:(early|first half of|mid|middle|mid-|second half of|late|end of)\s*(?:the\s*)?)"

_FLAGS = re.IGNORECASE

# Order matters: the most specific shape is tried first; each pattern is searched, not anchored, so a
# date inside a longer label ("Tang dynasty (618-907)") is still found.
_ERA_RANGE = re.compile(
    rf"(?<![\d.])(\d{{1,4}})\s*({_BCE}|{_CE})?{_DASH}(\d{{1,4}})\s*({_BCE}|{_CE})(?![\w])", _FLAGS
)
_CENTURY_RANGE = re.compile(
    rf"{_PART}?{_ORD}(?:\s*{_CENTURY_WORD})?\s*({_BCE}|{_CE})?{_DASH}{_PART}?{_ORD}\s*{_CENTURY_WORD}"
    rf"\s*({_BCE}|{_CE})?",
    _FLAGS,
)
_CENTURY = re.compile(rf"{_PART}?{_ORD}\s*{_CENTURY_WORD}\s*({_BCE}|{_CE})?", _FLAGS)
_HUNDREDS = re.compile(r"(?<![\d-])(\d{1,2})00s\b", _FLAGS)
_DECADE = re.compile(r"(?<![\d-])(\d{2,3}0)s\b", _FLAGS)
_ISO = re.compile(r"^\s*(-?)(\d{1,4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T ][\d:.]+Z?)?\s*$")
_RANGE = re.compile(rf"(?<![\d.-])(\d{{3,4}})(?:-\d{{1,2}}(?:-\d{{1,2}})?)?{_DASH}(\d{{2,4}})(?!\d)", _FLAGS)
_ERA_YEAR = re.compile(rf"(?<![\d.])(\d{{1,4}})\s*({_BCE}|{_CE})(?![\w])", _FLAGS)
_YEAR = re.compile(rf"(?:{_CIRCA})?(?<!\d)(-?\d{{3,4}})(?!\d)", _FLAGS)

# Centuries in Roman numerals (Russian "VII–VIII вв.", French "VIIIe siècle", German "VIII. Jh.") and in
# CJK ("7–8世纪", "8世紀", "7世纪末", "8세기").
_ROMAN_WORD = r"(?:вв?\.|век[а-я]*|centur(?:y|ies)|c\.|jh\.?|jahrhunderts?|e\s*siècles?|siècles?|s\.|asr)"
_ROMAN_RANGE = re.compile(
    rf"(?<![\w])([IVXL]+)(?:e|\.)?\s*(?:-|–|—|‒)\s*([IVXL]+)(?:e|\.)?\s*{_ROMAN_WORD}\s*({_BCE}|{_CE})?", _FLAGS
)
_ROMAN = re.compile(rf"(?<![\w])([IVXL]+)(?:e|\.)?\s*{_ROMAN_WORD}\s*({_BCE}|{_CE})?", _FLAGS)
_CJK_CENTURY = re.compile(
    r"(公元前|기원전)?\s*(\d{1,2})\s*(?:(?:-|–|—|~|至|到)\s*(\d{1,2})\s*)?(?:世[纪紀]|세기)\s*(初|初期|前半|上半叶|中|中期|中叶|后半|後半|下半叶|末|末期)?"
)
_CJK_PARTS = {"初": "early", "初期": "early", "前半": "first half of", "上半叶": "first half of", "中": "mid",
              "中期": "mid", "中叶": "mid", "后半": "second half of", "後半": "second half of",
              "下半叶": "second half of", "末": "late", "末期": "late"}
_CJK_BCE_YEARS = re.compile(
    r"公元前\s*(\d{1,4})(?![-–—~至到\d\s]*(?:世|세))\s*年?(?:\s*(?:-|–|—|~|至|到)\s*(公元前|公元)?\s*(\d{1,4}))?"
)
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50}


def _roman(numeral: str) -> int | None:
    """1..21 for I..XXI; None for anything that is not a plausible century numeral."""
    if any(c not in _ROMAN_VALUES for c in numeral.upper()):
        return None
    values = [_ROMAN_VALUES[c] for c in numeral.upper()]
    total = 0
    for i, v in enumerate(values):
        total += -v if i + 1 < len(values) and values[i + 1] > v else v
    return total if 1 <= total <= 21 else None


_PART_BOUNDS = {  # fraction of a century (start, end), in the century's own direction of time
    "early": (0, 33),
    "first half of": (0, 50),
    "mid": (33, 67),
    "mid-": (33, 67),
    "middle": (33, 67),
    "second half of": (50, 100),
    "late": (67, 100),
    "end of": (67, 100),
}


def _is_bce(era: str | None) -> bool:
    if not era:
        return False
    return re.fullmatch(_BCE, era.strip(), _FLAGS) is not None


def _century(n: int, bce: bool, part: str | None) -> YearSpan:
    """Years of the n-th century (CE: 701-800 for the 8th; BCE: -800..-701), narrowed by "early"/"late"."""
    lo, hi = _PART_BOUNDS.get((part or "").lower().strip(), (0, 100))
    if bce:
        # Time runs towards zero: the 8th century BC is -800..-701, its early part -800..-767.
        first = -(n * 100)
        return (first + lo, first + hi - (1 if hi == 100 else 0))
    first = (n - 1) * 100 + 1
    return (first + lo, first + hi - 1)


def _ordered(span: YearSpan) -> YearSpan | None:
    return span if span[0] <= span[1] else None


def parse_date_text(text: str | None) -> YearSpan | None:
    """(begin_year, end_year) for a museum's date text, negative for BCE; None when unreadable."""
    if not text or not text.strip():
        return None
    t = " ".join(text.split())
    iso = _ISO.match(t)
    if iso and (iso.group(3) is None or 1 <= int(iso.group(3)) <= 12):
        year = int(iso.group(2)) * (-1 if iso.group(1) else 1)
        return (year, year)
    m = _CENTURY_RANGE.search(t)
    if m:
        p1, n1, era1, p2, n2, era2 = m.groups()
        bce2 = _is_bce(era2)
        bce1 = _is_bce(era1) if era1 else bce2
        return _ordered((_century(int(n1), bce1, p1)[0], _century(int(n2), bce2, p2)[1]))
    m = _CENTURY.search(t)
    if m:
        part, n, era = m.groups()
        return _century(int(n), _is_bce(era), part)
    span = _other_centuries(t)
    if span is not None:
        return span
    m = _ERA_RANGE.search(t)
    if m:
        y1, era1, y2, era2 = m.groups()
        bce2 = _is_bce(era2)
        bce1 = _is_bce(era1) if era1 else bce2
        return _ordered((-int(y1) if bce1 else int(y1), -int(y2) if bce2 else int(y2)))
    m = _HUNDREDS.search(t)
    if m:
        start = int(m.group(1)) * 100
        return (start, start + 99)
    m = _DECADE.search(t)
    if m:
        start = int(m.group(1))
        return (start, start + 9)
    m = _RANGE.search(t)
    if m:
        first, second = m.group(1), m.group(2)
        if len(second) < len(first):  # "1480-85" -> 1485
            second = first[: len(first) - len(second)] + second
        return _ordered((int(first), int(second)))
    m = _ERA_YEAR.search(t)
    if m:
        year = int(m.group(1))
        return (-year, -year) if _is_bce(m.group(2)) else (year, year)
    years = [int(y) for y in _YEAR.findall(t)]
    if years:
        return (min(years), max(years))
    return _named_period(t)


def _other_centuries(t: str) -> YearSpan | None:
    """Roman-numeral and CJK centuries, and CJK BCE years ("公元前206年至公元8年")."""
    m = _CJK_BCE_YEARS.search(t)
    if m:
        first = -int(m.group(1))
        if m.group(3) is None:
            return (first, first)
        second = int(m.group(3)) * (-1 if m.group(2) == "公元前" else 1)
        return _ordered((first, second))
    spans = []  # "7世纪末–8世纪初" is two centuries: from the first's begin to the last's end
    for m in _CJK_CENTURY.finditer(t):
        era, n1, n2, part = m.groups()
        bce = bool(era)
        part_name = _CJK_PARTS.get(part or "")
        if n2:
            spans.append((_century(int(n1), bce, None)[0], _century(int(n2), bce, part_name)[1]))
        else:
            spans.append(_century(int(n1), bce, part_name))
    if spans:
        return _ordered((spans[0][0], spans[-1][1]))
    m = _ROMAN_RANGE.search(t)
    if m:
        n1, n2 = _roman(m.group(1)), _roman(m.group(2))
        if n1 and n2:
            bce = _is_bce(m.group(3))
            return _ordered((_century(n1, bce, None)[0], _century(n2, bce, None)[1]))
    m = _ROMAN.search(t)
    if m:
        n = _roman(m.group(1))
        if n:
            return _century(n, _is_bce(m.group(2)), None)
    return None


def _named_period(t: str) -> YearSpan | None:
    """The span of the period or dynasty the text names, from the shared thesaurus (imported lazily)."""
    if not any(ch.isalpha() for ch in t):
        return None
    from ontology.reconcile import period_span

    return period_span(t)


def _year_text(year: int) -> str:
    return f"-{abs(year):04d}" if year < 0 else f"{year:04d}"


def begin_of_year(year: int) -> str:
    """``xsd:dateTime`` text of the first instant of ``year`` ("-0206-01-01T00:00:00" for 206 BCE)."""
    return f"{_year_text(year)}-01-01T00:00:00"


def end_of_year(year: int) -> str:
    """``xsd:dateTime`` text of the last second of ``year`` ("0800-12-31T23:59:59")."""
    return f"{_year_text(year)}-12-31T23:59:59"


def parse_iso_bound(text: str | None, end: bool) -> str | None:
    """An ISO-ish bound ("1480", "1510-05", "1510-05-17", "-0206") as ``xsd:dateTime`` text.

    ``end`` picks the last instant of the given precision (year -> Dec 31, month -> its last day).
    Falls back to :func:`parse_date_text` for free text ("206 BC"); None when unreadable or invalid.
    """
    if not text:
        return None
    m = _ISO.match(text)
    if not m:
        span = parse_date_text(text)
        if span is None:
            return None
        return end_of_year(span[1]) if end else begin_of_year(span[0])
    sign, y, mo, d = m.groups()
    year = int(y) * (-1 if sign else 1)
    if mo is None:
        return end_of_year(year) if end else begin_of_year(year)
    month = int(mo)
    if not 1 <= month <= 12:
        return None
    # Proleptic Gregorian leap rule on the absolute year is close enough for BCE day-precise dates.
    last = calendar.monthrange(abs(year) or 2000, month)[1]
    day = int(d) if d is not None else (last if end else 1)
    if not 1 <= day <= last:
        return None
    clock = "23:59:59" if end else "00:00:00"
    return f"{_year_text(year)}-{month:02d}-{day:02d}T{clock}"


def span_bounds(span: YearSpan) -> tuple[str, str]:
    """(begin of the begin, end of the end) for a year span."""
    return begin_of_year(span[0]), end_of_year(span[1])


def year_of(datetime_text: str | None) -> int | None:
    """The (signed) year of an ``xsd:dateTime`` lexical form ("-0206-01-01T00:00:00" -> -206)."""
    if not datetime_text:
        return None
    sign = -1 if datetime_text.startswith("-") else 1
    digits = datetime_text.lstrip("-+").split("-", 1)[0]
    return sign * int(digits) if digits.isdigit() else None
