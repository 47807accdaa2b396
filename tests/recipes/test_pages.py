import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from builder.connections.services import connection_create
from builder.recipes.models import Recipe
from builder.recipes.services import recipe_create

pytestmark = pytest.mark.django_db

EXAMPLE_PATH = Path(__file__).parents[1] / "engine" / "golden" / "greet_new_hire.json"
EXAMPLE = json.loads(EXAMPLE_PATH.read_text())["definition"]


def upload(content: bytes, name="recipe.json"):
    return {"file": SimpleUploadedFile(name, content, content_type="application/json")}


def test_import_then_bind_then_start(personas, client):
    client.force_login(personas.owner)
    response = client.post(reverse("recipe_import"), upload(json.dumps(EXAMPLE).encode()))
    recipe = Recipe.objects.get()
    assert response["Location"] == reverse("recipe_detail", args=[recipe.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Bind the slot" in page
    chat = connection_create(workspace=personas.a, connector="moveworks", name="MW", fields={"api_key": "k"})
    client.post(reverse("recipe_bind", args=[recipe.pk]), {"slot_chat": str(chat.pk)})
    client.post(reverse("recipe_start", args=[recipe.pk]))
    recipe.refresh_from_db()
    assert recipe.state == "running"


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"{not json", "not valid JSON"), (b"[1, 2]", "JSON object"), (b"\xff\xfe", "not valid JSON"),
     (b'{"nodes": [], "connections": {}}', "Stepwise imports recipes of format"),
     (b'{"format": "stepwise.recipe/9", "name": "x"}', "has the format &quot;stepwise.recipe/9&quot;")],
)  # fmt: skip
def test_a_bad_file_is_refused_with_a_message(personas, client, content, message):
    client.force_login(personas.owner)
    response = client.post(reverse("recipe_import"), upload(content), follow=True)
    assert message in response.content.decode()
    assert not Recipe.objects.exists()


def test_start_with_problems_says_so(personas, client):
    client.force_login(personas.owner)
    recipe = recipe_create(workspace=personas.a, definition=EXAMPLE)
    response = client.post(reverse("recipe_start", args=[recipe.pk]), follow=True)
    assert "cannot start" in response.content.decode()
    recipe.refresh_from_db()
    assert recipe.state == "stopped"


def test_export_download(personas, client):
    client.force_login(personas.viewer)
    recipe = recipe_create(workspace=personas.a, definition=EXAMPLE)
    response = client.get(reverse("recipe_export", args=[recipe.pk]))
    assert json.loads(response.content) == EXAMPLE
    assert "attachment" in response["Content-Disposition"]


@pytest.mark.parametrize("name", ["recipe_detail", "recipe_export", "recipe_start", "recipe_stop", "recipe_bind"])
def test_another_workspace_gets_404(personas, client, name):
    recipe = recipe_create(workspace=personas.a, definition=EXAMPLE)
    client.force_login(personas.outsider)
    method = client.get if name in ("recipe_detail", "recipe_export") else client.post
    assert method(reverse(name, args=[recipe.pk])).status_code == 404


def test_a_viewer_cannot_start_or_import(personas, client):
    recipe = recipe_create(workspace=personas.a, definition=EXAMPLE)
    client.force_login(personas.viewer)
    assert client.post(reverse("recipe_start", args=[recipe.pk])).status_code == 403
    assert client.post(reverse("recipe_import"), upload(json.dumps(EXAMPLE).encode())).status_code == 403
    assert Recipe.objects.count() == 1


def test_next_must_stay_on_the_site(personas, client):
    client.force_login(personas.owner)
    recipe = recipe_create(workspace=personas.a, definition=EXAMPLE)
    response = client.post(reverse("recipe_stop", args=[recipe.pk]), {"next": "https://evil.example.com/"})
    assert response["Location"] == reverse("recipe_detail", args=[recipe.pk])


def test_test_run_from_the_page(personas, client, monkeypatch):
    from builder.jobs import services as job_services

    monkeypatch.setattr(job_services, "job_send", lambda job_id, countdown=None: None)
    definition = {"format": "stepwise.recipe/1", "name": "Echo", "trigger": {"kind": "manual"}, "steps": []}
    recipe = recipe_create(workspace=personas.a, definition=definition)
    client.force_login(personas.owner)
    bad = client.post(reverse("recipe_test", args=[recipe.pk]), {"trigger": "[1"}, follow=True)
    assert "The sample payload is not valid JSON" in bad.content.decode()
    assert not recipe.jobs.exists()
    good = client.post(reverse("recipe_test", args=[recipe.pk]), {"trigger": '{"body": {"a": 1}}'})
    job = recipe.jobs.get()
    assert good["Location"] == reverse("job_detail", args=[job.pk])
    assert job.trigger == {"body": {"a": 1}}


