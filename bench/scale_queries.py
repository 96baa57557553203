"""What the scale bench asks each engine, taken from the hub's own code wherever the hub writes it.

- facets: ``web.exhibitions.facets.build`` for each facet kind, run as the editor's "try" runs a
  section (``web.exhibitions.queries.run_section``, limit 200);
- exhibition sections: every section of the demo exhibitions (``demo/exhibitions/*.toml``), read by
  ``doc_from_toml`` and run by ``run_section``;
- researchers' aggregates: written here (counts per museum, per shared material, objects per place with
  coordinates);
- one object's record graph: ``web.objects.page.record_graph``;
- the Explore page: ``web.explore.search`` for a few states (its page of objects, bounded counts and
  facet counts), with a cold cache every run;
- a live exhibition page, cold: ``GET /exhibitions/<slug>`` through the real Flask app
  (``create_app`` with the hub adopting the engine's store), the exhibition cache emptied before each.

Each case returns a :class:`Answer`: its row count and a canonical text (terms in N-Triples form, in
the engine's order when the query orders, sorted when it does not) whose hash is compared across engines.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ontology.namespaces import sparql_prologue
from store.base import GraphResult, SolutionsResult, Store
from store.text_index import TextIndex

ROOT = Path(__file__).resolve().parent.parent
CONCEPT = "https://w3id.org/srom/concept/"
SILK, COIN = CONCEPT + "material/silk", CONCEPT + "type/coin"
SAMARKAND, TANG = CONCEPT + "place/samarkand", CONCEPT + "period/tang"
FACET_LIMIT = 200  # what the editor's "try" shows (web/views/curate.py)

AGGREGATES = {  # written as README "Queries that stay fast at federation size" advises
    "objects per museum": """
        SELECT ?museum (COUNT(?object) AS ?n) WHERE {
          ?object a crm:E22_Human-Made_Object ; crm:P50_has_current_keeper ?museum .
        } GROUP BY ?museum ORDER BY DESC(?n) ?museum""",
    "objects per shared material": """
        SELECT ?material (COUNT(?object) AS ?n) WHERE {
          ?object a crm:E22_Human-Made_Object ; crm:P45_consists_of ?material .
          ?material a skos:Concept .
        } GROUP BY ?material ORDER BY DESC(?n) ?material""",
    "objects per place with coordinates": """
        SELECT ?place ?label ?lat ?long ?n WHERE {
          { SELECT ?place (COUNT(?object) AS ?n) WHERE { ?object srom:productionPlace ?place } GROUP BY ?place }
          ?place a skos:Concept ; wgs:lat ?lat ; wgs:long ?long ; skos:prefLabel ?label .
          FILTER(LANG(?label) = "en")
        } ORDER BY DESC(?n) ?place""",
}


@dataclass
class Answer:
    rows: int
    canonical: str

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.canonical.encode()).hexdigest()[:16]


@dataclass
class Case:
    name: str
    group: str  # facet | keyword | section | explore | aggregate | object | page
    run: Callable[[Store, float], Answer]


def facet_states(museum: str) -> dict[str, dict[str, Any]]:
    """One state per facet kind the builder knows (``museum``: a museum IRI present in the data)."""
    return {
        "facet museum": {"museum": [museum]},
        "facet material = silk": {"material": [SILK]},
        "facet type = coin (nested)": {"type": [COIN]},
        "facet place = Samarkand (nested)": {"place": [SAMARKAND]},
        "facet period = Tang (nested)": {"period": [TANG]},
        "facet period name 'Tang'": {"period_name": "Tang"},
        "facet date 600-900": {"date_from": "600", "date_to": "900"},
        "facet silk + made 600-900": {"material": [SILK], "date_from": "600", "date_to": "900"},
        "facet museum + has image": {"museum": [museum], "has_image": True},
        "facet silk, order by title": {"material": [SILK], "order": "title"},
        "facet none, order by date": {"order": "date"},
        "keyword 'Samarkand'": {"keyword": "Samarkand"},
    }


def _section_answer(store: Store, section: Any, timeout: float, text_index: TextIndex | None) -> Answer:
    from web.exhibitions.queries import run_section

    iris = run_section(store, section, timeout=timeout, text_index=text_index)
    return Answer(len(iris), "\n".join(iris))  # in the section's order (every query here orders)


def facet_case(name: str, state: dict[str, Any], text_index: TextIndex | None) -> Case:
    from web.exhibitions.document import Section
    from web.exhibitions.facets import build

    built = build(state)
    section = Section(id="facet", title={"en": name}, text={}, query=built.query, parameters=built.parameters,
                      arguments=built.arguments, limit=FACET_LIMIT)
    group = "keyword" if name.startswith("keyword") else "facet"
    return Case(name, group, lambda store, timeout: _section_answer(store, section, timeout, text_index))


def search_case(text: str, text_index: TextIndex) -> Case:
    """The text index alone, as a visitor's search box asks it (20 best hits): no store involved."""
    def run(store: Store, timeout: float) -> Answer:
        hits = text_index.object_iris(text, 20)
        return Answer(len(hits), "\n".join(hits))

    return Case(f"keyword search {text!r} (text index)", "keyword", run)


