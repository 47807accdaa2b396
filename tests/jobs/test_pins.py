"""A test run may pin action steps' outputs: they call no app, the rest of the recipe runs on
the pinned data, and their job steps say they were pinned."""

import json
from pathlib import Path

import pytest

from builder.jobs import runtime
from builder.jobs.models import Job
from builder.recipes.services import recipe_create

pytestmark = pytest.mark.django_db

EXAMPLE = json.loads((Path(__file__).parents[1] / "engine" / "golden" / "greet_new_hire.json").read_text())


@pytest.fixture
def recipe(personas, chat):
    return recipe_create(workspace=personas.a, definition=EXAMPLE["definition"], bindings={"chat": chat.pk})


def test_a_pinned_step_sends_no_message_and_the_run_goes_on(personas, api_as, sent, recipe, moveworks):
    client = api_as(personas.owner)
    response = client.post(f"/api/recipes/{recipe.pk}/test/", {"trigger": EXAMPLE["trigger"],
                                                               "pins": {"tell": {"sent": "pinned"}}},
                           format="json")  # fmt: skip
    assert response.status_code == 202, response.json()
    assert runtime.job_execute(job_id=response.json()["job_id"], worker="w") == "succeeded"
    assert moveworks.requests == []
    steps = {s["step_id"]: s for s in client.get(f"/api/jobs/{response.json()['job_id']}/").json()["steps"]}
    assert (steps["tell"]["pinned"], steps["tell"]["output"]) == (True, {"sent": "pinned"})
    assert steps["tell"]["input"] == {"recipients": ["ada@example.com"], "message": "Welcome, Ada!"}  # as it would send
    assert steps["reply"]["pinned"] is False
    # A rerun keeps the pins; a run without them calls the app.
    again = client.post(f"/api/jobs/{response.json()['job_id']}/rerun/").json()
    runtime.job_execute(job_id=again["id"], worker="w")
    assert moveworks.requests == []
    plain = client.post(f"/api/recipes/{recipe.pk}/test/", {"trigger": EXAMPLE["trigger"]}, format="json").json()
    runtime.job_execute(job_id=plain["job_id"], worker="w")
    assert len(moveworks.requests) == 1


@pytest.mark.parametrize(
    ("pins", "field"),
    [({"nope": {}}, "pins.nope"), ({"reply": {}}, "pins.reply"), ({"vip": {}}, "pins.vip"), (["tell"], "pins")],
)
def test_a_pin_must_name_an_action_step_of_the_draft(personas, api_as, sent, recipe, pins, field):
    response = api_as(personas.owner).post(f"/api/recipes/{recipe.pk}/test/", {"pins": pins}, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Job.objects.exists()
    assert sent == []


def test_a_slot_only_pinned_steps_use_may_stay_unbound_for_a_test_run(personas, api_as, sent, moveworks):
    # A template's self-test, or a builder with no Moveworks connection yet: the pinned step
    # needs none. Unpinned, the same unbound slot still stops the run.
    recipe = recipe_create(workspace=personas.a, definition=EXAMPLE["definition"])
    client = api_as(personas.owner)
    refused = client.post(f"/api/recipes/{recipe.pk}/test/", {"trigger": EXAMPLE["trigger"]}, format="json")
    assert refused.status_code == 409, refused.json()
    assert [p["pointer"] for p in refused.json()["error"]["problems"]] == ["/connections/chat"]
    response = client.post(f"/api/recipes/{recipe.pk}/test/", {"trigger": EXAMPLE["trigger"],
                                                               "pins": {"tell": {"sent": "pinned"}}},
                           format="json")  # fmt: skip
    assert response.status_code == 202, response.json()
    assert runtime.job_execute(job_id=response.json()["job_id"], worker="w") == "succeeded"
    job = client.get(f"/api/jobs/{response.json()['job_id']}/").json()
    assert job["response"]["body"] == {"greeting": "Hello Ada"}
    assert moveworks.requests == []
    # Starting it still needs the binding: pins never reach a live run.
    start = client.post(f"/api/recipes/{recipe.pk}/start/", {}, format="json")
    assert start.status_code == 409
