"""The pages and /sparql answer the same on both engines: the same datasets on the embedded Oxigraph and
on the managed Virtuoso (tests/support/engines.py), the same requests, compared answer for answer (order
included where the query orders). Each engine's own tests run in the modules that use the datasets.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from tests.support.engines import ENGINES, engine_store
from tests.support.exhibition_dataset import Dataset, dataset_on
from tests.support.sparql_dataset import (
    ALL_QUADS,
    ASK_SILK,
    CONSTRUCT_ALL,
    DATA,
    DESCRIBE_ROBE,
    LABELS,
    PROV_GRAPH,
    make_app,
)
from web.app import create_app

pytestmark = pytest.mark.slow


class _Param:
    """A stand-in for pytest's request with ``param`` set, to build each engine's dataset in one module."""

    def __init__(self, request: pytest.FixtureRequest, engine: str) -> None:
        self.param = engine
        self.getfixturevalue = request.getfixturevalue


# --- /sparql ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sparql_clients(request: pytest.FixtureRequest) -> Iterator[dict[str, FlaskClient]]:
    stores = {}
    for engine in ENGINES:
        s = engine_store(_Param(request, engine), PROV_GRAPH)  # type: ignore[arg-type]
        s.bulk_load(ox.serialize(ox.Dataset(ox.parse(DATA, format=ox.RdfFormat.TRIG)), format=ox.RdfFormat.N_QUADS))
        stores[engine] = s
    yield {engine: make_app(lambda s=s: s).test_client() for engine, s in stores.items()}
    for s in stores.values():
        s.close()


SPARQL = {
    "all quads": ALL_QUADS,
    "labels": LABELS,
    "ask": ASK_SILK,
    "construct": CONSTRUCT_ALL,
    "describe": DESCRIBE_ROBE,
    "numbers": "SELECT ?n WHERE { ?x ?p ?n FILTER(isNumeric(?n)) } ORDER BY ?n",
    "languages": "SELECT DISTINCT (LANG(?l) AS ?lang) WHERE { ?s ?p ?l } ORDER BY ?lang",
    "dates": "SELECT ?d WHERE { ?s ?p ?d FILTER(DATATYPE(?d) IN (<http://www.w3.org/2001/XMLSchema#date>, "
             "<http://www.w3.org/2001/XMLSchema#dateTime>)) } ORDER BY DESC(?d)",
    "graphs": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    "count": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
}


def _canonical(body: bytes, mimetype: str) -> object:
    """A JSON answer's boolean or bindings (blank nodes renamed in order); a graph canonicalised (RDFC-1.0)."""
    if mimetype == "application/sparql-results+json":
        doc = json.loads(body)
        if "boolean" in doc:
            return doc["boolean"]
        names: dict[str, str] = {}
        for binding in doc["results"]["bindings"]:
            for term in binding.values():
                if term["type"] == "bnode":
                    term["value"] = names.setdefault(term["value"], f"b{len(names)}")
        return doc["results"]["bindings"]
    rdf_format = ox.RdfFormat.from_media_type(mimetype)
    assert rdf_format is not None, mimetype
    dataset = ox.Dataset(ox.Quad(q.subject, q.predicate, q.object) for q in ox.parse(body, format=rdf_format))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(str(q) for q in dataset)


@pytest.mark.parametrize("name", SPARQL)
def test_sparql_answers_are_the_same(sparql_clients: dict[str, FlaskClient], name: str) -> None:
    answers = {}
    for engine, client in sparql_clients.items():
        r = client.get("/sparql", query_string={"query": SPARQL[name]},
                       headers={"Accept": "application/sparql-results+json, application/n-triples"})
        assert r.status_code == 200, (engine, r.data[:500])
        answers[engine] = _canonical(r.data, r.mimetype)
    assert answers["virtuoso"] == answers["oxigraph"]


