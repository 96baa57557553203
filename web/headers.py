"""Response headers that protect pages: a Content-Security-Policy and frame protection where a signed-in
person works, and the basics everywhere.

The signed-in pages (the museum's dashboard, the curator's editor, the admin's pages, sign-in and
registration) load scripts only from the hub itself and cannot be framed by another site (clickjacking
on a form with a session behind it). Every template keeps its scripts in files for that reason (no
inline ``<script>`` or ``on...=`` handlers); inline styles stay allowed (the editor's code editor writes
them). Public pages keep their own policy: an exhibition's ``/embed`` is meant to be framed anywhere.
"""

from __future__ import annotations

from flask import Flask, Response, request

#: blueprints whose pages are used signed in (or lead to signing in)
SIGNED_IN_BLUEPRINTS = frozenset({"manage", "curate", "auth", "api"})

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


def install_security_headers(app: Flask) -> None:
    @app.after_request
    def protect(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if request.blueprint in SIGNED_IN_BLUEPRINTS:
            response.headers["Content-Security-Policy"] = SIGNED_IN_POLICY
            response.headers["X-Frame-Options"] = "DENY"
        return response
