"""The hub's VoID description (https://www.w3.org/TR/void/), served at ``/.well-known/void``.

``{base}/.well-known/void#hub`` is the dataset: its title, the SPARQL endpoint, the hub's dump, its counts
(quads, objects) and the vocabularies it uses; one ``void:subset`` per museum with the museum's name,
homepage, licence as the museum declares it (``dcterms:license``: an IRI when it is one, else the text),
its dump and its counts. Counts come from the dumps' manifest (``web.reuse.dumps``), built from the store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from ontology.namespaces import CRM, DCTERMS, FOAF, LA, RDF, RDFS, SKOS, VOID, XSD

if TYPE_CHECKING:
    from web.hub import Hub

DCTERMS_TITLE = DCTERMS + "title"
PREFIXES = {"void": str(VOID), "dcterms": str(DCTERMS), "foaf": str(FOAF), "xsd": str(XSD), "rdfs": str(RDFS)}
VOCABULARIES = (str(CRM), str(LA), str(SKOS), "https://w3id.org/srom/ns#", "http://www.w3.org/ns/prov#")


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _count(n: int) -> ox.Literal:
    return ox.Literal(str(int(n)), datatype=_n(XSD.integer))


def void_triples(hub: Hub, manifest: dict[str, Any]) -> list[ox.Triple]:
    base = hub.minter.base
    t: list[ox.Triple] = []

    def add(s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal) -> None:
        t.append(ox.Triple(s, _n(p), o))

    document = _n(f"{base}/.well-known/void")
    dataset = _n(f"{base}/.well-known/void#hub")
    add(document, RDF.type, _n(VOID + "DatasetDescription"))
    add(document, FOAF.primaryTopic, dataset)
    add(dataset, RDF.type, _n(VOID + "Dataset"))
    add(dataset, DCTERMS_TITLE, ox.Literal("SROM Hub: the Silk Road Online Museum's collections", language="en"))
    add(dataset, DCTERMS_TITLE, ox.Literal("丝绸之路在线博物馆：馆藏数据", language="zh"))
    add(dataset, DCTERMS.description, ox.Literal(
        "Objects of the partner museums harvested from their feeds, mapped to CIDOC-CRM as Linked Art, with "
        "their terms reconciled to a shared thesaurus of Silk Road materials, places and periods. Each "
        "museum's records keep the licence the museum declares (see the subsets).", language="en"))
    add(dataset, FOAF.homepage, _n(f"{base}/"))
    add(dataset, VOID + "sparqlEndpoint", _n(f"{base}/sparql"))
    add(dataset, VOID + "uriSpace", ox.Literal(f"{base}/id/"))
    add(dataset, VOID + "exampleResource", _n(f"{base}/sparql"))
    add(dataset, VOID + "dataDump", _n(f"{base}/dumps/hub.nq.gz"))
    add(dataset, VOID + "feature", _n("http://www.w3.org/ns/formats/N-Quads"))
    add(dataset, VOID + "triples", _count(manifest["quads"]))
    add(dataset, VOID + "entities", _count(manifest["objects"]))
    add(dataset, DCTERMS.modified, ox.Literal(manifest["built"], datatype=_n(XSD.dateTime)))
    add(dataset, RDFS.seeAlso, _n(f"{base}/activity/all-changes"))
    for vocabulary in VOCABULARIES:
        add(dataset, VOID + "vocabulary", _n(vocabulary))
    files = manifest.get("files", {})
    for museum in hub.feeds.museums():
        subset = _n(f"{base}/.well-known/void#{museum.id}")
        add(dataset, VOID + "subset", subset)
        add(subset, RDF.type, _n(VOID + "Dataset"))
        for lang, name in sorted({"en": museum.name, **(museum.names or {})}.items()):
            if name:
                add(subset, DCTERMS_TITLE, ox.Literal(name, language=lang))
        publisher = _n(hub.minter.museum(museum.id))
        add(subset, DCTERMS.publisher, publisher)
        if museum.homepage:
            add(subset, FOAF.homepage, _n(museum.homepage))
        if museum.licence:
            licence = museum.licence.strip()
            is_iri = licence.startswith(("http://", "https://")) and " " not in licence
            add(subset, DCTERMS.license, _n(licence) if is_iri else ox.Literal(licence))
        add(subset, VOID + "sparqlEndpoint", _n(f"{base}/sparql"))
        add(subset, VOID + "uriSpace", ox.Literal(f"{base}/id/object/{museum.id}/"))
        entry = files.get(f"{museum.id}.nq.gz")
        if entry is not None:
            add(subset, VOID + "dataDump", _n(f"{base}/dumps/{museum.id}.nq.gz"))
            add(subset, VOID + "triples", _count(entry["quads"]))
            add(subset, VOID + "entities", _count(entry["objects"]))
    return t
