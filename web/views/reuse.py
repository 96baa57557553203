"""Data for reuse: the VoID description, the dumps, the vendored Linked Art context.

- ``/.well-known/void``: the hub's VoID description (Turtle by default; N-Triples, RDF/XML, JSON-LD by
  Accept or ``?format=``), ``web.reuse.void``.
- ``/dumps/``: the dumps with their sizes, dates and counts (HTML, or JSON by Accept / ``/dumps.json``);
  ``/dumps/<name>.nq.gz``: one dump, gzipped N-Quads, with ``ETag``, ``Last-Modified`` and ``Range``
  (werkzeug's conditional ``send_file``). Dumps are rebuilt lazily when the hub's data changed since
  (``web.reuse.dumps``).
- ``/contexts/linked-art.json``: the Linked Art context the object IRIs' JSON-LD is compacted with.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, jsonify, render_template, request, send_file

from sparql_endpoint.negotiation import best_media_type
from sparql_endpoint.results import serialize_result
from store.base import GraphResult
from web.objects.linked_art import context_document
from web.reuse.dumps import HUB_DUMP, dumps_folder, fresh_manifest
from web.reuse.void import PREFIXES, void_triples
from web.views.common import hub

bp = Blueprint("reuse", __name__)

VOID_TYPES = {"turtle": "text/turtle", "ntriples": "application/n-triples", "rdfxml": "application/rdf+xml",
              "jsonld": "application/ld+json"}


@bp.get("/.well-known/void")
def void() -> Response:
    wanted = request.args.get("format")
    if wanted:
        if wanted not in VOID_TYPES:
            abort(400, f"unknown format {wanted!r}; choose {', '.join(VOID_TYPES)}")
        media_type = VOID_TYPES[wanted]
    else:
        media_type = best_media_type(request.headers.get("Accept"), list(VOID_TYPES.values())) or "text/turtle"
    triples = void_triples(hub(), fresh_manifest(hub()))
    body = b"".join(serialize_result(GraphResult(triples), media_type, prefixes=PREFIXES))
    response = Response(body, content_type=f"{media_type}; charset=utf-8" if media_type.startswith("text/")
                        else media_type)
    response.vary.add("Accept")
    return response


def _listing() -> dict:
    manifest = fresh_manifest(hub())
    base = hub().minter.base
    files = []
    for name, entry in sorted(manifest["files"].items(), key=lambda kv: (kv[0] != HUB_DUMP, kv[0])):
        files.append({"name": name, "url": f"{base}/dumps/{name}", "museum": entry["museum"],
                      "bytes": entry["bytes"], "quads": entry["quads"], "objects": entry["objects"],
                      "modified": entry["modified"], "media_type": "application/n-quads",
                      "encoding": "gzip"})
    return {"built": manifest["built"], "dumps": files, "void": f"{base}/.well-known/void",
            "sparql": f"{base}/sparql", "changes": f"{base}/activity/all-changes"}


@bp.get("/dumps/")
@bp.get("/dumps.json", endpoint="dumps_json")
def dumps() -> Response | str:
    listing = _listing()
    if request.path.endswith(".json") or best_media_type(
            request.headers.get("Accept"), ["text/html", "application/json"]) == "application/json":
        return jsonify(listing)
    return render_template("dumps.html", listing=listing)


@bp.get("/dumps/<name>")
def dump(name: str) -> Response:
    manifest = fresh_manifest(hub())
    if name not in manifest["files"]:
        abort(404, f"no dump {name!r}; see /dumps/")
    path = dumps_folder(hub()) / name
    response = send_file(path, mimetype="application/gzip", as_attachment=True, download_name=name,
                         conditional=True, etag=True, max_age=300)
    response.headers["X-Content-Media-Type"] = "application/n-quads"
    return response


@bp.get("/contexts/linked-art.json")
def linked_art_context() -> Response:
    response = Response(json.dumps(context_document(), indent=1), content_type="application/ld+json")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
