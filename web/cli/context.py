"""What every ``srom`` command shares: the hub it works on, errors as messages, the JSON envelope.

:func:`pass_hub` hands a command the :class:`~web.hub.Hub` of the instance folder (``$SROM_HOME``),
built once per invocation and closed when the command ends; a :class:`~web.errors.HubError` from a
service becomes a one-line message and a non-zero exit, the same way for every command. ``--json``
output uses the API's envelope through :func:`echo_json`.
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Callable
from typing import Any, TypeVar

import click

from web.cli.managed_store import managed_store
from web.errors import HubError
from web.hub import Hub
from web.settings import instance_path, load_settings

F = TypeVar("F", bound=Callable[..., Any])


class HubContext:
    """The invocation's hub, made on first use (``srom --help`` and ``srom map`` never need a store)."""

    def __init__(self) -> None:
        self._hub: Hub | None = None
        self._stack = contextlib.ExitStack()
        self.overrides: dict[str, Any] = {}
        #: the web port a serving command was given (the base IRI's default follows it)
        self.port: int | None = None

    @property
    def hub(self) -> Hub:
        if self._hub is None:
            instance = instance_path()
            try:
                settings = load_settings(instance, overrides=self.overrides or None, port=self.port)
            except ValueError as exc:
                raise click.ClickException(str(exc)) from exc
            self._hub = Hub(instance, settings)
            self._hub.start_store = self._start_store
        return self._hub

    def _start_store(self) -> None:
        """A one-shot command needs the managed Virtuoso and none runs: run one for this command only."""
        assert self._hub is not None
        self._stack.enter_context(managed_store(self._hub))

    def close(self) -> None:
        self._stack.close()  # a server started for this command stops with it
        if self._hub is not None:
            self._hub.close()


def hub_context() -> HubContext:
    root = click.get_current_context().find_root()
    if not isinstance(root.obj, HubContext):
        root.obj = HubContext()
        root.call_on_close(root.obj.close)
    return root.obj


def pass_hub(command: F) -> F:
    """Call ``command(hub, ...)``; a HubError becomes the command's error message (exit status 1)."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(hub_context().hub, *args, **kwargs)
        except HubError as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


def echo_json(**payload: Any) -> None:
    """Print the API's success envelope, ``{"ok": true, ...}``."""
    click.echo(json.dumps({"ok": True, **payload}, ensure_ascii=False, indent=2))