# --- the pages -------------------------------------------------------------------------------------
# (Building them empties the Virtuoso server: the /sparql tests above are done with it by then.)
@pytest.fixture(scope="module")
def datasets(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Dataset]]:
    built = {engine: dataset_on(_Param(request, engine), tmp_path_factory, "agree") for engine in ENGINES}  # type: ignore[arg-type]
    yield built
    for dataset in built.values():
        dataset.close()


def _sections(data: Dataset) -> dict[str, list[dict[str, object]]]:
    """Every published section's objects, in order, as the exhibition's JSON gives them."""
    client = create_app(hub=data.hub).test_client()
    out = {}
    for slug in ("silk-road-tour", "markup", "live-glass"):
        body = client.get(f"/exhibitions/{slug}.json").get_json()
        for section in body["exhibition"]["sections"]:
            out[f"{slug}/{section['id']}"] = section["objects"]
    return out


_PORT = re.compile(r"127\.0\.0\.1:\d+")  # each dataset's own image server
#: what a card holds that its queries determine (which of several labels or places a card shows is the
#: page's pick from an unordered answer, and may differ between engines)
CARD_FIELDS = ("href", "title", "museum", "begin_year", "end_year", "lat", "lon", "image", "licence")


def test_sections_list_the_same_objects_in_the_same_order(datasets: dict[str, Dataset]) -> None:
    oxigraph, virtuoso = (_sections(datasets[e]) for e in ENGINES)
    assert {k: [o["href"] for o in v] for k, v in virtuoso.items()} == \
           {k: [o["href"] for o in v] for k, v in oxigraph.items()}
    assert sum(map(len, oxigraph.values())) > 100


def test_cards_say_the_same(datasets: dict[str, Dataset]) -> None:
    oxigraph, virtuoso = (_sections(datasets[e]) for e in ENGINES)
    fields = {e: {o["href"]: {f: _PORT.sub("~", str(o.get(f))) if f == "image" else o.get(f) for f in CARD_FIELDS}
                  for objects in answer.values() for o in objects}
              for e, answer in (("oxigraph", oxigraph), ("virtuoso", virtuoso))}
    # cards read the integer years written at harvest (srom:beginYear/endYear), so Virtuoso's date quirk
    # (test_a_date_virtuoso_cannot_keep) does not reach them
    assert fields["virtuoso"] == fields["oxigraph"]
    timeline = [o for o in oxigraph["silk-road-tour/when"] if isinstance(o.get("begin_year"), int)]
    assert timeline[0]["begin_year"] < 0 < timeline[-1]["begin_year"]  # BCE objects first, on both


@pytest.mark.parametrize("engine", ENGINES)
def test_a_date_virtuoso_cannot_keep(request: pytest.FixtureRequest, engine: str) -> None:
    """Virtuoso 7.2 (7.2.9 here) reads 31 December of the year 4 CE as 1 January 5: the two are one
    value in its store, so no answer can tell them apart (every other 31 December from -3300 to 1583,
    and 30 December 4, come back as written). A card's end year 4 shows as 5; nothing else known."""
    if engine == "virtuoso":
        request.applymarker(pytest.mark.xfail(strict=True, reason="Virtuoso stores 0004-12-31 as 0005-01-01"))
    # its own graph, dropped after: the module's datasets stay as they are
    if engine == "virtuoso":
        store = request.getfixturevalue("virtuoso_server").store(PROV_GRAPH)
    else:
        store = engine_store(_Param(request, engine), PROV_GRAPH)  # type: ignore[arg-type]
    graph = "urn:x-srom-test:dates"
    try:
        date = '"0004-12-31T23:59:59"^^<http://www.w3.org/2001/XMLSchema#dateTime>'
        store.update(f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:x:o> <urn:x:end> {date} }} }}")
        result = store.query("SELECT ?d WHERE { <urn:x:o> <urn:x:end> ?d }")
        assert [row[0].value for row in result.rows] == ["0004-12-31T23:59:59"]  # type: ignore[union-attr]
    finally:
        store.update(f"DROP SILENT GRAPH <{graph}>")
        store.close()
