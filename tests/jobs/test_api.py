import json
from pathlib import Path

import pytest

from builder.jobs import runtime, services
from builder.jobs.models import Job
from builder.recipes.services import recipe_create
from tests.factories import published_recipe

pytestmark = pytest.mark.django_db

LOG_STEP = {"id": "log", "action": "data.log", "input": {"message": "{{ trigger.body.text }}"}}
DEFINITION = {"format": "stepwise.recipe/1", "name": "Log it", "trigger": {"kind": "manual"}, "steps": [LOG_STEP]}
EXAMPLE = json.loads((Path(__file__).parents[1] / "engine" / "golden" / "greet_new_hire.json").read_text())


def test_test_run_then_follow_the_job(personas, api_as, sent, django_capture_on_commit_callbacks):
    recipe = published_recipe(workspace=personas.a, definition=DEFINITION)
    client = api_as(personas.owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/recipes/{recipe.pk}/test/", {"trigger": {"body": {"text": "hi"}}}, format="json")
    assert response.status_code == 202
    job_id = response.json()["job_id"]
    assert response.json()["status_url"].endswith(f"/api/jobs/{job_id}/")
    assert sent == [job_id]
    runtime.job_execute(job_id=job_id, worker="w")
    detail = client.get(f"/api/jobs/{job_id}/").json()
    assert detail["status"] == "succeeded"
    assert detail["steps"][0]["output"] == {"message": "hi", "level": "info"}
    listed = client.get(f"/api/jobs/?recipe={recipe.pk}&status=succeeded").json()
    assert [j["id"] for j in listed["results"]] == [job_id]


def test_a_recipe_with_problems_cannot_be_test_run(personas, api_as, sent):
    recipe = recipe_create(workspace=personas.a, definition=EXAMPLE["definition"])
    response = api_as(personas.owner).post(f"/api/recipes/{recipe.pk}/test/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["problems"][0]["pointer"] == "/connections/chat"
    assert sent == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=done", "status"),
        ("since=yesterday", "since"),
        ("until=2026-13-99", "until"),
        ("until=2026-13-99T00:00", "until"),
        ("recipe=0", "recipe"),
        ("recipe=", "recipe"),
        ("recipe=1&recipe=2", "recipe"),
        ("since=0001-01-01T00:00:00%2B16:00", "since"),  # before year 1 in UTC
    ],
)
def test_bad_filters_name_the_field(personas, api_as, query, field):
    response = api_as(personas.owner).get(f"/api/jobs/?{query}")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_cancel_rerun_and_tenancy(personas, api_as, sent):
    recipe = published_recipe(workspace=personas.a, definition=DEFINITION)
    job = services.job_enqueue(recipe=recipe, trigger={"body": {"text": "x"}}, trigger_kind="manual")
    outsider = api_as(personas.outsider)
    assert outsider.get("/api/jobs/").json()["results"] == []
    for method, path in [("get", ""), ("post", "cancel/"), ("post", "rerun/")]:
        assert getattr(outsider, method)(f"/api/jobs/{job.pk}/{path}").status_code == 404
    assert api_as(personas.viewer).post(f"/api/jobs/{job.pk}/cancel/").status_code == 403
    owner = api_as(personas.owner)
    assert owner.post(f"/api/jobs/{job.pk}/cancel/").json()["status"] == "cancelled"
    again = owner.post(f"/api/jobs/{job.pk}/cancel/")
    assert again.status_code == 409
    rerun = owner.post(f"/api/jobs/{job.pk}/rerun/").json()
    assert rerun["rerun_of"] == job.pk
    assert rerun["status"] == "queued"


def test_a_nul_in_a_test_payload_is_kept_as_a_replacement_character(personas, api_as, sent):
    # Even in a key at the top of the payload: PostgreSQL answered 500.
    recipe = published_recipe(workspace=personas.a, definition=DEFINITION)
    trigger = {"body\x00": {"text\x00": "hi\x00"}}
    response = api_as(personas.owner).post(f"/api/recipes/{recipe.pk}/test/", {"trigger": trigger}, format="json")
    assert response.status_code == 202
    assert Job.objects.get().trigger == {"body\ufffd": {"text\ufffd": "hi\ufffd"}}
