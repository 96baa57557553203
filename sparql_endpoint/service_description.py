"""The endpoint's SPARQL 1.1 Service Description (https://www.w3.org/TR/sparql11-service-description/).

A GET on ``/sparql`` without a query, from a client asking for RDF (Turtle, N-Triples, RDF/XML, JSON-LD),
answers an ``sd:Service``: its ``sd:endpoint`` (the public IRI), the language (SPARQL 1.1 Query only: the
endpoint is read-only), the results formats and RDF syntaxes it writes, its features (the default graph
is the union of all graphs; no federation) and ``sd:defaultDataset``, described with VoID (``void:triples``
and the like where the web app supplies them cheaply, the hub's VoID description as ``rdfs:seeAlso``).
The limits of the public endpoint are stated in the hub's namespace (``srom:queryTimeoutSeconds``,
``srom:rowLimit``...) and in an ``rdfs:comment`` people can read.

This module builds triples only; the blueprint negotiates and serialises. Statistics come from the
optional ``app.extensions["srom_dataset_statistics"]`` callable (no argument; returns a mapping with
``triples``, ``entities``, ``void`` (the VoID document's IRI) and ``dumps`` (dump IRIs), any of them
missing), so this package need not know the hub's database.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyoxigraph as ox

from ontology.namespaces import DCTERMS, RDF, RDFS, SROM, VOID, XSD
from sparql_endpoint.results import FORMATS, Format

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
#: the W3C format IRIs (https://www.w3.org/ns/formats/) of what the endpoint writes, by format name
FORMAT_IRIS = {
    "json": "SPARQL_Results_JSON",
    "xml": "SPARQL_Results_XML",
    "csv": "SPARQL_Results_CSV",
    "tsv": "SPARQL_Results_TSV",
    "turtle": "Turtle",
    "ntriples": "N-Triples",
    "jsonld": "JSON-LD",
    "rdfxml": "RDF_XML",
}
STATISTICS_EXTENSION = "srom_dataset_statistics"


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _int(value: int | float, datatype: str = "integer") -> ox.Literal:
    text = str(int(value)) if datatype == "integer" else f"{float(value):g}"
    return ox.Literal(text, datatype=_n(XSD + datatype))


def describe_service(endpoint: str, limits: Any, budgets: Mapping[str, float | int],
                     statistics: Mapping[str, Any] | None = None) -> list[ox.Triple]:
    """The service description of ``endpoint`` (its public IRI) as triples.

    ``limits`` is the blueprint's ``Limits``; ``budgets`` holds ``workers``, ``budget_seconds`` and
    ``budget_errors``; ``statistics`` what the web app knows about the data (see the module docstring).
    """
    statistics = statistics or {}
    service = _n(endpoint + "#service")
    dataset = ox.BlankNode("defaultDataset")
    default_graph = ox.BlankNode("defaultGraph")
    t: list[ox.Triple] = []

    def add(s: ox.NamedNode | ox.BlankNode, p: str, o: ox.NamedNode | ox.BlankNode | ox.Literal) -> None:
        t.append(ox.Triple(s, _n(p), o))

    add(service, RDF.type, _n(SD + "Service"))
    add(service, SD + "endpoint", _n(endpoint))
    add(service, SD + "supportedLanguage", _n(SD + "SPARQL11Query"))
    add(service, SD + "feature", _n(SD + "UnionDefaultGraph"))
    for fmt in FORMATS.values():
        add(service, SD + "resultFormat", _n(FORMATS_NS + FORMAT_IRIS[fmt.name]))
    add(service, SD + "defaultDataset", dataset)
    add(dataset, RDF.type, _n(SD + "Dataset"))
    add(dataset, SD + "defaultGraph", default_graph)
    add(default_graph, RDF.type, _n(SD + "Graph"))
    add(default_graph, RDF.type, _n(VOID + "Dataset"))
    add(default_graph, VOID + "sparqlEndpoint", _n(endpoint))
    add(default_graph, RDFS.comment, ox.Literal(
        "The union (RDF merge) of every graph of the hub: one named graph per source record, the museums' "
        "vocabularies, the shared thesaurus, the provenance graph and the published exhibitions. Each triple "
        "is stored in one graph only, so the union has no duplicates.", language="en"))
    for key, predicate in (("triples", VOID + "triples"), ("entities", VOID + "entities"),
                           ("graphs", SROM + "namedGraphs")):
        if statistics.get(key) is not None:
            add(default_graph, predicate, _int(statistics[key]))
    if statistics.get("modified"):
        add(default_graph, DCTERMS.modified, ox.Literal(str(statistics["modified"]), datatype=_n(XSD.dateTime)))
    if statistics.get("void"):
        add(default_graph, RDFS.seeAlso, _n(str(statistics["void"])))
        add(service, RDFS.seeAlso, _n(str(statistics["void"])))
    for dump in statistics.get("dumps") or ():
        add(default_graph, VOID + "dataDump", _n(str(dump)))

    # The limits of the public endpoint (issue 12, 4): machine-readable and in words.
    if limits.timeout:
        add(service, SROM + "queryTimeoutSeconds", _int(limits.timeout, "decimal"))
    if limits.row_limit:
        add(service, SROM + "rowLimit", _int(limits.row_limit))
    add(service, SROM + "maxQueryBytes", _int(limits.max_query_bytes))
    add(service, SROM + "concurrentQueries", _int(budgets["workers"]))
    add(service, SROM + "budgetSecondsPerMinute", _int(budgets["budget_seconds"], "decimal"))
    add(service, SROM + "budgetErrorsPerMinute", _int(budgets["budget_errors"]))
    add(service, RDFS.comment, ox.Literal(limits_text(limits, budgets), language="en"))
    return t


def limits_text(limits: Any, budgets: Mapping[str, float | int]) -> str:
    """The endpoint's limits in words (the service description's comment)."""
    parts = ["Read-only SPARQL 1.1 Query endpoint; SERVICE (federation) is refused."]
    if limits.timeout:
        parts.append(f"A query may run {limits.timeout:g} s, then it is stopped (503).")
    if limits.row_limit:
        parts.append(f"Answers are cut at {limits.row_limit} rows or triples (header X-SROM-Truncated).")
    parts.append(
        f"Each client may use {budgets['budget_seconds']:g} s of query time and have {budgets['budget_errors']} "
        f"failed queries per minute (then 429 with Retry-After); {budgets['workers']} queries run at once "
        "(then 503 with Retry-After). For everything at once, download a dump.")
    return " ".join(parts)


def wanted_format(accept: str | None) -> Format | None:
    """The RDF syntax to describe the service in, when the client asks for RDF by name (None: it does not).

    A request without a query naming ``text/turtle``, ``application/rdf+xml``, ``application/n-triples``
    or ``application/ld+json`` (or their aliases) gets the description; ``*/*`` alone does not, so a bare
    ``curl`` still hears that a query is missing.
    """
    from sparql_endpoint.negotiation import parse_accept, quality

    ranges = parse_accept(accept)
    best: tuple[tuple[float, int, int], Format] | None = None
    for fmt in FORMATS.values():
        if fmt.kind != "graph":
            continue
        for media_type in (fmt.media_type, *fmt.aliases):
            if media_type in ("application/json", "application/xml", "text/xml"):
                continue  # results formats share these: not a request for RDF
            score = quality(ranges, media_type)
            if score[0] > 0 and score[1] >= 2 and (best is None or score > best[0]):
                best = (score, fmt)
    return best[1] if best else None
