"""Reconciliation: a museum's term (a label in any language or script, a local URI, an AAT / Wikidata /
GeoNames / Pleiades / WHG URI) matched to a concept of the shared thesaurus, kind by kind.

Rules, in order (the first that decides wins):

1. a URI the record gives, folded (:func:`ontology.folding.uri_key`), that the thesaurus lists for a
   concept of the asked kind (the concept IRI itself, or one of its skos:exactMatch / closeMatch);
2. each label, then its shorter forms (without a parenthetical, the parenthetical, each comma part),
   by the exact key (case, diacritics, Unicode forms, traditional/simplified Chinese, punctuation);
3. the same with the loose key (plurals, transliteration pairs such as q/k, kh/h, oe/ö).

A key naming several concepts of the kind is narrowed to labels in the term's language, then to
preferred labels; still several, it matches none (a wrong link is worse than none: the term goes to the
unmatched-terms review). Everything is memoised on the normalised input, so a feed pays for each distinct
term once. Pure: no I/O besides the thesaurus file read once by :mod:`ontology.thesaurus`.

:func:`find_period` scans a date text ("Tang dynasty, 8th century", "唐代", "Династия Тан") for the one
period or dynasty it names; :mod:`ontology.dates` uses it for dates written as text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from ontology import folding
from ontology.thesaurus import Concept, IndexEntry, Thesaurus, get_thesaurus, primary_language, reload_thesaurus

Label = tuple[str, str | None]
_URI_LIKE = re.compile(r"^\s*(?:https?://|aat:|tgn:)\S+\s*$", re.IGNORECASE)


def _choose(entries: list[IndexEntry], lang: str | None) -> str | None:
    concepts = {e.concept for e in entries}
    if len(concepts) == 1:
        return next(iter(concepts))
    want = primary_language(lang)
    same = [e for e in entries if e.lang == want]
    if same and len({e.concept for e in same}) == 1:
        return same[0].concept
    pool = same or entries
    preferred = {e.concept for e in pool if e.preferred}
    return next(iter(preferred)) if len(preferred) == 1 else None


def _lookup(th: Thesaurus, kind: str, text: str, lang: str | None) -> tuple[bool, str | None]:
    """(decided, concept): decided is True when some key matched, even ambiguously."""
    forms = folding.variants(text)
    for index, keyer in ((th.labels, folding.key), (th.loose_labels, lambda t: folding.loose_key(folding.key(t)))):
        for form in forms:
            k = keyer(form)
            entries = index.get((kind, k)) if k else None
            if entries:
                return True, _choose(entries, lang)
    return False, None


@lru_cache(maxsize=1 << 16)
def _match_label(kind: str, text: str, lang: str | None) -> str | None:
    return _lookup(get_thesaurus(), kind, text, lang)[1]


def match_label(kind: str, text: str, lang: str | None = None) -> Concept | None:
    """The concept of ``kind`` a label names ("Seide"@de -> material/silk), or None."""
    iri = _match_label(kind, text, lang) if text and text.strip() else None
    return get_thesaurus().concepts[iri] if iri else None


@lru_cache(maxsize=1 << 14)
def _match_uri(kind: str, uri: str) -> str | None:
    th = get_thesaurus()
    k = folding.uri_key(uri)
    hits = [c for c in th.uris.get(k or "", []) if th.concepts[c].kind == kind]
    return hits[0] if len(hits) == 1 else None


def match_uri(kind: str, uri: str) -> Concept | None:
    """The concept of ``kind`` a URI stands for (``aat:300243428`` -> material/silk), or None."""
    iri = _match_uri(kind, uri) if uri else None
    return get_thesaurus().concepts[iri] if iri else None


def is_known_uri(uri: str) -> bool:
    """True when the thesaurus itself states this URI (an AAT id it links, one of its concepts)."""
    return bool(get_thesaurus().uris.get(folding.uri_key(uri) or ""))


@lru_cache(maxsize=1 << 16)
def _reconcile(kind: str, uri: str | None, labels: tuple[Label, ...]) -> str | None:
    if uri:
        iri = _match_uri(kind, uri)
        if iri:
            return iri
    th = get_thesaurus()
    for text, lang in labels:
        if _URI_LIKE.match(text):  # a URI written as the term's text (dc:type "http://vocab.getty.edu/aat/...")
            iri = _match_uri(kind, text.strip())
            if iri:
                return iri
            continue
        decided, iri = _lookup(th, kind, text, lang)
        if iri:
            return iri
        if decided:  # an ambiguous label: do not let a later, weaker label guess
            return None
    return None


def reconcile(kind: str, uri: str | None = None, labels: Sequence[Label] = ()) -> Concept | None:
    """The shared concept for a museum's term of ``kind``: its URI first, then its labels in order."""
    iri = _reconcile(kind, uri or None, tuple(labels))
    return get_thesaurus().concepts[iri] if iri else None


# --- periods named in date texts -----------------------------------------------------------------------

_CJK = "\u3400-\u9fff\uf900-\ufaff"
_ONLY_CJK = re.compile(f"^[{_CJK}]+$")


@lru_cache(maxsize=1)
def _period_scanner() -> tuple[re.Pattern[str], dict[str, set[str]]]:
    th = get_thesaurus()
    names: dict[str, set[str]] = {}
    for c in th.of_kind("period"):
        for text, _lang in c.pref_labels + c.alt_labels:
            folded = folding.fold(text)
            if folded:
                names.setdefault(folded, set()).add(c.iri)
    alternatives = []
    for name in sorted(names, key=len, reverse=True):
        body = re.escape(name)
        if _ONLY_CJK.match(name) and len(name) == 1:
            # A one-character dynasty (唐, 元, 明) only on its own or before 代/朝: not 元 in 公元 or 开元.
            alternatives.append(f"(?<![{_CJK}]){body}(?=$|[^{_CJK}]|[代朝])")
        elif _ONLY_CJK.match(name):
            alternatives.append(body)
        else:
            alternatives.append(rf"(?<!\w){body}(?!\w)")
    return re.compile("|".join(alternatives)), names


@lru_cache(maxsize=1 << 14)
def _find_period(folded: str) -> str | None:
    pattern, names = _period_scanner()
    found: set[str] = set()
    for m in pattern.finditer(folded):
        found |= names[m.group(0)]
    if not found:
        return None
    th = get_thesaurus()
    # "Eastern Han (Han dynasty)" names Han twice over: keep the most specific.
    specific = {c for c in found if not any(c in th.ancestors(o) for o in found if o != c)}
    return next(iter(specific)) if len(specific) == 1 else None


def find_period(text: str | None) -> Concept | None:
    """The one period or dynasty a date text names, or None (none, or several unrelated ones)."""
    if not text:
        return None
    folded = folding.fold(text)
    if not any(ch.isalpha() for ch in folded):  # "618-907", "1750": numbers name no period
        return None
    iri = _find_period(folded)
    return get_thesaurus().concepts[iri] if iri else None


def period_span(text: str | None) -> tuple[int, int] | None:
    """(begin, end) years of the period a date text names ("唐代" -> (618, 907)), or None."""
    period = find_period(text)
    if period is None or period.begin is None or period.end is None:
        return None
    return period.begin, period.end


def refresh() -> Thesaurus:
    """Re-read the thesaurus file and forget every memoised match (after an admin edited the file)."""
    th = reload_thesaurus()
    for cached in (_match_label, _match_uri, _reconcile, _find_period, _period_scanner, folding.uri_key):
        cached.cache_clear()
    return th
