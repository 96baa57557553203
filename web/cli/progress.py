"""A harvest's progress on the terminal (stderr, so stdout stays for results and ``--json``)."""

from __future__ import annotations

import sys
from typing import Any

import click

from harvesters.run import HarvestProgress


def print_progress(state: HarvestProgress) -> None:
    total = state.complete_list_size
    done = state.records
    if total:
        width = 24
        filled = min(width, int(width * done / max(total, 1)))
        bar = f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
    else:
        bar = f"{done} records, {state.pages} pages"
    sys.stderr.write(
        f"\r  {state.museum:<16} {bar}  new {state.new} updated {state.updated} "
        f"deleted {state.deleted} quarantined {state.quarantined}   "
    )
    sys.stderr.flush()


class ProgressBar:
    """``click.progressbar`` once the list size is known, else a line rewritten in place."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._shown = 0

    def __call__(self, state: HarvestProgress) -> None:
        total = state.complete_list_size
        if not total:
            print_progress(state)
            return
        if self._bar is None:
            self._bar = click.progressbar(length=max(total, state.records), label=f"  {state.museum:<16}",
                                          file=sys.stderr, show_pos=True, show_percent=True,
                                          item_show_func=lambda _: _counts(state))
            self._bar.__enter__()
        self._bar.length = max(total, state.records, self._bar.length or 0)
        self._bar.update(max(0, state.records - self._shown), current_item=state)
        self._shown = max(self._shown, state.records)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
        sys.stderr.write("\n")


def _counts(state: HarvestProgress | None) -> str:
    if state is None:
        return ""
    return (f"new {state.new} updated {state.updated} unchanged {state.unchanged} deleted {state.deleted} "
            f"quarantined {state.quarantined}")
