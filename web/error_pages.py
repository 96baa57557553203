"""Error pages for people: the hub's look, the visitor's language, a plain message and a way back.

``web.errors`` says what went wrong (``HubError`` and its status); this module says it to a person reading
a page. The developer's reason (``abort(404, "no museum 'x' is registered")``) is for logs and JSON
clients, never shown here: a visitor gets a sentence per status, translated, and a link back (home, or
the page they came from without what was wrong, which the caller passes as ``back``). JSON answers and
the SPARQL endpoint's text answers are built elsewhere and stay as they are.
"""

from __future__ import annotations

from flask import Response, render_template, url_for
from flask_babel import gettext, lazy_gettext

#: the heading and the sentence a person reads for each status (any other status reads as its class)
PLAIN: dict[int, tuple[object, object]] = {
    400: (lazy_gettext("This page cannot be shown as asked"),
          lazy_gettext("The address asks for something the hub does not understand.")),
    401: (lazy_gettext("Please sign in"), lazy_gettext("This page is for signed-in accounts.")),
    403: (lazy_gettext("Not allowed"), lazy_gettext("Your account may not open this page.")),
    404: (lazy_gettext("Page not found"), lazy_gettext("There is no page at this address.")),
    405: (lazy_gettext("Not possible here"), lazy_gettext("This page cannot be used that way.")),
    409: (lazy_gettext("Not possible now"), lazy_gettext("This clashes with the current state: reload the page.")),
    413: (lazy_gettext("Too large"), lazy_gettext("What was sent is larger than the hub accepts.")),
    422: (lazy_gettext("Not accepted"), lazy_gettext("What was sent could not be accepted.")),
    429: (lazy_gettext("Too many requests"), lazy_gettext("Too many requests came from your address: wait a "
                                                          "minute and try again.")),
    500: (lazy_gettext("Something went wrong"), lazy_gettext("The hub could not make this page. Please try "
                                                              "again later.")),
    503: (lazy_gettext("Busy or unavailable"), lazy_gettext("The hub cannot answer right now. Please try again "
                                                             "in a minute.")),
}


def plain_words(status: int) -> tuple[str, str]:
    """(heading, sentence) for ``status`` in the visitor's language."""
    heading, sentence = PLAIN.get(status) or PLAIN[500 if status >= 500 else 400]
    return str(heading), str(sentence)


def error_page(status: int, *, message: str | None = None, back: str | None = None,
               back_label: str | None = None) -> Response:
    """The page for ``status``: ``message`` (already translated) replaces the status's own sentence;
    ``back`` (a local URL) replaces the link home."""
    heading, sentence = plain_words(status)
    body = render_template(
        "error.html", status=status, heading=heading, message=message or sentence,
        back=back or url_for("home.index"), back_label=back_label or gettext("Go to the home page"),
    )
    return Response(body, status=status, content_type="text/html; charset=utf-8")
