"""Folding museum terms and authority URIs into comparison keys, for reconciliation.

Two strings that name the same thing in different dress get the same key: case, compatibility forms
(full-width letters and brackets), diacritics (NFKD with combining marks removed), traditional and
simplified Chinese, Arabic and Persian letter variants, apostrophes, hyphens and spaces ("Ch'ang-an",
"Chang an", "Changan"). :func:`loose_key` folds further (plurals, common transliteration pairs such as
q/k and kh/h, German umlaut spellings, a Russian final vowel) and is only tried when the exact key finds
nothing. URIs fold to ``aat:300243428``, ``wd:Q5753``... whatever form the museum wrote.

It owns text normalisation only: no thesaurus, no RDF, no I/O. Traditional to simplified Chinese uses the
``opencc`` package when it is installed (complete, about 1.5 us a call); without it, a table of the
characters the thesaurus labels need (derived from its zh-Hant/zh-Hans label pairs, see
:func:`add_t2s_pairs`, plus a few common ones below) keeps the thesaurus's own terms matching.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

try:  # optional: complete traditional -> simplified conversion
    import opencc as _opencc

    _CONVERTER: _opencc.OpenCC | None = _opencc.OpenCC("t2s.json")
except Exception:  # missing package or data: fall back to the table
    _CONVERTER = None

#: Traditional -> simplified characters always known (common in museum records); the thesaurus adds the
#: pairs of its own labels at load time.
_T2S: dict[int, str] = {ord(t): s for t, s in zip(
    "絲綢錢幣銅鏡東漢國寶瓷陶燈壺與為書畫紙銀鐵鉛羅綾錦繡緙織藝館藏時間歷",
    "丝绸钱币铜镜东汉国宝瓷陶灯壶与为书画纸银铁铅罗绫锦绣缂织艺馆藏时间历",
    strict=True,
)}

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Arabic-script letters that differ between Arabic and Persian keyboards, and marks that carry no meaning
# for matching (tatweel, zero-width joiners).
_ARABIC = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "ۀ": "ه", "ـ": None, "\u200c": None, "\u200d": None})
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_LATIN = re.compile(r"^[a-z0-9]+$")
_CYRILLIC = re.compile(r"^[а-я0-9]+$")
_LATIN_PAIRS = (
    ("dsch", "j"), ("tsch", "ch"), ("sch", "sh"), ("dzh", "j"), ("zh", "j"), ("kh", "h"), ("gh", "g"),
    ("ph", "f"), ("ck", "k"), ("q", "k"), ("w", "v"), ("y", "i"), ("ae", "a"), ("oe", "o"), ("ue", "u"),
    ("ou", "u"), ("ı", "i"),
)
_DOUBLE = re.compile(r"(.)\1+")


def add_t2s_pairs(pairs: dict[str, str]) -> None:
    """Teach the fallback table traditional -> simplified characters (used only without opencc)."""
    for t, s in pairs.items():
        if t != s:
            _T2S.setdefault(ord(t), s)
    _fold.cache_clear()


def uses_opencc() -> bool:
    return _CONVERTER is not None


def to_simplified(text: str) -> str:
    """Traditional Chinese characters in ``text`` as simplified ones (other scripts unchanged)."""
    if not _CJK.search(text):
        return text
    if _CONVERTER is not None:
        return _CONVERTER.convert(text)
    return text.translate(_T2S)


@lru_cache(maxsize=1 << 15)
def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = to_simplified(text).casefold()
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = text.translate(_ARABIC)
    return " ".join(_NON_WORD.sub(" ", text).split())


def fold(text: str) -> str:
    """``text`` folded (case, forms, diacritics, script variants), punctuation as single spaces."""
    return _fold(text)


def key(text: str) -> str:
    """The exact comparison key: the folded text without any space or punctuation."""
    return _fold(text).replace(" ", "")


def loose_key(k: str) -> str:
    """A key folded further, for a second, forgiving lookup (both sides must use it)."""
    if _LATIN.match(k):
        for a, b in _LATIN_PAIRS:
            k = k.replace(a, b)
        k = _DOUBLE.sub(r"\1", k)
        if len(k) > 4 and k.endswith("es"):
            k = k[:-2]
        elif len(k) > 5 and k.endswith("en"):
            k = k[:-1]
        elif len(k) > 3 and k.endswith("s"):
            k = k[:-1]
        return k
    if _CYRILLIC.match(k):
        k = k.replace("ё", "е")
        return k[:-1] if len(k) > 3 and k[-1] in "аяыиеоьйу" else k
    if k.startswith("ال") and len(k) > 4:  # the Arabic article
        return k[2:]
    return k


# --- words for the full-text index ---------------------------------------------------------------------
#: scripts written without spaces between words (Han, kana; Korean is spaced): each character is a word of its own,
#: so a search for 丝绸 is the phrase 丝 绸 and finds 丝绸之路 as CONTAINS would
_UNSPACED = re.compile(r"([\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff])")


def word_groups(text: str) -> list[list[str]]:
    """``text`` folded and cut into words for the text index: a list of phrases, each a list of words.

    A run of Latin, Cyrillic, Arabic, Hangul... letters and digits is one word; Han and kana
    characters are one word each, kept together as a phrase where they were written together ("Baghdad铜镜" ->
    ``[["baghdad"], ["铜", "镜"]]``). Folding as :func:`fold` (case, diacritics, traditional Chinese).
    """
    groups: list[list[str]] = []
    for chunk in fold(text).split():
        phrase: list[str] = []
        for piece in _UNSPACED.split(chunk):
            if not piece:
                continue
            if _UNSPACED.fullmatch(piece):
                phrase.append(piece)
                continue
            if phrase:
                groups.append(phrase)
                phrase = []
            groups.append([piece])
        if phrase:
            groups.append(phrase)
    return groups


def index_words(text: str) -> str:
    """``text`` as the index stores it: folded words separated by single spaces (see :func:`word_groups`)."""
    return " ".join(w for group in word_groups(text) for w in group)


_PAREN = re.compile(r"^(.*?)\s*[(\[]([^()\[\]]+)[)\]]\s*$")
_DCMI_NAME = re.compile(r"^\s*name\s*=\s*([^;]+)", re.I)
_PARTS = re.compile(r"\s*[,;/、，；]\s*")


def variants(text: str) -> list[str]:
    """``text`` and the shorter forms worth trying: without a parenthetical, the parenthetical, each part.

    "Chang'an (Xi'an)" -> Chang'an (Xi'an), Chang'an, Xi'an; "Murano, Venice" -> ..., Murano, Venice.
    """
    text = unicodedata.normalize("NFKC", text).strip()
    out = [text]
    dcmi = _DCMI_NAME.match(text)  # a DCMI Point or Box: "name=Cologne; east=6.96; north=50.94"
    if dcmi:
        out.append(dcmi.group(1))
    m = _PAREN.match(text)
    if m:
        out += [m.group(1), m.group(2)]
    for part in _PARTS.split(text):
        if part and part not in out:
            out.append(part)
            pm = _PAREN.match(part)
            if pm:
                out += [pm.group(1), pm.group(2)]
    return [v for v in dict.fromkeys(o.strip() for o in out) if v]


# --- URIs --------------------------------------------------------------------------------------------

_URI_FORMS = (
    (re.compile(r"^(?:https?://)?vocab\.getty\.edu/(?:page/)?(aat|tgn|ulan)/(\d+)", re.I), "getty"),
    (re.compile(r"^(aat|tgn|ulan):(\d+)$", re.I), "getty"),
    (re.compile(r"^(?:https?://)?(?:www\.|m\.)?wikidata\.org/(?:wiki|entity)/(?:Special:EntityPage/)?(Q\d+)", re.I),
     "wd"),
    (re.compile(r"^(?:https?://)?(?:sws\.|www\.)?geonames\.org/(\d+)", re.I), "gn"),
    (re.compile(r"^(?:https?://)?pleiades\.stoa\.org/places/(\d+)", re.I), "pl"),
    (re.compile(r"^(?:https?://)?(?:www\.)?whgazetteer\.org/(?:api/)?places?/(\d+)", re.I), "whg"),
)


@lru_cache(maxsize=1 << 14)
def uri_key(uri: str) -> str | None:
    """A comparison key for an authority or local URI ("aat:300243428", "wd:Q5753"), None if empty."""
    uri = uri.strip()
    if not uri:
        return None
    for pattern, name in _URI_FORMS:
        m = pattern.match(uri)
        if m:
            if name == "getty":
                return f"{m.group(1).lower()}:{m.group(2)}"
            return f"{name}:{m.group(1).upper()}"
    bare = re.sub(r"^https?://", "", uri, flags=re.I).rstrip("/#")
    host, _, rest = bare.partition("/")
    return f"{host.lower()}/{rest}" if rest else host.lower()
