"""The one way the hub parses XML that came from outside: no entities, no DTDs, no network.

Museum feeds are untrusted input. Resolving external entities would let a feed read the hub's files or
reach its network (XXE); expanding internal entities invites "billion laughs". Every parser in the
project comes from here.
"""

from __future__ import annotations

import re
from typing import Literal, TypedDict, Unpack

from lxml import etree


class SafeOptions(TypedDict):
    resolve_entities: bool
    no_network: bool
    load_dtd: bool
    dtd_validation: bool
    huge_tree: bool


class ParserOptions(TypedDict, total=False):
    """Other switches of ``lxml.etree.XMLParser`` a caller may add to the safe ones."""

    remove_blank_text: bool
    remove_comments: bool
    remove_pis: bool
    strip_cdata: bool
    ns_clean: bool
    recover: bool


# The switches every parser and iterparse in the project uses (mappings.stream passes them to
# lxml.etree.iterparse, which takes no parser object).
SAFE_OPTIONS: SafeOptions = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
}


def safe_parser(**options: Unpack[ParserOptions]) -> etree.XMLParser:
    """An lxml parser that never resolves entities, loads DTDs or touches the network."""
    return etree.XMLParser(**SAFE_OPTIONS, **options)


def safe_pull_parser(
    events: tuple[Literal["start", "end"], ...], tag: str | tuple[str, ...] | None = None
) -> etree.XMLPullParser:
    """A feed-driven parser (``feed(bytes)``, ``read_events()``) with the safe switches, for documents read
    as they arrive or chunk by chunk from a spool (OAI-PMH pages, ``harvesters.oai_page``)."""
    return etree.XMLPullParser(events=events, tag=tag, remove_pis=True, **SAFE_OPTIONS)


def release(el: etree._Element) -> None:
    """Free a handled element and every finished sibling before it and before its ancestors, so that a
    document read element by element holds one record at a time, not everything read so far."""
    el.clear(keep_tail=True)
    node: etree._Element | None = el
    while node is not None:
        parent = node.getparent()
        if parent is not None:
            while node.getprevious() is not None:
                del parent[0]
        node = parent


def parse_bytes(data: bytes) -> etree._Element:
    """Parse a whole XML document held in memory (one OAI-PMH page, one record)."""
    return etree.fromstring(data, safe_parser())


class EntityDeclarations(ValueError):
    """An XML document declares entities in its DTD: refused before any parser sees it."""


#: how much of a document's start is searched for its prolog (a DOCTYPE longer than this is refused too)
PROLOG_BYTES = 1024 * 1024
_ROOT_START = re.compile(r"<[A-Za-z_:\u00C0-\uFFFF]")


def refuse_entity_declarations(head: bytes) -> None:
    """Raise :class:`EntityDeclarations` when the prolog of the document starting with ``head`` declares
    entities (``<!ENTITY``) or a DOCTYPE that does not end within ``PROLOG_BYTES``.

    For parsers that cannot be told to leave entities alone (pyoxigraph's RDF/XML parser expands internal
    entities: under 1 KB of nested ones asks for gigabytes). A document needs no entity of its own to say
    anything RDF can say, so refusing them loses nothing.
    """
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="replace")
    else:
        text = head.decode("utf-8", errors="replace")
    root = _ROOT_START.search(text)
    prolog = text[: root.start()] if root else text
    if "<!ENTITY" in prolog:
        raise EntityDeclarations("the document declares XML entities in its DTD, which the hub refuses "
                                 "(an entity can expand to gigabytes)")
    if root is None and "<!DOCTYPE" in prolog and len(head) >= PROLOG_BYTES:
        raise EntityDeclarations(f"the document's DOCTYPE runs past {PROLOG_BYTES // 1024} KB; refused")
