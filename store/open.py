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
- ``virtuoso``: the managed Virtuoso server that ``srom serve`` runs on ``location`` (``store.virtuoso_server``),
  found through its state file; there is no embedded fallback, so StoreUnavailable when none runs.
- ``virtuoso+http://user:password@host:port`` (or ``virtuoso+https``): an existing Virtuoso. Reads go to
  ``/sparql``, writes to ``/sparql-auth`` with the account's digest credentials (it needs SPARQL_UPDATE),
  as plain SPARQL Update: without the managed server's procedures each operation is committed on its
  own. ``open_virtuoso`` takes the same as separate settings.

This module must not start servers (``srom serve`` does, through ``store.oxigraph_server``).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from store.base import Store, StoreUnavailable
from store.embedded import EmbeddedStore
from store.oxigraph_server import find_running_server, server_store
from store.sparql_protocol import SparqlProtocolStore
from store.virtuoso import VirtuosoStore
from store.virtuoso_server import find_running_virtuoso, read_credentials, spool_path

SPECS = (
    "memory", "embedded", "oxigraph-server", "http(s)://query-url[|update-url]", "virtuoso",
    "virtuoso+http(s)://user:password@host:port",
)


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
    if spec == "virtuoso":
        if location is None:
            raise ValueError("the 'virtuoso' store needs a location (the database directory)")
        url = find_running_virtuoso(location)
        if not url:
            raise StoreUnavailable(f"no Virtuoso server runs on {location}: start it with `srom serve`")
        password = str(read_credentials(location).get("writer", ""))
        return VirtuosoStore(url, provenance_graph, user="srom", password=password, spool=spool_path(location),
                             query_timeout=timeout_s)
    if spec.startswith(("virtuoso+http://", "virtuoso+https://")):
        parts = urlsplit(spec.removeprefix("virtuoso+"))
        base = f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")
        return open_virtuoso(base, unquote(parts.username or ""), unquote(parts.password or ""), provenance_graph,
                             timeout_s=timeout_s)
    if spec.startswith(("http://", "https://")):
        query_url, _, update_url = spec.partition("|")
        return SparqlProtocolStore(
            query_url.strip(), update_url.strip() or None, None, provenance_graph, query_timeout=timeout_s
        )
    raise ValueError(f"unknown store {spec.split('@')[-1]!r}: use one of {', '.join(SPECS)}")


def open_virtuoso(url: str, user: str, password: str, provenance_graph: str, *, timeout_s: float) -> Store:
    """An existing Virtuoso at ``url`` (``http://host:port``; its ``/sparql`` and ``/sparql-auth``).

    Without ``user`` the store can read only. The server's own settings apply (``ResultSetMaxRows``
    cuts answers silently: set it above the largest answer the hub asks for).
    """
    return VirtuosoStore(url, provenance_graph, user=user or None, password=password or None, procedures=False,
                         query_timeout=timeout_s)
