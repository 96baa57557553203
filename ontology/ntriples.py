"""Writing RDF terms as N-Triples text.

The mapping engine emits triples as N-Triples term strings rather than pyoxigraph objects: writing text
is ~3x faster than building ``Quad`` objects (DESIGN.md, measured), and the same text is valid inside a
SPARQL ``INSERT DATA`` block, so one serialisation feeds every store backend. Every string that reaches
the store goes through these functions, which is what makes museum-written text safe to embed.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from ontology.namespaces import XSD

# Characters N-Triples forbids inside an IRIREF (plus space and controls).
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_IRI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_LANG_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
_STRING_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}
_NEEDS_ESCAPE = re.compile(r'[\\"\n\r\t\x00-\x08\x0b\x0c\x0e-\x1f\x7f]')


class InvalidIri(ValueError):
    """A value that cannot be made into an absolute IRI."""


def _escape_char(match: re.Match[str]) -> str:
    ch = match.group(0)
    return _STRING_ESCAPES.get(ch) or f"\\u{ord(ch):04X}"


def clean_iri(value: str) -> str:
    """Return ``value`` as an absolute IRI, percent-encoding characters N-Triples forbids.

    Museums write image URLs with spaces and braces; encoding them keeps the link instead of losing the
    record. Raises :class:`InvalidIri` for relative references, which cannot be stored.
    """
    value = value.strip()
    if not _IRI_SCHEME.match(value):
        raise InvalidIri(f"not an absolute IRI: {value[:200]!r}")
    if _IRI_FORBIDDEN.search(value):
        value = _IRI_FORBIDDEN.sub(lambda m: quote(m.group(0), safe=""), value)
    return value


def iri(value: str) -> str:
    """``<value>`` as an N-Triples IRI term (cleaned with :func:`clean_iri`)."""
    return f"<{clean_iri(value)}>"


def escape_string(value: str) -> str:
    return _NEEDS_ESCAPE.sub(_escape_char, value)


def clean_language(lang: str | None) -> str | None:
    """A BCP 47-shaped language tag in lower case, or None for an empty or malformed one."""
    if not lang:
        return None
    lang = lang.strip().replace("_", "-")
    return lang.lower() if _LANG_TAG.match(lang) else None


def literal(value: str, lang: str | None = None, datatype: str | None = None) -> str:
    """An N-Triples literal; ``lang`` wins over ``datatype``; malformed language tags are dropped."""
    text = f'"{escape_string(value)}"'
    tag = clean_language(lang)
    if tag:
        return f"{text}@{tag}"
    if datatype and datatype != XSD.string:
        return f"{text}^^<{clean_iri(datatype)}>"
    return text


def typed(value: object, datatype: str) -> str:
    return literal(str(value), datatype=datatype)


def triple(subject: str, predicate: str, obj: str) -> str:
    """One N-Triples line from three already-written terms."""
    return f"{subject} {predicate} {obj} .\n"


_ESCAPE_SEQUENCE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
_UNESCAPED = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\", "'": "'", "b": "\b", "f": "\f"}


def _unescaped(match: re.Match[str]) -> str:
    sequence = match.group(1)
    if sequence[0] in "uU" and len(sequence) > 1:
        return chr(int(sequence[1:], 16))
    return _UNESCAPED.get(sequence, sequence)


def literal_text(term: str) -> tuple[str, str | None]:
    """(text, language) of an N-Triples literal term written by :func:`literal` (escapes undone)."""
    end = term.rfind('"')
    body, rest = term[1:end], term[end + 1 :]
    if "\\" in body:
        body = _ESCAPE_SEQUENCE.sub(_unescaped, body)
    return body, rest[1:] if rest.startswith("@") else None
