"""The format registry: a metadata format's name ("lido", "oai_dc", "edm", "crm-rdf", "linked-art") -> its mapping.

Declarative formats are TOML files beside this module, compiled by ``mappings.declarative`` on first use
and cached; code mappings (the RDF-native ones in ``mappings.rdf``) are factories called once. The
built-ins are registered below through :func:`register_format` and :func:`register_mapping_class`, the
same calls a plugin uses. :func:`load_mapping` merges a museum's overrides onto a TOML file.

Reads only its own TOML files.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from collections.abc import Mapping as MappingABC
from pathlib import Path
from threading import Lock
from typing import Any

from .declarative.engine import Mapping
from .declarative.spec import merge
from .errors import MappingFileError

_HERE = Path(__file__).resolve().parent
_FORMATS: dict[str, Path] = {}
_CACHE: dict[str, Mapping] = {}
# Formats whose mapping is code rather than a TOML file (the RDF-native ones): name -> factory.
_CLASSES: dict[str, Callable[[], Any]] = {}
_LOCK = Lock()


def register_format(name: str, toml_path: str | Path) -> None:
    """Make a mapping file available by ``name`` (replacing an earlier registration of that name)."""
    with _LOCK:
        _FORMATS[name] = Path(toml_path)
        _CACHE.pop(name, None)


def register_mapping_class(name: str, factory: Callable[[], Any]) -> None:
    """Make a code mapping available by ``name``: ``factory()`` returns an object with the interface of
    :class:`Mapping` (``format_name``, ``version``, ``root_tags``, ``map_record``), built once on first use."""
    with _LOCK:
        _CLASSES[name] = factory
        _CACHE.pop(name, None)


def available_formats() -> list[str]:
    return sorted(set(_FORMATS) | set(_CLASSES))


def mapping_file(name: str) -> Path | None:
    """The TOML file of a declarative format (what ``srom mappings show`` prints); None for a code mapping."""
    if name not in _FORMATS and name not in _CLASSES:
        raise MappingFileError(f"unknown metadata format {name!r}; known: {available_formats()}")
    return _FORMATS.get(name)


def _read(name: str) -> dict[str, Any]:
    try:
        path = _FORMATS[name]
    except KeyError:
        raise MappingFileError(f"unknown metadata format {name!r}; known: {available_formats()}") from None
    with path.open("rb") as fh:
        return tomllib.load(fh)


def get_mapping(name: str) -> Mapping:
    """The compiled base mapping for a format ("lido", "oai_dc"), compiled once and cached."""
    mapping = _CACHE.get(name)
    if mapping is None:
        with _LOCK:
            mapping = _CACHE.get(name)
            if mapping is None and name in _CLASSES:
                mapping = _CACHE[name] = _CLASSES[name]()
            elif mapping is None:
                mapping = _CACHE[name] = Mapping(_read(name), source=f"{name}.toml")
    return mapping


def load_mapping(name: str, overrides: MappingABC[str, Any] | None = None) -> Mapping:
    """A mapping with a museum's overrides merged onto the base file (not cached: the caller keeps it).

    ``overrides`` has the shape of the mapping file itself, e.g.
    ``{"rules": {"inventory": {"path": "lido:objectPublishedID"}}}``; give ``[mapping].version`` a
    suffix there if the museum's output should be told apart in provenance.
    """
    if not overrides:
        return get_mapping(name)
    if name in _CLASSES:
        raise MappingFileError(f"the {name!r} mapping takes no overrides")
    return Mapping(merge(_read(name), overrides), source=f"{name}.toml+overrides")


register_format("lido", _HERE / "lido.toml")
register_format("oai_dc", _HERE / "oai_dc.toml")
register_format("edm", _HERE / "edm.toml")  # OAI-PMH metadataPrefix=edm (or rdf): EDM RDF/XML


def _crm_rdf() -> Any:
    from .rdf.crm_rdf import CrmRdfMapping

    return CrmRdfMapping()


def _linked_art() -> Any:
    from .rdf.linked_art import LinkedArtMapping

    return LinkedArtMapping()


register_mapping_class("crm-rdf", _crm_rdf)  # CIDOC-CRM RDF in any CRM namespace (RDF dump, SPARQL)
register_mapping_class("linked-art", _linked_art)  # Linked Art JSON-LD (IIIF Change Discovery)
