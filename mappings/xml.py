"""The one way the hub parses XML that came from outside: no entities, no DTDs, no network.

Museum feeds are untrusted input. Resolving external entities would let a feed read the hub's files or
reach its network (XXE); expanding internal entities invites "billion laughs". Every parser in the
project comes from here.
"""

from __future__ import annotations

from typing import TypedDict, Unpack

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


def parse_bytes(data: bytes) -> etree._Element:
    """Parse a whole XML document held in memory (one OAI-PMH page, one record)."""
    return etree.fromstring(data, safe_parser())