#: states of the Explore page (``web.explore``), as its URL gives them: each runs the page's queries (the
#: page of objects, the bounded total and has-image count, and each facet's counts over the other choices)
EXPLORE_STATES: dict[str, dict[str, list[str]]] = {
    "explore: landing, every facet counted": {},
    "explore: material = silk": {"material": [SILK]},
    "explore: silk + has image, by title": {"material": [SILK], "has_image": ["1"], "order": ["title"]},
    "explore: place Samarkand + period Tang, map": {"place": [SAMARKAND], "period": [TANG], "view": ["map"]},
    "explore: made 600-900, page 3": {"from": ["600"], "to": ["900"], "page": ["3"]},
}


def explore_case(name: str, args: dict[str, list[str]]) -> Case:
    from werkzeug.datastructures import MultiDict

    from web.exhibitions.cache import ExhibitionCache
    from web.explore.search import ExploreSearch
    from web.explore.state import ExploreState

    state = ExploreState.from_args(MultiDict([(k, v) for k, values in args.items() for v in values]))

    def run(store: Store, timeout: float) -> Answer:
        cache = ExhibitionCache(Path("/dev/null"))  # a cold cache every run: the bench measures the queries
        found = ExploreSearch(store, None, cache, timeout=timeout).explore(state, "en")
        if found.slow_facets:
            raise TimeoutError(f"facet counts past the time limit: {', '.join(found.slow_facets)}")
        lines = [f"total\t{found.total}\t{found.total_capped}\t{found.with_image}", *found.objects]
        lines += [f"{facet}\t{o['value']}\t{o['count']}" for facet, values in found.facets.items() for o in values]
        return Answer(found.total + sum(len(v) for v in found.facets.values()), "\n".join(lines))

    return Case(name, "explore", run)


def section_cases() -> list[Case]:
    from web.exhibitions.toml_files import doc_from_toml

    cases = []
    for path in sorted((ROOT / "demo" / "exhibitions").glob("*.toml")):
        doc = doc_from_toml(path)
        for section in doc.sections:
            name = f"section {doc.slug}" + (f" / {section.id}" if len(doc.sections) > 1 else "")
            cases.append(Case(name, "section",
                              lambda store, timeout, s=section: _section_answer(store, s, timeout, None)))
    return cases


def _term(term: object) -> str:
    return "" if term is None else str(term)


def aggregate_case(name: str, text: str) -> Case:
    def run(store: Store, timeout: float) -> Answer:
        result = store.query(sparql_prologue() + text, timeout=timeout)
        assert isinstance(result, SolutionsResult)
        lines = ["\t".join(_term(t) for t in row) for row in result.rows]
        return Answer(len(lines), "\n".join(lines))  # every aggregate orders, with a tie-breaker

    return Case(name, "aggregate", run)


def record_graph_case(object_iri: str) -> Case:
    def run(store: Store, timeout: float) -> Answer:
        from web.objects.page import record_graph

        result = record_graph(store, object_iri)
        assert isinstance(result, GraphResult)
        lines = sorted(f"{t.subject} {t.predicate} {t.object} ." for t in result.triples)
        return Answer(len(lines), "\n".join(lines))

    return Case("one object's record graph", "object", run)


def cases(museum_ids: list[str], base: str, text_index: TextIndex | None = None) -> list[Case]:
    """Every query case for data over ``museum_ids`` minted under ``base`` (keywords through ``text_index``;
    without one, the hub's CONTAINS fallback)."""
    from ontology.iris import IriMinter

    minter = IriMinter(base)
    museum = minter.museum(museum_ids[3 % len(museum_ids)])
    out = [facet_case(name, state, text_index) for name, state in facet_states(museum).items()]
    if text_index is not None:
        out.append(search_case("Samarkand", text_index))
    out += section_cases()
    out += [explore_case(name, args) for name, args in EXPLORE_STATES.items()]
    out += [aggregate_case(name, text) for name, text in AGGREGATES.items()]
    obj = minter.object(museum_ids[42 % len(museum_ids)], "oai:scale:0000042")
    out.append(record_graph_case(obj))
    return out


