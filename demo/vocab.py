"""Shared vocabulary of the demo records: terms, places and periods with labels in several languages.

This module owns the *facts* that several demo museums share (a material, a place, a period), so that
"silk" in Hangzhou, "шёлк" in Samarkand and "Seide" in Cologne are written from one entry. It is read
only by ``demo/build_records.py``; the served feeds read the generated XML, never this module.

Getty AAT ids are given only where they were checked against several independent uses (silk, wool,
gold, silver, copper, bronze, glass, porcelain, wood, ivory, parchment, paper, ink, coins, manuscripts,
sculpture); every other term carries its label only, as many real museum feeds do.
"""

from __future__ import annotations

from dataclasses import dataclass, field

AAT = "http://vocab.getty.edu/aat/"


@dataclass(frozen=True)
class Term:
    """A concept with labels per language (en, zh, ru, de, uz) and an optional AAT id."""

    key: str
    labels: dict[str, str]
    aat: str | None = None

    @property
    def uri(self) -> str | None:
        return AAT + self.aat if self.aat else None

    def label(self, lang: str) -> str:
        # Uzbek labels are sparse: fall back to Russian (the Samarkand museum's cataloguing language),
        # then English, as a real bilingual catalogue would.
        for candidate in (lang, "ru" if lang == "uz" else "en", "en"):
            if candidate in self.labels:
                return self.labels[candidate]
        raise KeyError(lang)


@dataclass(frozen=True)
class Place:
    """A real place with labels, WGS84 coordinates and the modern country it lies in."""

    key: str
    labels: dict[str, str]
    lat: float
    lon: float
    country: dict[str, str] = field(default_factory=dict)

    def label(self, lang: str) -> str:
        return self.labels.get(lang) or self.labels.get("ru" if lang == "uz" else "en") or self.labels["en"]


def _t(key: str, aat: str | None, en: str, zh: str, ru: str, de: str, uz: str | None = None) -> Term:
    labels = {"en": en, "zh": zh, "ru": ru, "de": de}
    if uz:
        labels["uz"] = uz
    return Term(key, labels, aat)


