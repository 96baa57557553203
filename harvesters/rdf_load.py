"""Reading RDF into a scratch store without holding it in memory: the loading half of the RDF dump source.

N-Triples and N-Quads (gzip or not) are read line by line, in batches of whole lines (``BATCH_BYTES``),
each parsed by pyoxigraph and added to the store; the other syntaxes (Turtle, TriG, RDF/XML, JSON-LD)
cannot be cut at line ends, so their bytes are spooled to a temporary file on disk and parsed from there.
The scratch store lives in memory while the dump is small and moves to a temporary on-disk store once
more than ``IN_MEMORY_BYTES`` (decompressed) arrived; the on-disk store is filled by bulk loads of
``SEGMENT_QUADS`` quads, because pyoxigraph's bulk loader holds a call's quads in memory. Python holds
about one batch of text at a time, whatever the dump's size.

JSON-LD that names the published Linked Art context gets the hub's own context instead
(``mappings.rdf.linked_art_vocab``); no context is ever fetched. Such a document is read whole (its contexts
are replaced in the parsed JSON); JSON-LD without them is parsed from the spooled file.

Errors: :class:`RdfDumpError` for what is not RDF (with the line, for N-Triples / N-Quads);
:class:`DumpReadError` (a :class:`~harvesters.http.ContentError`, so retried) for bytes that end early.
Transfer faults from the body (a dropped connection) pass through untouched, for the HTTP layer to retry.
This module reads bytes it is given; it does not fetch, and does not split records (``harvesters.rdf_dump``).
"""

from __future__ import annotations

import contextlib
import gzip
import io
import itertools
import json
import os
import shutil
import tempfile
import zlib
from collections.abc import Iterator
from typing import Any, BinaryIO

import pyoxigraph as ox

from harvesters.errors import HarvestError
from harvesters.http import READ_FAULTS, ContentError
from mappings.rdf.linked_art_vocab import CONTEXT_URLS, jsonld_context
from mappings.xml import PROLOG_BYTES, EntityDeclarations, refuse_entity_declarations

# Dumps up to this size (decompressed) are split in memory; past it the scratch store moves to disk, so
# memory stays bounded whatever the dump's size (pyoxigraph's in-memory store takes a few times the text).
IN_MEMORY_BYTES = 8 * 1024 * 1024
#: syntaxes read line by line; the others are spooled to a temporary file and parsed from there
STREAMED_FORMATS = frozenset({ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS})
#: bytes of whole N-Triples / N-Quads lines parsed and stored together (the Python memory of a dump's load)
BATCH_BYTES = 512 * 1024
#: a line this long is no RDF a museum exports; refused instead of buffered without end
MAX_LINE_BYTES = 64 * 1024 * 1024
#: quads handed to one bulk load of the on-disk store (bounds the loader's memory: ~200 MB at most)
SEGMENT_QUADS = 50_000
SPOOL_CHUNK = 1024 * 1024


class RdfDumpError(HarvestError):
    """The dump cannot be read (unknown syntax, not RDF, a remote JSON-LD context)."""


class DumpReadError(RdfDumpError, ContentError):
    """The dump's bytes end early or are corrupt (a cut gzip stream): the download is retried, as a
    garbled OAI-PMH page is, and after the last try the run fails with this message."""


def open_body(body: BinaryIO) -> BinaryIO:
    """``body`` decompressed when it is gzip (told by its magic number, whatever the headers say)."""
    buffered = body if isinstance(body, io.BufferedReader) else io.BufferedReader(body)  # type: ignore[type-var]  # typing.IO lacks readinto(), which every body here has
    if buffered.peek(2)[:2] == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=buffered)  # type: ignore[return-value]
    return buffered


