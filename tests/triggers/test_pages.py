"""The recipe page's trigger panel, its regenerate button and the poll start choice."""

from datetime import UTC, datetime

import pytest
from django.test import Client

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
    response = browser(personas.owner).post(f"/recipes/{recipe.pk}/trigger/regenerate/")
    assert response.status_code == 302
    assert WebhookHook.objects.get(recipe=recipe).token != old


def test_a_schedule_recipe_page_lists_the_next_five_runs(personas):
    recipe = schedule_recipe(personas.a)
    page = browser(personas.viewer).get(f"/recipes/{recipe.pk}/").content.decode()
    assert page.count("<li><time>") == 5
    assert "0 9 * * 1-5" in page


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


def test_a_bad_date_says_so_and_starts_nothing(personas, desk):
    recipe = poll_recipe(personas.a, desk)
    response = browser(personas.owner).post(f"/recipes/{recipe.pk}/start/",
                                            {"poll_from_choice": "date", "poll_from_date": "2999-01-01T00:00"},
                                            follow=True)  # fmt: skip
    assert "Give a time in the past" in response.content.decode()
    recipe.refresh_from_db()
    assert recipe.state == "stopped"
    assert not PollState.objects.filter(recipe=recipe).exists()


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
