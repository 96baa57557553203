"""The store: one interface (``store.base.Store``) and its backends, one per module.

- ``store.embedded``: pyoxigraph in-process, in memory or on disk (tests, one-shot CLI commands).
- ``store.sparql_protocol``: any SPARQL 1.1 Protocol + Graph Store Protocol server over HTTP
  (``store.bind_values`` binds query parameters for it).
- ``store.managed``: what the managed server processes share (loopback ports, state file, watchdog).
- ``store.oxigraph_server``: the managed ``oxigraph serve`` process the hub starts and supervises.
- ``store.virtuoso_server`` and ``store.virtuoso``: the managed Virtuoso process, and the backend that
  talks to a Virtuoso (managed or existing) with its differences handled (``store.virtuoso_sparql``).
- ``store.open``: ``open_store(spec, ...)``, the one place a configured store name becomes a backend.

This package knows nothing of museums, mappings or the web.
"""

from store.base import (
    BooleanResult,
    Dataset,
    GraphResult,
    QueryResult,
    QuerySyntaxError,
    QueryTimeout,
    RecordGraph,
    SolutionsResult,
    Store,
    StoreError,
    StoreInfo,
    StoreUnavailable,
)
from store.embedded import EmbeddedStore
from store.open import open_store
from store.oxigraph_server import ManagedOxigraphServer, find_running_server
from store.sparql_protocol import SparqlProtocolStore
from store.virtuoso import VirtuosoStore
from store.virtuoso_server import ManagedVirtuosoServer, find_running_virtuoso

__all__ = [
    "BooleanResult",
    "Dataset",
    "EmbeddedStore",
    "GraphResult",
    "ManagedOxigraphServer",
    "ManagedVirtuosoServer",
    "QueryResult",
    "QuerySyntaxError",
    "QueryTimeout",
    "RecordGraph",
    "SolutionsResult",
    "SparqlProtocolStore",
    "Store",
    "VirtuosoStore",
    "StoreError",
    "StoreInfo",
    "StoreUnavailable",
    "find_running_server",
    "find_running_virtuoso",
    "open_store",
]
