"""A webhook body the platform cannot store is refused with 400 and takes nothing; event ids
that are objects or too long are hashed, never kept as a Python repr or cut."""

import pytest

from builder.jobs.models import Job
from builder.triggers.models import TriggerEvent, WebhookHook
from tests.triggers.conftest import hook_recipe
from tests.triggers.test_webhooks import push

STRANGE = [
    (b'{"a": NaN}', "application/json"),
    (b'{"a": Infinity}', "application/json"),
    (b'{"a": 1e999}', "application/json"),
    (b"[" * 5000 + b"]" * 5000, "application/json"),
    (b'{"name": "\xff\xfe"}', "application/json"),
    (b'{"a": -Infinity}', ""),  # no content type, but it looks like JSON
]


@pytest.mark.parametrize(("body", "content_type"), STRANGE)
@pytest.mark.parametrize("test_url", [False, True])
def test_strange_json_is_a_400_and_takes_nothing(personas, sent, body, content_type, test_url):
    recipe = hook_recipe(personas.a)
    hook = WebhookHook.objects.get(recipe=recipe)
    response = push(hook.test_token if test_url else hook.token, body, content_type, test=test_url)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_event"
    assert any(word in response.json()["error"]["message"] for word in ("JSON", "UTF-8", "levels deep"))
    assert not Job.objects.exists()
    assert not TriggerEvent.objects.exists()
    hook.refresh_from_db()
    assert hook.sample is None


@pytest.mark.parametrize("value", [{"id": 7, "kind": "a"}, [1, 2], True])
def test_an_event_id_field_holding_an_object_is_hashed(personas, sent, value):
    import json

    from builder.recipes.services import recipe_update

    recipe = hook_recipe(personas.a, event_id_header="")
    definition = {**recipe.draft, "trigger": {**recipe.draft["trigger"], "input": {"event_id_field": "event"}}}
    recipe_update(recipe=recipe, definition=definition, publish=True)
    body = json.dumps({"event": value}).encode()
    first, again = push(recipe.webhook.token, body), push(recipe.webhook.token, body)
    assert first.status_code == 202
    event_id = first.json()["event_id"]
    assert event_id.startswith("sha256:")
    assert not set("{[") & set(event_id)
    assert event_id != "True"
    assert again.status_code == 200
    assert again.json()["job_id"] == first.json()["job_id"]


def test_a_long_event_id_is_hashed_not_cut(personas, sent):
    recipe = hook_recipe(personas.a)
    stem = "e" * 400
    first = push(recipe.webhook.token, **{"X-Event-Id": stem + "1"})
    second = push(recipe.webhook.token, **{"X-Event-Id": stem + "2"})
    assert first.status_code == second.status_code == 202  # two events, not one cut to the same prefix
    assert first.json()["job_id"] != second.json()["job_id"]
    assert all(len(key) <= 200 for key in TriggerEvent.objects.values_list("key", flat=True))
    assert push(recipe.webhook.token, **{"X-Event-Id": stem + "1"}).status_code == 200


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "application/vnd.api+json"])
def test_an_empty_ping_with_any_json_type_is_an_empty_event(personas, sent, content_type):
    recipe = hook_recipe(personas.a)
    response = push(recipe.webhook.token, b"", content_type)
    assert response.status_code == 202
    assert Job.objects.get(pk=response.json()["job_id"]).trigger["body"] == {}


def test_a_sample_with_nul_is_kept_without_it(personas, sent):
    recipe = hook_recipe(personas.a)
    hook = WebhookHook.objects.get(recipe=recipe)
    response = push(hook.test_token, b'{"note": "a\\u0000b"}', test=True)
    assert response.status_code == 200
    hook.refresh_from_db()
    assert hook.sample["body"] == {"note": "a\ufffdb"}