# --- a live exhibition page, cold ---------------------------------------------------------------------
LIVE_SLUG = "scale-live"
LIVE_STATES = {  # four sections written by the facet builder, as a curator would make them
    "silk-tang": ({"en": "Silk of the Tang"}, "timeline", {"material": [SILK], "period": [TANG]}),
    "samarkand-coins": ({"en": "Coins made in Samarkand"}, "map", {"place": [SAMARKAND], "type": [COIN]}),
    "glass": ({"en": "Glass, 600-900"}, "gallery",
              {"material": [CONCEPT + "material/glass"], "date_from": "600", "date_to": "900"}),
    "kashgar": ({"en": "Said to come from Kashgar"}, "gallery", {"keyword": "Kashgar"}),
}


class LivePage:
    """The Flask app of a hub over ``store``, with one live exhibition of four sections (60 objects each)."""

    def __init__(self, instance: Path, store: Store, base: str, time_budget: float,
                 text_index: TextIndex | None = None) -> None:
        from web.app import create_app
        from web.exhibitions.document import MAX_TIME_BUDGET, normalise
        from web.exhibitions.facets import build
        from web.exhibitions.repository import ExhibitionRepository
        from web.hub import Hub, database_path
        from web.settings import load_settings

        instance.mkdir(parents=True, exist_ok=True)
        (instance / "hub.toml").write_text(f'base_iri = "{base}"\nsparql_timeout = {time_budget}\n')
        sections = []
        for sid, (title, layout, state) in LIVE_STATES.items():
            built = build(state)
            sections.append({"id": sid, "title": title, "layout": layout, "limit": 60, "query": built.query,
                             "parameters": [p.__dict__ for p in built.parameters], "arguments": built.arguments})
        doc = normalise({"slug": LIVE_SLUG, "title": {"en": "Scale bench: a live exhibition"}, "mode": "live",
                         "cache_seconds": 300, "time_budget": min(time_budget, MAX_TIME_BUDGET),
                         "sections": sections})
        repo = ExhibitionRepository(database_path(instance))
        if not repo.exists(LIVE_SLUG):
            repo.create(doc, "bench")
            repo.publish(LIVE_SLUG, 1)  # the repository only: the bench never writes to the store
        self.hub = Hub(instance, load_settings(instance))
        if text_index is not None and not self.hub.text_index_location.exists():  # the keyword section's index
            self.hub.text_index_location.parent.mkdir(parents=True, exist_ok=True)
            self.hub.text_index_location.symlink_to(text_index.path.resolve(), target_is_directory=True)
        self.hub.use_store(store)
        # what a harvest does after it changed the store (the bench loads it in bulk, outside the hub): the
        # pickers' option lists counted once and kept, so the cold page reads them (not timed with it)
        started = time.perf_counter()
        self.hub.exhibitions.count_option_lists()
        self.option_lists_seconds = time.perf_counter() - started
        self.app = create_app(hub=self.hub)
        self.client = self.app.test_client()

    def cold(self) -> None:
        """One visitor's GET of the page after the exhibition cache was emptied."""
        from web.exhibitions.cache import ExhibitionCache

        self.hub.exhibitions.cache = ExhibitionCache(self.hub.database)
        response = self.client.get(f"/exhibitions/{LIVE_SLUG}", headers={"Accept-Language": "en"})
        if response.status_code == 503 and b"took too long" in response.data:  # web/app.py: QueryTimeout
            raise TimeoutError("the page ran past its time budget")
        if response.status_code != 200:
            raise RuntimeError(f"GET /exhibitions/{LIVE_SLUG}: HTTP {response.status_code}")

    def answer(self) -> Answer:
        """The page's sections and objects (its JSON form, from the cache the last ``cold`` filled)."""
        data = json.loads(self.client.get(f"/exhibitions/{LIVE_SLUG}.json").data)
        sections = data["exhibition"]["sections"]
        lines = [f"{s['id']}\t{' '.join(s['members'])}" for s in sections]
        return Answer(sum(len(s["members"]) for s in sections), "\n".join(lines))

    def close(self) -> None:
        self.hub._store = None  # the engine owns its store: do not let the hub close it
        self.hub.close()
