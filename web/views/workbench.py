"""The researchers' workbench around ``/sparql``: the completion endpoint and the page's data.

The page itself is ``web/templates/sparql/query.html``, which shadows the endpoint's bare form (same
template name; Flask looks in the app's folder first), so the endpoint's HTML branch renders the
workbench in the web app and the self-contained form in a bare Flask app. Queries run through the
endpoint itself (``POST /sparql``): its limits, budgets, formats and errors are the researcher's.

- ``GET /sparql/complete?q=&kind=&lang=``: classes, properties and thesaurus concepts matching ``q``
  (``sparql_endpoint.workbench.complete``), as ``{"ok": true, "results": [...]}``; never a store query.
- ``workbench_page()`` (a template global): examples, prefixes, limits and links for the page script.

Share links need no server state: the query and view travel in the URL fragment (readable:
``#query=...&view=Map``; short: ``#z=`` + the deflated text in base64url, made in the browser; an example
is just ``#example=<id>``). Nothing a researcher writes is stored by the hub.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, request, url_for
from flask.typing import ResponseReturnValue

from ontology.namespaces import PREFIXES
from sparql_endpoint.blueprint import current_limits
from sparql_endpoint.results import FORMATS
from sparql_endpoint.workbench import complete, examples_for_page
from web.i18n import current_language
from web.views.common import ok

bp = Blueprint("workbench", __name__)
MAX_RESULTS = 30


@bp.get("/sparql/complete")
def completions() -> ResponseReturnValue:
    kind = request.args.get("kind") or None
    if kind not in (None, "class", "property", "concept"):
        return {"ok": False, "error": "kind must be class, property or concept", "status": 400}, 400
    query = (request.args.get("q") or "")[:200]
    lang = (request.args.get("lang") or current_language())[:20]
    try:
        limit = max(1, min(int(request.args.get("limit") or 20), MAX_RESULTS))
    except ValueError:
        limit = 20
    response, status = ok(results=complete(query, kind, lang, limit))
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response, status


@bp.app_template_global()
def workbench_page() -> dict[str, Any]:
    """What the workbench script needs, embedded in the page as JSON."""
    limits = current_limits()
    cfg = current_app.config
    return {
        "endpoint": url_for("sparql.sparql"),
        "complete": url_for("workbench.completions"),
        "curate": url_for("curate.new"),
        "routes": url_for("static", filename="data/silk-roads.geojson"),
        "prefixes": PREFIXES,
        "examples": examples_for_page(current_language()),
        "formats": {f.name: {"kind": f.kind, "extension": f.extension} for f in FORMATS.values()},
        "limits": {
            "timeout": limits.timeout,
            "rows": limits.row_limit,
            "bytes": limits.max_query_bytes,
            "budget_seconds": float(cfg.get("SPARQL_BUDGET_SECONDS") or 60.0),
            "budget_errors": int(cfg.get("SPARQL_BUDGET_ERRORS") or 30),
            "workers": int(cfg.get("SPARQL_WORKERS") or 4),
        },
    }
