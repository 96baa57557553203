"""The mapping engine: source records (LIDO, oai_dc, EDM, Linked Art, CRM RDF) in, CIDOC-CRM N-Triples
shaped as Linked Art out.

This module is the package's public face; callers outside ``mappings`` import from here only. Behind it:

- ``mappings.registry``: the formats by name (:func:`get_mapping`, :func:`load_mapping`, :func:`register_format`);
- ``mappings.declarative``: the engine that runs a declarative TOML mapping file (``lido.toml``,
  ``oai_dc.toml``, ``edm.toml`` beside this module; format in ``README.md``) over XML records;
- ``mappings.rdf``: the RDF-native mappings (``crm-rdf``, ``linked-art``), code rather than files;
- ``mappings.stream``: records streamed out of an XML document; ``mappings.xml``: the one safe XML parser;
- ``mappings.records`` and ``mappings.errors``: the values and errors they all share.

This package is pure: record in, triples out. It reads only its own TOML files and the input stream it
is given; it never touches a store, the network or the instance folder.

    mapping = get_mapping("lido")
    ctx = MappingContext(minter=IriMinter(base), museum="hz-silk")
    rec = mapping.map_record(element, ctx)
    for item in map_stream(fp, "lido", ctx): ...
"""

from __future__ import annotations

from .declarative.engine import Mapping
from .errors import DocumentError, MappingError, MappingFileError, RecordError
from .records import MappedRecord, MappingContext
from .registry import (
    available_formats,
    get_mapping,
    load_mapping,
    mapping_file,
    register_format,
    register_mapping_class,
)
from .stream import iter_xml_records, map_stream
from .xml import parse_bytes, safe_parser

__all__ = [
    "DocumentError",
    "MappedRecord",
    "Mapping",
    "MappingContext",
    "MappingError",
    "MappingFileError",
    "RecordError",
    "available_formats",
    "get_mapping",
    "iter_xml_records",
    "load_mapping",
    "map_stream",
    "mapping_file",
    "parse_bytes",
    "register_format",
    "register_mapping_class",
    "safe_parser",
]
