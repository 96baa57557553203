"""Response headers that protect pages: a Content-Security-Policy and frame protection where a signed-in
person works, and the basics everywhere.

The signed-in pages (the museum's dashboard, the curator's editor, the admin's pages, sign-in and
registration) load scripts only from the hub itself and cannot be framed by another site (clickjacking
on a form with a session behind it). Every template keeps its scripts in files for that reason (no
inline ``<script>`` or ``on...=`` handlers); inline styles stay allowed (the editor's code editor writes
them). Public pages keep their own policy: an exhibition's ``/embed`` is meant to be framed anywhere.

The data URLs are open to scripts of any origin (CORS ``Access-Control-Allow-Origin: *``, and preflight
requests answered), so browser notebooks and other sites can read them: object IRIs, the exhibitions' RDF,
JSON and IIIF manifests, the VoID description, the dumps and the change feed (``DATA_ENDPOINTS``; /sparql
does the same in its own blueprint). They need no credentials, and none are honoured cross-origin.
"""

from __future__ import annotations

from flask import Flask, Response, request

#: blueprints whose pages are used signed in (or lead to signing in)
SIGNED_IN_BLUEPRINTS = frozenset({"manage", "curate", "curate_tools", "auth", "api"})

SIGNED_IN_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: https: http:",  # museums' images live on the museums' servers
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))


#: endpoints whose answers are public data, readable by scripts of any origin
DATA_ENDPOINTS = frozenset({
    "objects.show",
    "exhibitions.listing_json", "exhibitions.show_json", "exhibitions.revision_json", "exhibitions.rdf",
    "exhibitions.dereference", "exhibitions.manifest",
    "reuse.void", "reuse.dumps", "reuse.dumps_json", "reuse.dump", "reuse.linked_art_context",
    "activity.collection", "activity.page",
})
DATA_METHODS = "GET, HEAD, OPTIONS"
EXPOSED = "ETag, Last-Modified, Content-Length, Content-Range, Accept-Ranges, Link"


def install_security_headers(app: Flask) -> None:
    @app.after_request
    def protect(response: Response) -> Response:
        if request.endpoint in DATA_ENDPOINTS:
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers["Access-Control-Expose-Headers"] = EXPOSED
            if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
                # Preflight: Accept with a profile (its quotes) or Range make browsers ask first.
                response.headers["Access-Control-Allow-Methods"] = DATA_METHODS
                response.headers["Access-Control-Allow-Headers"] = request.headers.get(
                    "Access-Control-Request-Headers", "Accept, Range")
                response.headers["Access-Control-Max-Age"] = "86400"
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if request.blueprint in SIGNED_IN_BLUEPRINTS:
            response.headers["Content-Security-Policy"] = SIGNED_IN_POLICY
            response.headers["X-Frame-Options"] = "DENY"
        return response
