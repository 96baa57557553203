"""Reconciliation to the shared thesaurus: museum terms in many languages and scripts, URIs, dates as text.

Table-driven: each row is a term as a museum writes it (label and language, or a URI) and the concept it
must reach, or None where a wrong link would be worse than none. The thesaurus file itself is checked
for the rules its header promises (kinds, labels, coordinates, spans, unambiguous labels).
"""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from ontology import folding
from ontology.dates import parse_date_text
from ontology.reconcile import find_period, match_label, match_uri, reconcile
from ontology.thesaurus import CONCEPT_BASE, KINDS, get_thesaurus

# (kind, museum's label, its language, expected concept slug or None)
LABELS = [
    # --- materials: silk in every language and script the hub meets ---
    ("material", "silk", "en", "silk"),
    ("material", "Silk", None, "silk"),
    ("material", "SILK ", "en", "silk"),
    ("material", "silks", "en", "silk"),
    ("material", "丝绸", "zh", "silk"),
    ("material", "絲綢", "zh-Hant", "silk"),
    ("material", "丝", "zh", "silk"),
    ("material", "絲", "zh", "silk"),
    ("material", "шёлк", "ru", "silk"),
    ("material", "шелк", "ru", "silk"),
    ("material", "Шёлк", "ru", "silk"),
    ("material", "ابریشم", "fa", "silk"),
    ("material", "حرير", "ar", "silk"),
    ("material", "ipek", "tr", "silk"),
    ("material", "ipak", "uz", "silk"),
    ("material", "Seide", "de", "silk"),
    ("material", "soie", "fr", "silk"),
    ("material", "絹", "ja", "silk"),
    ("material", "비단", "ko", "silk"),
    ("material", "ＳＩＬＫ", None, "silk"),  # full-width letters
    # --- other materials ---
    ("material", "wool", "en", "wool"),
    ("material", "Wolle", "de", "wool"),
    ("material", "шерсть", "ru", "wool"),
    ("material", "cotton", "en", "cotton"),
    ("material", "Baumwolle", "de", "cotton"),
    ("material", "coton", "fr", "cotton"),
    ("material", "felt", "en", "felt"),
    ("material", "войлок", "ru", "felt"),
    ("material", "gold", "en", "gold"),
    ("material", "金", "zh", "gold"),
    ("material", "золото", "ru", "gold"),
    ("material", "طلا", "fa", "gold"),
    ("material", "altın", "tr", "gold"),
    ("material", "silver", "en", "silver"),
    ("material", "銀", "zh-Hant", "silver"),
    ("material", "bronze", "en", "bronze"),
    ("material", "青銅", "ja", "bronze"),
    ("material", "бронза", "ru", "bronze"),
    ("material", "copper", "en", "copper"),
    ("material", "Kupfer", "de", "copper"),
    ("material", "iron", "en", "iron"),
    ("material", "鐵", "zh-Hant", "iron"),
    ("material", "jade (nephrite)", "en", "jade"),
    ("material", "Jade (Nephrit)", "de", "jade"),
    ("material", "нефрит", "ru", "jade"),
    ("material", "lapis lazuli", "en", "lapis-lazuli"),
    ("material", "Lapislazuli", "de", "lapis-lazuli"),
    ("material", "لاجورد", "fa", "lapis-lazuli"),
    ("material", "glass", "en", "glass"),
    ("material", "Glas", "de", "glass"),
    ("material", "玻璃", "zh", "glass"),
    ("material", "стекло", "ru", "glass"),
    ("material", "verre", "fr", "glass"),
    ("material", "ガラス", "ja", "glass"),
    ("material", "porcelain", "en", "porcelain"),
    ("material", "瓷", "zh", "porcelain"),
    ("material", "Porzellan", "de", "porcelain"),
    ("material", "celadon", "en", "celadon"),
    ("material", "青瓷", "zh", "celadon"),
    ("material", "céladon", "fr", "celadon"),
    ("material", "stoneware", "en", "stoneware"),
    ("material", "Steinzeug", "de", "stoneware"),
    ("material", "earthenware", "en", "earthenware"),
    ("material", "陶", "zh", "earthenware"),
    ("material", "paper", "en", "paper"),
    ("material", "紙", "ja", "paper"),
    ("material", "qog'oz", "uz", "paper"),
    ("material", "parchment", "en", "parchment"),
    ("material", "Pergament", "de", "parchment"),
    ("material", "lacquer", "en", "lacquer"),
    ("material", "漆", "zh", "lacquer"),
    ("material", "ivory", "en", "ivory"),
    ("material", "象牙", "zh", "ivory"),
    ("material", "слоновая кость", "ru", "ivory"),
    # --- techniques ---
    ("technique", "weaving", "en", "weaving"),
    ("technique", "织造", "zh", "weaving"),
    ("technique", "Weben", "de", "weaving"),
    ("technique", "embroidery", "en", "embroidering"),
    ("technique", "刺繡", "zh-Hant", "embroidering"),
    ("technique", "casting", "en", "casting"),
    ("technique", "литьё", "ru", "casting"),
    ("technique", "glassblowing", "en", "glassblowing"),
    ("technique", "glass blowing", "en", "glassblowing"),
    ("technique", "gilding", "en", "gilding"),
    ("technique", "鎏金", "zh", "gilding"),
    ("technique", "striking (coining)", "en", "striking"),
    # --- object types ---
    ("type", "coin", "en", "coin"),
    ("type", "coins", "en", "coin"),
    ("type", "钱币", "zh", "coin"),
    ("type", "錢幣", "zh-Hant", "coin"),
    ("type", "монета", "ru", "coin"),
    ("type", "монеты", "ru", "coin"),
    ("type", "Münze", "de", "coin"),
    ("type", "Münzen", "de", "coin"),
    ("type", "سکه", "fa", "coin"),
    ("type", "tanga", "uz", "coin"),
    ("type", "dirham", "en", "dirham"),
    ("type", "Kaiyuan tongbao", "en", "cash-coin"),
    ("type", "開元通寶", "zh-Hant", "cash-coin"),
    ("type", "seal", "en", "seal"),
    ("type", "印章", "zh", "seal"),
    ("type", "mirror", "en", "mirror"),
    ("type", "铜镜", "zh", "mirror"),
    ("type", "зеркало", "ru", "mirror"),
    ("type", "textile", "en", "textile"),
    ("type", "textiles", "en", "textile"),
    ("type", "织物残片", "zh", "textile"),
    ("type", "brocade", "en", "brocade"),
    ("type", "brocade (jin)", "en", "brocade"),
    ("type", "damask (ling)", "en", "damask"),
    ("type", "samite", "en", "samite"),
    ("type", "kesi (silk tapestry)", "en", "kesi"),
    ("type", "緙絲", "zh-Hant", "kesi"),
    ("type", "manuscript", "en", "manuscript"),
    ("type", "рукопись", "ru", "manuscript"),
    ("type", "painting", "en", "painting"),
    ("type", "figurine", "en", "figurine"),
    ("type", "俑", "zh", "figurine"),
    ("type", "ossuary", "en", "ossuary"),
    ("type", "ossuaries", "en", "ossuary"),
    ("type", "оссуарий", "ru", "ossuary"),
    ("type", "ostodon", "uz", "ossuary"),
    ("type", "ewer", "en", "ewer"),
    ("type", "执壶", "zh", "ewer"),
    ("type", "bowl", "en", "bowl"),
    ("type", "bowls (vessels)", "en", "bowl"),
    ("type", "碗", "zh", "bowl"),
    ("type", "kosa", "uz", "bowl"),
    ("type", "瓶", "zh", "vase"),  # the same character is a bottle in Japanese: the language decides
    ("type", "瓶", "ja", "bottle"),
    ("type", "瓶", None, None),  # ... and without a language nothing is guessed
    ("type", "sancai", "en", "sancai"),
    ("type", "唐三彩", "zh", "sancai"),
    # --- places: modern and historical names, romanisations, scripts ---
    ("place", "Xi'an", "en", "xian"),
    ("place", "Xian", "en", "xian"),
    ("place", "Sian", "en", "xian"),
    ("place", "Chang'an", "en", "xian"),
    ("place", "Changan", "en", "xian"),
    ("place", "Ch'ang-an", "zh-Latn-wadegile", "xian"),
    ("place", "Chang'an (Xi'an)", "en", "xian"),
    ("place", "长安", "zh", "xian"),
    ("place", "長安", "zh-Hant", "xian"),
    ("place", "长安（西安）", "zh", "xian"),
    ("place", "Сиань", "ru", "xian"),
    ("place", "Samarkand", "en", "samarkand"),
    ("place", "Samarqand", "uz", "samarkand"),
    ("place", "Самарканд", "ru", "samarkand"),
    ("place", "سمرقند", "fa", "samarkand"),
    ("place", "撒马尔罕", "zh", "samarkand"),
    ("place", "撒馬爾罕", "zh-Hant", "samarkand"),
    ("place", "Samarcande", "fr", "samarkand"),
    ("place", "Semerkant", "tr", "samarkand"),
    ("place", "サマルカンド", "ja", "samarkand"),
    ("place", "사마르칸트", "ko", "samarkand"),
    ("place", "Afrasiab", "en", "afrasiyab"),
    ("place", "Bukhara", "en", "bukhara"),
    ("place", "Buxoro", "uz", "bukhara"),
    ("place", "Boukhara", "fr", "bukhara"),
    ("place", "بخارى", "ar", "bukhara"),
    ("place", "Dunhuang", "en", "dunhuang"),
    ("place", "Tun-huang", "en", "dunhuang"),
    ("place", "Turfan", "en", "turfan"),
    ("place", "Turpan", "en", "turfan"),
    ("place", "Astana cemetery, Turfan", "en", "astana"),
    ("place", "Kucha", "en", "kucha"),
    ("place", "龜茲", "zh-Hant", "kucha"),
    ("place", "Kashgar", "en", "kashgar"),
    ("place", "Khotan", "en", "khotan"),
    ("place", "于闐", "zh-Hant", "khotan"),
    ("place", "Merv", "en", "merv"),
    ("place", "Merw", "de", "merv"),
    ("place", "Nishapur", "en", "nishapur"),
    ("place", "نیشابور", "fa", "nishapur"),
    ("place", "نيسابور", "ar", "nishapur"),
    ("place", "Ctesiphon", "en", "ctesiphon"),
    ("place", "المدائن", "ar", "ctesiphon"),
    ("place", "Baghdad", "en", "baghdad"),
    ("place", "Bağdat", "tr", "baghdad"),
    ("place", "Constantinople", "en", "constantinople"),
    ("place", "Konstantinopel", "de", "constantinople"),
    ("place", "İstanbul", "tr", "constantinople"),
    ("place", "Venice", "en", "venice"),
    ("place", "Venezia", "it", "venice"),
    ("place", "Murano, Venice", "en", "murano"),
    ("place", "Köln", "de", "cologne"),
    ("place", "Koeln", "de", "cologne"),
    ("place", "Кёльн", "ru", "cologne"),
    ("place", "Кельн", "ru", "cologne"),
    ("place", "name=Cologne; east=6.9603; north=50.9375", None, "cologne"),
    ("place", "Quanzhou", "en", "quanzhou"),
    ("place", "Zaitun", "en", "quanzhou"),
    ("place", "Mawangdui, Changsha", "en", "mawangdui"),
    ("place", "Atlantis", "en", None),
    # --- periods as terms ---
    ("period", "Tang dynasty", "en", "tang"),
    ("period", "唐代", "zh", "tang"),
    ("period", "Sasanian", "en", "sasanian"),
    ("period", "Sassanid", "en", "sasanian"),
    ("period", "ساسانیان", "fa", "sasanian"),
    ("period", "Abbasid Caliphate", "en", "abbasid"),
    ("period", "Byzantine", "en", "byzantine"),
    # --- kinds are kept apart ---
    ("place", "silk", "en", None),
    ("material", "Samarkand", "en", None),
    ("type", "silk", "en", None),
]