def test_publish_and_discard_from_the_page(personas, client):
    from builder.recipes.drafts import draft_save

    definition = {"format": "stepwise.recipe/1", "name": "Echo", "trigger": {"kind": "manual"}, "steps": []}
    recipe = recipe_create(workspace=personas.a, definition=definition)
    client.force_login(personas.owner)
    page = client.get(reverse("recipe_detail", args=[recipe.pk])).content.decode()
    assert "Not published yet" in page
    published = client.post(reverse("recipe_publish", args=[recipe.pk]), {"comment": "first"}, follow=True)
    assert "Version 1 is live. Start the recipe to run it." in published.content.decode()
    recipe.refresh_from_db()
    assert (recipe.live_version.number, recipe.live_version.comment) == (1, "first")
    draft_save(recipe=recipe, definition={**definition, "name": "Echo 2"})
    assert "unpublished changes" in client.get(reverse("recipe_detail", args=[recipe.pk])).content.decode()
    discarded = client.post(reverse("recipe_discard", args=[recipe.pk]), follow=True)
    assert "The draft is version 1 again." in discarded.content.decode()
    recipe.refresh_from_db()
    assert (recipe.draft, recipe.name) == (definition, "Echo")
    broken = {**definition, "steps": [{"id": "x", "action": "nowhere.nothing"}]}
    draft_save(recipe=recipe, definition=broken)
    refused = client.post(reverse("recipe_publish", args=[recipe.pk]), follow=True).content.decode()
    assert "The draft cannot be published" in refused
    recipe.refresh_from_db()
    assert (recipe.live_version.number, recipe.versions.count()) == (1, 1)
    viewer = client.__class__()
    viewer.force_login(personas.viewer)
    assert viewer.post(reverse("recipe_publish", args=[recipe.pk])).status_code == 403


def test_the_pages_publish_refuses_a_draft_saved_after_the_page_showed_it(personas, client):
    from builder.recipes.drafts import draft_save

    definition = {"format": "stepwise.recipe/1", "name": "Echo", "trigger": {"kind": "manual"}, "steps": []}
    recipe = recipe_create(workspace=personas.a, definition=definition)
    client.force_login(personas.owner)
    assert 'name="revision" value="1"' in client.get(reverse("recipe_detail", args=[recipe.pk])).content.decode()
    draft_save(recipe=recipe, definition={**definition, "name": "Echo by a colleague"})
    refused = client.post(reverse("recipe_publish", args=[recipe.pk]), {"revision": "1"}, follow=True)
    assert "revision 2 was saved" in refused.content.decode()
    recipe.refresh_from_db()
    assert recipe.live_version is None


def test_the_editor_page_is_read_only_for_viewers_and_hidden_from_outsiders(personas, client):
    recipe = recipe_create(workspace=personas.a, definition=EXAMPLE)
    client.force_login(personas.owner)
    page = client.get(reverse("recipe_edit", args=[recipe.pk])).content.decode()
    assert 'data-can-edit="true"' in page
    assert "editor/main.js" in page
    client.force_login(personas.viewer)
    assert 'data-can-edit="false"' in client.get(reverse("recipe_edit", args=[recipe.pk])).content.decode()
    client.force_login(personas.outsider)
    assert client.get(reverse("recipe_edit", args=[recipe.pk])).status_code == 404


@pytest.mark.parametrize(
    ("post", "field"),
    [({"name": " ", "trigger_kind": "manual"}, "Give the recipe a name"),
     ({"name": "x", "trigger_kind": "teleport"}, "Choose what starts")],
)  # fmt: skip
def test_a_new_recipe_needs_a_name_and_a_trigger(personas, client, post, field):
    client.force_login(personas.owner)
    response = client.post(reverse("recipe_new"), post, follow=True)
    assert field in response.content.decode()
    assert not Recipe.objects.exists()


def test_a_new_recipe_opens_in_the_editor_and_a_viewer_cannot_make_one(personas, client):
    client.force_login(personas.owner)
    response = client.post(reverse("recipe_new"), {"name": "Hooked", "trigger_kind": "webhook"})
    recipe = Recipe.objects.get()
    assert response["Location"] == reverse("recipe_edit", args=[recipe.pk])
    assert recipe.draft == {
        "format": "stepwise.recipe/1",
        "name": "Hooked",
        "trigger": {"kind": "webhook"},
        "steps": [],
    }
    client.force_login(personas.viewer)
    assert client.post(reverse("recipe_new"), {"name": "No", "trigger_kind": "manual"}).status_code == 403
