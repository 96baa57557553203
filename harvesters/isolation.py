"""Running work on untrusted input in a child process with a memory cap, so a blow-up ends the child and
never the process that asked (the web server, a CLI command).

A probe parses whatever a feed sends: a record that makes a parser allocate gigabytes, or crash in
native code, must cost the hub one failed probe with a message, not its web process.
:func:`run_isolated` calls a module-level function in a fresh process (the ``forkserver`` start method:
forking a clean server process is safe with the web server's threads, and cheap after the first call)
whose address space is capped (``RLIMIT_AS``), waits at most ``timeout`` seconds, and returns the result or
raises :class:`IsolatedFailure` saying what happened (out of memory, timed out, crashed, or the error).
"""

from __future__ import annotations

import multiprocessing
import resource
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from harvesters.errors import HarvestError

T = TypeVar("T")

_CONTEXT = multiprocessing.get_context("forkserver")
# The forkserver imports these once; each child then starts with them loaded.
_CONTEXT.set_forkserver_preload(["harvesters.probe"])


class IsolatedFailure(HarvestError):
    """The isolated work did not return a result; the message says why."""


def _child(conn: Connection, memory_mb: int, fn: Callable[..., Any], args: tuple, kwargs: dict) -> None:
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        result = fn(*args, **kwargs)
    except MemoryError:
        conn.send((False, f"it ran out of memory (limit {memory_mb} MB)"))
    except BaseException as exc:
        conn.send((False, f"{type(exc).__name__}: {exc}"))
    else:
        conn.send((True, result))
    finally:
        conn.close()


def run_isolated(fn: Callable[..., T], args: tuple = (), kwargs: dict[str, Any] | None = None, *,
                 memory_mb: int, timeout: float) -> T:
    """``fn(*args, **kwargs)`` in a child process capped at ``memory_mb`` and ``timeout`` seconds."""
    kwargs = kwargs or {}
    receive, send = _CONTEXT.Pipe(duplex=False)
    process = _CONTEXT.Process(target=_child, args=(send, memory_mb, fn, args, kwargs), daemon=True)
    process.start()
    send.close()
    try:
        if not receive.poll(timeout):
            raise IsolatedFailure(f"it took longer than {timeout:g} s and was stopped")
        try:
            ok, value = receive.recv()
        except EOFError:
            process.join(5)
            raise IsolatedFailure(f"the worker died (exit status {process.exitcode}), most likely out of memory "
                                  f"(limit {memory_mb} MB)") from None
    finally:
        receive.close()
        if process.is_alive():
            process.kill()
        process.join(5)
    if not ok:
        raise IsolatedFailure(str(value))
    return value
