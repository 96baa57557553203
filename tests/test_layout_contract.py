"""The section-layout contract, run against every registered layout and a third-party one.

A layout is registered by name (``web.exhibitions.layouts.register_layout``, the call a plugin makes
from its ``srom.layouts`` entry point) and must then work everywhere a built-in does: a curator can save
a section with it, a visitor's page shows it when the results fit (and falls back to the gallery when
they do not), a visitor can switch to it, its data is JSON, and its template escapes what museums wrote.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.support.exhibition_dataset import MARKUP, SILK, Dataset, client, data  # noqa: F401 - fixtures
from web.exhibitions.document import ExhibitionDoc, Section, normalise
from web.exhibitions.layouts import _REGISTRY, SectionLayout, get_layout, layout_names, register_layout
from web.objects.cards import Card

THIRD_PARTY = "numbered"


def _first_three(cards: Sequence[Card]) -> list[str]:
    return [c.title or "" for c in cards[:3]]


@pytest.fixture(scope="module")
def third_party_layout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SectionLayout]:
    """A plugin's layout with its own template: an ordered list of titles, for sections of 2+ objects."""
    folder = tmp_path_factory.mktemp("plugin-templates")
    (folder / "plugin").mkdir()
    (folder / "plugin" / "numbered.html").write_text(
        '<ol class="numbered">{% for c in s.cards %}<li>{{ c.title }}</li>{% endfor %}</ol>', encoding="utf-8")
    layout = register_layout(SectionLayout(THIRD_PARTY, "Numbered", "plugin/numbered.html",
                                           lambda cards: len(cards) >= 2, _first_three,
                                           template_folder=str(folder)))
    try:
        yield layout
    finally:
        _REGISTRY.pop(THIRD_PARTY, None)


def every_layout() -> list[str]:
    return [*layout_names(), THIRD_PARTY] if THIRD_PARTY not in layout_names() else layout_names()


@pytest.fixture(params=every_layout())
def layout(request: pytest.FixtureRequest, third_party_layout: SectionLayout) -> SectionLayout:
    found = get_layout(request.param)
    assert found is not None
    return found


def _publish(data: Dataset, layout: str, query: str = SILK) -> str:  # noqa: F811 - the fixture's name
    slug = f"layout-{layout}" + ("" if query == SILK else "-markup")
    service = data.hub.exhibitions
    if not service.repository.exists(slug):
        service.create(ExhibitionDoc(slug=slug, title={"en": f"In the {layout} layout"}, sections=[
            Section(id="s", title={"en": "Silk"}, text={"en": "<p>Silk.</p>"}, query=query, layout=layout, limit=12)]),
            "curator")
        service.publish(slug)
    return slug


def test_the_name_is_a_saveable_layout(layout: SectionLayout) -> None:
    assert re.fullmatch(r"[a-z][a-z0-9-]*", layout.name)
    assert layout.name in layout_names() and str(layout.label)
    doc = normalise({"slug": "x", "title": {"en": "x"}, "sections": [
        {"id": "s", "query": "SELECT ?object WHERE { ?object ?p ?o }", "layout": layout.name}]})
    assert doc.sections[0].layout == layout.name  # a curator can save it


def test_fitness_and_data_on_no_objects(layout: SectionLayout) -> None:
    fits = layout.can_render([])
    assert isinstance(fits, bool)
    if fits:
        json.dumps(layout.data_for([]))


def test_the_page_shows_the_section_in_its_layout(client: FlaskClient, data: Dataset,  # noqa: F811
                                                  layout: SectionLayout) -> None:
    slug = _publish(data, layout.name)
    page = client.get(f"/exhibitions/{slug}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    shown = re.search(r'data-section="s" data-view="([a-z-]+)"', html)
    assert shown is not None
    cards = data.hub.exhibitions.section_objects(slug, 1, data.hub.exhibitions.get(slug, 1))["s"]
    assert cards, "the silk query finds objects in the dataset"
    # the curator's layout when it fits the objects, else the gallery (which fits everything)
    assert shown.group(1) in (layout.name, "gallery")
    if layout.name == THIRD_PARTY:
        assert shown.group(1) == THIRD_PARTY and '<ol class="numbered">' in html
    described = client.get(f"/exhibitions/{slug}.json").get_json()
    assert described["exhibition"]["sections"][0]["layout"] == layout.name


def test_a_visitor_can_switch_to_it(client: FlaskClient, data: Dataset, layout: SectionLayout) -> None:  # noqa: F811
    slug = _publish(data, "gallery")
    html = client.get(f"/exhibitions/{slug}?layout.s={layout.name}").get_data(as_text=True)
    shown = re.search(r'data-section="s" data-view="([a-z-]+)"', html)
    assert shown is not None and shown.group(1) in (layout.name, "gallery")
    if layout.name in ("gallery", THIRD_PARTY):
        assert shown.group(1) == layout.name


def test_an_unknown_layout_is_refused_with_the_registered_names() -> None:
    from web.exhibitions.document import ExhibitionError

    with pytest.raises(ExhibitionError, match="layout must be one of gallery"):
        normalise({"slug": "x", "title": {"en": "x"}, "sections": [
            {"id": "s", "query": "SELECT ?object WHERE { ?object ?p ?o }", "layout": "carousel"}]})


def test_plugin_templates_escape_what_museums_wrote(tmp_path: Path, third_party_layout: SectionLayout,
                                                    client: FlaskClient, data: Dataset) -> None:  # noqa: F811
    html = client.get(f"/exhibitions/{_publish(data, THIRD_PARTY, MARKUP)}").get_data(as_text=True)
    listed = html.split('<ol class="numbered">', 1)[1].split("</ol>", 1)[0]
    assert "&lt;script&gt;" in listed and "<script>" not in listed