URIS = [
    ("material", "http://vocab.getty.edu/aat/300243428", "silk"),
    ("material", "https://vocab.getty.edu/page/aat/300243428", "silk"),
    ("material", "aat:300243428", "silk"),
    ("material", "http://vocab.getty.edu/aat/300010797", "glass"),
    ("material", "http://vocab.getty.edu/aat/300011021", "gold"),
    ("type", "http://vocab.getty.edu/aat/300037222", "coin"),
    ("type", "http://vocab.getty.edu/aat/300028569", "manuscript"),
    ("type", "http://vocab.getty.edu/aat/300203596", "bowl"),
    ("place", "http://www.wikidata.org/entity/Q5753", "samarkand"),
    ("place", "https://www.wikidata.org/wiki/Q5753", "samarkand"),
    ("place", "https://www.wikidata.org/wiki/Q5826", "xian"),
    ("place", "https://pleiades.stoa.org/places/423025/", "rome"),
    ("place", "https://w3id.org/srom/concept/place/merv", "merv"),
    ("material", "https://w3id.org/srom/concept/place/merv", None),  # a place IRI is no material
    ("material", "http://vocab.getty.edu/aat/300037222", None),  # coins are a type, not a material
    ("place", "http://www.wikidata.org/entity/Q42", None),
]

