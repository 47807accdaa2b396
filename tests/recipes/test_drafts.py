"""A recipe's draft through the API: saves from a revision, conflicts, publish, discard,
restore, and import that refuses what is not a recipe."""

import copy
import json
from pathlib import Path

import pytest

from builder.apiplatform.counters import counters
from builder.connections.services import connection_create
from builder.recipes.models import Recipe, RecipeVersion
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

EXAMPLE = json.loads((Path(__file__).parents[1] / "engine" / "golden" / "greet_new_hire.json").read_text())[
    "definition"
]


@pytest.fixture
def chat(personas):
    return connection_create(workspace=personas.a, connector="moveworks", name="Moveworks", fields={"api_key": "k"})


@pytest.fixture
def running(personas, api_as, chat):
    """A running recipe, published once (version 1), as its owner's client sees it."""
    client = api_as(personas.owner)
    body = client.post("/api/recipes/", {"workspace": personas.a.pk, "definition": EXAMPLE,
                                         "bindings": {"chat": chat.pk}}, format="json").json()  # fmt: skip
    assert client.post(f"/api/recipes/{body['id']}/start/").json()["live_version"] == 1
    return body["id"]


def edited(name: str) -> dict:
    changed = copy.deepcopy(EXAMPLE)
    changed["name"] = name
    return changed


def test_a_draft_save_bumps_the_revision_and_leaves_what_runs(personas, api_as, running):
    client = api_as(personas.owner)
    saved = client.patch(f"/api/recipes/{running}/", {"definition": edited("Greet v2"), "revision": 1}, format="json")
    assert saved.status_code == 200, saved.json()
    body = saved.json()
    assert (body["revision"], body["draft_saved_by"], body["name"]) == (2, "olivia", "Greet v2")
    assert (body["live_version"], body["unpublished_changes"], body["state"]) == (1, True, "running")
    assert RecipeVersion.objects.get(recipe_id=running).definition == EXAMPLE  # drafts are not versions


def test_the_second_of_two_editors_gets_409_and_nothing_is_lost(personas, api_as, running):
    colleague = UserFactory(username="bea")
    MembershipFactory(workspace=personas.a, user=colleague, role="builder")
    first = api_as(colleague).patch(f"/api/recipes/{running}/", {"definition": edited("Bea's"), "revision": 1},
                                    format="json")  # fmt: skip
    assert first.status_code == 200
    second = api_as(personas.owner).patch(f"/api/recipes/{running}/", {"definition": edited("Olivia's"),
                                                                        "revision": 1}, format="json")  # fmt: skip
    assert second.status_code == 409
    error = second.json()["error"]
    assert error["code"] == "stale_revision"
    assert error["current"]["revision"] == 2
    assert error["current"]["saved_by"] == "bea"
    assert error["current"]["saved_at"] == first.json()["draft_saved_at"].replace("Z", "+00:00")
    assert "revision 2 was saved by bea" in error["message"]
    assert "revision" in error["fields"]
    recipe = Recipe.objects.get(pk=running)
    assert (recipe.draft["name"], recipe.revision) == ("Bea's", 2)
    # Publishing from the stale revision is refused too: Olivia never saw Bea's draft.
    stale = api_as(personas.owner).post(f"/api/recipes/{running}/publish/", {"revision": 1}, format="json")
    assert stale.status_code == 409
    assert Recipe.objects.get(pk=running).live_version.number == 1


def test_a_save_that_changes_nothing_creates_nothing(personas, api_as, running):
    client = api_as(personas.owner)
    before = client.get(f"/api/recipes/{running}/").json()
    for _autosave in range(5):
        again = client.patch(f"/api/recipes/{running}/", {"definition": EXAMPLE, "revision": 1}, format="json")
        assert again.status_code == 200
    after = client.get(f"/api/recipes/{running}/").json()
    assert (after["revision"], after["draft_saved_at"], after["unpublished_changes"]) == (
        1, before["draft_saved_at"], False)  # fmt: skip
    assert RecipeVersion.objects.filter(recipe_id=running).count() == 1


