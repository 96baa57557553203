"""Opening a store by name: the one place that turns a configured store spec into a backend.

Specs:
- ``memory``: an empty in-memory pyoxigraph store (tests, demos).
- ``embedded``: pyoxigraph on disk at ``location``.
- ``oxigraph-server``: the managed server that ``srom serve`` runs on ``location``, found through its
  state file; when none runs, the directory is opened embedded instead. This is what one-shot CLI
  commands (``srom harvest``) do: write through the server while the hub serves, or directly when it
  does not. A server that runs but does not answer makes the embedded open fail on the directory lock,
  with a message saying so, rather than writing elsewhere.
- ``http://...`` or ``https://...``: a remote SPARQL 1.1 endpoint (query URL; ``query_url|update_url``
  when updates go elsewhere).

This module must not start servers (``srom serve`` does, through ``store.oxigraph_server``).
"""

from __future__ import annotations

from pathlib import Path

from store.base import Store
from store.embedded import EmbeddedStore
from store.oxigraph_server import find_running_server, server_store
from store.sparql_protocol import SparqlProtocolStore

SPECS = ("memory", "embedded", "oxigraph-server", "http(s)://query-url[|update-url]")


def open_store(spec: str, provenance_graph: str, *, location: Path | None, timeout_s: float) -> Store:
    """Open the store ``spec`` names; ``timeout_s`` is the default query timeout of the store."""
    if spec == "memory":
        return EmbeddedStore(None, provenance_graph, query_timeout=timeout_s)
    if spec in ("embedded", "oxigraph-server"):
        if location is None:
            raise ValueError(f"the {spec!r} store needs a location (the store directory)")
        if spec == "oxigraph-server":
            url = find_running_server(location)
            if url:
                return server_store(url, provenance_graph, query_timeout=timeout_s)
        return EmbeddedStore(location, provenance_graph, query_timeout=timeout_s)
    if spec.startswith(("http://", "https://")):
        query_url, _, update_url = spec.partition("|")
        return SparqlProtocolStore(
            query_url.strip(), update_url.strip() or None, None, provenance_graph, query_timeout=timeout_s
        )
    raise ValueError(f"unknown store {spec!r}: use one of {', '.join(SPECS)}")
