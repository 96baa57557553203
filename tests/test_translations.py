"""The visitor interface's Chinese catalogue is in step with the words the pages use, and compiles.

The ``.po`` file is the source (web/i18n/catalogues.py compiles it when the app starts); this test extracts
every message the visitor pages mark for translation (web/translations/babel.cfg) and fails when one has
no Chinese translation, or when the catalogue keeps messages no page uses any more.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from babel.support import Translations

from web.i18n.catalogues import SOURCE, compile_catalogues

ROOT = Path(__file__).resolve().parents[1]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def _method_map() -> list[tuple[str, str]]:
    pairs = []
    for line in (SOURCE / "babel.cfg").read_text().splitlines():
        if line.startswith("[") and ":" in line:
            method, pattern = line.strip("[]").split(":", 1)
            pairs.append((pattern.strip(), "jinja2.ext:babel_extract" if method == "jinja2" else method))
    return pairs


def _extracted() -> set[str]:
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map=_method_map(), keywords=KEYWORDS):
        found.add(message if isinstance(message, str) else message[0])
    return found


def _catalogue() -> dict[str, object]:
    with (SOURCE / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale="zh")
    return {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in catalog if m.id}


def test_every_visitor_message_has_a_chinese_translation() -> None:
    used, catalogue = _extracted(), _catalogue()
    assert len(used) > 40
    missing = sorted(m for m in used if not catalogue.get(m) or catalogue[m] in ("", ("",)))
    assert missing == [], f"add these to web/translations/zh/LC_MESSAGES/messages.po: {missing}"
    unused = sorted(set(catalogue) - used)
    assert unused == [], f"no page uses these any more: {unused}"


def test_catalogues_compile_and_translate(tmp_path: Path) -> None:
    written = compile_catalogues(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in written] == ["zh/LC_MESSAGES/messages.mo"]
    assert compile_catalogues(tmp_path) == []  # up to date: not rewritten
    zh = Translations.load(str(tmp_path), ["zh"])
    assert zh.gettext("Exhibitions") == "展览"
    assert zh.ngettext("%(num)d object", "%(num)d objects", 3) % {"num": 3} == "3 件藏品"
    assert zh.gettext("%(year)s BCE") % {"year": 206} == "公元前206年"