def test_autosaves_of_a_draft_leave_the_gateways_caches_alone(personas, api_as, running):
    client = api_as(personas.owner)
    generation = counters().generation()
    for n in range(3):
        client.patch(f"/api/recipes/{running}/", {"definition": edited(f"Greet {n}")}, format="json")
    assert counters().generation() == generation
    client.post(f"/api/recipes/{running}/publish/", {}, format="json")
    assert counters().generation() > generation  # what runs changed: every process reloads


def test_publish_snapshots_the_draft_and_makes_it_live(personas, api_as, running):
    client = api_as(personas.owner)
    client.patch(f"/api/recipes/{running}/", {"definition": edited("Greet v2")}, format="json")
    published = client.post(f"/api/recipes/{running}/publish/", {"comment": "renamed", "revision": 2}, format="json")
    assert published.status_code == 200, published.json()
    assert (published.json()["live_version"], published.json()["unpublished_changes"]) == (2, False)
    versions = client.get(f"/api/recipes/{running}/versions/").json()
    assert [(v["number"], v["author"], v["comment"], v["live"]) for v in versions] == [
        (2, "olivia", "renamed", True), (1, "olivia", "Published on start", False)]  # fmt: skip
    # Publishing what is live already makes no version.
    assert client.post(f"/api/recipes/{running}/publish/", {}, format="json").json()["live_version"] == 2
    assert RecipeVersion.objects.filter(recipe_id=running).count() == 2


def test_publish_of_a_draft_with_problems_answers_every_problem_and_changes_nothing(personas, api_as, running):
    client = api_as(personas.owner)
    broken = copy.deepcopy(EXAMPLE)
    broken["steps"][0]["action"] = "moveworks.fly"
    broken["steps"][1]["id"] = "reply"
    client.patch(f"/api/recipes/{running}/", {"definition": broken}, format="json")
    response = client.post(f"/api/recipes/{running}/publish/", {"comment": "nope"}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_recipe"
    pointers = {p["pointer"] for p in error["problems"]}
    assert {"/steps/0/action", "/steps/2/id"} <= pointers
    assert len(error["fields"]["definition"]) == len(error["problems"])
    recipe = Recipe.objects.get(pk=running)
    assert (recipe.live_version.number, recipe.versions.count(), recipe.draft) == (1, 1, broken)


def test_publish_true_on_a_patch_applies_in_one_call_or_not_at_all(personas, api_as, running, chat):
    client = api_as(personas.owner)
    other = connection_create(workspace=personas.a, connector="moveworks", name="Other", fields={"api_key": "k2"})
    broken = {**EXAMPLE, "steps": [{"id": "x", "action": "moveworks.fly"}]}
    refused = client.patch(f"/api/recipes/{running}/", {"definition": broken, "bindings": {"chat": other.pk},
                                                         "folder": "HR", "publish": True}, format="json")  # fmt: skip
    assert refused.status_code == 400
    recipe = Recipe.objects.get(pk=running)
    assert (recipe.draft, recipe.bindings, recipe.folder, recipe.revision) == (EXAMPLE, {"chat": chat.pk}, "", 1)
    body = {"definition": edited("Greet now"), "folder": "HR", "publish": True, "comment": "script"}
    applied = client.patch(f"/api/recipes/{running}/", body, format="json")
    assert applied.status_code == 200, applied.json()
    assert (applied.json()["live_version"], applied.json()["folder"]) == (2, "HR")
    assert Recipe.objects.get(pk=running).live_version.comment == "script"


def test_discard_brings_the_live_version_back_as_the_draft(personas, api_as, running):
    client = api_as(personas.owner)
    client.patch(f"/api/recipes/{running}/", {"definition": edited("Half done")}, format="json")
    discarded = client.post(f"/api/recipes/{running}/discard/")
    assert discarded.status_code == 200
    body = discarded.json()
    assert (body["definition"], body["name"], body["unpublished_changes"], body["revision"]) == (
        EXAMPLE, "Greet a new hire", False, 3)  # fmt: skip


def test_discard_before_a_first_publish_is_refused(personas, api_as):
    client = api_as(personas.owner)
    pk = client.post("/api/recipes/", {"workspace": personas.a.pk, "definition": EXAMPLE}, format="json").json()["id"]
    response = client.post(f"/api/recipes/{pk}/discard/")
    assert response.status_code == 409
    assert "draft" in response.json()["error"]["fields"]


def test_restore_makes_a_version_the_draft_only(personas, api_as, running):
    client = api_as(personas.owner)
    client.patch(f"/api/recipes/{running}/", {"definition": edited("Greet v2"), "publish": True}, format="json")
    restored = client.post(f"/api/recipes/{running}/versions/1/restore/").json()
    assert (restored["definition"], restored["live_version"], restored["unpublished_changes"]) == (EXAMPLE, 2, True)
    assert client.post(f"/api/recipes/{running}/versions/9/restore/").status_code == 404


def test_a_viewer_cannot_change_the_draft(personas, api_as, running):
    viewer = api_as(personas.viewer)
    for path in ("publish/", "discard/", "versions/1/restore/"):
        assert viewer.post(f"/api/recipes/{running}/{path}", {}, format="json").status_code == 403
    assert viewer.patch(f"/api/recipes/{running}/", {"definition": edited("x")}, format="json").status_code == 403
    assert api_as(personas.outsider).post(f"/api/recipes/{running}/publish/", {}, format="json").status_code == 404


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({k: v for k, v in EXAMPLE.items() if k != "format"}, "definition.format"),
        ({**EXAMPLE, "format": "n8n.workflow"}, "definition.format"),
        ({**EXAMPLE, "format": "stepwise.recipe/2"}, "definition.format"),
        ([EXAMPLE], "definition"),
        ("stepwise.recipe/1", "definition"),
        ({"nodes": [], "connections": {}}, "definition.format"),
    ],
)
def test_import_refuses_a_document_that_is_not_a_recipe_whole(personas, api_as, chat, document, field):
    response = api_as(personas.owner).post("/api/recipes/import/", {"workspace": personas.a.pk,
                                                                     "definition": document,
                                                                     "bindings": {"chat": chat.pk}},
                                           format="json")  # fmt: skip
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Recipe.objects.exists()
    assert not RecipeVersion.objects.exists()