def load_dump(store: ox.Store, body: BinaryIO, fmt: ox.RdfFormat, base_iri: str | None = None) -> None:
    """Load ``body`` into ``store`` in one go (JSON-LD with Linked Art contexts replaced by the hub's).

    For files at hand (``srom map``, tests); a harvest goes through :class:`Scratch`, which bounds memory."""
    with _readable(fmt):
        if fmt == ox.RdfFormat.RDF_XML:
            data = body.read()
            _refuse_entities(data[:PROLOG_BYTES])
            body = io.BytesIO(data)
        if fmt in (ox.RdfFormat.JSON_LD, ox.RdfFormat.STREAMING_JSON_LD):
            document = _local_contexts(json.load(body))
            store.bulk_load(json.dumps(document).encode("utf-8"), format=ox.RdfFormat.JSON_LD, base_iri=base_iri,
                            lenient=True)
        else:
            # lenient: one malformed IRI must not cost the whole dump; the mapping re-checks every term
            # and quarantines the one record that holds it.
            store.bulk_load(body, format=fmt, base_iri=base_iri, lenient=True)


def _refuse_entities(head: bytes) -> None:
    try:
        refuse_entity_declarations(head)
    except EntityDeclarations as exc:
        raise RdfDumpError(f"not accepted as RDF/XML: {exc}") from exc


@contextlib.contextmanager
def _readable(fmt: ox.RdfFormat) -> Iterator[None]:
    """Turns a parser's or a decompressor's complaint into :class:`RdfDumpError` (transfer faults pass:
    a dropped connection is the HTTP layer's to retry)."""
    try:
        yield
    except READ_FAULTS + (RdfDumpError,):
        raise
    except (SyntaxError, ValueError) as exc:
        message = (exc.msg if isinstance(exc, SyntaxError) else None) or str(exc)
        if "LoadDocumentCallback" in message or "remote context" in message.lower():
            message = "the JSON-LD names a remote @context, which the hub does not fetch"
        raise RdfDumpError(f"not valid {fmt.name}: {message}") from exc
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:  # a cut or corrupt gzip stream
        raise DumpReadError(f"the dump could not be read to its end: {exc}") from exc


