"""Small things every blueprint needs: the hub, the store, JSON envelopes, local links to IRIs."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, request

from store.base import Store
from web.hub import Hub


def hub() -> Hub:
    return current_app.extensions["srom"]


def store() -> Store:
    return hub().store()


def wants_json() -> bool:
    """The client asked for JSON: a ``.json`` URL, or an Accept header preferring it to HTML."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return request.path.endswith(".json") or best == "application/json"


def ok(status: int = 200, **payload: Any) -> tuple[Response, int]:
    """The project's JSON envelope for success: ``{"ok": true, ...}``."""
    return jsonify({"ok": True, **payload}), status


def local_link(iri: str) -> str:
    """Path of an IRI minted by this hub (so links work whatever host serves it), else the IRI."""
    return hub().minter.object_path(iri) or iri
