"""A published exhibition as RDF: its triples, its named graph in the store, and its serialisations.

The vocabulary (documented in ontology/MODEL.md, "Exhibitions") is small and borrowed: the exhibition is
a CRM activity (``crm:E7_Activity``, typed ``aat:300054766`` "exhibitions (events)", as Linked Art models
exhibitions) and a ``schema:ExhibitionEvent``; what it shows is a Linked Art set (``la:Set``) with one
sub-set per section whose members (``la:has_member``) are the objects. Texts are ``crm:E33`` linguistic
objects (plain text, the curator's HTML stripped). Every node is minted under the exhibition's IRI
(``{base}/id/exhibition/<slug>``), so the exhibition's graph (``{base}/graph/exhibition/<slug>``)
holds only triples about the exhibition: it is replaced on publish and dropped on unpublish.

This module owns building those triples and writing/dropping that graph. It must not decide what is
published (web/exhibitions/repository.py) nor run the sections' queries (web/exhibitions/queries.py).
"""

from __future__ import annotations

import html
import logging
from collections.abc import Mapping

import nh3
import pyoxigraph as ox

from ontology.iris import IriMinter
from ontology.namespaces import AAT, CRM, DCTERMS, LA, PREFIXES, RDF, RDFS, SCHEMA, XSD
from ontology.ntriples import InvalidIri, iri, literal, triple, typed
from sparql_endpoint.results import serialize_result
from store.base import GraphResult, RecordGraph, Store
from web.exhibitions.document import ExhibitionDoc

log = logging.getLogger(__name__)

EXHIBITION_TYPE = AAT + "300054766"  # exhibitions (events)
DESCRIPTION_TYPE = AAT + "300435416"  # description
MEDIA_TYPES = {"ttl": "text/turtle", "jsonld": "application/ld+json"}


def exhibition_iri(minter: IriMinter, slug: str) -> str:
    return minter.exhibition(slug)


def exhibition_graph(minter: IriMinter, slug: str) -> str:
    """The exhibition's named graph (``exhibition`` is a reserved id, so no museum's graphs clash)."""
    return f"{minter.base}/graph/exhibition/{slug}"


def page_url(minter: IriMinter, slug: str, revision: int | None = None) -> str:
    url = f"{minter.base}/exhibitions/{slug}"
    return f"{url}/r/{revision}" if revision is not None else url


def plain_text(curator_html: str) -> str:
    """The text of curator HTML (tags dropped, entities decoded, blank runs collapsed)."""
    return " ".join(html.unescape(nh3.clean(curator_html or "", tags=set())).split())


def exhibition_ntriples(
    minter: IriMinter, doc: ExhibitionDoc, revision: int, sections: Mapping[str, list[str]]
) -> str:
    """N-Triples of the exhibition ``doc`` at ``revision`` showing ``sections`` (section id → object IRIs)."""
    ex = exhibition_iri(minter, doc.slug)
    e = iri(ex)
    whole = iri(f"{ex}/set")
    lines = [
        triple(e, iri(RDF.type), iri(CRM.E7_Activity)),
        triple(e, iri(RDF.type), iri(SCHEMA.ExhibitionEvent)),
        triple(e, iri(CRM.P2_has_type), iri(EXHIBITION_TYPE)),
        triple(e, iri(SCHEMA.url), iri(page_url(minter, doc.slug))),
        triple(e, iri(DCTERMS.hasVersion), iri(page_url(minter, doc.slug, revision))),
        triple(e, iri(SCHEMA.version), typed(revision, XSD.integer)),
        triple(e, iri(CRM.P16_used_specific_object), whole),
        triple(whole, iri(RDF.type), iri(LA.Set)),
    ]
    for lang, text in doc.title.items():
        lines.append(triple(e, iri(RDFS.label), literal(text, lang=lang)))
        lines.append(triple(e, iri(SCHEMA.name), literal(text, lang=lang)))
        lines.append(triple(whole, iri(RDFS.label), literal(text, lang=lang)))
    for lang, text in doc.subtitle.items():
        lines.append(triple(e, iri(SCHEMA.disambiguatingDescription), literal(text, lang=lang)))
    lines += _text(ex + "/text/intro", e, doc.intro)
    if doc.cover_image and doc.cover_image.startswith(("http://", "https://")):
        try:
            lines.append(triple(e, iri(SCHEMA.image), iri(doc.cover_image)))
        except InvalidIri:
            pass
    members: dict[str, None] = {}
    for position, section in enumerate(doc.sections, start=1):
        node = f"{ex}/section/{section.id}"
        s = iri(node)
        lines += [
            triple(s, iri(RDF.type), iri(LA.Set)),
            triple(s, iri(LA.member_of), whole),
            triple(s, iri(SCHEMA.position), typed(position, XSD.integer)),
        ]
        for lang, text in section.title.items():
            lines.append(triple(s, iri(RDFS.label), literal(text, lang=lang)))
        lines += _text(node + "/text", s, section.text)
        for obj in sections.get(section.id, []):
            try:
                lines.append(triple(s, iri(LA.has_member), iri(obj)))
            except InvalidIri:
                continue
            members.setdefault(obj, None)
    for obj in members:
        lines.append(triple(whole, iri(LA.has_member), iri(obj)))
    return "".join(lines)


def _text(node: str, subject: str, texts: Mapping[str, str]) -> list[str]:
    contents = [(lang, plain_text(t)) for lang, t in texts.items()]
    contents = [(lang, t) for lang, t in contents if t]
    if not contents:
        return []
    n = iri(node)
    lines = [
        triple(subject, iri(CRM.P67i_is_referred_to_by), n),
        triple(n, iri(RDF.type), iri(CRM.E33_Linguistic_Object)),
        triple(n, iri(CRM.P2_has_type), iri(DESCRIPTION_TYPE)),
    ]
    lines += [triple(n, iri(CRM.P190_has_symbolic_content), literal(t, lang=lang)) for lang, t in contents]
    return lines


def exhibition_triples(
    minter: IriMinter, doc: ExhibitionDoc, revision: int, sections: Mapping[str, list[str]]
) -> list[ox.Triple]:
    data = exhibition_ntriples(minter, doc, revision, sections).encode()
    return [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]


def serialise(triples: list[ox.Triple], kind: str) -> bytes:
    """The exhibition as Turtle (``ttl``) or JSON-LD (``jsonld``), with the hub's prefixes."""
    return b"".join(serialize_result(GraphResult(triples), MEDIA_TYPES[kind], prefixes=PREFIXES))


# --- the exhibition's graph in the store -------------------------------------------------------------
def publish_graph(
    store: Store, minter: IriMinter, doc: ExhibitionDoc, revision: int, sections: Mapping[str, list[str]],
) -> None:
    """Replace the exhibition's named graph with ``revision`` (the service calls it on publish and snapshot)."""
    graph = exhibition_graph(minter, doc.slug)
    store.replace_graphs([RecordGraph(graph, exhibition_ntriples(minter, doc, revision, sections))])


def drop_graph(store: Store, minter: IriMinter, slug: str) -> None:
    """Remove the exhibition's named graph (the service calls it on unpublish)."""
    store.drop_graphs([exhibition_graph(minter, slug)])