class Scratch:
    """Where one download of a dump is loaded before it is split into records: an in-memory store while
    the dump is small, a temporary on-disk store (in a folder of its own, with the spool file) once it
    passes ``limit`` decompressed bytes. :meth:`close` removes everything; a scratch is never reused."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = IN_MEMORY_BYTES if limit is None else limit
        self.store: ox.Store | None = ox.Store()
        self.loaded = 0  # decompressed bytes read so far
        self.folder: str | None = None
        self.on_disk = False
        self.datestamp: str | None = None

    def _workdir(self) -> str:
        if self.folder is None:
            self.folder = tempfile.mkdtemp(prefix="srom-dump-")
        return self.folder

    def _disk_store(self) -> ox.Store:
        self.on_disk = True
        return ox.Store(os.path.join(self._workdir(), "store"))

    def add_lines(self, body: BinaryIO, fmt: ox.RdfFormat, base_iri: str | None = None) -> None:
        """Read N-Triples / N-Quads from ``body`` batch by batch; spill to disk when the dump grows large."""
        assert self.store is not None

        def parsed(first_line: int, batch: bytes) -> Iterator[ox.Quad]:
            # Blank node labels are kept as written (not renamed per batch): `_:b1` in two batches is one node.
            try:
                yield from ox.parse(batch, format=fmt, base_iri=base_iri, lenient=True)
            except SyntaxError as exc:
                reason = (exc.msg or str(exc)).split(": ", 1)[-1]
                line = first_line + (exc.lineno or 1) - 1
                raise RdfDumpError(f"not valid {fmt.name} at line {line}: {reason}") from exc

        with _readable(fmt):
            batches = line_batches(body)
            for first_line, batch in batches:
                self.loaded += len(batch)
                if self.loaded <= self.limit:
                    self.store.extend(parsed(first_line, batch))
                    continue
                # The dump outgrew memory: what is in memory goes to disk, then everything that follows.
                memory, self.store = self.store, self._disk_store()
                rest = itertools.chain.from_iterable(parsed(n, b) for n, b in batches)
                self._bulk(itertools.chain(memory, parsed(first_line, batch), rest))
                return

    def add_file(self, body: BinaryIO, fmt: ox.RdfFormat, base_iri: str | None = None) -> None:
        """Spool ``body`` to a temporary file, then parse it from there (syntaxes not cut at line ends)."""
        path = os.path.join(self._workdir(), "dump")
        with _readable(fmt):
            with open(path, "wb") as out:
                while chunk := body.read(SPOOL_CHUNK):
                    out.write(chunk)
                    self.loaded += len(chunk)
            assert self.store is not None
            if fmt == ox.RdfFormat.RDF_XML:
                with open(path, "rb") as spooled:
                    _refuse_entities(spooled.read(PROLOG_BYTES))
            if fmt in (ox.RdfFormat.JSON_LD, ox.RdfFormat.STREAMING_JSON_LD) and _names_linked_art_context(path):
                if self.loaded > self.limit:
                    self.store = self._disk_store()
                with open(path, "rb") as spooled:  # the contexts are replaced in the parsed document
                    load_dump(self.store, spooled, ox.RdfFormat.JSON_LD, base_iri)
            elif self.loaded <= self.limit:
                self.store.bulk_load(path=path, format=fmt, base_iri=base_iri, lenient=True)
            else:
                self.store = self._disk_store()
                self._bulk(iter(ox.parse(path=path, format=fmt, base_iri=base_iri, lenient=True)))
        os.remove(path)  # the store holds it now; a large dump must not occupy the disk twice

    def _bulk(self, quads: Iterator[ox.Quad]) -> None:
        """``quads`` into the on-disk store, one bulk load per ``SEGMENT_QUADS``: pyoxigraph's bulk loader
        holds the quads of a call in memory (hundreds of MB for a million) before it writes them."""
        assert self.store is not None
        while True:
            segment = itertools.islice(quads, SEGMENT_QUADS)
            first = next(segment, None)
            if first is None:
                return
            self.store.bulk_extend(itertools.chain((first,), segment))

    def close(self) -> None:
        self.store = None  # releases the RocksDB lock before the folder goes
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


def line_batches(body: BinaryIO, batch_bytes: int | None = None) -> Iterator[tuple[int, bytes]]:
    """``body`` cut at line ends into batches of about ``batch_bytes``, each with its first line's number.

    About two batches' worth of bytes are alive at a time (the chunk read and the batch made of it)."""
    size = batch_bytes or BATCH_BYTES
    line, rest = 1, b""
    while True:
        chunk = body.read(size)
        if not chunk:
            if rest:
                yield line, rest
            return
        cut = max(chunk.rfind(b"\n"), chunk.rfind(b"\r")) + 1
        if cut == 0:  # no line end in this chunk: a long line, keep reading (up to a bound)
            rest += chunk
            if len(rest) > MAX_LINE_BYTES:
                raise RdfDumpError(f"line {line} of the dump is longer than {MAX_LINE_BYTES >> 20} MB")
            continue
        if not rest and cut == len(chunk):
            batch = chunk
        else:
            batch = b"".join((rest, memoryview(chunk)[:cut]))  # one copy, no intermediate slices
        rest = chunk[cut:]
        del chunk
        yield line, batch
        line += batch.count(b"\n")


def _names_linked_art_context(path: str) -> bool:
    """Whether the file at ``path`` mentions a Linked Art context URL (read in chunks)."""
    needles = [url.encode() for url in CONTEXT_URLS]
    keep = max(len(n) for n in needles)
    tail = b""
    with open(path, "rb") as file:
        while chunk := file.read(SPOOL_CHUNK):
            window = tail + chunk
            if any(n in window for n in needles):
                return True
            tail = window[-keep:]
    return False


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
