"""RDF dump harvester: one file at a URL (Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD; gzip or not),
split into one record per object.

The dump is streamed from the guarded HTTP session through pyoxigraph's bulk loader into a temporary
on-disk store (memory stays flat whatever the dump's size, and the triples of one object may be spread
anywhere in the file). Objects are the subjects typed ``crm:E22_Human-Made_Object`` in any CRM
namespace (Erlangen, older releases, Linked Art's ``ManMadeObject``: ``mappings.rdf_terms``), except
those minted under another object (its parts). Each record's payload is the N-Triples text of the
object's description: its triples, those of the nodes it owns and the classes and labels of the terms
it points at; the ``crm-rdf`` mapping takes it from there.

A dump is a complete listing every time: there is no incremental form, so every run reads the whole
file and records missing from it are gone from the source (``complete_listing``; the harvest run's
full-harvest removal drops them). Records come in IRI order, so a run can resume after the last
object of the last stored page.

JSON-LD dumps that name the published Linked Art context get the hub's own context instead
(``mappings.linked_art_vocab``); no context is ever fetched.
"""

from __future__ import annotations

import gzip
import inspect
import io
import json
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath
from typing import Any, BinaryIO
from urllib.parse import urlsplit

import pyoxigraph as ox

from harvesters.source import Source, SourcePage, SourceRecord, register_source
from mappings.linked_art_vocab import CONTEXT_URLS, jsonld_context
from mappings.rdf_terms import E22, LABEL_PREDICATES, RDF_TYPE, belongs, crm, normalise, ntriples_line, top_objects

P168 = crm("P168_place_is_defined_by")
DESCRIBING = (RDF_TYPE, *sorted(LABEL_PREDICATES, key=str), P168)  # what a record carries of a shared term
# Dumps up to this size (as transferred; a gzip file expands ~10x) are split in memory, larger ones in a
# temporary on-disk store, so memory stays bounded whatever the dump's size.
IN_MEMORY_BYTES = 8 * 1024 * 1024
# Content types that say nothing about the RDF syntax (the URL's extension or the feed option decides).
_GENERIC_TYPES = {"application/octet-stream", "application/gzip", "application/x-gzip", "text/plain", ""}


class RdfDumpError(Exception):
    """The dump cannot be read (unknown syntax, not RDF, a remote JSON-LD context)."""


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


def open_body(body: BinaryIO) -> BinaryIO:
    """``body`` decompressed when it is gzip (told by its magic number, whatever the headers say)."""
    buffered = body if isinstance(body, io.BufferedReader) else io.BufferedReader(body)  # type: ignore[arg-type]
    if buffered.peek(2)[:2] == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=buffered)  # type: ignore[return-value]
    return buffered


def load_dump(store: ox.Store, body: BinaryIO, fmt: ox.RdfFormat, base_iri: str | None = None) -> None:
    """Stream ``body`` into ``store`` (JSON-LD with Linked Art contexts replaced by the hub's)."""
    try:
        if fmt in (ox.RdfFormat.JSON_LD, ox.RdfFormat.STREAMING_JSON_LD):
            document = _local_contexts(json.load(body))
            store.bulk_load(json.dumps(document).encode("utf-8"), format=ox.RdfFormat.JSON_LD, base_iri=base_iri,
                            lenient=True)
        else:
            # lenient: one malformed IRI must not cost the whole dump; the mapping re-checks every term
            # and quarantines the one record that holds it.
            store.bulk_load(body, format=fmt, base_iri=base_iri, lenient=True)
    except (SyntaxError, ValueError) as exc:
        message = str(exc)
        if "LoadDocumentCallback" in message or "remote context" in message.lower():
            message = "the JSON-LD names a remote @context, which the hub does not fetch"
        raise RdfDumpError(f"not valid {fmt.name}: {message}") from exc
    except (OSError, EOFError) as exc:  # a truncated or corrupt gzip stream, a dropped connection
        raise RdfDumpError(f"the dump could not be read to its end: {exc}") from exc


def _local_contexts(value: Any) -> Any:
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "@context":
                out[key] = _replace_context(item)
            else:
                out[key] = _local_contexts(item)
        return out
    if isinstance(value, list):
        return [_local_contexts(v) for v in value]
    return value


def _replace_context(context: Any) -> Any:
    if isinstance(context, str) and context in CONTEXT_URLS:
        return jsonld_context()
    if isinstance(context, list):
        return [_replace_context(c) for c in context]
    return context


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
        self.types: dict[Any, set[ox.NamedNode]] = {}
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
    seen = {obj}
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


def _types(store: ox.Store, node: Any) -> set[ox.NamedNode]:
    if not isinstance(node, ox.NamedNode):
        return set()
    return {normalise(q.object) for q in store.quads_for_pattern(node, RDF_TYPE, None, None)}  # type: ignore[misc]


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


@register_source
class RdfDumpSource(Source):
    """An RDF dump at the feed URL. Feed options: ``rdf_format`` (when neither the URL's extension nor
    the Content-Type tells the syntax), ``page_size`` (records per page, default 100)."""

    protocol = "rdf-dump"
    formats = ("crm-rdf",)
    #: every run lists every record: a record missing from the dump is gone from the source
    complete_listing = True

    def pages(self, since: str | None = None, resume: dict[str, Any] | None = None) -> Iterator[SourcePage]:
        options = self.feed.options or {}
        page_size = max(1, int(options.get("page_size", 100)))
        after = (resume or {}).get("after")
        folder: str | None = None
        store: ox.Store | None = None
        try:
            response, streamed = self._get(self.feed.url)
            size = None if streamed else len(response.content)
            if size is not None and size <= IN_MEMORY_BYTES:
                store = ox.Store()  # a small dump: no RocksDB directory to create and remove
            else:
                folder = tempfile.mkdtemp(prefix="srom-dump-")
                store = ox.Store(folder)
            try:
                fmt = rdf_format(self.feed.url, response.headers.get("Content-Type"), options.get("rdf_format"))
                if streamed:
                    response.raw.decode_content = True  # Content-Encoding is transport, not the file
                body = response.raw if streamed else io.BytesIO(response.content)
                load_dump(store, open_body(body), fmt, base_iri=self.feed.url)
            finally:
                response.close()
            datestamp = response.headers.get("Last-Modified")
            objects = [o for o in list_objects(store) if after is None or o.value > after]
            if not objects:  # nothing (left) to list: one empty, final page, so the run completes
                yield SourcePage([], None, complete_list_size=0)
                return
            for records in record_pages(store, objects, page_size, datestamp):
                last = records[-1].identifier == objects[-1].value
                checkpoint = None if last else {"after": records[-1].identifier}
                yield SourcePage(records, checkpoint, complete_list_size=len(objects))
        finally:
            store = None  # releases the RocksDB lock before the folder goes
            if folder:
                shutil.rmtree(folder, ignore_errors=True)

    def _get(self, url: str) -> tuple[Any, bool]:
        # Stream when the session can: a dump can be larger than memory. (GuardedSession.get takes
        # ``stream`` once the HTTP module offers it; until then the body is read whole.)
        if "stream" in inspect.signature(self.http.get).parameters:
            return self.http.get(url, stream=True), True  # type: ignore[call-arg]
        return self.http.get(url), False
