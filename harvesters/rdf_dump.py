"""RDF dump harvester: one file at a URL (Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD; gzip or not),
split into one record per object.

The dump is streamed from the guarded HTTP session (``fetch(..., stream=True)``: never held whole in
memory) into a scratch store (``harvesters.rdf_load``: N-Triples / N-Quads line by line, other syntaxes
spooled to disk; in memory while small, on disk past ``IN_MEMORY_BYTES``), because the triples of one
object may be spread anywhere in the file. A connection dropped or stalled mid-dump, or a gzip stream
that ends early, restarts the download under the harvest's retry budget (``harvesters.http``).

Objects are the subjects typed ``crm:E22_Human-Made_Object`` in any CRM namespace (Erlangen, older
releases, Linked Art's ``ManMadeObject``: ``mappings.rdf.description``), except those minted under another
object (its parts). Each record's payload is the N-Triples text of the object's description: its
triples, those of the nodes it owns and the classes and labels of the terms it points at; the
``crm-rdf`` mapping takes it from there.

A dump is a complete listing every time: there is no incremental form, so every run reads the whole
file and records missing from it are gone from the source (``complete_listing``; the harvest run's
full-harvest removal drops them). Records come in IRI order, so a run can resume after the last
object of the last stored page.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox
import requests

from harvesters.http import response_body
from harvesters.rdf_load import (  # noqa: F401 - load_dump, open_body and DumpReadError are used from here too
    STREAMED_FORMATS,
    DumpReadError,
    RdfDumpError,
    Scratch,
    load_dump,
    open_body,
)
from harvesters.source import Source, SourcePage, SourceRecord
from mappings.rdf.description import (
    E22,
    LABEL_PREDICATES,
    RDF_TYPE,
    StoredTerm,
    belongs,
    crm,
    normalise,
    ntriples_line,
    top_objects,
)

P168 = crm("P168_place_is_defined_by")
DESCRIBING = (RDF_TYPE, *sorted(LABEL_PREDICATES, key=str), P168)  # what a record carries of a shared term
# Content types that say nothing about the RDF syntax (the URL's extension or the feed option decides).
_GENERIC_TYPES = {"application/octet-stream", "application/gzip", "application/x-gzip", "text/plain", ""}


def rdf_format(url: str, content_type: str | None, option: str | None = None) -> ox.RdfFormat:
    """The dump's syntax: the feed option (a name, extension or media type), else the URL's extension
    (``.ttl``, ``.nt.gz``...), else the Content-Type."""
    if option:
        fmt = _by_name(option)
        if fmt is None:
            raise RdfDumpError(f"unknown RDF format {option!r} in the feed options")
        return fmt
    path = PurePosixPath(urlsplit(url).path.lower())
    suffixes = [s for s in path.suffixes if s not in (".gz", ".gzip")]
    if suffixes:
        fmt = _by_name(suffixes[-1].lstrip("."))
        if fmt is not None:
            return fmt
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media not in _GENERIC_TYPES:
        fmt = ox.RdfFormat.from_media_type(media) or (ox.RdfFormat.JSON_LD if media == "application/json" else None)
        if fmt is not None:
            return fmt
    raise RdfDumpError(
        f"cannot tell the RDF syntax of {url} (Content-Type {content_type!r}): give the file a usual "
        "extension (.ttl, .nt, .nq, .trig, .rdf, .jsonld, optionally .gz) or set the feed option rdf_format"
    )


def _by_name(name: str) -> ox.RdfFormat | None:
    name = name.strip().lower()
    aliases = {"turtle": "ttl", "ntriples": "nt", "n-triples": "nt", "nquads": "nq", "n-quads": "nq",
               "rdfxml": "rdf", "rdf/xml": "rdf", "xml": "rdf", "owl": "rdf", "json-ld": "jsonld", "json": "jsonld"}
    name = aliases.get(name, name)
    return ox.RdfFormat.from_extension(name) or ox.RdfFormat.from_media_type(name)


def list_objects(store: ox.Store) -> list[ox.NamedNode]:
    """The objects of a store, sorted by IRI (parts minted under another object excluded)."""
    candidates = (
        q.subject
        for q in store.quads_for_pattern(None, RDF_TYPE, None, None)
        if isinstance(q.subject, ox.NamedNode) and normalise(q.object) == E22
    )
    return top_objects(candidates)


class DescribeCache:
    """What ``describe`` learns about shared terms, kept across the records of one store: classes of
    IRIs and the description lines of terms (a feed's records point at the same few terms)."""

    def __init__(self, limit: int = 100_000) -> None:
        self.limit = limit
        self.types: dict[Any, set[StoredTerm]] = {}
        self.lines: dict[ox.NamedNode, list[str]] = {}

    def trim(self) -> None:
        if len(self.types) + len(self.lines) > self.limit:  # bounded memory for dumps of millions of terms
            self.types.clear()
            self.lines.clear()


def describe(store: ox.Store, obj: ox.NamedNode, cache: DescribeCache | None = None) -> str:
    """N-Triples of ``obj``'s record: its closure of owned nodes and its shared terms' class and labels."""
    cache = cache or DescribeCache()
    lines: dict[str, None] = {}
    order: list[Any] = [obj]
    seen: set[StoredTerm] = {obj}
    referenced: dict[ox.NamedNode, None] = {}
    i = 0
    while i < len(order):
        node = order[i]
        i += 1
        for q in store.quads_for_pattern(node, None, None, None):
            lines[ntriples_line(q.subject, q.predicate, q.object)] = None
            o = q.object
            if o in seen or isinstance(o, ox.Literal):
                continue
            known = cache.types.get(o)
            if known is None:
                known = cache.types[o] = _types(store, o)
            if belongs(o, obj, known):
                seen.add(o)
                order.append(o)
            elif isinstance(o, ox.NamedNode):
                referenced[o] = None
    for term in referenced:
        if term not in seen:
            described = cache.lines.get(term)
            if described is None:
                described = cache.lines[term] = [
                    ntriples_line(q.subject, q.predicate, q.object)
                    for p in DESCRIBING
                    for q in store.quads_for_pattern(term, p, None, None)
                ]
            lines.update(dict.fromkeys(described))
    return "".join(lines)


def _types(store: ox.Store, node: Any) -> set[StoredTerm]:
    if not isinstance(node, ox.NamedNode):
        return set()
    return {normalise(q.object) for q in store.quads_for_pattern(node, RDF_TYPE, None, None)}


def record_pages(
    store: ox.Store, objects: Iterable[ox.NamedNode], page_size: int, datestamp: str | None = None
) -> Iterator[list[SourceRecord]]:
    """Records of ``objects`` in pages of ``page_size``."""
    page: list[SourceRecord] = []
    cache = DescribeCache()
    for obj in objects:
        cache.trim()
        page.append(SourceRecord(obj.value, datestamp, False, describe(store, obj, cache)))
        if len(page) >= page_size:
            yield page
            page = []
    if page:
        yield page


class RdfDumpSource(Source):
    """An RDF dump at the feed URL. Feed options: ``rdf_format`` (when neither the URL's extension nor
    the Content-Type tells the syntax), ``page_size`` (records per page, default 100)."""

    protocol = "rdf-dump"
    formats = ("crm-rdf",)
    #: every run lists every record: a record missing from the dump is gone from the source
    complete_listing = True
    #: resuming reads the whole dump again
    resumes_cheaply = False

    def pages(self, since: str | None = None, resume: dict[str, Any] | None = None) -> Generator[SourcePage]:
        options = self.feed.options or {}
        page_size = max(1, int(options.get("page_size", 100)))
        after = (resume or {}).get("after")
        scratch = self.http.fetch(self.feed.url, None, self._download, stream=True)
        try:
            assert scratch.store is not None
            listed = list_objects(scratch.store)
            objects = [o for o in listed if after is None or o.value > after]
            if not objects:  # nothing (left) to list: one empty, final page, so the run completes
                yield SourcePage([], None, complete_list_size=len(listed))
                return
            for records in record_pages(scratch.store, objects, page_size, scratch.datestamp):
                last = records[-1].identifier == objects[-1].value
                checkpoint = None if last else {"after": records[-1].identifier}
                yield SourcePage(records, checkpoint, complete_list_size=len(listed))
        finally:
            scratch.close()

    def _download(self, response: requests.Response) -> Scratch:
        """One try at reading the dump into a new scratch store (the session calls it again on a retry)."""
        options = self.feed.options or {}
        fmt = rdf_format(self.feed.url, response.headers.get("Content-Type"), options.get("rdf_format"))
        scratch = Scratch()
        try:
            scratch.datestamp = response.headers.get("Last-Modified")
            body = open_body(response_body(response))  # Content-Encoding undone by the session; gzip files here
            if fmt in STREAMED_FORMATS:
                scratch.add_lines(body, fmt, base_iri=self.feed.url)
            else:
                scratch.add_file(body, fmt, base_iri=self.feed.url)
        except BaseException:
            scratch.close()
            raise
        return scratch