TERMS: dict[str, Term] = {
    t.key: t
    for t in [
        # --- materials ---
        _t("silk", "300243428", "silk", "丝绸", "шёлк", "Seide", "ipak"),
        _t("wool", "300243430", "wool", "羊毛", "шерсть", "Wolle", "jun"),
        _t("cotton", None, "cotton", "棉", "хлопок", "Baumwolle", "paxta"),
        _t("gold", "300011021", "gold", "金", "золото", "Gold", "oltin"),
        _t("silver", "300011029", "silver", "银", "серебро", "Silber", "kumush"),
        _t("copper", "300011020", "copper", "铜", "медь", "Kupfer", "mis"),
        _t("bronze", "300010957", "bronze", "青铜", "бронза", "Bronze", "bronza"),
        _t("iron", None, "iron", "铁", "железо", "Eisen", "temir"),
        _t("glass", "300010797", "glass", "玻璃", "стекло", "Glas", "shisha"),
        _t("porcelain", "300010662", "porcelain", "瓷", "фарфор", "Porzellan", "chinni"),
        _t("stoneware", None, "stoneware", "炻器", "каменная керамика", "Steinzeug"),
        _t("earthenware", None, "earthenware", "陶", "керамика", "Irdenware", "sopol"),
        _t("terracotta", None, "terracotta", "陶", "терракота", "Terrakotta", "terrakota"),
        _t("slip", None, "slip", "化妆土", "ангоб", "Engobe", "angob"),
        _t("lead glaze", None, "lead glaze", "铅釉", "свинцовая глазурь", "Bleiglasur"),
        _t("glaze", None, "glaze", "釉", "глазурь", "Glasur", "sir"),
        _t("cobalt", None, "cobalt blue", "钴蓝", "кобальт", "Kobaltblau"),
        _t("paper", "300014109", "paper", "纸", "бумага", "Papier", "qog'oz"),
        _t("ink", "300015012", "ink", "墨", "чернила", "Tinte", "siyoh"),
        _t("pigment", None, "pigment", "颜料", "пигмент", "Pigment", "bo'yoq"),
        _t("wood", "300011914", "wood", "木", "дерево", "Holz", "yog'och"),
        _t("bamboo", None, "bamboo", "竹", "бамбук", "Bambus"),
        _t("ivory", "300011857", "ivory", "象牙", "слоновая кость", "Elfenbein", "fil suyagi"),
        _t("bone", None, "bone", "骨", "кость", "Knochen", "suyak"),
        _t("parchment", "300011851", "parchment", "羊皮纸", "пергамент", "Pergament", "pergament"),
        _t("leather", None, "leather", "皮革", "кожа", "Leder", "teri"),
        _t("jade", None, "jade (nephrite)", "玉", "нефрит", "Jade (Nephrit)"),
        _t("gold thread", None, "gold thread", "金线", "золотая нить", "Goldfaden", "zar ip"),
        _t("clay plaster", None, "clay plaster", "泥灰", "глиняная штукатурка", "Lehmputz", "loy suvoq"),
        _t("marble", None, "marble", "大理石", "мрамор", "Marmor"),
        _t("enamel", None, "enamel", "珐琅", "эмаль", "Email"),
        _t("mother-of-pearl", None, "mother-of-pearl", "螺钿", "перламутр", "Perlmutt"),
        _t("agate", None, "agate", "玛瑙", "агат", "Achat"),
        # --- techniques ---
        _t("weaving", None, "weaving", "织造", "ткачество", "Weben", "to'qish"),
        _t(
            "compound weave",
            None,
            "weft-faced compound twill",
            "纬锦",
            "самит (уточное переплетение)",
            "Samitbindung",
        ),
        _t(
            "warp-faced weave",
            None,
            "warp-faced compound weave",
            "经锦",
            "основное сложное переплетение",
            "kettköpermusterung",
        ),
        _t("tapestry weaving", None, "silk tapestry weaving", "缂织", "шпалерное ткачество", "Wirkerei"),
        _t("embroidering", None, "embroidering", "刺绣", "вышивка", "Sticken", "kashtachilik"),
        _t(
            "clamp-resist dyeing",
            None,
            "clamp-resist dyeing",
            "夹缬",
            "зажимное резервное крашение",
            "Klemmreservefärbung",
        ),
        _t(
            "resist dyeing",
            None,
            "ikat (warp resist dyeing)",
            "扎经染色",
            "абровое крашение (икат)",
            "Ikat-Färbung",
            "abr bo'yash",
        ),
        _t("dyeing", None, "dyeing", "染色", "крашение", "Färben", "bo'yash"),
        _t("gold printing", None, "gold-leaf printing", "印金", "печать золотом", "Golddruck"),
        _t("spinning", None, "spinning", "纺", "прядение", "Spinnen", "yigirish"),
        _t("casting", None, "casting", "铸造", "литьё", "Guss", "quyish"),
        _t("striking", None, "striking (coining)", "打压", "чеканка монет", "Prägung", "zarb qilish"),
        _t("repousse", None, "repoussé", "锤揲", "выколотка", "Treibarbeit"),
        _t("chasing", None, "chasing", "錾刻", "чеканка", "Ziselieren", "o'ymakorlik"),
        _t("gilding", None, "gilding", "鎏金", "золочение", "Vergoldung", "zarhallash"),
        _t("inlaying", None, "inlaying", "镶嵌", "инкрустация", "Einlegearbeit"),
        _t("glassblowing", None, "glassblowing", "吹制", "выдувание стекла", "Glasblasen", "shisha puflash"),
        _t("mould-blowing", None, "mould-blowing", "模吹", "выдувание в форму", "Formblasen"),
        _t("glass cutting", None, "glass cutting", "磨刻", "гранение стекла", "Glasschliff"),
        _t(
            "thread trailing", None, "trailed thread decoration", "缠丝装饰", "накладные нити", "Fadenauflage"
        ),
        _t("enamelling", None, "enamelling", "珐琅彩绘", "эмалевая роспись", "Emailmalerei"),
        _t(
            "throwing",
            None,
            "wheel-throwing",
            "拉坯",
            "формовка на гончарном круге",
            "Drehen",
            "charxda yasash",
        ),
        _t("moulding", None, "moulding", "模制", "формовка в матрице", "Formen", "qolipda quyish"),
        _t("glazing", None, "glazing", "施釉", "глазурование", "Glasieren", "sirlash"),
        _t(
            "slip painting",
            None,
            "slip painting",
            "化妆土彩绘",
            "роспись ангобом",
            "Engobemalerei",
            "angob bilan bezash",
        ),
        _t(
            "underglaze painting",
            None,
            "underglaze painting",
            "釉下彩绘",
            "подглазурная роспись",
            "Unterglasurmalerei",
        ),
        _t("painting", None, "painting", "彩绘", "роспись", "Bemalung", "rangtasvir"),
        _t("calligraphy", None, "calligraphy", "书法", "каллиграфия", "Kalligraphie", "xattotlik"),
        _t("illumination", None, "illumination", "泥金装饰", "иллюминирование", "Buchmalerei", "bezak"),
        _t(
            "papermaking",
            None,
            "papermaking",
            "造纸",
            "изготовление бумаги",
            "Papierherstellung",
            "qog'oz tayyorlash",
        ),
        _t("woodblock printing", None, "woodblock printing", "雕版印刷", "ксилография", "Holztafeldruck"),
        _t("carving", None, "carving", "雕刻", "резьба", "Schnitzen", "o'ymakorlik"),
        _t("champleve", None, "champlevé enamelling", "嵌胎珐琅", "выемчатая эмаль", "Grubenschmelz"),
        # --- object types ---
        _t("brocade", None, "brocade (jin)", "锦", "парча (цзинь)", "Brokat (jin)"),
        _t("samite", None, "samite", "纬锦", "самит", "Samit", "samit"),
        _t("damask", None, "damask (ling)", "绫", "камка (лин)", "Damast (ling)"),
        _t("gauze", None, "gauze", "罗", "газ", "Gaze"),
        _t(
            "plain silk",
            None,
            "plain-weave silk (juan)",
            "绢",
            "шёлк полотняного переплетения (цзюань)",
            "Seide in Leinwandbindung (juan)",
        ),
        _t("embroidery", None, "embroidery", "刺绣", "вышивка", "Stickerei", "kashta"),
        _t("kesi", None, "kesi (silk tapestry)", "缂丝", "кэсы (шёлковый гобелен)", "Kesi (Seidenwirkerei)"),
        _t("lampas", None, "lampas", "特结锦", "лампас", "Lampas"),
        _t("velvet", None, "velvet", "天鹅绒", "бархат", "Samt"),
        _t("ikat", None, "ikat textile", "扎经织物", "абровая ткань", "Ikat-Gewebe", "abr mato"),
        _t("suzani", None, "suzani (embroidered hanging)", "苏扎尼刺绣", "сюзане", "Susani", "so'zana"),
        _t(
            "textile fragment",
            None,
            "textile fragment",
            "织物残片",
            "фрагмент ткани",
            "Textilfragment",
            "mato parchasi",
        ),
        _t("robe", None, "robe", "袍", "халат", "Gewand", "to'n"),
        _t("shoe", None, "shoe", "鞋", "туфля", "Schuh"),
        _t("purse", None, "purse", "荷包", "кошелёк", "Beutel"),
        _t("banner", None, "banner", "幡", "знамя (хоругвь)", "Fahne"),
        _t("woven picture", None, "woven silk picture", "织锦画", "тканая картина", "Seidenwebbild"),
        _t("coin", "300037222", "coin", "钱币", "монета", "Münze", "tanga"),
        _t("bowl", None, "bowl", "碗", "чаша", "Schale", "kosa"),
        _t("dish", None, "dish", "盘", "блюдо", "Teller", "lagan"),
        _t("ewer", None, "ewer", "执壶", "кувшин", "Kanne", "ko'za"),
        _t("jar", None, "jar", "罐", "сосуд (хум)", "Topf", "xum"),
        _t("vase", None, "vase", "瓶", "ваза", "Vase", "guldon"),
        _t("cup", None, "cup", "杯", "чаша (кубок)", "Becher", "piyola"),
        _t("beaker", None, "beaker", "杯", "стакан", "Becher"),
        _t("bottle", None, "bottle", "瓶", "флакон", "Flasche", "shisha idish"),
        _t("flask", None, "flask", "扁瓶", "фляга", "Flasche", "idish"),
        _t("cage cup", None, "cage cup (diatretum)", "网格杯", "диатрета", "Diatretglas"),
        _t("drinking horn", None, "drinking horn", "角杯", "рог для питья", "Trinkhorn"),
        _t("beads", None, "beads", "珠", "бусы", "Perlen", "munchoq"),
        _t("figurine", None, "figurine", "俑", "статуэтка", "Figur", "haykalcha"),
        _t("tomb figure", None, "tomb figure", "陶俑", "погребальная статуэтка", "Grabfigur"),
        _t("mirror", None, "mirror", "铜镜", "зеркало", "Spiegel", "ko'zgu"),
        _t("incense burner", None, "incense burner", "香炉", "курильница", "Räuchergefäß", "xushbo'ygir"),
        _t("hairpin", None, "hairpin", "簪", "шпилька", "Haarnadel"),
        _t("earring", None, "earring", "耳环", "серьга", "Ohrring", "isirg'a"),
        _t("belt plaque", None, "belt plaque", "带銙", "поясная бляха", "Gürtelplatte"),
        _t("lamp", None, "oil lamp", "油灯", "светильник", "Öllampe", "chiroq"),
        _t("reliquary", None, "reliquary", "圣物匣", "реликварий", "Reliquiar"),
        _t("censer", None, "censer", "香炉", "кадило", "Weihrauchfass"),
        _t("ossuary", None, "ossuary", "纳骨瓮", "оссуарий", "Ossuar", "ostodon"),
        _t(
            "wall painting",
            None,
            "wall painting fragment",
            "壁画残片",
            "фрагмент настенной росписи",
            "Wandmalereifragment",
            "devoriy surat parchasi",
        ),
        _t("banner painting", None, "banner painting", "幡画", "живопись на шёлке (хоругвь)", "Fahnenbild"),
        _t("manuscript", "300028569", "manuscript", "写本", "рукопись", "Handschrift", "qo'lyozma"),
        _t("sutra scroll", None, "sutra scroll", "佛经写卷", "свиток сутры", "Sutrarolle"),
        _t("printed sutra", None, "printed sutra", "刻本佛经", "печатная сутра", "gedrucktes Sutra"),
        _t("document", None, "document", "文书", "документ", "Urkunde", "hujjat"),
        _t("paper sheet", None, "sheet of paper", "纸张", "лист бумаги", "Papierbogen", "qog'oz varag'i"),
        _t("quran leaf", None, "Qur'an leaf", "古兰经书页", "лист Корана", "Koranblatt", "Qur'on varag'i"),
        _t("gospel leaf", None, "gospel book leaf", "福音书书页", "лист евангелия", "Evangeliarblatt"),
        _t("spindle whorl", None, "spindle whorl", "纺轮", "пряслице", "Spinnwirtel", "urchuq"),
        _t("loom model", None, "loom model", "织机模型", "модель ткацкого станка", "Webstuhlmodell"),
        _t("shuttle", None, "shuttle", "梭", "челнок", "Webschiffchen"),
        _t("reel", None, "silk reel", "丝车", "мотовило", "Haspel"),
        _t(
            "pattern book",
            None,
            "pattern draft (huaben)",
            "花本",
            "узорная программа (хуабэнь)",
            "Musterpatrone (huaben)",
        ),
        _t("pendant", None, "pendant", "佩饰", "подвеска", "Anhänger"),
        _t(
            "funerary couch panel",
            None,
            "funerary couch panel",
            "围屏石榻",
            "панель погребального ложа",
            "Grabbettplatte",
        ),
        _t("tile", None, "tile", "砖", "изразец", "Fliese", "koshin"),
        _t("chess piece", None, "chess piece", "棋子", "шахматная фигура", "Schachfigur", "shaxmat donasi"),
        _t("plaque", None, "plaque", "牌饰", "пластина", "Tafel"),
        _t("pyxis", None, "pyxis", "圆盒", "пиксида", "Pyxis"),
        _t("oliphant", None, "oliphant", "象牙号角", "олифант", "Olifant"),
        _t("comb", None, "comb", "梳", "гребень", "Kamm"),
        _t("sculpture", "300047090", "sculpture", "雕塑", "скульптура", "Skulptur", "haykal"),
        _t("panel", None, "carved panel", "雕版", "резная панель", "Schnitzpaneel", "o'ymakor panel"),
        _t("seal", None, "seal", "印章", "печать", "Siegel", "muhr"),
        _t("jug", None, "jug", "罐", "кувшин", "Krug", "ko'za"),
        # --- subjects ---
        _t("pearl roundel", None, "pearl roundel", "联珠纹", "жемчужный медальон", "Perlkreis"),
        _t("camel", None, "camel", "骆驼", "верблюд", "Kamel", "tuya"),
        _t("horse", None, "horse", "马", "лошадь", "Pferd", "ot"),
        _t("lion", None, "lion", "狮子", "лев", "Löwe", "sher"),
        _t("ram", None, "ram", "公羊", "баран", "Widder", "qo'chqor"),
        _t("bird", None, "bird", "鸟", "птица", "Vogel", "qush"),
        _t("phoenix", None, "phoenix", "凤凰", "феникс", "Phönix"),
        _t("dragon", None, "dragon", "龙", "дракон", "Drache", "ajdar"),
        _t("eagle", None, "eagle", "鹰", "орёл", "Adler", "burgut"),
        _t("senmurv", None, "senmurv", "森穆夫", "сэнмурв", "Senmurv"),
        _t("boar", None, "boar", "野猪", "кабан", "Eber", "to'ng'iz"),
        _t("deer", None, "deer", "鹿", "олень", "Hirsch", "bug'u"),
        _t("grapes", None, "grapevine", "葡萄", "виноградная лоза", "Weinranke", "uzum"),
        _t("lotus", None, "lotus", "莲花", "лотос", "Lotus", "nilufar"),
        _t("peony", None, "peony", "牡丹", "пион", "Pfingstrose"),
        _t("fish", None, "fish", "鱼", "рыба", "Fisch", "baliq"),
        _t("musicians", None, "musicians", "乐伎", "музыканты", "Musiker", "sozandalar"),
        _t("merchant", None, "merchant", "商人", "купец", "Händler", "savdogar"),
        _t("hunting", None, "hunting", "狩猎", "охота", "Jagd", "ov"),
        _t("polo", None, "polo", "马球", "игра в поло", "Polo"),
        _t("emperor", None, "emperor", "皇帝", "император", "Kaiser"),
        _t("fire altar", None, "fire altar", "火坛", "алтарь огня", "Feueraltar", "olov mehrobi"),
        _t("Zoroastrianism", None, "Zoroastrianism", "祆教", "зороастризм", "Zoroastrismus", "zardushtiylik"),
        _t("Buddhism", None, "Buddhism", "佛教", "буддизм", "Buddhismus", "buddizm"),
        _t("Christianity", None, "Christianity", "基督教", "христианство", "Christentum", "xristianlik"),
        _t("Islam", None, "Islam", "伊斯兰教", "ислам", "Islam", "islom"),
        _t(
            "Silk Road trade",
            None,
            "Silk Road trade",
            "丝路贸易",
            "торговля на Шёлковом пути",
            "Seidenstraßenhandel",
            "Buyuk ipak yo'li savdosi",
        ),
        _t("sericulture", None, "sericulture", "蚕桑", "шелководство", "Seidenraupenzucht", "ipakchilik"),
        _t(
            "Kufic script",
            None,
            "Kufic script",
            "库法体",
            "куфическое письмо",
            "kufische Schrift",
            "kufiy xat",
        ),
        _t("Sogdians", None, "Sogdians", "粟特人", "согдийцы", "Sogder", "so'g'dlar"),
        _t("chess", None, "chess", "国际象棋", "шахматы", "Schach", "shaxmat"),
        _t("elephant", None, "elephant", "象", "слон", "Elefant", "fil"),
        _t("cross", None, "cross", "十字架", "крест", "Kreuz"),
    ]
}


