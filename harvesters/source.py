"""The one harvester interface: a source yields pages of records; the harvest run does the rest.

Every protocol (OAI-PMH, IIIF Change Discovery, an RDF dump, a partner SPARQL endpoint) is one module
with one :class:`Source` class; ``harvesters.protocols`` registers them by protocol name. This module owns
the interface and the values a source gives (:class:`SourceRecord`, :class:`SourcePage`) and takes
(:class:`FeedSpec`). A source knows its protocol only: it does not map, store, checkpoint or count;
``harvesters.run`` does that for all of them alike.
"""

from __future__ import annotations

import abc
from collections.abc import Generator, Iterable
from dataclasses import dataclass, field
from typing import Any

from harvesters.http import GuardedSession


@dataclass
class SourceRecord:
    """One record as the source gives it.

    ``payload`` is what the record's mapping takes: an lxml element for XML formats (LIDO, oai_dc, EDM),
    a parsed JSON-LD document (dict) for Linked Art, N-Triples text for RDF sources. None when deleted,
    or when ``problem`` says why the source could not give it (too large): the run quarantines the record.
    """

    identifier: str
    datestamp: str | None
    deleted: bool
    payload: Any = None
    problem: str | None = None


@dataclass
class SourcePage:
    #: a list, or an iterator read as the page is parsed (OAI-PMH): an XML payload is then valid until the
    #: next record is taken, so a consumer handles each record before taking the next
    records: Iterable[SourceRecord]
    #: JSON-serialisable state from which the listing continues after this page (token, next page URL);
    #: None on the last page. The run stores it after the page's records are in the store.
    checkpoint: dict[str, Any] | None = None
    complete_list_size: int | None = None
    #: the server's own time for this answer (OAI responseDate), the next incremental harvest's `from`
    response_date: str | None = None
    #: True: one part of a large page, more of the same page follow; its checkpoint is where the page starts
    #: (the listing guard counts the page, and the run its pages, at the page's last part only)
    partial: bool = False


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
    def pages(self, since: str | None = None, resume: dict[str, Any] | None = None) -> Generator[SourcePage]:
        """Pages of records changed since ``since`` (all when None), continuing at ``resume`` if given."""
