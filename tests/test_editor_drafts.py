"""The curator's editor on the server, through the Flask test client over a real harvested store: drafts
are private on their permalinks (their curator and admins still see them), "Save and publish" publishes
what the form holds, the editor offers "Publish revision N" only while N is not the published one, an
exhibition without a cover gets its first object image, and the facet builder's choices read as one row
per choice, labels and years in the interface's language."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.support.exhibition_fixtures import BASE, harvested_store, iri
from web.accounts.database import Accounts
from web.app import create_app
from web.exhibitions.facets import options
from web.exhibitions.repository import ExhibitionRepository
from web.hub import Hub, database_path
from web.settings import load_settings

PASSWORD = "correct horse battery"
EVERY_OBJECT = "SELECT DISTINCT ?object WHERE { ?object a crm:E22_Human-Made_Object }"
SILK = "SELECT DISTINCT ?object WHERE { ?object crm:P45_consists_of <https://w3id.org/srom/concept/material/silk> }"


@dataclass
class Editor:
    app: object
    hub: Hub
    repo: ExhibitionRepository

    def client(self, username: str | None = None) -> tuple[FlaskClient, str]:
        """A client signed in as ``username`` (anonymous when None) and its CSRF token."""
        client = self.app.test_client()  # type: ignore[attr-defined]
        if username is None:
            return client, ""
        token = _csrf(client.get("/login").get_data(as_text=True))
        client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
        return client, _csrf(client.get("/curate/new").get_data(as_text=True))


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def editor(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Editor]:
    instance = tmp_path_factory.mktemp("editor") / "instance"
    hub = Hub(instance, load_settings(instance, environ={}, overrides={"BASE_IRI": BASE}))
    accounts = Accounts(database_path(instance))
    accounts.create("cura", PASSWORD, "curator")
    accounts.create("other", PASSWORD, "curator")
    accounts.create("boss", PASSWORD, "admin")
    with harvested_store(tmp_path_factory.mktemp("editor-store")) as store:
        hub.use_store(store)
        yield Editor(create_app(hub=hub), hub, ExhibitionRepository(database_path(instance)))


def _editor_form(client: FlaskClient, slug: str) -> dict[str, str]:
    """The editor form's fields as a browser would post them (first value of each field; boxes unchecked)."""
    html = client.get(f"/curate/{slug}/edit").get_data(as_text=True)
    form = html[html.index('<form method="post" id="editor"'):html.index("</form>", html.index('id="editor"'))]
    data: dict[str, str] = {}
    for name, value in re.findall(r'<input(?! type="checkbox")[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form):
        data.setdefault(name, value)
    for name, value in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', form):
        data.setdefault(name, value.replace("&#34;", '"').replace("&lt;", "<").replace("&gt;", ">"))
    data.update({"theme": "silk", "mode": "pinned", "s-0-layout": "gallery"})
    return data


def test_a_never_published_revision_is_private_to_visitors(editor: Editor) -> None:
    cura, token = editor.client("cura")
    cura.post("/curate/new", data={"slug": "drafts", "title-en": "Drafts", "csrf_token": token})
    form = _editor_form(cura, "drafts")
    form.update({"csrf_token": token, "title-en": "Silk only", "s-0-query": SILK})
    assert cura.post("/curate/drafts/edit", data=form).status_code == 302  # revision 2
    assert cura.post("/curate/drafts/publish", data={"csrf_token": token, "revision": "2"}).status_code == 302
    form.update({"title-en": "Work in progress"})
    cura.post("/curate/drafts/edit", data=form)  # revision 3, never published

    public, _ = editor.client()
    assert public.get("/exhibitions/drafts/r/2").status_code == 200
    for never in ("/exhibitions/drafts/r/1", "/exhibitions/drafts/r/1.json", "/exhibitions/drafts/r/3",
                  "/exhibitions/drafts/r/3.json"):
        assert public.get(never).status_code == 404, never
    other, _ = editor.client("other")
    assert other.get("/exhibitions/drafts/r/1").status_code == 404
    # the curator who owns it, and admins, still see every revision on its permalink
    assert "Drafts" in cura.get("/exhibitions/drafts/r/1").get_data(as_text=True)
    assert "Work in progress" in cura.get("/exhibitions/drafts/r/3").get_data(as_text=True)
    boss, _ = editor.client("boss")
    assert boss.get("/exhibitions/drafts/r/1").status_code == 200

    # a revision once published keeps its public permalink after a later one is published
    assert cura.post("/curate/drafts/publish", data={"csrf_token": token, "revision": "3"}).status_code == 302
    assert public.get("/exhibitions/drafts/r/2").status_code == 200
    assert public.get("/exhibitions/drafts/r/3").status_code == 200
    assert public.get("/exhibitions/drafts/r/1").status_code == 404


def test_save_and_publish_publishes_what_the_form_holds(editor: Editor) -> None:
    cura, token = editor.client("cura")
    cura.post("/curate/new", data={"slug": "unsaved", "title-en": "Before", "csrf_token": token})
    cura.post("/curate/unsaved/publish", data={"csrf_token": token, "revision": "1"})
    html = cura.get("/curate/unsaved/edit?lang=en").get_data(as_text=True)
    assert 'id="publish"' not in html and "Revision 1 is the published one." in html  # nothing new to publish
    form = _editor_form(cura, "unsaved")
    form.update({"csrf_token": token, "title-en": "After", "then": "publish"})
    answer = cura.post("/curate/unsaved/edit", data=form)
    assert answer.status_code == 302
    published = editor.repo.published("unsaved")
    assert published is not None and published[0] == 2 and published[1].title == {"en": "After"}
    page = cura.get("/curate/unsaved/edit?lang=en").get_data(as_text=True)
    assert '<a href="/exhibitions/unsaved" id="published-link">/exhibitions/unsaved</a>' in page


def test_an_exhibition_without_a_cover_shows_its_first_object_image(editor: Editor) -> None:
    cura, token = editor.client("cura")
    cura.post("/curate/new", data={"slug": "no-cover", "title-en": "No cover", "csrf_token": token})
    form = _editor_form(cura, "no-cover")
    form.update({"csrf_token": token, "s-0-query": SILK + " ORDER BY ?object", "then": "publish"})
    cura.post("/curate/no-cover/edit", data=form)
    listed = {e["slug"]: e for e in cura.get("/exhibitions.json").get_json()["exhibitions"]}
    assert listed["no-cover"]["cover_image"] == "https://images.example.org/E1.jpg"  # the only silk with an image
    covers = cura.get("/curate/no-cover/covers", headers={"Accept": "application/json"}).get_json()
    assert [c["iri"] for c in covers["images"]] == [iri("E1")]
    other, _ = editor.client("other")
    assert other.get("/curate/no-cover/covers", headers={"Accept": "application/json"}).status_code == 403


def test_facet_choices_read_as_one_row_each_in_the_interface_language(editor: Editor) -> None:
    cura, token = editor.client("cura")
    headers = {"X-CSRF-Token": token, "Accept": "application/json"}
    silk = options(editor.hub.store(), "material", "en")[0]
    assert silk["label"] == "silk"
    two_terms = f"{silk['value']} {BASE}/id/term/west/material/silk"  # one option standing for two terms
    built = cura.post("/curate/facets?lang=zh", headers=headers,
                      json={"material": [two_terms], "date_to": "900", "date_from": "-206"}).get_json()
    assert [p["name"] for p in built["parameters"]] == ["material_1", "material_2", "date_from", "date_to"]
    assert built["choices"] == [
        {"facet": "material", "name": "材质", "value": "絲綢 / silk", "parameters": ["material_1", "material_2"]},
        {"facet": "date_from", "name": "制作年代起（年）", "value": "公元前206年", "parameters": ["date_from"]},
        {"facet": "date_to", "name": "制作年代止（年）", "value": "公元900年", "parameters": ["date_to"]},
    ]
    english = cura.post("/curate/facets?lang=en", headers=headers, json={"date_to": "900"}).get_json()
    assert english["choices"][0]["name"] == "Made until (year)" and english["choices"][0]["value"] == "900 CE"


def test_a_class_name_is_not_offered_as_an_object_type(editor: Editor) -> None:
    store = editor.hub.store()
    term = f"{BASE}/id/term/dc/type/physicalobject"
    before = [o["label"] for o in options(store, "type", "en")]
    store.update(f"""PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        INSERT DATA {{ GRAPH <{BASE}/graph/test/dc> {{
          <{BASE}/id/object/dc/1> a crm:E22_Human-Made_Object ; crm:P2_has_type <{term}> ,
            <http://purl.org/dc/dcmitype/Image> .
          <{BASE}/id/object/dc/2> a crm:E22_Human-Made_Object ; crm:P2_has_type <{term}> .
          <{term}> rdfs:label "PhysicalObject" }} }}""")
    try:
        after = [o["label"] for o in options(store, "type", "en")]
        assert after == before and "PhysicalObject" not in after
    finally:
        store.update(f"DROP SILENT GRAPH <{BASE}/graph/test/dc>")


def test_revisions_show_human_times_and_what_a_restore_makes(editor: Editor, tmp_path: Path) -> None:
    cura, token = editor.client("cura")
    cura.post("/curate/new", data={"slug": "times", "title-en": "Times", "csrf_token": token})
    html = cura.get("/curate/times/revisions?lang=en").get_data(as_text=True)
    saved = re.search(r'<time datetime="([^"]+)">([^<]+)</time>', html)
    assert saved is not None and saved.group(1).endswith("Z")
    assert "T" not in saved.group(2) and re.search(r"\d{4}", saved.group(2))  # e.g. "Dec 4, 2026, 12:35:43 PM"
    assert "unpublished draft" in html
    chinese = cura.get("/curate/times/revisions?lang=zh").get_data(as_text=True)
    assert re.search(r'<time datetime="[^"]+">\d{4}年', chinese)
