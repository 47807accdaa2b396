"""The recipe page's trigger panel in a real browser: a webhook's URL, its test URL taking a
sample, regenerate behind a confirm, a schedule's next runs, and a polling recipe's first
start from a date."""

import json
import urllib.error
import urllib.request
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.stack import api_login, http

pytestmark = [pytest.mark.browser, pytest.mark.stack]


def imported(stack, definition, bindings=None) -> int:
    headers, workspace = api_login(stack)
    status, recipe = http("POST", f"{stack.base_url}/api/recipes/import/",
                          {"workspace": workspace, "definition": definition, "bindings": bindings or {}},
                          headers)  # fmt: skip
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
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    copy = page.locator('button[data-copy="#webhook-url"]')
    expect(copy).to_have_text("Copy")
    copy.click()
    expect(copy).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == url
    test_url = page.locator("#webhook-test-url").inner_text()
    request = urllib.request.Request(test_url, data=json.dumps({"ticket": 42}).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})  # fmt: skip
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200
    page.reload()
    expect(page.get_by_test_id("webhook-sample")).to_contain_text('"ticket": 42')
    expect(page.get_by_test_id("sample-at")).to_contain_text("UTC")
    screenshot(page, "recipe-trigger-webhook")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Regenerate URL").click()
    expect(page.get_by_test_id("webhook-url")).to_have_text(url)  # cancelled: the URL stays
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Regenerate URL").click()
    expect(page.get_by_test_id("webhook-url")).not_to_have_text(url)
    with pytest.raises(urllib.error.HTTPError) as dead:
        urllib.request.urlopen(urllib.request.Request(url, data=b"{}", method="POST"), timeout=10)
    assert dead.value.code == 404


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
    expect(page.get_by_test_id("schedule-words")).to_have_text("At 09:00, Monday through Friday (Europe/Paris)")
    screenshot(page, "recipe-trigger-schedule")


def test_a_polling_recipe_starts_from_a_date_chosen_on_its_page(signed_in, stack):
    page = signed_in
    headers, workspace = api_login(stack)
    status, connection = http("POST", f"{stack.base_url}/api/connections/", {
        "workspace": workspace, "connector": "http", "name": f"Desk {uuid.uuid4().hex[:6]}",
        "fields": {"base_url": "http://127.0.0.1:9/", "auth_type": "none"},
    }, headers)  # fmt: skip
    assert status == 201, connection
    recipe_id = imported(stack, {
        "format": "stepwise.recipe/1", "name": "New tickets",
        "connections": {"api": {"connector": "http"}},
        "trigger": {"kind": "poll", "poll": "http.new_items", "connection": "api", "input": {"url": "/items"},
                    "every_seconds": 60},
        "steps": [{"id": "note", "action": "data.log", "input": {"message": "{{ trigger.body }}"}}],
    }, bindings={"api": connection["id"]})  # fmt: skip
    page.goto(f"/recipes/{recipe_id}/")
    choice = page.get_by_test_id("poll-from")
    expect(choice).to_be_visible()
    choice.get_by_label("a date").check()
    choice.locator("input[type=datetime-local]").fill("2999-01-01T00:00")
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_test_id("poll-from-error")).to_contain_text("Give a time in the past")
    expect(page.get_by_test_id("state")).to_have_text("stopped")
    expect(choice.locator("input[type=datetime-local]")).to_have_value("2999-01-01T00:00")
    screenshot(page, "recipe-trigger-poll-bad-date")
    choice.locator("input[type=datetime-local]").fill("2026-11-01T09:30")
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_test_id("state")).to_have_text("running")
    expect(page.get_by_test_id("poll-from")).to_have_count(0)
    expect(page.get_by_test_id("poll-state")).to_contain_text("2026-11-01 09:30:00 UTC")
    screenshot(page, "recipe-trigger-poll")
