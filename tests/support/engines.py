"""The engines the shared datasets run on: the embedded Oxigraph (pyoxigraph in memory) and the session's
managed Virtuoso server (tests/support/virtuoso_fixtures.py), which is emptied before each dataset.

A module-scoped dataset fixture takes ``params=ENGINES`` and builds its store with :func:`engine_store`;
pytest then runs the module's tests that use it once per engine, the Oxigraph ones first, and finishes one
engine's dataset before it builds the next (so two datasets never share the Virtuoso server at once).
"""

from __future__ import annotations

import pytest

from store.base import Store
from store.embedded import EmbeddedStore

ENGINES = ["oxigraph", "virtuoso"]


def engine_store(request: pytest.FixtureRequest, provenance_graph: str, *, query_timeout: float | None = None
                 ) -> Store:
    """An empty store on the engine ``request.param`` names (skips where Virtuoso is not installed)."""
    if request.param == "oxigraph":
        return EmbeddedStore(None, provenance_graph, query_timeout=query_timeout)
    if request.param != "virtuoso":
        raise ValueError(f"unknown engine {request.param!r}")
    server = request.getfixturevalue("virtuoso_server")
    store: Store = server.store(provenance_graph, query_timeout=query_timeout)
    store.update("DROP ALL")  # what an earlier test module left behind
    return store
