"""Languages: the visitor's language and the labels shown in it (``language``), and the interface's own
words in English and Chinese (``catalogues``, Flask-Babel). :func:`init_i18n` installs both on an app.

The names most views need are re-exported here: ``current_language``, ``best_literal``, ``LANGUAGES``.
"""

from __future__ import annotations

from flask import Flask, request

from web.i18n.catalogues import install_catalogues
from web.i18n.language import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    best_literal,
    current_language,
    format_year,
    preference,
)

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "best_literal", "current_language", "format_year", "init_i18n",
           "preference"]


def init_i18n(app: Flask) -> None:
    app.add_template_filter(format_year, "year")

    @app.context_processor
    def inject_language() -> dict[str, object]:
        return {"lang": current_language(), "languages": LANGUAGES}

    @app.after_request
    def remember_language(response):
        if "lang" in request.args and request.args["lang"] in LANGUAGES:
            response.set_cookie("lang", request.args["lang"], max_age=365 * 24 * 3600, samesite="Lax")
        return response
    install_catalogues(app)
