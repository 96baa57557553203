"""Queries the store server does not stop at its timeout: the client of the process that owns the server
restarts it, which ends the work and returns its memory.

``oxigraph serve --timeout-s`` stops most queries on time, but not while it plans a query (a star of a few
hundred triple patterns: minutes of planning) nor while it sorts (ORDER BY over a cross product: tens of
seconds and gigabytes); the server thread runs on long after the client gave up (measured on 0.5.13:
README, "Security model"). Nothing can reach that thread but the end of its process.

:class:`WatchedServerStore` therefore runs each query in a thread of its own that waits for the server's
answer (a result, or its cancellation text) up to the server's timeout plus a grace (:data:`CANCEL_GRACE_S`), while
the caller waits only its own timeout. A server that has not answered by then is busy with a query nobody
will read: it is killed and started again on the same port (``ManagedServer.restart_runaway``). A read
that failed because of such a restart is sent again once the server answers, so pages carry on.

Only the process that runs the server (``srom serve``) can restart it; other processes (``srom harvest``)
use a plain :class:`~store.sparql_protocol.SparqlProtocolStore`. Writes are not retried: an update cut by a
restart fails as StoreUnavailable, and a harvest resumes from its checkpoint.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from typing import Any, Protocol

from store.base import Dataset, QueryResult, QueryTimeout, StoreUnavailable, Term
from store.sparql_protocol import ServerCancelled, SparqlProtocolStore
from store.values import Value

#: how long past its own timeout the server may take to stop a query before it is restarted (the default
#: of ``ManagedOxigraphServer(cancel_grace_s=)``). Oxigraph 0.5.13 answered the cancellation of a
#: cross-product COUNT 1.5 s after a 2 s timeout, and over 3 s late on a machine loaded 5 times over
#: (measured); a restart it did not need costs only the retried reads.
CANCEL_GRACE_S = 5.0


class RestartableServer(Protocol):
    """What the watch needs of the server it owns (``store.managed.ManagedServer``)."""

    @property
    def pid(self) -> int | None: ...

    #: the server's own query timeout (``--timeout-s``), seconds
    timeout_s: int
    #: how long past it the server may take to stop a query itself
    cancel_grace_s: float

    def restart_runaway(self, pid: int, reason: str) -> bool: ...

    def recover(self, pid: int | None) -> bool: ...


class WatchedServerStore(SparqlProtocolStore):
    """A SPARQL Protocol store on a server this process owns: a query the server does not stop is stopped
    by restarting the server."""

    cancels_on_timeout = True  # the server's timeout, and the restart where that does not stop it

    def __init__(self, server: RestartableServer, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.server = server

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, Term] | None = None,
        timeout: float | None = None,
        limit: int | None = None,
        rows: Mapping[str, Sequence[Value]] | None = None,
        dataset: Dataset | None = None,
    ) -> QueryResult:
        options: dict[str, Any] = {"substitutions": substitutions, "limit": limit, "rows": rows, "dataset": dataset}
        timeout = timeout if timeout is not None else self.query_timeout
        pid = self.server.pid
        try:
            return self._watched(sparql, timeout, pid, options)
        except StoreUnavailable:
            if not self.server.recover(pid):  # not a restart: the store is down, say so
                raise
            return self._watched(sparql, timeout, self.server.pid, options)

    def _watched(self, sparql: str, timeout: float | None, pid: int | None, options: dict[str, Any]) -> QueryResult:
        answer: Future[QueryResult] = Future()
        server_limit = self.server.timeout_s + self.server.cancel_grace_s

        def run() -> None:
            try:
                answer.set_result(SparqlProtocolStore.query(self, sparql, timeout=server_limit, **options))
            except ServerCancelled as e:  # the server stopped it: nothing runs on
                answer.set_exception(_detached(e))
            except QueryTimeout as e:  # no answer at all by now: the server is still at it
                answer.set_exception(_detached(e))
                if pid is not None:
                    self.server.restart_runaway(pid, f"a query ran {server_limit:g} s, past the server's timeout")
            except BaseException as e:  # handed to the waiting caller, raised there
                answer.set_exception(_detached(e))

        # A daemon thread: the watch must not keep the process from exiting.
        threading.Thread(target=run, name="srom-query-watch", daemon=True).start()
        try:
            return answer.result(timeout=timeout)
        except TimeoutError:
            raise QueryTimeout(f"the query did not finish within {timeout:g} s and is being stopped") from None


def _detached(error: BaseException) -> BaseException:
    """``error`` without its traceback and chained errors: their frames hold pyoxigraph's result parsers,
    which must be dropped by the thread that made them (they are not ``Send``), not by the caller."""
    error.__context__ = error.__cause__ = None
    return error.with_traceback(None)
