"""The managed Virtuoso server the store tests share: one per test session (it takes seconds to create).

Skipped with a message where ``virtuoso-t`` is not installed; CI installs it (``.ci/run``).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from store.virtuoso_server import ManagedVirtuosoServer

#: the server stops queries after this many seconds by itself (MaxQueryExecutionTime)
VIRTUOSO_TIMEOUT_S = 2


def virtuoso_missing() -> str | None:
    for program in ("virtuoso-t", "isql-vt"):
        if shutil.which(program) is None:
            return f"{program} is not installed (apt-get install virtuoso-opensource-7; CI installs it)"
    return None


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ManagedVirtuosoServer]:
    missing = virtuoso_missing()
    if missing:
        pytest.skip(missing)
    server = ManagedVirtuosoServer(
        tmp_path_factory.mktemp("virtuoso") / "db", timeout_s=VIRTUOSO_TIMEOUT_S, memory_mb=512
    )
    server.start()
    yield server
    server.stop()
