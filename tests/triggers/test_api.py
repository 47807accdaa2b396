"""/api/recipes/<id>/trigger/, regenerate, test-url, and start with poll_from."""

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from builder.triggers.models import PollState, WebhookHook
from tests.triggers.conftest import hook_recipe
from tests.triggers.test_polls import poll_recipe
from tests.triggers.test_schedules import schedule_recipe


def test_a_webhook_recipes_trigger_shows_its_urls_to_builders_only(personas, api_as):
    recipe = hook_recipe(personas.a)
    owner = api_as(personas.owner).get(f"/api/recipes/{recipe.pk}/trigger/").json()
    assert owner["kind"] == "webhook"
    assert owner["webhook"]["url"] == f"http://testserver/hooks/{recipe.webhook.token}/"
    assert owner["webhook"]["test_url"].endswith(f"/hooks/test/{recipe.webhook.test_token}/")
    viewer = api_as(personas.viewer).get(f"/api/recipes/{recipe.pk}/trigger/").json()
    assert viewer["webhook"]["url"] is None
    assert api_as(personas.outsider).get(f"/api/recipes/{recipe.pk}/trigger/").status_code == 404


def test_regenerate_kills_the_old_url(personas, api_as, sent):
    recipe = hook_recipe(personas.a)
    old = recipe.webhook.token
    response = api_as(personas.owner).post(f"/api/recipes/{recipe.pk}/trigger/regenerate/")
    assert response.status_code == 200
    assert old not in response.json()["webhook"]["url"]
    assert Client().post(f"/hooks/{old}/", "{}", content_type="application/json").status_code == 404
    assert api_as(personas.viewer).post(f"/api/recipes/{recipe.pk}/trigger/regenerate/").status_code == 403


def test_a_test_url_for_a_recipe_not_started(personas, api_as):
    recipe = hook_recipe(personas.a, start=False)
    response = api_as(personas.owner).post(f"/api/recipes/{recipe.pk}/trigger/test-url/")
    assert response.status_code == 200
    assert "/hooks/test/" in response.json()["webhook"]["test_url"]


def test_regenerate_on_another_trigger_is_a_conflict(personas, api_as):
    recipe = schedule_recipe(personas.a)
    response = api_as(personas.owner).post(f"/api/recipes/{recipe.pk}/trigger/regenerate/")
    assert response.status_code == 409
    assert "trigger" in response.json()["error"]["fields"]


def test_a_schedule_shows_its_next_five_runs(personas, api_as):
    recipe = schedule_recipe(personas.a)
    assert api_as(personas.viewer).get(f"/api/recipes/{recipe.pk}/trigger/").json()["schedule"]["enabled"] is False
    api_as(personas.owner).post(f"/api/recipes/{recipe.pk}/start/", {}, format="json")
    schedule = api_as(personas.viewer).get(f"/api/recipes/{recipe.pk}/trigger/").json()["schedule"]
    assert len(schedule["next_runs"]) == 5
    runs = [datetime.fromisoformat(when) for when in schedule["next_runs"]]
    paris = [when.astimezone(ZoneInfo("Europe/Paris")) for when in runs]
    assert all((when.hour, when.minute) == (9, 0) and when.weekday() < 5 for when in paris)
    assert runs == sorted(runs)
    assert schedule["enabled"] is True
    assert schedule["cron"] == "0 9 * * 1-5"
    assert schedule["timezone"] == "Europe/Paris"
    assert schedule["description"] == "At 09:00, Monday through Friday (Europe/Paris)"


def test_an_interval_schedule_in_words(personas, api_as):
    recipe = schedule_recipe(personas.a, every_seconds=900)
    schedule = api_as(personas.owner).get(f"/api/recipes/{recipe.pk}/trigger/").json()["schedule"]
    assert schedule["every_seconds"] == 900
    assert schedule["description"] == "Every 15 minutes"
    gaps = {b - a for a, b in pairwise(datetime.fromisoformat(when) for when in schedule["next_runs"])}
    assert gaps == {timedelta(seconds=900)}


def test_a_running_webhook_recipe_without_a_url_gets_one(personas, api_as):
    recipe = hook_recipe(personas.a)
    WebhookHook.objects.filter(recipe=recipe).delete()  # started before the triggers app existed
    webhook = api_as(personas.owner).get(f"/api/recipes/{recipe.pk}/trigger/").json()["webhook"]
    assert webhook["url"].endswith(f"/hooks/{WebhookHook.objects.get(recipe=recipe).token}/")


def test_a_stopped_webhook_recipe_has_no_url_until_asked(personas, api_as):
    recipe = hook_recipe(personas.a, start=False)
    webhook = api_as(personas.owner).get(f"/api/recipes/{recipe.pk}/trigger/").json()["webhook"]
    assert webhook["url"] is None
    assert webhook["sample"] is None
    assert not WebhookHook.objects.filter(recipe=recipe).exists()


def test_the_sample_sent_to_the_test_url_is_shown(personas, api_as, sent):
    recipe = hook_recipe(personas.a)
    test_url = api_as(personas.owner).get(f"/api/recipes/{recipe.pk}/trigger/").json()["webhook"]["test_url"]
    Client().post(test_url, '{"ticket": 42}', content_type="application/json")
    webhook = api_as(personas.viewer).get(f"/api/recipes/{recipe.pk}/trigger/").json()["webhook"]
    assert webhook["sample"]["body"] == {"ticket": 42}
    assert webhook["sample_at"] is not None
    assert webhook["test_url"] is None
    assert sent == []  # a sample runs nothing


