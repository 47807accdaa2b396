"""The recipe page's trigger panel, its regenerate button and the poll start choice."""

import re
from datetime import UTC, datetime

import pytest
from django.test import Client

from builder.connections.services import connection_create
from builder.recipes.services import recipe_create
from builder.triggers.models import PollState, WebhookHook
from tests.triggers.conftest import hook_recipe
from tests.triggers.test_polls import poll_recipe
from tests.triggers.test_schedules import schedule_recipe


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_webhook_recipe_page_shows_its_urls_and_sample_to_a_builder(personas, sent):
    recipe = hook_recipe(personas.a)
    Client().post(f"/hooks/test/{recipe.webhook.test_token}/", '{"ticket": 42}', content_type="application/json")
    page = browser(personas.owner).get(f"/recipes/{recipe.pk}/").content.decode()
    assert f"/hooks/{recipe.webhook.token}/" in page
    assert "&quot;ticket&quot;: 42" in page
    viewer_page = browser(personas.viewer).get(f"/recipes/{recipe.pk}/").content.decode()
    assert recipe.webhook.token not in viewer_page


def test_regenerate_from_the_page(personas, sent):
    recipe = hook_recipe(personas.a)
    old = recipe.webhook.token
    assert browser(personas.viewer).post(f"/recipes/{recipe.pk}/trigger/regenerate/").status_code == 403
    assert WebhookHook.objects.get(recipe=recipe).token == old
    assert "Regenerate URL" not in browser(personas.viewer).get(f"/recipes/{recipe.pk}/").content.decode()
    owner = browser(personas.owner)
    assert 'data-confirm="Make a new URL?' in owner.get(f"/recipes/{recipe.pk}/").content.decode()
    response = owner.post(f"/recipes/{recipe.pk}/trigger/regenerate/", follow=True)
    new = WebhookHook.objects.get(recipe=recipe).token
    assert new != old
    assert f"/hooks/{new}/" in response.content.decode()
    assert "the old one no longer works" in response.content.decode()
    assert Client().post(f"/hooks/{old}/", "{}", content_type="application/json").status_code == 404


def test_a_stopped_webhook_recipe_page_makes_its_urls_on_request(personas):
    recipe = hook_recipe(personas.a, start=False)
    owner = browser(personas.owner)
    assert "gets its secret URL when it starts" in owner.get(f"/recipes/{recipe.pk}/").content.decode()
    page = owner.post(f"/recipes/{recipe.pk}/trigger/regenerate/", follow=True).content.decode()
    assert f"/hooks/test/{WebhookHook.objects.get(recipe=recipe).test_token}/" in page
    assert "Send a sample event to the test URL to see its data here." in page


def test_a_schedule_recipe_page_lists_the_next_five_runs_in_its_time_zone(personas):
    recipe = schedule_recipe(personas.a)
    page = browser(personas.viewer).get(f"/recipes/{recipe.pk}/").content.decode()
    runs = re.findall(r'<li><time datetime="([^"]+)">([^<]+)</time></li>', page)
    assert len(runs) == 5
    for iso, shown in runs:
        assert iso.endswith(("+01:00", "+02:00"))  # Paris time, not UTC
        assert shown.endswith(", 09:00")
    assert "At 09:00, Monday through Friday (Europe/Paris)" in page
    assert "paused while stopped" in page


def test_a_running_interval_schedule_page(personas):
    from builder.recipes.services import recipe_start

    recipe = schedule_recipe(personas.a, every_seconds=3600)
    recipe_start(recipe=recipe)
    page = browser(personas.viewer).get(f"/recipes/{recipe.pk}/").content.decode()
    assert "Every hour" in page
    assert ">scheduled</span>" in page
    assert page.count("<li><time ") == 5


@pytest.fixture
def desk(settings):
    from connectors.testkit import LocalServer

    settings.ALLOW_PRIVATE_NETWORKS = True
    with LocalServer() as server:
        yield server


def test_a_polling_recipe_starts_from_the_date_chosen_on_the_page(personas, desk):
    recipe = poll_recipe(personas.a, desk)
    owner = browser(personas.owner)
    assert 'data-testid="poll-from"' in owner.get(f"/recipes/{recipe.pk}/").content.decode()
    owner.post(f"/recipes/{recipe.pk}/start/", {"poll_from_choice": "date", "poll_from_date": "2026-11-01T09:30"})
    assert PollState.objects.get(recipe=recipe).since == datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
    assert 'data-testid="poll-from"' not in owner.get(f"/recipes/{recipe.pk}/").content.decode()


@pytest.mark.parametrize(("typed", "said"), [("2999-01-01T00:00", "Give a time in the past"),
                                              ("1 Nov", "Give &quot;now&quot; or a date"),
                                              ("", "Choose the date and time")])  # fmt: skip
