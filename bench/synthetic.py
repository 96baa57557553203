"""Synthetic LIDO records for benchmarks: realistic shape (~40 quads each), deterministic by seed."""

from __future__ import annotations

import random
from xml.sax.saxutils import escape

TYPES = [("coin", "钱币"), ("bowl", "碗"), ("textile fragment", "织物残片"), ("mirror", "铜镜"),
         ("figurine", "俑"), ("manuscript", "写本"), ("ewer", "执壶"), ("seal", "印章")]
MATERIALS = ["silk", "bronze", "silver", "gold", "glass", "earthenware", "porcelain", "paper", "wool", "jade"]
TECHNIQUES = ["weaving", "casting", "glazing", "gilding", "blowing", "embroidery", "hammering"]
PLACES = [("Chang'an", 108.94, 34.26), ("Dunhuang", 94.66, 40.14), ("Samarkand", 66.97, 39.65),
          ("Turfan", 89.19, 42.95), ("Merv", 62.19, 37.66), ("Constantinople", 28.98, 41.01),
          ("Baghdad", 44.36, 33.31), ("Kashgar", 75.99, 39.47)]
PERIODS = [("Han dynasty", -206, 220), ("Tang dynasty", 618, 907), ("Song dynasty", 960, 1279),
           ("Sasanian period", 224, 651), ("Abbasid period", 750, 1258), ("8th century", 701, 800)]

RECORD = """<lido:lido xmlns:lido="http://www.lido-schema.org" xmlns:gml="http://www.opengis.net/gml">
<lido:lidoRecID lido:source="bench" lido:type="local">{rid}</lido:lidoRecID>
<lido:descriptiveMetadata xml:lang="en">
<lido:objectClassificationWrap><lido:objectWorkTypeWrap><lido:objectWorkType>
<lido:term xml:lang="en">{type_en}</lido:term><lido:term xml:lang="zh">{type_zh}</lido:term>
</lido:objectWorkType></lido:objectWorkTypeWrap></lido:objectClassificationWrap>
<lido:objectIdentificationWrap>
<lido:titleWrap><lido:titleSet><lido:appellationValue xml:lang="en">{title_en}</lido:appellationValue>
<lido:appellationValue xml:lang="zh">{title_zh}</lido:appellationValue></lido:titleSet></lido:titleWrap>
<lido:repositoryWrap><lido:repositorySet lido:type="current"><lido:repositoryName><lido:legalBodyName>
<lido:appellationValue>Bench Museum</lido:appellationValue></lido:legalBodyName></lido:repositoryName>
<lido:workID lido:type="inventory number">{inv}</lido:workID></lido:repositorySet></lido:repositoryWrap>
<lido:objectDescriptionWrap><lido:objectDescriptionSet><lido:descriptiveNoteValue xml:lang="en">{desc}</lido:descriptiveNoteValue>
</lido:objectDescriptionSet></lido:objectDescriptionWrap>
<lido:objectMeasurementsWrap><lido:objectMeasurementsSet><lido:objectMeasurements><lido:measurementsSet>
<lido:measurementType>height</lido:measurementType><lido:measurementUnit>cm</lido:measurementUnit>
<lido:measurementValue>{height}</lido:measurementValue></lido:measurementsSet></lido:objectMeasurements>
</lido:objectMeasurementsSet></lido:objectMeasurementsWrap>
</lido:objectIdentificationWrap>
<lido:eventWrap><lido:eventSet><lido:event>
<lido:eventType><lido:term xml:lang="en">production</lido:term></lido:eventType>
<lido:eventActor><lido:actorInRole><lido:actor><lido:nameActorSet><lido:appellationValue>{actor}</lido:appellationValue>
</lido:nameActorSet></lido:actor></lido:actorInRole></lido:eventActor>
<lido:eventDate><lido:displayDate>{period}</lido:displayDate><lido:date><lido:earliestDate>{begin}</lido:earliestDate>
<lido:latestDate>{end}</lido:latestDate></lido:date></lido:eventDate>
<lido:eventPlace><lido:place><lido:namePlaceSet><lido:appellationValue xml:lang="en">{place}</lido:appellationValue>
</lido:namePlaceSet><lido:gml><gml:Point><gml:pos>{lat} {lon}</gml:pos></gml:Point></lido:gml></lido:place></lido:eventPlace>
<lido:eventMaterialsTech><lido:materialsTech><lido:termMaterialsTech lido:type="material"><lido:term xml:lang="en">{m1}</lido:term></lido:termMaterialsTech>
<lido:termMaterialsTech lido:type="material"><lido:term xml:lang="en">{m2}</lido:term></lido:termMaterialsTech>
<lido:termMaterialsTech lido:type="technique"><lido:term xml:lang="en">{tech}</lido:term></lido:termMaterialsTech>
</lido:materialsTech></lido:eventMaterialsTech>
</lido:event></lido:eventSet></lido:eventWrap>
<lido:objectRelationWrap><lido:subjectWrap><lido:subjectSet><lido:subject><lido:subjectConcept>
<lido:term xml:lang="en">{subject}</lido:term></lido:subjectConcept></lido:subject></lido:subjectSet></lido:subjectWrap></lido:objectRelationWrap>
</lido:descriptiveMetadata>
<lido:administrativeMetadata xml:lang="en">
<lido:recordWrap><lido:recordID lido:type="local">{rid}</lido:recordID><lido:recordType><lido:term>item</lido:term></lido:recordType>
<lido:recordSource><lido:legalBodyName><lido:appellationValue>Bench Museum</lido:appellationValue></lido:legalBodyName></lido:recordSource></lido:recordWrap>
<lido:resourceWrap><lido:resourceSet><lido:resourceRepresentation lido:type="image_master">
<lido:linkResource>https://images.example.org/bench/{rid}.jpg</lido:linkResource></lido:resourceRepresentation></lido:resourceSet></lido:resourceWrap>
</lido:administrativeMetadata>
</lido:lido>"""


def lido_record(i: int, seed: int = 7) -> str:
    rnd = random.Random(seed * 1_000_003 + i)
    type_en, type_zh = rnd.choice(TYPES)
    place, lon, lat = rnd.choice(PLACES)
    period, begin, end = rnd.choice(PERIODS)
    m1, m2 = rnd.sample(MATERIALS, 2)
    return RECORD.format(
        rid=f"B{i:07d}",
        type_en=type_en,
        type_zh=type_zh,
        title_en=escape(f"{m1.capitalize()} {type_en} from {place}, no. {i}"),
        title_zh=f"{place}{type_zh} 第{i}号",
        inv=f"BM.{i // 1000}.{i % 1000:03d}",
        desc=escape(f"A {m1} {type_en} of the {period}, said to come from {place}; catalogue entry {i}."),
        height=f"{rnd.uniform(2, 60):.1f}",
        actor=rnd.choice(["Sogdian workshop", "imperial workshop", "unknown maker", "Persian atelier"]),
        period=period,
        begin=begin,
        end=end,
        place=escape(place),
        lat=lat,
        lon=lon,
        m1=m1,
        m2=m2,
        tech=rnd.choice(TECHNIQUES),
        subject=rnd.choice(["trade", "Buddhism", "hunting scene", "phoenix", "camel caravan"]),
    )
