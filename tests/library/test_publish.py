"""Publishing a recipe to the library: the offer made of its last test run, bindings left
behind, samples screened for secrets (never stored) and personal data (stored only when the
owner accepts), the self-test run first, later publishes as new versions, unpublish."""

import copy
import json

import pytest

from builder.connections.services import connection_create
from builder.jobs import runtime
from builder.library.models import Template, TemplateVersion
from builder.recipes.drafts import draft_save
from builder.recipes.services import recipe_create
from tests.library.conftest import GOLDEN

pytestmark = pytest.mark.django_db

META = {"title": "Welcome new hires", "summary": "Greets them in chat.", "category": "HR", "tags": ["onboarding"],
        "description": "Says hello.", "setup_notes": {"chat": "Your Moveworks connection."}}  # fmt: skip
SECRET_KEY = "mw-live-key-8d1f0c77a2"


@pytest.fixture
def recipe(personas, chat):
    # Another connection of the workspace, whose secret must never reach the library.
    connection_create(workspace=personas.a, connector="moveworks", name="Other",
                      fields={"base_url": "https://api.moveworks.ai", "api_key": SECRET_KEY})  # fmt: skip
    return recipe_create(workspace=personas.a, definition=copy.deepcopy(GOLDEN["definition"]),
                         bindings={"chat": chat.pk})  # fmt: skip


def after_a_test_run(client, recipe, trigger=None):
    """A test run of the draft on the worker, against the stand-in Moveworks."""
    answer = client.post(f"/api/recipes/{recipe.pk}/test/", {"trigger": trigger or GOLDEN["trigger"]}, format="json")
    assert answer.status_code == 202, answer.json()
    assert runtime.job_execute(job_id=answer.json()["job_id"], worker="w") == "succeeded"


def offer(client, recipe) -> dict:
    response = client.get(f"/api/templates/offer/?recipe={recipe.pk}")
    assert response.status_code == 200, response.json()
    return response.json()


def publish(client, recipe, self_test=None, **changes):
    return client.post("/api/templates/", {"recipe": recipe.pk, **META, "self_test": self_test, **changes},
                       format="json")  # fmt: skip


def test_the_last_test_run_is_offered_as_the_self_test(personas, api_as, sent, recipe, moveworks):
    client = api_as(personas.owner)
    after_a_test_run(client, recipe)
    offered = offer(client, recipe)
    case = offered["self_test"]["cases"][0]
    assert case["trigger"]["body"] == GOLDEN["trigger"]["body"]
    endpoint = f"{moveworks.url}/rest/v1/events/evt-1/messages/send"
    assert case["pins"] == {"tell": {"status": 200, "endpoint": endpoint, "response": {"ok": True}}}
    assert case["expect"]["calls"] == {"tell": [GOLDEN["expected"]["moveworks_request"]]}
    assert case["expect"]["response"] == {"status": 200, "body": {"greeting": "Hello Ada"}}
    assert offered["flags"] == []
    assert offered["title"] == "Greet a new hire"


def test_publishing_keeps_slots_drops_bindings_and_verifies(personas, api_as, sent, recipe):
    client = api_as(personas.owner)
    after_a_test_run(client, recipe)
    response = publish(client, recipe, offer(client, recipe)["self_test"])
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["verified"], body["version"], body["read_only"]) == (True, 1, False)
    assert body["recipe"]["connections"] == {"chat": {"connector": "moveworks"}}
    stored = json.dumps(list(TemplateVersion.objects.values()), default=str)
    assert "bindings" not in stored
    assert SECRET_KEY not in stored
    # Published again after a change: the next version of the same template.
    changed = copy.deepcopy(recipe.draft)
    changed["steps"][0]["input"]["message"] = "Welcome aboard, {{ trigger.body.name }}!"
    draft_save(recipe=recipe, definition=changed)
    after_a_test_run(client, recipe)
    again = publish(client, recipe, offer(client, recipe)["self_test"])
    assert (again.json()["id"], again.json()["version"]) == (body["id"], 2)


def test_a_workspace_secret_in_the_samples_is_flagged_and_nothing_is_stored(personas, api_as, sent, recipe):
    client = api_as(personas.owner)
    after_a_test_run(client, recipe, {"body": {"name": f"Ada {SECRET_KEY}", "email": "ada@example.com"}})
    offered = offer(client, recipe)
    assert {"pointer": "/self_test/cases/0/trigger/body/name", "kind": "secret",
            "message": "This is one of the workspace's connection secrets."} in offered["flags"]  # fmt: skip
    response = publish(client, recipe, offered["self_test"], accept_personal_data=True)
    assert response.status_code == 400, response.json()
    assert response.json()["error"]["code"] == "flagged_samples"
    assert not Template.objects.exists()


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("trigger", {"body": {"name": "Ada", "email": "ada@example.com"}, "headers": {"Authorization": "x-y-z-123"}}),
        (
            "trigger",
            {
                "body": {
                    "name": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N",
                    "email": "ada@example.com",
                }
            },
        ),
        ("pins", {"tell": {"status": 200, "endpoint": "/x", "response": {"token": "xoxb-1234567890-abcdef"}}}),
    ],
)
def test_a_credential_shaped_sample_is_refused(personas, api_as, sent, recipe, where, value):
    client = api_as(personas.owner)
    after_a_test_run(client, recipe)
    self_test = offer(client, recipe)["self_test"]
    self_test["cases"][0][where] = value
    response = publish(client, recipe, self_test, accept_personal_data=True)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "flagged_samples"
    assert not Template.objects.exists()


