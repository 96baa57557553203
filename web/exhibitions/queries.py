"""Running and checking section queries.

Each section's query is a SPARQL SELECT binding ``?object`` (the hub's prefixes are declared for it),
with typed parameters bound as RDF terms (``web.exhibitions.parameters``). :func:`run_section` runs one
against a store; :func:`check_query` parses a curator's query without running it over the hub's data.
Snapshots, caching and publishing are the service's (``web.exhibitions.service``); this module must not
touch the repository nor render pages.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from ontology.namespaces import PREFIXES, sparql_prologue
from store.base import QuerySyntaxError, SolutionsResult, Store
from store.bind_values import insert_values
from store.query_guard import check_query as guard_query
from store.text_index import TextIndex
from store.values import iri_values
from web.exhibitions.document import (
    ExhibitionError,
    Parameter,
    Section,
)
from web.exhibitions.keyword import SEARCH_LIMIT, matching_objects
from web.exhibitions.parameters import bind

SectionResult = list[str]  # object IRIs in order, pinned first


def run_section(store: Store, section: Section, *, timeout: float | None, text_index: TextIndex | None = None,
                search_limit: int = SEARCH_LIMIT) -> list[str]:
    """The section's object IRIs in order, its pinned objects first.

    ``section.arguments`` are bound to ``section.parameters`` as RDF terms through the store's
    ``substitutions`` (never spliced into the text); raises ValueError (ParameterError) on a bad argument
    and ExhibitionError when the query is not a SELECT binding ``?object``. A ``search`` parameter
    constrains ``?object`` to the objects its words find (``web.exhibitions.keyword``, through
    ``text_index``), bound as ``VALUES ?object { ... }`` at the start of the query's WHERE group.
    """
    substitutions = bind(section.parameters, section.arguments, store)
    query = section.query
    found: list[str] | None = None
    for parameter in section.parameters:
        if parameter.type == "search":
            text = substitutions.pop(parameter.name).value
            hits = matching_objects(store, text_index, text, limit=search_limit, timeout=timeout)
            found = hits if found is None else [h for h in found if h in set(hits)]
    if found is not None:
        query = insert_values(query, iri_values("object", found))
    result = store.query(
        sparql_prologue() + query, substitutions=substitutions or None, timeout=timeout, limit=section.limit
    )
    if not isinstance(result, SolutionsResult) or "object" not in result.variables:
        raise ExhibitionError(f"the query of section {section.id!r} must be a SELECT binding ?object")
    column = result.variables.index("object")
    seen: dict[str, None] = dict.fromkeys(section.pinned)
    for row in result.rows:
        term = row[column]
        if isinstance(term, ox.NamedNode):
            seen.setdefault(term.value, None)
    return list(seen)


def check_query(query: str, parameters: list[Parameter] | None = None) -> dict[str, Any]:
    """Check a curator's section query without running it against the hub's data.

    Returns ``{"ok": bool, "error": str | None, "variables": [...]}``. The query (with the hub's prefixes)
    is parsed by pyoxigraph against an empty in-memory store; results are never read. SERVICE is refused
    before that, because pyoxigraph would call the remote endpoint while preparing the query.
    """
    if not query or not query.strip():
        return {"ok": False, "error": "the query is empty", "variables": []}
    try:
        # bounded, parsed, SERVICE refused (store.query_guard): before pyoxigraph, which would call a
        # SERVICE endpoint while preparing the query
        checked = guard_query(sparql_prologue() + query).text
    except QuerySyntaxError as exc:
        return {"ok": False, "error": _shift_line(str(exc)), "variables": []}
    try:
        result = ox.Store().query(checked)
    except SyntaxError as exc:
        return {"ok": False, "error": _shift_line(str(exc)), "variables": []}
    except (OSError, RuntimeError, ValueError) as exc:
        return {"ok": False, "error": str(exc), "variables": []}
    if not isinstance(result, ox.QuerySolutions):
        return {"ok": False, "error": "the query must be a SELECT (not ASK, CONSTRUCT or DESCRIBE)", "variables": []}
    variables = [v.value for v in result.variables]
    if "object" not in variables:
        return {"ok": False, "error": "the SELECT must bind ?object (the objects to show)", "variables": variables}
    # a search parameter constrains ?object (bound when the section runs), not a variable of its own
    missing = [p.name for p in parameters or [] if p.type != "search"
               and f"?{p.name}" not in query and f"${p.name}" not in query]
    if missing:
        return {"ok": False, "error": f"the query does not use parameter ?{missing[0]}", "variables": variables}
    return {"ok": True, "error": None, "variables": variables}


def _shift_line(message: str) -> str:
    """pyoxigraph reports positions in the text it parsed; the curator's text starts after the prefixes."""
    import re

    offset = len(PREFIXES)
    m = re.match(r"error at (\d+):(\d+)", message)
    if m:
        line = int(m.group(1)) - offset
        return f"line {max(line, 1)}, column {m.group(2)}: " + message[m.end() :].lstrip(": ")
    # the query guard (rdflib) says "... at line N, column M"
    return re.sub(r"line (\d+)", lambda found: f"line {max(int(found.group(1)) - offset, 1)}", message, count=1)


