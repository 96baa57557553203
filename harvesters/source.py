"""The one harvester interface: a source yields pages of records; the harvest run does the rest.

Every protocol (OAI-PMH, IIIF Change Discovery, an RDF dump, a partner SPARQL endpoint) is one module
with one :class:`Source` class, registered by protocol name through :func:`register_source` — the same
call a third party uses (or the ``srom.sources`` entry point group). A source knows its protocol only:
it does not map, store, checkpoint or count; ``harvesters.run`` does that for all of them alike.
"""

from __future__ import annotations

import abc
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any

from harvesters.http import GuardedSession

log = logging.getLogger(__name__)


@dataclass
class SourceRecord:
    """One record as the source gives it.

    ``payload`` is what the record's mapping takes: an lxml element for XML formats (LIDO, oai_dc, EDM),
    a parsed JSON-LD document (dict) for Linked Art, N-Triples text for RDF sources. None when deleted.
    """

    identifier: str
    datestamp: str | None
    deleted: bool
    payload: Any = None


@dataclass
class SourcePage:
    records: list[SourceRecord]
    #: JSON-serialisable state from which the listing continues after this page (token, next page URL);
    #: None on the last page. The run stores it after the page's records are in the store.
    checkpoint: dict[str, Any] | None = None
    complete_list_size: int | None = None
    #: the server's own time for this answer (OAI responseDate), the next incremental harvest's `from`
    response_date: str | None = None


@dataclass
class FeedSpec:
    """What a source needs to know of a registered feed."""

    url: str
    format: str
    set_spec: str | None = None
    options: dict[str, Any] = field(default_factory=dict)


class Source(abc.ABC):
    #: protocol name used in the registry and on the command line ("oai-pmh", "iiif-discovery", ...)
    protocol: str = ""
    #: metadata formats this protocol can carry (mapping names)
    formats: tuple[str, ...] = ()
    #: True when every run lists every record (an RDF dump, a SPARQL endpoint): there is no incremental
    #: form, so the run treats each harvest as full and removes the records missing from the listing
    complete_listing: bool = False
    #: False when continuing from a checkpoint costs as much as starting over (an RDF dump is downloaded and
    #: read again): a run never hands such a listing to the mapping worker half-way (harvesters/map_worker.py)
    resumes_cheaply: bool = True

    def __init__(self, feed: FeedSpec, http: GuardedSession) -> None:
        self.feed = feed
        self.http = http

    @abc.abstractmethod
    def pages(self, since: str | None = None, resume: dict[str, Any] | None = None) -> Iterator[SourcePage]:
        """Pages of records changed since ``since`` (all when None), continuing at ``resume`` if given."""


SOURCES: dict[str, type[Source]] = {}


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


#: the built-in protocol modules; each registers its Source when imported
BUILTIN_SOURCE_MODULES = (
    "harvesters.oaipmh",
    "harvesters.iiif_discovery",
    "harvesters.rdf_dump",
    "harvesters.sparql_source",
)


def _load_builtin_sources() -> None:
    # Importing the protocol modules registers them; done lazily so that importing this module is cheap.
    # A module that is missing (not written yet, or its optional dependency is not installed) leaves its
    # protocol out instead of breaking every harvest.
    import importlib

    import harvesters.oaipmh  # noqa: F401

    for name in BUILTIN_SOURCE_MODULES[1:]:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                log.warning("protocol module %s is not usable: %s", name, exc)
        except Exception as exc:  # noqa: BLE001 - one broken protocol module must not stop the others
            log.warning("protocol module %s is not usable: %s: %s", name, type(exc).__name__, exc)
