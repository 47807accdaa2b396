"""The gateway runs a recipe's live version: a draft being edited, saved with problems or
discarded changes no answer; a publish changes the next call at once; a job started before
a publish finishes on the version it started with."""

import copy

from builder.jobs.models import Job
from builder.jobs.runtime import job_execute
from builder.recipes.drafts import draft_save, recipe_discard, recipe_publish
from tests.apiplatform.conftest import GREET, Api


def greeting(word: str) -> dict:
    definition = copy.deepcopy(GREET)
    definition["steps"][0]["respond"]["body"]["greeting"] = word + " {{ trigger.body.name }}"
    return definition


def test_a_running_endpoint_answers_from_its_live_version_while_its_draft_changes(api):
    assert api.call(body={"name": "Ada"}).json() == {"greeting": "Hello Ada"}
    draft_save(recipe=api.recipe, definition=greeting("Hi"))
    assert api.call(body={"name": "Ada"}).json() == {"greeting": "Hello Ada"}
    broken = {**GREET, "steps": [{"id": "reply", "action": "nowhere.nothing"}]}
    draft_save(recipe=api.recipe, definition=broken)
    assert api.call(body={"name": "Ada"}).json() == {"greeting": "Hello Ada"}
    recipe_discard(recipe=api.recipe)
    assert api.call(body={"name": "Ada"}).json() == {"greeting": "Hello Ada"}
    draft_save(recipe=api.recipe, definition=greeting("Hi"))
    recipe_publish(recipe=api.recipe)
    assert api.call(body={"name": "Ada"}).json() == {"greeting": "Hi Ada"}  # the very next call


def test_a_draft_that_changes_the_contract_does_not_change_the_endpoints_until_published(api):
    stricter = copy.deepcopy(GREET)
    stricter["trigger"]["request_schema"]["required"] = ["name", "email"]
    draft_save(recipe=api.recipe, definition=stricter)
    assert api.call(body={"name": "Ada"}).status_code == 200
    recipe_publish(recipe=api.recipe)
    refused = api.call(body={"name": "Ada"})
    assert refused.status_code == 400
    assert "email" in refused.content.decode()


def test_a_job_queued_before_a_publish_finishes_on_its_own_version(personas, sent):
    api = Api(personas.a, mode="async")
    before = api.call(body={"name": "Ada"}).json()["job_id"]
    draft_save(recipe=api.recipe, definition=greeting("Hi"))
    recipe_publish(recipe=api.recipe)
    after = api.call(body={"name": "Bo"}).json()["job_id"]
    for job_id in (before, after):
        assert job_execute(job_id=job_id, worker="w") == "succeeded"
    old, new = Job.objects.get(pk=before), Job.objects.get(pk=after)
    assert (old.version.number, old.response["body"]) == (1, {"greeting": "Hello Ada"})
    assert (new.version.number, new.response["body"]) == (2, {"greeting": "Hi Bo"})
