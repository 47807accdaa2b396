"""Bodies the database cannot store (NaN, Infinity, 1e999, deep nesting) are a 400 naming
the problem everywhere a recipe or a payload comes in, and change nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from builder.jobs.models import Job
from builder.recipes.models import Recipe
from builder.recipes.services import recipe_create

pytestmark = pytest.mark.django_db

MANUAL = '{"format": "stepwise.recipe/1", "name": "Echo", "trigger": {"kind": "manual"}, "steps": [%s]}'
SET = '{"id": "v", "set": {"x": %s}}'
DEEP = "[" * 5000 + "]" * 5000
STRANGE = ["NaN", "Infinity", "-Infinity", "1e999", DEEP]


@pytest.mark.parametrize("value", STRANGE)
def test_creating_a_recipe_with_strange_json_is_a_400(personas, api_as, value):
    body = '{"definition": %s}' % (MANUAL % (SET % value))
    response = api_as(personas.owner).generic("POST", "/api/recipes/", body, content_type="application/json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_json"
    assert "JSON" in error["message"] or "levels" in error["message"]
    assert not Recipe.objects.exists()


def test_a_form_body_is_refused_the_api_reads_json_only(personas, api_as):
    response = api_as(personas.owner).post("/api/recipes/", {"definition": MANUAL % (SET % "1")}, format="multipart")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"
    assert not Recipe.objects.exists()


@pytest.mark.parametrize("value", STRANGE)
def test_a_test_run_with_a_strange_payload_is_a_400_and_runs_nothing(personas, api_as, sent, value):
    recipe = recipe_create(workspace=personas.a, definition={"format": "stepwise.recipe/1", "name": "Echo",
                                                             "trigger": {"kind": "manual"}, "steps": []})  # fmt: skip
    body = '{"trigger": {"body": {"x": VALUE}}}'.replace("VALUE", value)
    response = api_as(personas.owner).generic("POST", f"/api/recipes/{recipe.pk}/test/", body,
                                              content_type="application/json")  # fmt: skip
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"
    assert not Job.objects.exists()
    assert sent == []


@pytest.mark.parametrize("value", ["NaN", "1e999", DEEP])
def test_importing_a_file_with_strange_json_says_so_and_creates_nothing(personas, client, value):
    client.force_login(personas.owner)
    content = (MANUAL % (SET % value)).encode()
    response = client.post(reverse("recipe_import"),
                           {"file": SimpleUploadedFile("r.json", content, content_type="application/json")},
                           follow=True)  # fmt: skip
    assert response.status_code == 200
    assert "not valid JSON" in response.content.decode() or "levels deep" in response.content.decode()
    assert not Recipe.objects.exists()


@pytest.mark.parametrize("value", ["NaN", "1e999", DEEP])
def test_a_page_test_run_with_a_strange_payload_says_so_and_runs_nothing(personas, client, sent, value):
    recipe = recipe_create(workspace=personas.a, definition={"format": "stepwise.recipe/1", "name": "Echo",
                                                             "trigger": {"kind": "manual"}, "steps": []})  # fmt: skip
    client.force_login(personas.owner)
    sample = '{"body": VALUE}'.replace("VALUE", value)
    response = client.post(reverse("recipe_test", args=[recipe.pk]), {"trigger": sample}, follow=True)
    assert response.status_code == 200
    assert "sample payload" in response.content.decode()
    assert not Job.objects.exists()