def test_personal_data_is_stored_only_when_the_owner_accepts_it(personas, api_as, sent, recipe):
    client = api_as(personas.owner)
    after_a_test_run(client, recipe, {"body": {"name": "Ada", "email": "ada.lovelace@gmail.com"}})
    offered = offer(client, recipe)
    assert offered["flags"]
    assert {f["kind"] for f in offered["flags"]} == {"personal"}
    refused = publish(client, recipe, offered["self_test"])
    assert (refused.status_code, refused.json()["error"]["code"]) == (400, "flagged_samples")
    assert not Template.objects.exists()
    assert publish(client, recipe, offered["self_test"], accept_personal_data=True).status_code == 201


def test_a_self_test_that_fails_is_refused(personas, api_as, sent, recipe):
    client = api_as(personas.owner)
    after_a_test_run(client, recipe)
    self_test = offer(client, recipe)["self_test"]
    self_test["cases"][0]["expect"]["calls"]["tell"][0]["message"] = "Something else"
    response = publish(client, recipe, self_test)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "self_test_failed"
    assert "self_test.cases.0.calls.tell.0.message" in error["fields"]
    assert not Template.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"title": ""}, "title"), ({"category": "Gardening"}, "category"), ({"self_test": {"cases": []}}, "self_test"),
     ({"tags": "x"}, "tags"), ({"setup_notes": {"nowhere": "x"}}, "setup_notes")],
)  # fmt: skip
def test_bad_publish_input_is_named(personas, api_as, sent, recipe, changes, field):
    client = api_as(personas.owner)
    after_a_test_run(client, recipe)
    response = publish(client, recipe, **{"self_test": offer(client, recipe)["self_test"], **changes})
    assert response.status_code == 400, response.json()
    assert any(key.startswith(field) for key in response.json()["error"]["fields"]), response.json()
    assert not Template.objects.exists()


def test_only_owners_publish_and_unpublish(personas, api_as, sent, recipe):
    owner = api_as(personas.owner)
    after_a_test_run(owner, recipe)
    self_test = offer(owner, recipe)["self_test"]
    assert api_as(personas.viewer).get(f"/api/templates/offer/?recipe={recipe.pk}").status_code == 403
    assert publish(api_as(personas.viewer), recipe, self_test).status_code == 403
    assert publish(api_as(personas.outsider), recipe, self_test).status_code == 404
    template = publish(owner, recipe, self_test).json()
    assert api_as(personas.outsider).post(f"/api/templates/{template['id']}/unpublish/").status_code == 403
    assert owner.post(f"/api/templates/{template['id']}/unpublish/").status_code == 200
    assert api_as(personas.outsider).get(f"/api/templates/{template['id']}/").status_code == 404
    assert owner.get("/api/templates/").json()["results"] == []
    assert publish(owner, recipe, self_test).json()["listed"] is True  # published again: listed, same version


def test_the_offer_leaves_out_headers_named_like_a_credential(personas, api_as, sent, recipe):
    client = api_as(personas.owner)
    headers = {"X-Hub-Signature-256": "sha256=0f3e9a", "Authorization": "Bearer abc", "X-Source": "desk"}
    after_a_test_run(client, recipe, {**GOLDEN["trigger"], "headers": headers})
    offered = offer(client, recipe)
    assert offered["self_test"]["cases"][0]["trigger"]["headers"] == {"X-Source": "desk"}
    assert offered["flags"] == []


def test_a_secret_in_the_recipe_or_the_notes_is_flagged_too(personas, api_as, sent, recipe):
    client = api_as(personas.owner)
    after_a_test_run(client, recipe)
    self_test = offer(client, recipe)["self_test"]
    del self_test["cases"][0]["expect"]["calls"]  # what the step sends is screened even when not expected
    changed = copy.deepcopy(recipe.draft)
    changed["steps"][0]["input"]["message"] = f"Welcome! key {SECRET_KEY}"
    draft_save(recipe=recipe, definition=changed)
    response = publish(client, recipe, self_test)
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert "/recipe/steps/0/input/message" in fields
    assert "/test_result/cases/0/calls/tell/0/message" in fields
    draft_save(recipe=recipe, definition=copy.deepcopy(GOLDEN["definition"]))
    noted = publish(client, recipe, self_test, setup_notes={"chat": "Use xoxb-1234567890-abcdefghij"})
    assert noted.json()["error"]["fields"] == {"/setup_notes/chat": ["This looks like a Slack token."]}
    assert not Template.objects.exists()


def test_the_author_is_the_workspace_and_the_slug_is_its_own(personas, api_as, sent, recipe):
    client = api_as(personas.owner)
    after_a_test_run(client, recipe)
    body = publish(client, recipe, offer(client, recipe)["self_test"]).json()
    assert body["author_name"] == personas.a.name
    assert body["slug"] == f"{personas.a.slug}-welcome-new-hires"
    assert personas.owner.username not in json.dumps(body)


@pytest.mark.parametrize(
    "steps",
    [
        [{"id": ["x"], "action": "moveworks.send_message", "connection": "chat", "input": {}}],
        [{"action": "moveworks.send_message", "connection": "chat", "input": {}}],
        "none",
    ],
)
def test_a_broken_draft_is_refused_by_field_not_by_a_crash(personas, api_as, recipe, steps):
    draft_save(recipe=recipe, definition={**copy.deepcopy(GOLDEN["definition"]), "steps": steps, "connections": None})
    client = api_as(personas.owner)
    assert client.get(f"/api/templates/offer/?recipe={recipe.pk}").status_code == 200
    response = publish(client, recipe, {"cases": [{"trigger": {}, "expect": {"calls": {}}}]})
    assert response.status_code == 400, response.content
    assert any(key.startswith("recipe") for key in response.json()["error"]["fields"])
    assert not Template.objects.exists()