def test_a_bad_date_says_so_next_to_it_and_starts_nothing(personas, desk, typed, said):
    recipe = poll_recipe(personas.a, desk)
    response = browser(personas.owner).post(f"/recipes/{recipe.pk}/start/",
                                            {"poll_from_choice": "date", "poll_from_date": typed})  # fmt: skip
    assert response.status_code == 400
    page = response.content.decode()
    error = re.search(r'data-testid="poll-from-error">([^<]*)<', page)
    assert error
    assert said in error.group(1)
    assert f'name="poll_from_date" value="{typed}"' in page
    assert re.search(r'value="date" form="state-form" checked', page)
    recipe.refresh_from_db()
    assert recipe.state == "stopped"
    assert not PollState.objects.filter(recipe=recipe).exists()


def test_a_poll_page_shows_its_state_after_polls(personas, desk, sent):
    from builder.recipes.services import recipe_start
    from builder.triggers.polls import poll_run

    desk.reply("GET", "/items", json={"items": [{"id": 1, "title": "One"}, {"id": 2, "title": "Two"}],
                                      "next_cursor": "c2"})  # fmt: skip
    recipe = poll_recipe(personas.a, desk)
    recipe_start(recipe=recipe)
    poll_run(recipe_id=recipe.pk)
    page = browser(personas.viewer).get(f"/recipes/{recipe.pk}/").content.decode()
    state = re.search(r'data-testid="poll-state">(.*?)</dl>', page, re.S).group(1)
    assert re.search(r"<dt>Items taken</dt><dd>2</dd>", state)
    assert "<code>&quot;c2&quot;</code>" in state
    assert re.search(r"<dt>Failures in a row</dt><dd>0</dd>", state)
    assert 'data-testid="erroring"' not in page
    assert 'data-testid="poll-from"' not in page


def test_an_erroring_poll_is_shown(personas, desk, settings, sent):
    from builder.recipes.services import recipe_start
    from builder.triggers.polls import poll_run

    settings.POLL_MAX_FAILURES = 1
    desk.reply("GET", "/items", status=500, json={})
    recipe = poll_recipe(personas.a, desk)
    recipe_start(recipe=recipe)
    poll_run(recipe_id=recipe.pk)
    page = browser(personas.viewer).get(f"/recipes/{recipe.pk}/").content.decode()
    assert 'data-testid="erroring"' in page
    assert "500" in page
    assert 'data-testid="erroring"' in browser(personas.viewer).get("/recipes/").content.decode()


def test_the_recipes_list_finds_erroring_polls_in_one_query(personas, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.POLL_MAX_FAILURES = 3
    viewer = browser(personas.viewer)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert viewer.get("/recipes/").status_code == 200
        return len(captured)

    api = connection_create(workspace=personas.a, connector="http", name="API",
                            fields={"base_url": "http://127.0.0.1:9/", "auth_type": "none"})  # fmt: skip

    def failing_poll(failures: int):
        definition = {
            "format": "stepwise.recipe/1", "name": f"Poll failing {failures} times",
            "connections": {"api": {"connector": "http"}},
            "trigger": {"kind": "poll", "poll": "http.new_items", "connection": "api", "input": {"url": "/items"},
                        "every_seconds": 60},
            "steps": [{"id": "note", "action": "data.log", "input": {"message": "{{ trigger.body }}"}}],
        }  # fmt: skip
        recipe = recipe_create(workspace=personas.a, definition=definition, bindings={"api": api.pk})
        PollState.objects.create(recipe=recipe, since=datetime(2026, 1, 1, tzinfo=UTC), failures=failures)
        return recipe

    first = failing_poll(3)
    one = queries()
    for failures in (5, 1, 0):
        failing_poll(failures)
    assert queries() == one
    page = viewer.get("/recipes/").content.decode()
    assert page.count('data-testid="erroring"') == 2
    assert first.name in page


@pytest.mark.parametrize("trigger", [{"cron": "every morning", "timezone": "UTC"},
                                     {"cron": "0 9 * * *", "timezone": "Mars/Olympus"},
                                     {"every_seconds": "often"}])  # fmt: skip
def test_a_schedule_that_does_not_parse_still_shows_its_page(personas, api_as, trigger):
    recipe = schedule_recipe(personas.a, **trigger)
    schedule = api_as(personas.owner).get(f"/api/recipes/{recipe.pk}/trigger/").json()["schedule"]
    assert schedule["next_runs"] == []
    response = browser(personas.owner).get(f"/recipes/{recipe.pk}/")
    assert response.status_code == 200
    assert "None: the schedule is not valid" in response.content.decode()
    assert 'data-testid="problems"' in response.content.decode()
