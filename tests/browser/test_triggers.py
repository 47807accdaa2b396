"""The recipe page's trigger panel in a real browser: a webhook's URL, its test URL taking a
sample, and a schedule's next runs."""

import json
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.stack import api_login, http

pytestmark = [pytest.mark.browser, pytest.mark.stack]


def imported(stack, definition) -> int:
    headers, workspace = api_login(stack)
    status, recipe = http("POST", f"{stack.base_url}/api/recipes/import/",
                          {"workspace": workspace, "definition": definition}, headers)  # fmt: skip
    assert status == 201, recipe
    return recipe["id"]


def test_start_a_webhook_recipe_and_see_a_sample_event(signed_in, stack):
    page = signed_in
    recipe_id = imported(stack, {
        "format": "stepwise.recipe/1", "name": "Ticket pushed",
        "trigger": {"kind": "webhook", "input": {"event_id_header": "X-Event-Id"}},
        "steps": [{"id": "note", "action": "data.log", "input": {"message": "{{ trigger.body.ticket }}"}}],
    })  # fmt: skip
    page.goto(f"/recipes/{recipe_id}/")
    expect(page.get_by_test_id("trigger")).to_contain_text("gets its secret URL when it starts")
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_test_id("state")).to_have_text("running")
    url = page.get_by_test_id("webhook-url").inner_text()
    assert "/hooks/" in url
    expect(page.get_by_test_id("trigger").get_by_role("button", name="Copy").first).to_be_visible()
    test_url = page.locator("#webhook-test-url").inner_text()
    request = urllib.request.Request(test_url, data=json.dumps({"ticket": 42}).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})  # fmt: skip
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200
    page.reload()
    expect(page.get_by_test_id("webhook-sample")).to_contain_text('"ticket": 42')
    screenshot(page, "recipe-trigger-webhook")
    page.get_by_role("button", name="Regenerate URL").click()
    expect(page.get_by_test_id("webhook-url")).not_to_have_text(url)


def test_a_schedule_recipe_shows_its_next_five_runs(signed_in, stack):
    page = signed_in
    recipe_id = imported(stack, {
        "format": "stepwise.recipe/1", "name": "Weekday digest",
        "trigger": {"kind": "schedule", "cron": "0 9 * * 1-5", "timezone": "Europe/Paris"},
        "steps": [{"id": "note", "action": "data.log", "input": {"message": "{{ trigger.scheduled_for }}"}}],
    })  # fmt: skip
    page.goto(f"/recipes/{recipe_id}/")
    expect(page.get_by_test_id("next-runs").locator("li")).to_have_count(5)
    expect(page.get_by_test_id("next-runs")).to_contain_text("09:00")
    screenshot(page, "recipe-trigger-schedule")
