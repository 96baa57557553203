"""An exhibition as a IIIF Presentation 3 manifest, built and validated with iiif-prezi3.

One canvas per object that has an image (an object in several sections gets one canvas), a range per
section (Mirador's table of contents), labels in every language the exhibition and the graph have,
each canvas linked to the object's page and Linked Art data, with its museum and licence. A museum's
IIIF Image API service is declared on the image where the URL shows one, so a viewer deep-zooms it.

Canvas size: the hub does not fetch museums' images to measure them, so a canvas is a nominal square
(``CANVAS_SIZE``) and the image fills it; with an image service the viewer reads the real size from
``info.json``. This module owns the manifest's shape; it must not query the store (it takes Cards).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from iiif_prezi3 import (
    Canvas,
    CanvasRef,
    Homepage,
    KeyValueString,
    Manifest,
    Range,
    ServiceV3,
)

from web.exhibitions.document import ExhibitionDoc
from web.exhibitions.rdf import plain_text
from web.objects.cards import Card
from web.objects.images import iiif_service, image_url, licence_uri, media_type

CANVAS_SIZE = 1000
LINKED_ART_PROFILE = "https://linked.art/ns/v1/linked-art.json"


@dataclass(frozen=True)
class ManifestLinks:
    """Absolute URLs the manifest points to (the views know the host; this module does not)."""

    manifest: str
    exhibition_page: str
    object_page: Callable[[str], str]  # object IRI -> its page
    object_data: Callable[[str], str]  # object IRI -> its JSON-LD


def _lang_map(texts: Mapping[str, str]) -> dict[str, list[str]]:
    out = {lang: [text] for lang, text in texts.items() if text}
    return out or {"none": [""]}


def _labelled(cards_by_lang: Mapping[str, Card]) -> dict[str, list[str]]:
    """One object's title per language, without repeating a title a language has already."""
    out: dict[str, list[str]] = {}
    seen: set[str] = set()
    for lang, card in cards_by_lang.items():
        if card.title not in seen:
            out[lang] = [card.title]
            seen.add(card.title)
    return out


_FIELDS = {
    "date": {"en": "Date", "zh": "年代"},
    "place": {"en": "Place", "zh": "产地"},
    "museum_name": {"en": "Held by", "zh": "收藏单位"},
    "licence": {"en": "Licence", "zh": "许可"},
}


def _metadata(cards_by_lang: Mapping[str, Card]) -> list[KeyValueString]:
    entries = []
    for name, label in _FIELDS.items():
        value = {lang: [getattr(c, name)] for lang, c in cards_by_lang.items() if getattr(c, name)}
        if value:
            entries.append(KeyValueString(label={k: [v] for k, v in label.items()}, value=value))
    return entries


def build_manifest(
    doc: ExhibitionDoc,
    sections: Mapping[str, Sequence[str]],
    cards: Mapping[str, Mapping[str, Card]],
    links: ManifestLinks,
) -> Manifest:
    """The manifest of ``doc`` showing ``sections`` (section id → object IRIs).

    ``cards`` is language → {object IRI → Card} (the same objects fetched for each language).
    """
    languages = list(cards)
    manifest = Manifest(id=links.manifest, label=_lang_map(doc.title))
    summary = {lang: plain_text(text) for lang, text in (doc.subtitle or doc.intro).items()}
    if any(summary.values()):
        manifest.summary = _lang_map(summary)
    manifest.homepage = [Homepage(id=links.exhibition_page, type="Text", format="text/html",
                                  label=_lang_map(doc.title))]
    manifest.requiredStatement = KeyValueString(
        label={"en": ["Objects from"], "zh": ["藏品来源"]},
        value={"en": ["the partner museums of the Silk Road Online Museum; each object's museum and licence "
                      "are given with it"],
               "zh": ["丝绸之路在线博物馆的合作博物馆；每件藏品注明其收藏单位与许可"]},
    )
    canvases: dict[str, Canvas] = {}
    for section in doc.sections:
        refs = []
        for obj in sections.get(section.id, []):
            by_lang = {lang: cards[lang][obj] for lang in languages if obj in cards[lang]}
            if not by_lang:
                continue
            first = next(iter(by_lang.values()))
            if not first.image:
                continue
            if obj not in canvases:
                canvases[obj] = _canvas(manifest, len(canvases) + 1, obj, by_lang, first, links)
            refs.append(CanvasRef(id=canvases[obj].id, type="Canvas"))
        if refs:
            label = _lang_map(section.title) if section.title else _lang_map(doc.title)
            manifest.make_range(id=f"{links.manifest.rsplit('/', 1)[0]}/range/{section.id}", label=label,
                                items=refs)
    if not canvases:
        manifest.items = []
    return manifest


def _canvas(
    manifest: Manifest, n: int, obj: str, by_lang: Mapping[str, Card], first: Card, links: ManifestLinks
) -> Canvas:
    base = links.manifest.rsplit("/", 1)[0]
    canvas = manifest.make_canvas(
        id=f"{base}/canvas/{n}", label=_labelled(by_lang), height=CANVAS_SIZE, width=CANVAS_SIZE
    )
    src = first.image or ""
    page = canvas.add_image(
        image_url=image_url(src), anno_page_id=f"{base}/canvas/{n}/page", anno_id=f"{base}/canvas/{n}/image",
        format=media_type(image_url(src)), height=CANVAS_SIZE, width=CANVAS_SIZE,
    )
    service = iiif_service(src)
    if service:
        page.items[0].body.service = [ServiceV3(id=service, type="ImageService3", profile="level1")]
    metadata = _metadata(by_lang)
    if metadata:
        canvas.metadata = metadata
    canvas.homepage = [Homepage(id=links.object_page(obj), type="Text", format="text/html",
                                label=_labelled(by_lang))]
    canvas.seeAlso = [{"id": links.object_data(obj), "type": "Dataset", "format": "application/ld+json",
                       "profile": LINKED_ART_PROFILE}]
    rights = licence_uri(first.licence)
    if rights:
        canvas.rights = rights
    if first.museum_name:
        canvas.requiredStatement = KeyValueString(
            label={"en": ["Held by"], "zh": ["收藏单位"]},
            value={lang: [c.museum_name] for lang, c in by_lang.items() if c.museum_name},
        )
    return canvas


def manifest_json(manifest: Manifest) -> str:
    return manifest.json()


__all__ = ["ManifestLinks", "Range", "build_manifest", "manifest_json"]