DATES = [
    ("Tang dynasty", (618, 907)),
    ("唐代", (618, 907)),
    ("唐", (618, 907)),
    ("唐朝", (618, 907)),
    ("Sasanian period", (224, 651)),
    ("Eastern Han", (25, 220)),
    ("東漢", (25, 220)),
    ("东汉", (25, 220)),
    ("Western Han dynasty", (-206, 9)),
    ("Династия Тан", (618, 907)),
    ("Саманиды", (819, 999)),
    ("Byzantine", (330, 1453)),
    ("8th century", (701, 800)),
    ("618-907", (618, 907)),
    ("ca. 1750", (1750, 1750)),
    ("Tang dynasty, 8th century", (701, 800)),  # the century is more precise than the dynasty
    ("唐代，7世纪", (601, 700)),
    ("唐代，7世纪末–8世纪初", (668, 733)),
    ("8世紀", (701, 800)),
    ("8세기", (701, 800)),
    ("公元前2世纪", (-200, -101)),
    ("公元前206年至公元8年", (-206, 8)),
    ("VII–VIII вв.", (601, 800)),
    ("IX в. до н. э.", (-900, -801)),
    ("VIIIe siècle", (701, 800)),
    ("3. Jh. n. Chr.", (201, 300)),
    ("Kaiyuan era", None),
    ("Sui-Tang", None),  # two dynasties: no single span is claimed
]


