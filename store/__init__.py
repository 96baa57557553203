"""The store: one interface (``store.base.Store``) and its backends, one per module.

- ``store.embedded``: pyoxigraph in-process, in memory or on disk (tests, one-shot CLI commands).
- ``store.sparql_protocol``: any SPARQL 1.1 Protocol + Graph Store Protocol server over HTTP.
- ``store.oxigraph_server``: the managed ``oxigraph serve`` process the hub starts and supervises.

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
    StoreUnavailable,
)

__all__ = [
    "BooleanResult",
    "GraphResult",
    "QueryResult",
    "QuerySyntaxError",
    "QueryTimeout",
    "RecordGraph",
    "SolutionsResult",
    "Store",
    "StoreError",
    "StoreUnavailable",
]
