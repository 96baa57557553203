"""The SPARQL 1.1 Protocol endpoint of the hub: request parsing, content negotiation, limits, output.

- ``sparql_endpoint.results``: ``FORMATS`` and ``serialize_result(result, fmt)`` (also used by the CLI).
- ``sparql_endpoint.negotiation``: Accept parsing and ``choose_format(kind, accept, format_values)``.
- ``sparql_endpoint.protocol``: ``parse_request(request, max_query_bytes)`` (GET, form POST, direct POST;
  the dataset parameters; UTF-8 only).
- ``sparql_endpoint.service_description``: the ``sd:Service`` a GET without a query gets when it asks for RDF.
- ``sparql_endpoint.blueprint``: ``bp``, the read-only ``/sparql`` route.

This package depends only on ``store`` (and Flask/werkzeug, pyoxigraph); it never imports ``web``.
"""

from sparql_endpoint.blueprint import bp
from sparql_endpoint.negotiation import NegotiationError, choose_format
from sparql_endpoint.results import FORMATS, GRAPH_FORMATS, RESULTS_FORMATS, Format, serialize_result

__all__ = [
    "FORMATS",
    "GRAPH_FORMATS",
    "RESULTS_FORMATS",
    "Format",
    "NegotiationError",
    "bp",
    "choose_format",
    "serialize_result",
]