def _p(
    key: str, lat: float, lon: float, en: str, zh: str, ru: str, de: str, country: str, uz: str | None = None
) -> Place:
    labels = {"en": en, "zh": zh, "ru": ru, "de": de}
    if uz:
        labels["uz"] = uz
    countries = {
        "CN": {"en": "China", "zh": "中国", "ru": "Китай", "de": "China", "uz": "Xitoy"},
        "UZ": {
            "en": "Uzbekistan",
            "zh": "乌兹别克斯坦",
            "ru": "Узбекистан",
            "de": "Usbekistan",
            "uz": "O'zbekiston",
        },
        "TJ": {
            "en": "Tajikistan",
            "zh": "塔吉克斯坦",
            "ru": "Таджикистан",
            "de": "Tadschikistan",
            "uz": "Tojikiston",
        },
        "TM": {"en": "Turkmenistan", "zh": "土库曼斯坦", "ru": "Туркменистан", "de": "Turkmenistan"},
        "IR": {"en": "Iran", "zh": "伊朗", "ru": "Иран", "de": "Iran", "uz": "Eron"},
        "IQ": {"en": "Iraq", "zh": "伊拉克", "ru": "Ирак", "de": "Irak", "uz": "Iroq"},
        "TR": {"en": "Türkiye", "zh": "土耳其", "ru": "Турция", "de": "Türkei", "uz": "Turkiya"},
        "DE": {"en": "Germany", "zh": "德国", "ru": "Германия", "de": "Deutschland", "uz": "Germaniya"},
        "IT": {"en": "Italy", "zh": "意大利", "ru": "Италия", "de": "Italien", "uz": "Italiya"},
        "EG": {"en": "Egypt", "zh": "埃及", "ru": "Египет", "de": "Ägypten"},
        "LB": {"en": "Lebanon", "zh": "黎巴嫩", "ru": "Ливан", "de": "Libanon"},
        "SY": {"en": "Syria", "zh": "叙利亚", "ru": "Сирия", "de": "Syrien"},
    }
    return Place(key, labels, lat, lon, countries[country])