def slug_iri(kind: str, slug: str | None) -> str | None:
    return f"{CONCEPT_BASE}{kind}/{slug}" if slug else None


def test_the_table_is_as_broad_as_promised() -> None:
    scripts = {lang.split("-")[0] for _, _, lang, _ in LABELS if lang}
    assert len(LABELS) + len(URIS) >= 100
    assert len(scripts) >= 6, scripts


@pytest.mark.parametrize(("kind", "label", "lang", "slug"), LABELS)
def test_label_reconciles_to_its_concept(kind: str, label: str, lang: str | None, slug: str | None) -> None:
    concept = match_label(kind, label, lang)
    assert (concept.iri if concept else None) == slug_iri(kind, slug)


@pytest.mark.parametrize(("kind", "uri", "slug"), URIS)
def test_uri_the_record_gives_reconciles(kind: str, uri: str, slug: str | None) -> None:
    concept = match_uri(kind, uri)
    assert (concept.iri if concept else None) == slug_iri(kind, slug)


@pytest.mark.parametrize(("text", "span"), DATES)
def test_date_text_gets_years(text: str, span: tuple[int, int] | None) -> None:
    assert parse_date_text(text) == span


def test_a_uri_wins_over_the_label_and_a_uri_written_as_text_is_read() -> None:
    concept = reconcile("material", "http://vocab.getty.edu/aat/300010797", [("Seide", "de")])
    assert concept is not None and concept.slug == "glass"
    concept = reconcile("type", None, [("http://vocab.getty.edu/aat/300037222", None)])
    assert concept is not None and concept.slug == "coin"
    # An unknown museum URI falls back to the labels.
    concept = reconcile("material", "https://museum.example/thesaurus/77", [("Seide", "de")])
    assert concept is not None and concept.slug == "silk"


