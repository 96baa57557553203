"""The store: one interface (``store.base.Store``) and its backends, one per module.

- ``store.embedded``: pyoxigraph in-process, in memory or on disk (tests, one-shot CLI commands).
- ``store.sparql_protocol``: any SPARQL 1.1 Protocol + Graph Store Protocol server over HTTP
  (``store.bind_values`` binds query parameters for it).
- ``store.oxigraph_server``: the managed ``oxigraph serve`` process the hub starts and supervises.
- ``store.open``: ``open_store(spec, ...)``, the one place a configured store name becomes a backend.

This package knows nothing of museums, mappings or the web.
"""

from store.base import (
    BooleanResult,
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

__all__ = [
    "BooleanResult",
    "EmbeddedStore",
    "GraphResult",
    "ManagedOxigraphServer",
    "QueryResult",
    "QuerySyntaxError",
    "QueryTimeout",
    "RecordGraph",
    "SolutionsResult",
    "SparqlProtocolStore",
    "Store",
    "StoreError",
    "StoreInfo",
    "StoreUnavailable",
    "find_running_server",
    "open_store",
]
