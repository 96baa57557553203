"""Serialisers for query results: the four W3C results formats and four RDF syntaxes.

This module owns the byte-level output of every query answer the hub gives, for the HTTP endpoint and
for the CLI (`srom query --format ...`): the ``FORMATS`` table (short name, media type, extension) and
``serialize_result(result, fmt)``, which yields ``bytes`` chunks so a 10,000-row answer is written out
in pieces rather than as one giant string.

It must not run queries, read HTTP requests or choose a format (that is ``negotiation``), and it depends
only on ``store.base`` and pyoxigraph.

Specifications followed:
- SPARQL 1.1 Query Results JSON Format (https://www.w3.org/TR/sparql11-results-json/)
- SPARQL Query Results XML Format, 2nd edition (https://www.w3.org/TR/rdf-sparql-XMLres/)
- SPARQL 1.1 Query Results CSV and TSV Formats (https://www.w3.org/TR/sparql11-results-csv-tsv/)
- Turtle, N-Triples, JSON-LD and RDF/XML come from ``pyoxigraph.serialize`` (JSON-LD included: pyoxigraph
  0.5 serialises it natively, so rdflib is not needed here).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Literal as TypingLiteral

import pyoxigraph as ox

from store.base import BooleanResult, GraphResult, QueryResult, SolutionsResult

Kind = TypingLiteral["results", "graph"]

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
RDF_DIR_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#dirLangString"
SPARQL_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"
ITS_NS = "http://www.w3.org/2005/11/its"

#: how much text is gathered before a chunk is handed to the WSGI server: big enough that per-chunk
#: overhead (a write and maybe a TCP segment each) does not dominate, small enough to keep memory flat
CHUNK_CHARS = 64 * 1024
#: triples per pyoxigraph.serialize call for the line-based syntaxes that can be written in pieces
GRAPH_BATCH = 2000


@dataclass(frozen=True)
class Format:
    """One output format. ``aliases`` are further media types a client may ask for it by."""

    name: str  # short name, used by `format=` and by the CLI
    media_type: str  # what the response's Content-Type says
    extension: str  # file extension without the dot
    kind: Kind  # "results" for SELECT/ASK, "graph" for CONSTRUCT/DESCRIBE
    aliases: tuple[str, ...] = ()
    # extra names accepted in `format=` (SPARQLWrapper sends "rdf+xml", "json-ld"; Virtuoso-style "json"
    # for a CONSTRUCT means JSON-LD, "xml" means RDF/XML)
    names: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        """Content-Type header value; text/* types say their charset because HTTP's default is not UTF-8."""
        if self.media_type.startswith("text/"):
            return f"{self.media_type}; charset=utf-8"
        return self.media_type


RESULTS_FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", "srj", "results", ("application/json",)),
    Format("xml", "application/sparql-results+xml", "srx", "results", ("application/xml", "text/xml")),
    Format("csv", "text/csv", "csv", "results"),
    Format("tsv", "text/tab-separated-values", "tsv", "results"),
)
GRAPH_FORMATS: tuple[Format, ...] = (
    Format("turtle", "text/turtle", "ttl", "graph", ("application/x-turtle", "application/turtle",
                                                     "text/n3", "text/rdf+n3"), ("ttl", "n3")),
    Format("ntriples", "application/n-triples", "nt", "graph", (), ("nt", "n-triples")),
    Format("jsonld", "application/ld+json", "jsonld", "graph", ("application/json",), ("json-ld", "json")),
    Format("rdfxml", "application/rdf+xml", "rdf", "graph", ("application/xml", "text/xml"),
           ("rdf+xml", "rdf", "xml")),
)
#: every format by its short name
FORMATS: dict[str, Format] = {f.name: f for f in RESULTS_FORMATS + GRAPH_FORMATS}

_RDF_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


def formats_for(kind: Kind) -> tuple[Format, ...]:
    return RESULTS_FORMATS if kind == "results" else GRAPH_FORMATS


def result_kind(result: QueryResult) -> Kind:
    return "graph" if isinstance(result, GraphResult) else "results"


def find_format(token: str, kind: Kind) -> Format | None:
    """The format of ``kind`` that a short name, extra name or media type (parameters ignored) means."""
    token = token.split(";", 1)[0].strip().lower()
    for f in formats_for(kind):
        if token in (f.name, f.media_type, f.extension) or token in f.aliases or token in f.names:
            return f
    return None


def serialize_result(
    result: QueryResult, fmt: Format | str, *, prefixes: Mapping[str, str] | None = None
) -> Iterator[bytes]:
    """Yield ``result`` written in ``fmt`` (a ``Format``, short name or media type) as UTF-8 chunks.

    ``prefixes`` are used by Turtle (and RDF/XML) only. Raises ValueError when the format does not fit
    the result (a results format for a graph, or the reverse).
    """
    kind = result_kind(result)
    found = fmt if isinstance(fmt, Format) else find_format(fmt, kind)
    if found is None or found.kind != kind:
        raise ValueError(f"format {getattr(fmt, 'name', fmt)!r} cannot carry a {kind} result")
    if isinstance(result, GraphResult):
        return _graph(result.triples, found, prefixes)
    writer = _WRITERS[found.name]
    return _chunked(writer(result))


# --- chunking -----------------------------------------------------------------------------------------
def _chunked(pieces: Iterable[str]) -> Iterator[bytes]:
    buf: list[str] = []
    size = 0
    for piece in pieces:
        buf.append(piece)
        size += len(piece)
        if size >= CHUNK_CHARS:
            yield "".join(buf).encode("utf-8")
            buf, size = [], 0
    if buf:
        yield "".join(buf).encode("utf-8")


# --- JSON ---------------------------------------------------------------------------------------------
def json_term(term: object) -> dict[str, object]:
    """One RDF term as a SPARQL 1.1 JSON results binding value."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
            if term.direction is not None:  # SPARQL 1.2 results: base direction of the literal
                out["its:dir"] = str(term.direction).lower()
        elif term.datatype.value != XSD_STRING:  # simple literals carry no datatype (spec, 3.2.2)
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):  # RDF 1.2 triple terms, as SPARQL 1.2 JSON results write them
        return {"type": "triple", "value": {"subject": json_term(term.subject),
                                            "predicate": json_term(term.predicate),
                                            "object": json_term(term.object)}}
    raise TypeError(f"not an RDF term: {term!r}")


# ensure_ascii=False keeps 丝绸 readable and small; json still escapes quotes and control characters.
# One encoder for all rows: json.dumps with options builds a new one per call (~15% slower on 10k rows).
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _json(result: SolutionsResult | BooleanResult) -> Iterator[str]:
    if isinstance(result, BooleanResult):
        yield _dumps({"head": {}, "boolean": result.value})
        return
    yield '{"head":{"vars":' + _dumps(result.variables) + '},"results":{"bindings":['
    names = result.variables
    for i, row in enumerate(result.rows):
        binding = {n: json_term(t) for n, t in zip(names, row, strict=True) if t is not None}
        yield ("," if i else "") + _dumps(binding)
    yield "]}}"


# --- XML ----------------------------------------------------------------------------------------------
# XML 1.0 cannot carry most C0 control characters even as character references; a literal holding one
# would make the whole document unparseable, so such characters become U+FFFD instead.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(value: str, attribute: bool = False) -> str:
    value = _XML_INVALID.sub("\ufffd", value)
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if attribute:
        value = value.replace('"', "&quot;")
        # attribute-value normalisation would turn these into spaces
        value = value.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    else:
        value = value.replace("\r", "&#13;")  # a bare CR would be normalised away by XML parsers
    return value


def xml_term(term: object) -> str:
    """One RDF term as the SPARQL XML results element inside ``<binding>``."""
    if isinstance(term, ox.NamedNode):
        return f"<uri>{_xml_text(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{_xml_text(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        attrs = ""
        if term.language:
            attrs = f' xml:lang="{_xml_text(term.language, True)}"'
            if term.direction is not None:
                attrs += f' xmlns:its="{ITS_NS}" its:version="2.0" its:dir="{str(term.direction).lower()}"'
        elif term.datatype.value != XSD_STRING:
            attrs = f' datatype="{_xml_text(term.datatype.value, True)}"'
        return f"<literal{attrs}>{_xml_text(term.value)}</literal>"
    if isinstance(term, ox.Triple):
        return (f"<triple><subject>{xml_term(term.subject)}</subject>"
                f"<predicate>{xml_term(term.predicate)}</predicate>"
                f"<object>{xml_term(term.object)}</object></triple>")
    raise TypeError(f"not an RDF term: {term!r}")


def _xml(result: SolutionsResult | BooleanResult) -> Iterator[str]:
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="{SPARQL_RESULTS_NS}">\n'
    if isinstance(result, BooleanResult):
        yield f"<head/>\n<boolean>{'true' if result.value else 'false'}</boolean>\n</sparql>\n"
        return
    names = result.variables
    yield "<head>" + "".join(f'<variable name="{_xml_text(n, True)}"/>' for n in names) + "</head>\n"
    yield "<results>\n"
    attr_names = [_xml_text(n, True) for n in names]
    for row in result.rows:
        cells = "".join(
            f'<binding name="{n}">{xml_term(t)}</binding>'
            for n, t in zip(attr_names, row, strict=True)
            if t is not None
        )
        yield f"<result>{cells}</result>\n"
    yield "</results>\n</sparql>\n"


# --- CSV and TSV --------------------------------------------------------------------------------------
def csv_term(term: object | None) -> str:
    """CSV is lossy by design (spec, section 3): IRIs and literals as plain strings, no datatype/lang."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    if isinstance(term, ox.Triple):  # as Oxigraph writes them: the three plain values
        return " ".join(csv_term(t) for t in (term.subject, term.predicate, term.object))
    return str(term)  # blank nodes as _:label


def _csv(result: SolutionsResult | BooleanResult) -> Iterator[str]:
    if isinstance(result, BooleanResult):
        # Not defined by the CSV/TSV spec; Oxigraph (our default backend) writes a bare true/false.
        yield "true" if result.value else "false"
        return
    buf = io.StringIO()
    # QUOTE_MINIMAL quotes exactly the fields RFC 4180 needs: with comma, quote, CR or LF
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([csv_term(t) for t in row])
        if buf.tell() >= CHUNK_CHARS:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def tsv_term(term: object | None) -> str:
    """TSV keeps full terms in Turtle/N-Triples syntax; pyoxigraph's str() escapes tab, CR and LF."""
    if isinstance(term, ox.Triple):  # RDF 1.2 triple term syntax; str() would omit the brackets
        return f"<<( {tsv_term(term.subject)} {tsv_term(term.predicate)} {tsv_term(term.object)} )>>"
    return "" if term is None else str(term)


def _tsv(result: SolutionsResult | BooleanResult) -> Iterator[str]:
    if isinstance(result, BooleanResult):
        yield "true" if result.value else "false"
        return
    yield "\t".join("?" + v for v in result.variables) + "\n"
    for row in result.rows:
        yield "\t".join(tsv_term(t) for t in row) + "\n"


_WRITERS: dict[str, Callable[[SolutionsResult | BooleanResult], Iterator[str]]] = {
    "json": _json,
    "xml": _xml,
    "csv": _csv,
    "tsv": _tsv,
}


# --- RDF graphs ---------------------------------------------------------------------------------------
def _graph(triples: list[ox.Triple], fmt: Format, prefixes: Mapping[str, str] | None) -> Iterator[bytes]:
    rdf_format = _RDF_FORMATS[fmt.name]
    prefix_map = dict(prefixes) if prefixes and fmt.name in ("turtle", "rdfxml") else None
    if fmt.name == "ntriples" or (fmt.name == "turtle" and not prefix_map):
        # Line-based output can be written batch by batch and concatenated (blank node labels are
        # pyoxigraph's own, so they stay consistent across batches); JSON-LD, RDF/XML and Turtle with
        # @prefix lines are one document each and are serialised whole.
        for start in range(0, len(triples), GRAPH_BATCH):
            batch = ox.serialize(triples[start:start + GRAPH_BATCH], format=rdf_format)
            assert batch is not None  # no output given: the serialisation is returned
            yield batch
        return
    data = ox.serialize(triples, format=rdf_format, prefixes=prefix_map) if prefix_map else \
        ox.serialize(triples, format=rdf_format)
    assert data is not None
    if fmt.name == "rdfxml":
        # pyoxigraph 0.5 writes a literal's CR raw, and XML parsers turn CRLF into LF: the literal would
        # change. A raw CR can only come from literal text (its own markup uses LF), so a character
        # reference is safe everywhere it occurs.
        data = data.replace(b"\r", b"&#13;")
    yield data