def test_periods_named_in_dates_need_a_clear_word() -> None:
    assert find_period("公元8世纪") is None  # 元 of 公元 (CE) is not the Yuan dynasty
    assert find_period("唐代，开元年间").slug == "tang"  # ... nor 元 of the Kaiyuan era
    assert find_period("Khanbaliq") is None  # "han" inside a word is not the Han dynasty
    assert find_period("Eastern Han (Han dynasty)").slug == "eastern-han"  # the narrower period wins


def test_traditional_chinese_folds_with_or_without_opencc() -> None:
    assert folding.key("絲綢之路") == folding.key("丝绸之路")
    # The fallback table (used when opencc is not installed) covers every character of the zh-Hant labels.
    th = get_thesaurus()
    for c in th.concepts.values():
        hans = [t for t, lang in c.pref_labels if lang == "zh-Hans"]
        hant = [t for t, lang in c.pref_labels if lang == "zh-Hant"]
        if hans and hant and len(hans[0]) == len(hant[0]):
            assert hant[0].translate(folding._T2S) == hans[0], c.iri


def test_thesaurus_keeps_the_rules_of_its_header() -> None:
    th = get_thesaurus()
    kinds = defaultdict(list)
    for c in th.concepts.values():
        kinds[c.kind].append(c)
        assert c.iri.startswith(CONCEPT_BASE + c.kind + "/")
        assert any(lang == "en" for _, lang in c.pref_labels), c.iri
        langs = [lang for _, lang in c.pref_labels]
        assert len(langs) == len(set(langs)), f"{c.iri}: two preferred labels in one language"
        for uri in c.matches:
            assert re.match(r"^(http://vocab\.getty\.edu/aat/3\d{8}|http://www\.wikidata\.org/entity/Q\d+|"
                            r"https://pleiades\.stoa\.org/places/\d+|https://sws\.geonames\.org/\d+/|"
                            r"https://whgazetteer\.org/api/place/\d+/)$", uri), uri
        for b in c.broader:
            assert th.concepts[b].kind == c.kind
    assert set(kinds) == set(KINDS)
    assert len(kinds["place"]) >= 60
    for place in kinds["place"]:
        assert place.lat is not None and -90 <= place.lat <= 90 and -180 <= place.lon <= 180, place.iri
    for period in kinds["period"]:
        assert period.begin is not None and period.end is not None and period.begin <= period.end, period.iri
    required = {"material": "silk wool cotton felt gold silver bronze copper iron jade lapis-lazuli glass porcelain "
                            "celadon stoneware earthenware paper parchment lacquer ivory",
                "type": "brocade damask samite gauze kesi embroidery coin seal mirror textile manuscript painting "
                        "figurine ossuary ewer bowl sancai",
                "period": "han western-han eastern-han tang song yuan ming qing sasanian sogdian samanid abbasid "
                          "umayyad byzantine roman-imperial kushan timurid",
                "place": "xian luoyang dunhuang turfan gaochang astana kucha kashgar khotan niya loulan samarkand "
                         "afrasiyab panjikent bukhara merv balkh herat nishapur rayy ctesiphon baghdad palmyra "
                         "antioch constantinople venice cologne hangzhou guangzhou quanzhou mawangdui chengdu"}
    for kind, slugs in required.items():
        missing = [s for s in slugs.split() if f"{CONCEPT_BASE}{kind}/{s}" not in th.concepts]
        assert not missing, (kind, missing)


def test_no_label_names_two_concepts_of_a_kind_in_one_language() -> None:
    th = get_thesaurus()
    clashes = []
    for (kind, key), entries in th.labels.items():
        by_lang = defaultdict(set)
        for e in entries:
            by_lang[e.lang].add(e.concept)
        clashes += [(kind, key, lang) for lang, concepts in by_lang.items() if len(concepts) > 1]
    assert not clashes