def test_import_keeps_a_recipe_with_problems_as_a_stopped_draft(personas, api_as):
    draft = copy.deepcopy(EXAMPLE)
    draft["steps"][0]["action"] = "moveworks.fly"
    response = api_as(personas.owner).post("/api/recipes/import/", {"workspace": personas.a.pk, "definition": draft},
                                           format="json")  # fmt: skip
    assert response.status_code == 201
    body = response.json()
    assert (body["state"], body["live_version"]) == ("stopped", None)
    assert "/steps/0/action" in {p["pointer"] for p in body["problems"]}
    assert [v["number"] for v in api_as(personas.owner).get(f"/api/recipes/{body['id']}/versions/").json()] == [1]


def test_one_patch_moves_a_running_recipe_to_another_slot_and_publishes(personas, api_as, running, chat):
    client = api_as(personas.owner)
    moved = copy.deepcopy(EXAMPLE)
    moved["connections"] = {"people": {"connector": "moveworks"}}
    moved["steps"][0]["connection"] = "people"
    body = {"definition": moved, "bindings": {"people": chat.pk}, "publish": True}
    response = client.patch(f"/api/recipes/{running}/", body, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["live_version"], response.json()["bindings"]) == (2, {"people": chat.pk})
    # Without the publish the live version would lose its slot: refused, and nothing changes.
    refused = client.patch(f"/api/recipes/{running}/", {"bindings": {}}, format="json")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "invalid_recipe"


def test_a_revision_alone_is_refused(personas, api_as, running):
    response = api_as(personas.owner).patch(f"/api/recipes/{running}/", {"revision": 1}, format="json")
    assert response.status_code == 400
    assert "revision" in response.json()["error"]["fields"]
