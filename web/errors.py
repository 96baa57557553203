"""The web layer's one error root: :class:`HubError` carries the HTTP status of what went wrong.

Services (``web.museums``, ``web.exhibitions``, ``web.accounts``) raise these; the app maps every
:class:`HubError` to a page or a JSON envelope in one place (``web.app``) and the CLI to a message and a
non-zero exit in one place (``web.cli``). A view or a command never translates a service error itself.
"""

from __future__ import annotations


class HubError(Exception):
    """Something the caller asked for cannot be done; ``status`` is its HTTP status."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field

    def as_json(self) -> dict[str, object]:
        body: dict[str, object] = {"ok": False, "error": str(self), "status": self.status}
        if self.field:
            body["field"] = self.field
        return body


class InvalidInput(HubError, ValueError):
    """The input is refused with a reason (a form field, a JSON body, a command's option)."""

    status = 422


class NotFound(HubError, LookupError):
    status = 404


class Conflict(HubError):
    """The request clashes with the current state (exists already, is running already)."""

    status = 409


class Forbidden(HubError):
    status = 403
