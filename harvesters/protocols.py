"""The protocol registry: a protocol name ("oai-pmh", "iiif-discovery", "rdf-dump", "sparql") -> its Source.

The built-in protocols are registered here through :func:`register_source`, the same call a third party
uses (or the ``srom.sources`` entry point group, looked up when a name is asked for). The protocol
modules only implement :class:`harvesters.source.Source`; they never import this module, so the registry
sits above them. The built-ins are imported on first use, so importing this module stays cheap.
"""

from __future__ import annotations

import importlib
import logging
from importlib.metadata import entry_points

from harvesters.source import Source

log = logging.getLogger(__name__)

SOURCES: dict[str, type[Source]] = {}

#: the built-in protocols, written as entry points are ("module:Class"); OAI-PMH first, and required
BUILTIN_SOURCES = (
    "harvesters.oaipmh:OaiPmhSource",
    "harvesters.iiif_discovery:IiifDiscoverySource",
    "harvesters.rdf_dump:RdfDumpSource",
    "harvesters.sparql_source:SparqlSource",
)
_builtins_loaded = False


def register_source(cls: type[Source]) -> type[Source]:
    """Register a Source class under its ``protocol`` (usable as a class decorator)."""
    if not cls.protocol:
        raise ValueError(f"{cls.__name__} has no protocol name")
    SOURCES[cls.protocol] = cls
    return cls


def source_class(protocol: str) -> type[Source]:
    _load_builtin_sources()
    if protocol not in SOURCES:
        for ep in entry_points(group="srom.sources"):
            if ep.name == protocol:
                register_source(ep.load())
    try:
        return SOURCES[protocol]
    except KeyError:
        raise ValueError(f"unknown protocol {protocol!r}; known: {', '.join(sorted(SOURCES))}") from None


def available_protocols() -> list[str]:
    """The protocol names registered so far, the built-ins included."""
    _load_builtin_sources()
    return sorted(SOURCES)


def _load_builtin_sources() -> None:
    # A module that is missing (not written yet, or its optional dependency is not installed) leaves its
    # protocol out instead of breaking every harvest; OAI-PMH must load. A protocol registered already (a
    # third party's replacement) is kept.
    global _builtins_loaded
    if _builtins_loaded:
        return
    for spec in BUILTIN_SOURCES:
        module, _, name = spec.partition(":")
        try:
            cls = getattr(importlib.import_module(module), name)
        except Exception as exc:  # one broken protocol module must not stop the others
            if spec == BUILTIN_SOURCES[0]:
                raise
            if not (isinstance(exc, ModuleNotFoundError) and exc.name == module):
                log.warning("protocol module %s is not usable: %s: %s", module, type(exc).__name__, exc)
            continue
        if cls.protocol not in SOURCES:
            register_source(cls)
    _builtins_loaded = True
