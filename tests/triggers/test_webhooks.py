"""/hooks/<token>/: signature, size, body kinds, duplicates, stopped recipes, the test URL."""

import hashlib
import hmac
import json

import pytest
from django.test import Client

from builder.jobs.models import Job
from builder.recipes.services import recipe_start, recipe_stop
from builder.triggers.models import WebhookHook
from builder.triggers.services import hook_regenerate
from tests.triggers.conftest import hook_recipe


def push(token, body=b'{"ticket": 7}', content_type="application/json", test=False, **headers):
    url = f"/hooks/test/{token}/" if test else f"/hooks/{token}/?source=crm"
    return Client().generic("POST", url, body, content_type=content_type, headers=headers)


def signed(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_starting_a_webhook_recipe_gives_it_a_secret_url(personas):
    recipe = hook_recipe(personas.a)
    hook = WebhookHook.objects.get(recipe=recipe)
    assert len(hook.token) >= 40
    assert hook.token != hook.test_token


def test_a_push_is_taken_at_once_with_its_job(personas, sent):
    recipe = hook_recipe(personas.a)
    response = push(recipe.webhook.token, **{"X-Event-Id": "evt-1", "X-Source": "crm"})
    assert response.status_code == 202
    job = Job.objects.get(pk=response.json()["job_id"])
    assert job.trigger_kind == "webhook"
    assert job.recipe_id == recipe.pk
    assert job.trigger["body"] == {"ticket": 7}
    assert job.trigger["query"] == {"source": "crm"}
    assert job.trigger["headers"]["x-source"] == "crm"
    assert job.trigger["event_id"] == "evt-1"


def test_a_url_without_its_trailing_slash_is_taken_too(personas, sent):
    recipe = hook_recipe(personas.a)
    response = Client().post(f"/hooks/{recipe.webhook.token}", b'{"ticket": 8}', content_type="application/json")
    assert response.status_code == 202
    assert Job.objects.get(pk=response.json()["job_id"]).trigger["body"] == {"ticket": 8}


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (b"name=Ada&team=ops", "application/x-www-form-urlencoded", {"name": "Ada", "team": "ops"}),
        (b"plain words", "text/plain", "plain words"),
        (b"", "application/json", {}),
    ],
)
def test_form_and_plain_bodies_are_taken(personas, sent, body, content_type, expected):
    recipe = hook_recipe(personas.a)
    response = push(recipe.webhook.token, body, content_type)
    assert response.status_code == 202
    assert Job.objects.get(pk=response.json()["job_id"]).trigger["body"] == expected


def test_a_duplicate_delivery_runs_once_and_answers_the_first_job(personas, sent):
    recipe = hook_recipe(personas.a)
    first = push(recipe.webhook.token, **{"X-Event-Id": "evt-9"})
    again = push(recipe.webhook.token, b'{"ticket": 7, "retry": 1}', **{"X-Event-Id": "evt-9"})
    assert again.status_code == 200
    assert again.json() == {"job_id": first.json()["job_id"], "event_id": "evt-9", "status": "duplicate"}
    assert Job.objects.count() == 1


def test_without_an_event_id_identical_bodies_are_one_event(personas, sent):
    recipe = hook_recipe(personas.a, event_id_header="")
    push(recipe.webhook.token)
    push(recipe.webhook.token)
    push(recipe.webhook.token, b'{"ticket": 8}')
    assert Job.objects.count() == 2


def test_a_good_signature_is_taken_and_a_bad_one_refused(personas, sent):
    recipe = hook_recipe(personas.a, signing_secret="s3cret")
    body = b'{"ticket": 7}'
    good = push(recipe.webhook.token, body, **{"X-Hub-Signature-256": signed("s3cret", body)})
    assert good.status_code == 202
    bad = push(recipe.webhook.token, body, **{"X-Hub-Signature-256": signed("other", body), "X-Event-Id": "e2"})
    assert bad.status_code == 401
    assert bad.json()["error"]["code"] == "bad_signature"
    missing = push(recipe.webhook.token, body, **{"X-Event-Id": "e3"})
    assert missing.status_code == 401
    assert Job.objects.count() == 1
    assert "s3cret" not in json.dumps(Job.objects.get().trigger)


def test_an_event_over_the_size_limit_is_413(personas, sent, settings):
    settings.WEBHOOK_MAX_BODY_BYTES = 50
    recipe = hook_recipe(personas.a)
    response = push(recipe.webhook.token, json.dumps({"blob": "x" * 100}).encode())
    assert response.status_code == 413
    assert Job.objects.count() == 0


def test_bad_json_is_400_and_runs_nothing(personas, sent):
    recipe = hook_recipe(personas.a)
    response = push(recipe.webhook.token, b'{"ticket": ')
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_event"
    assert Job.objects.count() == 0


def test_a_stopped_recipes_url_is_410_and_runs_nothing(personas, sent):
    recipe = hook_recipe(personas.a)
    token = recipe.webhook.token
    recipe_stop(recipe=recipe)
    response = push(token)
    assert response.status_code == 410
    assert Job.objects.count() == 0
    recipe_start(recipe=recipe)
    assert push(token).status_code == 202  # the same URL again once started


def test_an_unknown_url_is_404(db):
    assert push("nope").status_code == 404


def test_get_is_405(personas, sent):
    recipe = hook_recipe(personas.a)
    assert Client().get(f"/hooks/{recipe.webhook.token}/").status_code == 405


def test_a_regenerated_url_replaces_the_old_one(personas, sent):
    recipe = hook_recipe(personas.a)
    old = recipe.webhook.token
    new = hook_regenerate(recipe=recipe)[0].token
    assert push(old).status_code == 404
    assert push(new).status_code == 202


def test_the_test_url_captures_a_sample_without_running(personas, sent):
    recipe = hook_recipe(personas.a, start=False)
    from builder.triggers.services import hook_for

    hook = hook_for(recipe)
    response = push(hook.test_token, b'{"ticket": 42}', test=True)
    assert response.status_code == 200
    hook.refresh_from_db()
    assert hook.sample["body"] == {"ticket": 42}
    assert Job.objects.count() == 0


def test_credentials_in_headers_are_not_kept(personas, sent):
    recipe = hook_recipe(personas.a)
    response = push(recipe.webhook.token, **{"Authorization": "Bearer app-secret", "Cookie": "session=s3",
                                             "X-Api-Key": "k3y", "X-Source": "crm"})  # fmt: skip
    job = Job.objects.get(pk=response.json()["job_id"])
    assert job.trigger["headers"]["x-source"] == "crm"
    assert not {"authorization", "cookie", "x-api-key"} & set(job.trigger["headers"])
    assert "app-secret" not in json.dumps(job.trigger)


def test_regenerating_replaces_the_test_url_too(personas, sent):
    recipe = hook_recipe(personas.a)
    old_test = recipe.webhook.test_token
    new, _had = hook_regenerate(recipe=recipe)
    assert new.test_token != old_test
    assert push(old_test, test=True).status_code == 404
