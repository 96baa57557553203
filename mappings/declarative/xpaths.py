"""Compiled XPaths with a namespace-less twin, and reading text and language from what they select.

A mapping writes its paths once, with prefixes (``lido:titleSet``). Some feeds strip namespaces (Finna's
RecordManager stores ``<lido>``, ``type=``, ``lang=``), so for the prefixes a mapping declares
strippable each path is compiled a second time without them, and the record's root decides which of the
two runs. Both are compiled once per mapping: ``lxml.etree.XPath`` objects are about twice as fast as
``el.xpath(str)``, and ``local-name()`` tests everywhere would be slower still.

This module owns path compilation and value reading; it knows nothing of CRM or of any format.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from lxml import etree

from ..errors import MappingFileError

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

_QUOTED = re.compile(r"""('[^']*'|"[^"]*")""")


class Value(NamedTuple):
    """One piece of text read from a record, with its language (None when none applies)."""

    text: str
    lang: str | None


class PathError(MappingFileError):
    """A mapping path that is not valid XPath 1.0 (raised when the mapping is compiled)."""


def strip_prefixes(path: str, prefixes: Iterable[str]) -> str:
    """``path`` for documents whose elements carry no namespace.

    Element steps lose the prefix (``lido:term`` -> ``term``); attribute steps match the local name in
    any namespace or none (``@lido:type`` -> ``@*[local-name()='type']``), because stripped feeds keep
    some attributes prefixed (``lido:type=``) and drop others (``type=``). Quoted literals are untouched.
    """
    names = "|".join(re.escape(p) for p in prefixes)
    if not names:
        return path
    attr = re.compile(rf"@(?:{names}):([\w.-]+)")
    elem = re.compile(rf"(?<![\w@.:-])(?:{names}):(?=[\w*])|(?<=::)(?:{names}):(?=[\w*])")
    parts = _QUOTED.split(path)
    for i in range(0, len(parts), 2):  # even indexes are outside quotes
        parts[i] = elem.sub("", attr.sub(r"@*[local-name()='\1']", parts[i]))
    return "".join(parts)


class Path:
    """One mapping path compiled for namespaced and (optionally) namespace-less records."""

    __slots__ = ("source", "ns", "bare")

    def __init__(self, source: str, namespaces: Mapping[str, str], strip: Iterable[str] = ()) -> None:
        self.source = source
        self.ns = _compile(source, namespaces)
        strip = tuple(strip)
        bare = strip_prefixes(source, strip) if strip else source
        self.bare = self.ns if bare == source else _compile(bare, namespaces)

    def __repr__(self) -> str:
        return f"Path({self.source!r})"


class PathChain:
    """A path, or fallback paths of which the first that selects anything wins.

    Called for every field of every record, so it calls the compiled XPath objects directly.
    """

    __slots__ = ("paths", "source", "_pairs")

    def __init__(self, paths: tuple[Path, ...]) -> None:
        self.paths = paths
        self.source = " || ".join(p.source for p in paths)
        self._pairs = tuple((p.ns, p.bare) for p in paths)

    def __call__(self, el: etree._Element, bare: bool = False) -> list:
        for ns, stripped in self._pairs:
            found = (stripped if bare else ns)(el)
            if found.__class__ is not list:
                # string(...)/boolean(...) paths give a scalar; a list keeps callers uniform.
                found = [found] if found not in ("", None, False) else []
            if found:
                return found
        return []

    def test(self, el: etree._Element, bare: bool = False) -> bool:
        """The path as an XPath boolean (``@lido:pref='alternate'``)."""
        return any(bool((stripped if bare else ns)(el)) for ns, stripped in self._pairs)


def _compile(source: str, namespaces: Mapping[str, str]) -> etree.XPath:
    try:
        # smart_strings=False: plain str results, no back-reference to the tree (faster, less memory).
        compiled = etree.XPath(source, namespaces=dict(namespaces), smart_strings=False)
    except etree.XPathSyntaxError as exc:
        raise PathError(f"invalid XPath {source!r}: {exc}") from exc
    try:
        # libxml2 accepts an undeclared prefix at compile time and fails on every evaluation: run the
        # path once on an empty element, so a typo in a mapping or an override fails when it is loaded.
        compiled(_PROBE)
    except etree.XPathEvalError as exc:
        raise PathError(f"invalid XPath {source!r}: {exc}") from exc
    return compiled


_PROBE = etree.Element("probe")


def normalise(text: str) -> str:
    """Collapse runs of white space: museum exports indent and wrap names and titles."""
    return " ".join(text.split())


def element_text(el: etree._Element) -> str:
    """Text of an element and its sub-elements; comments, PIs and unexpanded entity references give none."""
    if len(el) == 0:  # the common case: a leaf
        return el.text or ""
    parts = [el.text or ""]
    for child in el:
        if child.tag.__class__ is str:
            parts.append(element_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def language(el: etree._Element, bare: bool = False) -> str | None:
    """xml:lang on the element or its nearest ancestor (``lang=`` too in namespace-stripped records)."""
    node: etree._Element | None = el
    while node is not None:
        lang = node.get(XML_LANG)
        if lang is None and bare:
            lang = node.get("lang")
        if lang:
            return lang
        node = node.getparent()
    return None


def read_values(
    items: Iterable[object], bare: bool, default_lang: str | None, block: bool = False
) -> list[Value]:
    """Texts (with language) of XPath results: elements, attribute values or strings; empty ones skipped.

    ``block`` keeps line breaks (descriptions); otherwise white space is collapsed (names, labels).
    """
    out: list[Value] = []
    for item in items:
        if isinstance(item, etree._Element):
            if item.tag.__class__ is not str:  # comments, processing instructions, entities
                continue
            raw = (item.text or "") if len(item) == 0 else element_text(item)
            lang = language(item, bare) or default_lang
        else:
            raw = str(item)
            lang = default_lang
        if block:
            lines = [normalise(line) for line in raw.strip().splitlines()]
            text = "\n".join(line for line in lines if line)
        else:
            text = normalise(raw)
        if text:
            out.append(Value(text, lang))
    return out