PLACES: dict[str, Place] = {
    p.key: p
    for p in [
        # China
        _p("hangzhou", 30.2741, 120.1551, "Hangzhou", "杭州", "Ханчжоу", "Hangzhou", "CN"),
        _p("huzhou", 30.8930, 120.0880, "Huzhou", "湖州", "Хучжоу", "Huzhou", "CN"),
        _p("suzhou", 31.2990, 120.5853, "Suzhou", "苏州", "Сучжоу", "Suzhou", "CN"),
        _p("nanjing", 32.0603, 118.7969, "Nanjing", "南京", "Нанкин", "Nanjing", "CN"),
        _p(
            "changan",
            34.2658,
            108.9541,
            "Chang'an (Xi'an)",
            "长安（西安）",
            "Чанъань (Сиань)",
            "Chang'an (Xi'an)",
            "CN",
            "Chang'an (Sian)",
        ),
        _p("luoyang", 34.6197, 112.4540, "Luoyang", "洛阳", "Лоян", "Luoyang", "CN"),
        _p("gongyi", 34.7480, 112.9820, "Gongyi kilns", "巩义窑", "печи Гунъи", "Brennöfen von Gongyi", "CN"),
        _p(
            "dunhuang",
            40.0422,
            94.8090,
            "Dunhuang (Mogao caves)",
            "敦煌莫高窟",
            "Дуньхуан (пещеры Могао)",
            "Dunhuang (Mogao-Grotten)",
            "CN",
        ),
        _p(
            "astana",
            42.8600,
            89.5300,
            "Astana cemetery, Turfan",
            "吐鲁番阿斯塔那墓地",
            "могильник Астана, Турфан",
            "Gräberfeld Astana, Turfan",
            "CN",
        ),
        _p("niya", 37.9700, 82.7200, "Niya", "尼雅", "Ния", "Niya", "CN"),
        _p("changsha", 28.2282, 112.9388, "Changsha", "长沙", "Чанша", "Changsha", "CN"),
        _p(
            "mawangdui",
            28.2130,
            113.0240,
            "Mawangdui, Changsha",
            "长沙马王堆",
            "Мавандуй, Чанша",
            "Mawangdui, Changsha",
            "CN",
        ),
        _p("chengdu", 30.6598, 104.0633, "Chengdu", "成都", "Чэнду", "Chengdu", "CN"),
        _p("fuzhou", 26.0745, 119.2965, "Fuzhou", "福州", "Фучжоу", "Fuzhou", "CN"),
        _p(
            "cixi",
            30.0410,
            121.3570,
            "Shanglin Lake kilns, Cixi",
            "慈溪上林湖越窑",
            "печи Шанлиньху, Цыси",
            "Brennöfen am Shanglin-See, Cixi",
            "CN",
        ),
        _p("longquan", 28.0745, 119.1414, "Longquan", "龙泉", "Лунцюань", "Longquan", "CN"),
        _p("jingdezhen", 29.2689, 117.1784, "Jingdezhen", "景德镇", "Цзиндэчжэнь", "Jingdezhen", "CN"),
        _p(
            "neiqiu",
            37.2870,
            114.5120,
            "Xing kilns, Neiqiu",
            "内丘邢窑",
            "печи Син, Нэйцю",
            "Xing-Brennöfen, Neiqiu",
            "CN",
        ),
        _p(
            "tongguan",
            28.3680,
            112.8280,
            "Tongguan kilns, Changsha",
            "长沙铜官窑",
            "печи Тунгуань, Чанша",
            "Tongguan-Brennöfen, Changsha",
            "CN",
        ),
        _p("anyang", 36.0976, 114.3926, "Anyang", "安阳", "Аньян", "Anyang", "CN"),
        _p(
            "beijing",
            39.9042,
            116.4074,
            "Khanbaliq (Beijing)",
            "大都（北京）",
            "Ханбалык (Пекин)",
            "Khanbaliq (Peking)",
            "CN",
        ),
        _p("guyuan", 36.0160, 106.2420, "Guyuan", "固原", "Гуюань", "Guyuan", "CN"),
        _p(
            "famen",
            34.4400,
            107.8990,
            "Famen Temple, Fufeng",
            "扶风法门寺",
            "монастырь Фамэнь, Фуфэн",
            "Famen-Tempel, Fufeng",
            "CN",
        ),
        _p(
            "yaozhou",
            35.0970,
            109.0850,
            "Yaozhou kilns, Tongchuan",
            "铜川耀州窑",
            "печи Яочжоу, Тунчуань",
            "Yaozhou-Brennöfen, Tongchuan",
            "CN",
        ),
        _p("jiangling", 30.3520, 112.1900, "Jiangling", "江陵", "Цзянлин", "Jiangling", "CN"),
        # Central Asia
        _p(
            "samarkand",
            39.6542,
            66.9597,
            "Samarkand",
            "撒马尔罕",
            "Самарканд",
            "Samarkand",
            "UZ",
            "Samarqand",
        ),
        _p(
            "afrasiyab",
            39.6690,
            66.9870,
            "Afrasiyab (ancient Samarkand)",
            "阿夫拉西阿卜（古撒马尔罕）",
            "Афрасиаб (древний Самарканд)",
            "Afrasiab (antikes Samarkand)",
            "UZ",
            "Afrosiyob",
        ),
        _p("bukhara", 39.7747, 64.4286, "Bukhara", "布哈拉", "Бухара", "Buchara", "UZ", "Buxoro"),
        _p(
            "panjikent",
            39.4840,
            67.6330,
            "Panjikent",
            "片治肯特",
            "Пенджикент",
            "Pandschakent",
            "TJ",
            "Panjakent",
        ),
        _p("mugh", 39.3500, 68.2000, "Mount Mugh", "穆格山", "гора Муг", "Berg Mug", "TJ", "Mug' tog'i"),
        _p(
            "biya-naiman",
            39.8800,
            66.4300,
            "Biya-Naiman",
            "比亚奈曼",
            "Бия-Найман",
            "Bija-Naiman",
            "UZ",
            "Biyanayman",
        ),
        _p(
            "tashkent",
            41.2995,
            69.2401,
            "Tashkent (Chach)",
            "塔什干（石国）",
            "Ташкент (Чач)",
            "Taschkent (Tschatsch)",
            "UZ",
            "Toshkent",
        ),
        _p("merv", 37.6630, 62.1920, "Merv", "木鹿", "Мерв", "Merw", "TM", "Marv"),
        _p("nishapur", 36.2133, 58.7957, "Nishapur", "内沙布尔", "Нишапур", "Nischapur", "IR", "Nishopur"),
        # Iran, Iraq, Levant, Mediterranean
        _p("ctesiphon", 33.0937, 44.5808, "Ctesiphon", "泰西封", "Ктесифон", "Ktesiphon", "IQ", "Ktesifon"),
        _p("fars", 29.6036, 52.5388, "Fars (Pars)", "法尔斯", "Фарс", "Fars", "IR", "Fors"),
        _p("baghdad", 33.3152, 44.3661, "Baghdad", "巴格达", "Багдад", "Bagdad", "IQ", "Bag'dod"),
        _p(
            "constantinople",
            41.0082,
            28.9784,
            "Constantinople",
            "君士坦丁堡",
            "Константинополь",
            "Konstantinopel",
            "TR",
            "Konstantinopol",
        ),
        _p("alexandria", 31.2001, 29.9187, "Alexandria", "亚历山大港", "Александрия", "Alexandria", "EG"),
        _p("sidon", 33.5571, 35.3729, "Sidon", "西顿", "Сидон", "Sidon", "LB"),
        _p("damascus", 33.5138, 36.2765, "Damascus", "大马士革", "Дамаск", "Damaskus", "SY", "Damashq"),
        _p("rome", 41.9028, 12.4964, "Rome", "罗马", "Рим", "Rom", "IT", "Rim"),
        _p("venice", 45.4408, 12.3155, "Venice", "威尼斯", "Венеция", "Venedig", "IT", "Venetsiya"),
        _p(
            "murano",
            45.4586,
            12.3527,
            "Murano, Venice",
            "威尼斯穆拉诺",
            "Мурано, Венеция",
            "Murano, Venedig",
            "IT",
        ),
        _p("lucca", 43.8429, 10.5027, "Lucca", "卢卡", "Лукка", "Lucca", "IT"),
        _p("palermo", 38.1157, 13.3615, "Palermo", "巴勒莫", "Палермо", "Palermo", "IT"),
        # Rhineland
        _p("cologne", 50.9375, 6.9603, "Cologne", "科隆", "Кёльн", "Köln", "DE", "Kyoln"),
        _p("trier", 49.7490, 6.6371, "Trier", "特里尔", "Трир", "Trier", "DE"),
        _p("rheinzabern", 49.1150, 8.2790, "Rheinzabern", "莱茵察伯恩", "Райнцаберн", "Rheinzabern", "DE"),
        _p("frechen", 50.9120, 6.8110, "Frechen", "弗雷兴", "Фрехен", "Frechen", "DE"),
        _p("aachen", 50.7753, 6.0839, "Aachen", "亚琛", "Ахен", "Aachen", "DE"),
    ]
}