@pytest.mark.parametrize("path", ["trigger/regenerate/", "trigger/test-url/"])
def test_viewers_and_outsiders_cannot_make_urls(personas, api_as, path):
    recipe = hook_recipe(personas.a, start=False)
    assert api_as(personas.viewer).post(f"/api/recipes/{recipe.pk}/{path}").status_code == 403
    assert api_as(personas.outsider).post(f"/api/recipes/{recipe.pk}/{path}").status_code == 404
    assert not WebhookHook.objects.filter(recipe=recipe).exists()


def test_a_test_url_keeps_a_stopped_recipes_push_url_dead(personas, api_as, sent):
    recipe = hook_recipe(personas.a, start=False)
    webhook = api_as(personas.owner).post(f"/api/recipes/{recipe.pk}/trigger/test-url/").json()["webhook"]
    assert Client().post(webhook["url"], "{}", content_type="application/json").status_code == 410
    assert Client().post(webhook["test_url"], "{}", content_type="application/json").status_code == 200
    assert sent == []


@pytest.fixture
def desk(settings):
    from connectors.testkit import LocalServer

    settings.ALLOW_PRIVATE_NETWORKS = True
    with LocalServer() as server:
        yield server


def test_a_first_start_takes_poll_from(personas, api_as, desk):
    recipe = poll_recipe(personas.a, desk)
    response = api_as(personas.owner).post(f"/api/recipes/{recipe.pk}/start/", {"poll_from": "2026-11-01T00:00:00Z"},
                                           format="json")  # fmt: skip
    assert response.status_code == 200
    assert PollState.objects.get(recipe=recipe).since == datetime(2026, 11, 1, tzinfo=UTC)
    poll = api_as(personas.owner).get(f"/api/recipes/{recipe.pk}/trigger/").json()["poll"]
    assert poll["started"] is True
    assert poll["erroring"] is False


def test_poll_from_now_and_a_later_start_keeps_the_first_choice(personas, api_as, desk):
    recipe = poll_recipe(personas.a, desk)
    client = api_as(personas.owner)
    before = timezone.now()
    assert client.post(f"/api/recipes/{recipe.pk}/start/", {"poll_from": "now"}, format="json").status_code == 200
    since = PollState.objects.get(recipe=recipe).since
    assert since >= before
    client.post(f"/api/recipes/{recipe.pk}/stop/")
    again = client.post(f"/api/recipes/{recipe.pk}/start/", {"poll_from": "2026-01-01T00:00:00Z"}, format="json")
    assert again.status_code == 200
    assert PollState.objects.get(recipe=recipe).since == since


def test_a_poll_recipe_not_started_says_so(personas, api_as, desk):
    recipe = poll_recipe(personas.a, desk)
    poll = api_as(personas.viewer).get(f"/api/recipes/{recipe.pk}/trigger/").json()["poll"]
    assert poll["started"] is False
    assert (poll["poll"], poll["every_seconds"], poll["cursor"], poll["items_taken"]) == ("http.new_items", 60, None, 0)


def test_a_viewer_cannot_start_with_poll_from(personas, api_as, desk):
    recipe = poll_recipe(personas.a, desk)
    response = api_as(personas.viewer).post(f"/api/recipes/{recipe.pk}/start/", {"poll_from": "now"}, format="json")
    assert response.status_code == 403
    assert not PollState.objects.filter(recipe=recipe).exists()


@pytest.mark.parametrize("value", ["yesterday", "2999-01-01T00:00:00Z", "2026-13-40T00:00:00Z", 12, ""])
def test_a_bad_poll_from_is_400_and_nothing_starts(personas, api_as, desk, value):
    recipe = poll_recipe(personas.a, desk)
    response = api_as(personas.owner).post(f"/api/recipes/{recipe.pk}/start/", {"poll_from": value}, format="json")
    assert response.status_code == 400
    assert "poll_from" in response.json()["error"]["fields"]
    recipe.refresh_from_db()
    assert recipe.state == "stopped"
    assert not PollState.objects.filter(recipe=recipe).exists()


def test_a_recipe_that_does_not_poll_ignores_the_time_but_not_its_form(personas, api_as):
    recipe = hook_recipe(personas.a, start=False)
    client = api_as(personas.owner)
    response = client.post(f"/api/recipes/{recipe.pk}/start/", {"poll_from": "yesterday"}, format="json")
    assert response.status_code == 400
    assert "poll_from" in response.json()["error"]["fields"]
    response = client.post(f"/api/recipes/{recipe.pk}/start/", {"poll_from": "2999-01-01T00:00:00Z"}, format="json")
    assert response.status_code == 200
    assert response.json()["state"] == "running"


def test_a_poll_that_keeps_failing_is_erroring(personas, api_as, desk, settings, sent):
    from builder.triggers.polls import poll_run

    settings.POLL_MAX_FAILURES = 2
    desk.reply("GET", "/items", status=500, json={})
    recipe = poll_recipe(personas.a, desk)
    api_as(personas.owner).post(f"/api/recipes/{recipe.pk}/start/", {}, format="json")
    poll_run(recipe_id=recipe.pk)
    poll_run(recipe_id=recipe.pk)
    poll = api_as(personas.owner).get(f"/api/recipes/{recipe.pk}/trigger/").json()["poll"]
    assert poll["erroring"] is True
    assert poll["failures"] == 2
    assert "500" in poll["last_error"]
