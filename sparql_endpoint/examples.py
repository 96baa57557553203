"""The workbench's gallery of example queries, written from ``ontology/MODEL.md``.

Each example is a question researchers ask across the partner museums, in the hub's graph model: the
shared thesaurus concepts (``https://w3id.org/srom/concept/...``) find every museum's objects at once,
the provenance graph says where each record came from. A first-line comment ``#defaultView:Map`` (as in
the Wikidata Query Service) chooses how the workbench shows the results: ``Table``, ``Map`` (a WKT point
or ``?lat``/``?long``), ``ImageGrid`` (an ``?image`` URL), ``Timeline`` (``?begin``/``?end``) or
``BarChart`` (a label, an optional series, a count).

Bodies use the hub's prefixes without declaring them; :func:`sparql_endpoint.workbench.example_text`
adds the PREFIX lines a body needs, so the text shown in the editor runs on any SPARQL 1.1 client.
``tests/test_workbench_examples.py`` runs every example on the demo museums and requires rows.
"""

from __future__ import annotations

from dataclasses import dataclass

CONCEPT = "https://w3id.org/srom/concept/"


@dataclass(frozen=True)
class Example:
    id: str
    title: dict[str, str]  # language -> title
    body: str  # the query without PREFIX lines, its first line the ``#defaultView:`` comment

    @property
    def view(self) -> str:
        first = self.body.lstrip().splitlines()[0]
        return first.split(":", 1)[1].strip() if first.startswith("#defaultView:") else "Table"


