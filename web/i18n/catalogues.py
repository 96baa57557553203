"""The visitor interface's own words in English and Chinese, through Flask-Babel.

The catalogues are the ``.po`` files in ``web/translations/<lang>/LC_MESSAGES/messages.po`` (text, in
git, reviewed like code). Flask-Babel reads compiled ``.mo`` files, so they are compiled when the app
starts, with Babel's pure-Python compiler, into the instance folder (``<instance>/translations``): no
binary file in git, no build step to forget, and a compiled catalogue can never lag behind its ``.po``
(it is rebuilt whenever the ``.po`` is newer). Compiling both catalogues takes a few milliseconds.

The visitor's language is chosen by ``web.i18n.language.current_language`` (``?lang=``, cookie, Accept-Language);
labels that come from the graph are chosen by ``web.i18n.language.best_literal``, not here. This module must not
translate data: only the interface's words.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, request
from flask_babel import Babel

from web.i18n.language import DEFAULT_LANGUAGE, current_language

SOURCE = Path(__file__).resolve().parents[1] / "translations"
DOMAIN = "messages"


def catalogues(source: Path = SOURCE) -> dict[str, Path]:
    """Language → ``.po`` file of every catalogue under ``source``."""
    return {p.parent.parent.name: p for p in sorted(source.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))}


def compile_catalogues(target: Path, source: Path = SOURCE) -> list[Path]:
    """Compile every ``.po`` under ``source`` into ``target/<lang>/LC_MESSAGES/messages.mo`` when stale.

    Written to a temporary file and renamed, so two processes starting at once never read half a file.
    Returns the ``.mo`` files (re)written.
    """
    written = []
    for lang, po_path in catalogues(source).items():
        mo_path = target / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=lang, domain=DOMAIN)
        fd, tmp = tempfile.mkstemp(dir=mo_path.parent, suffix=".mo.tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                write_mo(out, catalog, use_fuzzy=False)
            os.replace(tmp, mo_path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        written.append(mo_path)
    return written


def install_catalogues(app: Flask) -> None:
    """Compile the catalogues into the instance folder and install Flask-Babel (``_`` in templates)."""
    target = Path(app.instance_path) / "translations"
    compile_catalogues(target)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(target))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    Babel(app, locale_selector=current_language)
    app.add_template_global(lang_url, "lang_url")


def lang_url(code: str) -> str:
    """This page in language ``code``: the same path and query string, ``lang`` replaced."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    args.append(("lang", code))
    return f"{request.path}?{urlencode(args)}"