EXAMPLES: tuple[Example, ...] = (
    Example("objects-per-museum", {"en": "How many objects each museum shares", "zh": "各博物馆共享的藏品数量"}, """\
#defaultView:BarChart
SELECT ?museum (COUNT(DISTINCT ?object) AS ?objects) WHERE {
  ?object a crm:E22_Human-Made_Object ;
          crm:P50_has_current_keeper/rdfs:label ?museum .
  FILTER(LANGMATCHES(LANG(?museum), "en"))
}
GROUP BY ?museum
ORDER BY DESC(?objects)"""),
    Example("silk-by-century", {"en": "Silk by century and museum", "zh": "按世纪和博物馆统计丝绸"}, """\
#defaultView:BarChart
# Every museum's silk through the shared concept; centuries BCE are negative.
SELECT ?century ?museum (COUNT(DISTINCT ?object) AS ?objects) WHERE {
  ?object crm:P45_consists_of <https://w3id.org/srom/concept/material/silk> ;
          crm:P50_has_current_keeper/rdfs:label ?museum ;
          crm:P108i_was_produced_by/crm:P4_has_time-span/crm:P82a_begin_of_the_begin ?begin .
  FILTER(LANGMATCHES(LANG(?museum), "en"))
  BIND(YEAR(?begin) AS ?year)
  BIND(xsd:integer(IF(?year > 0, FLOOR((?year - 1) / 100) + 1, -FLOOR(-?year / 100) - 1)) AS ?century)
}
GROUP BY ?century ?museum
ORDER BY ?century ?museum"""),
    Example("coins-by-mint", {"en": "Coins by mint, on a map", "zh": "钱币的铸造地（地图）"}, """\
#defaultView:Map
SELECT ?mint ?where (COUNT(DISTINCT ?coin) AS ?coins) WHERE {
  ?coin crm:P2_has_type <https://w3id.org/srom/concept/type/coin> ;
        crm:P108i_was_produced_by/crm:P7_took_place_at ?place .
  ?place a skos:Concept ;
         skos:prefLabel ?mint ;
         crm:P168_place_is_defined_by ?where .
  FILTER(LANGMATCHES(LANG(?mint), "en"))
}
GROUP BY ?mint ?where
ORDER BY DESC(?coins)"""),
    Example("tang-across-museums", {"en": "Tang dynasty objects in every museum", "zh": "各馆的唐代藏品"}, """\
#defaultView:ImageGrid
# The period concept and its narrower periods (srom:within: the thesaurus' broader closure, one join),
# whichever museum wrote the date.
SELECT ?object ?title ?museum ?image WHERE {
  ?period srom:within <https://w3id.org/srom/concept/period/tang> .
  ?object srom:productionPeriod ?period ;
          rdfs:label ?title ;
          crm:P50_has_current_keeper/rdfs:label ?museum .
  FILTER(LANGMATCHES(LANG(?title), "en") && LANGMATCHES(LANG(?museum), "en"))
  OPTIONAL { ?object crm:P65_shows_visual_item/la:digitally_shown_by/la:access_point ?image }
}
ORDER BY ?museum ?title"""),
    Example("silk-timeline", {"en": "Silk on a timeline", "zh": "丝绸时间轴"}, """\
#defaultView:Timeline
SELECT ?object ?title ?begin ?end WHERE {
  ?object crm:P45_consists_of <https://w3id.org/srom/concept/material/silk> ;
          rdfs:label ?title ;
          crm:P108i_was_produced_by/crm:P4_has_time-span ?span .
  ?span crm:P82a_begin_of_the_begin ?begin ;
        crm:P82b_end_of_the_end ?end .
  FILTER(LANGMATCHES(LANG(?title), "en"))
}
ORDER BY ?begin"""),
    Example("made-where-map", {"en": "Where the objects were made", "zh": "藏品的产地"}, """\
#defaultView:Map
# The point of the shared place concept each production was reconciled to.
SELECT ?object ?title ?where ?museum WHERE {
  ?object rdfs:label ?title ;
          crm:P50_has_current_keeper/srom:museumId ?museum ;
          crm:P108i_was_produced_by/crm:P7_took_place_at ?place .
  ?place a skos:Concept ;
         crm:P168_place_is_defined_by ?where .
  FILTER(LANGMATCHES(LANG(?title), "en"))
}
ORDER BY ?museum ?title"""),
    Example("glass-two-ends", {"en": "Glass made in one place, kept in another", "zh": "异地收藏的玻璃器"}, """\
#defaultView:Table
SELECT ?title ?madeIn ?keptBy WHERE {
  ?object crm:P45_consists_of <https://w3id.org/srom/concept/material/glass> ;
          rdfs:label ?title ;
          crm:P50_has_current_keeper/rdfs:label ?keptBy ;
          crm:P108i_was_produced_by/crm:P7_took_place_at ?place .
  ?place a skos:Concept ; skos:prefLabel ?madeIn .
  FILTER(LANGMATCHES(LANG(?title), "en") && LANGMATCHES(LANG(?keptBy), "en") && LANGMATCHES(LANG(?madeIn), "en"))
}
ORDER BY ?madeIn ?title"""),
    Example("types-shared", {"en": "Object types held by several museums", "zh": "多馆共有的藏品类型"}, """\
#defaultView:BarChart
SELECT ?type (COUNT(DISTINCT ?museum) AS ?museums) WHERE {
  ?object crm:P2_has_type ?concept ;
          crm:P50_has_current_keeper ?museum .
  ?concept skos:inScheme <https://w3id.org/srom/concept/scheme/object-types> ;
           skos:prefLabel ?type .
  FILTER(LANGMATCHES(LANG(?type), "en"))
}
GROUP BY ?type
HAVING (COUNT(DISTINCT ?museum) > 1)
ORDER BY DESC(?museums) ?type"""),
    Example("samarkand-region", {"en": "Made in or around Samarkand", "zh": "撒马尔罕及周边出产的藏品"}, """\
#defaultView:Table
# Places narrower than Samarkand (Afrasiyab, Panjikent...) count too.
SELECT ?object ?title ?place ?museum WHERE {
  ?concept srom:within <https://w3id.org/srom/concept/place/samarkand> ;
           skos:prefLabel ?place .
  ?object srom:productionPlace ?concept ;
          rdfs:label ?title ;
          crm:P50_has_current_keeper/srom:museumId ?museum .
  FILTER(LANGMATCHES(LANG(?title), "en") && LANGMATCHES(LANG(?place), "en"))
}
ORDER BY ?place ?title"""),
    Example("periods-timeline", {"en": "The thesaurus's periods and their objects", "zh": "叙词表中的时期及其藏品"},
            """\
#defaultView:Timeline
SELECT ?period ?label ?begin ?end (COUNT(DISTINCT ?object) AS ?objects) WHERE {
  ?period a crm:E4_Period ;
          skos:prefLabel ?label ;
          srom:beginYear ?begin ;
          srom:endYear ?end .
  FILTER(LANGMATCHES(LANG(?label), "en"))
  ?object crm:P108i_was_produced_by/crm:P10_falls_within ?period .
}
GROUP BY ?period ?label ?begin ?end
ORDER BY ?begin"""),
    Example("provenance-of-records", {"en": "Where each record came from", "zh": "每条记录的来源"}, """\
#defaultView:Table
# The provenance graph: one entry per record graph.
SELECT ?object ?museum ?source ?datestamp ?mapping ?harvested WHERE {
  ?record a srom:RecordGraph ;
          srom:object ?object ;
          srom:museum/srom:museumId ?museum ;
          srom:sourceIdentifier ?source ;
          srom:datestamp ?datestamp ;
          srom:mappingVersion ?mapping ;
          prov:generatedAtTime ?harvested .
}
ORDER BY DESC(?harvested) ?source
LIMIT 200"""),
    Example("records-per-mapping", {"en": "Records per museum and mapping", "zh": "按博物馆和映射统计记录"}, """\
#defaultView:BarChart
SELECT ?museum ?mapping (COUNT(?record) AS ?records) WHERE {
  ?record a srom:RecordGraph ;
          srom:museum/srom:museumId ?museum ;
          srom:mappingVersion ?mapping .
}
GROUP BY ?museum ?mapping
ORDER BY ?museum ?mapping"""),
    Example("unmatched-terms", {"en": "Museum terms that match no shared concept", "zh": "未匹配共享概念的馆方术语"},
            """\
#defaultView:Table
# Materials and object types the reconciliation could not link (cf. /admin/unmatched).
SELECT ?museum ?term ?label (COUNT(DISTINCT ?object) AS ?objects) WHERE {
  ?object crm:P50_has_current_keeper/srom:museumId ?museum .
  { ?object crm:P45_consists_of ?term } UNION { ?object crm:P2_has_type ?term }
  FILTER(!STRSTARTS(STR(?term), "https://w3id.org/srom/concept/"))
  FILTER NOT EXISTS { ?term skos:exactMatch ?linked }
  FILTER NOT EXISTS { ?concept skos:exactMatch ?term }
  ?term rdfs:label ?label .
}
GROUP BY ?museum ?term ?label
ORDER BY DESC(?objects) ?museum"""),
    Example("quality-per-museum", {"en": "Data quality per museum", "zh": "各馆数据质量"}, """\
#defaultView:BarChart
# How many of each museum's objects have a date span, a located place, an image, a reconciled material.
SELECT ?museum (COUNT(DISTINCT ?object) AS ?objects) (COUNT(DISTINCT ?dated) AS ?withDate)
       (COUNT(DISTINCT ?located) AS ?withPlace) (COUNT(DISTINCT ?pictured) AS ?withImage)
       (COUNT(DISTINCT ?reconciled) AS ?withSharedMaterial) WHERE {
  ?object a crm:E22_Human-Made_Object ; crm:P50_has_current_keeper/srom:museumId ?museum .
  OPTIONAL { ?object crm:P108i_was_produced_by/crm:P4_has_time-span/crm:P82a_begin_of_the_begin ?b .
             BIND(?object AS ?dated) }
  OPTIONAL { ?object crm:P108i_was_produced_by/crm:P7_took_place_at/crm:P168_place_is_defined_by ?w .
             BIND(?object AS ?located) }
  OPTIONAL { ?object crm:P65_shows_visual_item/la:digitally_shown_by ?i . BIND(?object AS ?pictured) }
  OPTIONAL { ?object crm:P45_consists_of ?m . FILTER(STRSTARTS(STR(?m), "https://w3id.org/srom/concept/material/"))
             BIND(?object AS ?reconciled) }
}
GROUP BY ?museum
ORDER BY ?museum"""),
    Example("imprecise-dates", {"en": "Objects dated only to three centuries or more",
                                "zh": "年代跨度达三百年以上的藏品"},
            """\
#defaultView:Table
# Data quality: a date span this wide hides the object from century counts and timelines.
SELECT ?museum ?object ?title ?from ?to WHERE {
  ?object rdfs:label ?title ;
          crm:P50_has_current_keeper/srom:museumId ?museum ;
          crm:P108i_was_produced_by/crm:P4_has_time-span ?span .
  ?span crm:P82a_begin_of_the_begin ?begin ;
        crm:P82b_end_of_the_end ?end .
  BIND(YEAR(?begin) AS ?from)
  BIND(YEAR(?end) AS ?to)
  FILTER(?to - ?from >= 300 && LANGMATCHES(LANG(?title), "en"))
}
ORDER BY DESC(?to - ?from) ?museum"""),
    Example("concept-labels", {"en": "One concept's names in every language", "zh": "一个概念的各语种名称"}, """\
#defaultView:Table
SELECT ?language ?label ?kind WHERE {
  { <https://w3id.org/srom/concept/material/silk> skos:prefLabel ?label . BIND("preferred" AS ?kind) }
  UNION
  { <https://w3id.org/srom/concept/material/silk> skos:altLabel ?label . BIND("alternative" AS ?kind) }
  BIND(LANG(?label) AS ?language)
}
ORDER BY ?kind ?language"""),
    Example("silk-per-museum-terms", {"en": "How each museum names silk", "zh": "各馆如何称呼丝绸"}, """\
#defaultView:Table
# The museums' own terms for the shared concept: linked by skos:exactMatch in their vocabulary graphs,
# or an AAT term the thesaurus itself links.
SELECT ?museum ?label (COUNT(DISTINCT ?object) AS ?objects) WHERE {
  { ?term skos:exactMatch <https://w3id.org/srom/concept/material/silk> }
  UNION
  { <https://w3id.org/srom/concept/material/silk> skos:exactMatch ?term }
  ?object crm:P45_consists_of ?term ;
          crm:P50_has_current_keeper/srom:museumId ?museum .
  ?term rdfs:label ?label .
}
GROUP BY ?museum ?label
ORDER BY ?museum ?label"""),
    Example("exhibitions-showing-silk", {"en": "Exhibitions that show silk", "zh": "展出丝绸的展览"}, """\
#defaultView:Table
SELECT ?exhibition ?title (COUNT(DISTINCT ?object) AS ?silkObjects) WHERE {
  ?exhibition a schema:ExhibitionEvent ;
              rdfs:label ?title ;
              crm:P16_used_specific_object/la:has_member ?object .
  FILTER(LANGMATCHES(LANG(?title), "en"))
  ?object crm:P45_consists_of <https://w3id.org/srom/concept/material/silk> .
}
GROUP BY ?exhibition ?title
ORDER BY DESC(?silkObjects)"""),
    Example("one-object-graph", {"en": "One silk object as Linked Art (a graph)", "zh": "一件丝绸藏品的关联艺术图"},
            """\
#defaultView:Table
# A CONSTRUCT answers RDF: download it as Turtle, N-Triples, JSON-LD or RDF/XML.
CONSTRUCT {
  ?object ?p ?o .
  ?production ?pp ?po .
} WHERE {
  { SELECT ?object WHERE { ?object crm:P45_consists_of <https://w3id.org/srom/concept/material/silk> }
    ORDER BY ?object LIMIT 1 }
  ?object ?p ?o .
  OPTIONAL { ?object crm:P108i_was_produced_by ?production . ?production ?pp ?po }
}"""),
)


def find_example(example_id: str) -> Example | None:
    return next((e for e in EXAMPLES if e.id == example_id), None)
