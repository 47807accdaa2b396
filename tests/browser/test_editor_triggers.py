"""The editor's trigger panel (a schedule in words with its next runs; a webhook waiting for a
test event that becomes the test data) and a pick list filled live from a bound connection."""

import json
import re
import time
import urllib.request

import pytest
from playwright.sync_api import expect

from connectors.testkit import LocalServer
from tests.browser.conftest import screenshot
from tests.browser.test_editor import made, saved_when
from tests.stack import http

pytestmark = [pytest.mark.browser, pytest.mark.stack]


def recipe_of(trigger: dict, steps: list | None = None, connections: dict | None = None) -> dict:
    definition = {"format": "stepwise.recipe/1", "name": f"Trigger {time.time_ns()}", "trigger": trigger,
                  "steps": steps or []}  # fmt: skip
    if connections:
        definition["connections"] = connections
    return definition


def test_a_schedule_says_when_it_runs_and_refuses_a_bad_cron(signed_in, stack):
    page = signed_in
    headers, url, recipe = made(stack, recipe_of({"kind": "schedule", "every_seconds": 3600}))
    page.goto(f"/recipes/{recipe['id']}/edit/")
    page.locator(".card-recipe .card-main").click()
    preview = page.get_by_test_id("schedule-preview")
    expect(preview).to_contain_text("Every hour")  # in words, as the server says them
    expect(preview.locator("li").first).to_contain_text("UTC")
    page.get_by_label("On a cron schedule").check()
    page.get_by_label("Time zone").fill("Europe/Paris")
    expect(preview.locator("li")).to_have_count(5)
    expect(preview.locator("li").first).to_contain_text("09:00")
    expect(preview.locator("li").first).to_contain_text("+01:00")
    saved = saved_when(page, url, headers, lambda d: d["trigger"].get("timezone") == "Europe/Paris")["definition"]
    assert saved["trigger"] == {"kind": "schedule", "cron": "0 9 * * 1-5", "timezone": "Europe/Paris"}
    screenshot(page, "editor-schedule")
    page.get_by_label(re.compile("^Cron")).fill("61 * * * *")
    expect(preview.locator(".field-error")).to_be_visible()
    expect(preview.locator("li")).to_have_count(0)


def test_a_webhook_waits_for_a_test_event_which_becomes_the_test_data(signed_in, stack):
    page = signed_in
    _headers, _url, recipe = made(stack, recipe_of({"kind": "webhook"}))
    page.goto(f"/recipes/{recipe['id']}/edit/")
    page.locator(".card-recipe .card-main").click()
    page.get_by_role("button", name="Make the URLs now").click()
    test_url = page.get_by_test_id("editor-webhook-test-url").inner_text()
    page.get_by_role("button", name="Wait for a test event").click()
    request = urllib.request.Request(test_url, data=json.dumps({"ticket": 42}).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})  # fmt: skip
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200
    expect(page.get_by_role("button", name="Wait for a test event")).to_be_visible(timeout=15_000)  # it came
    page.get_by_role("button", name="Test", exact=True).click()
    expect(page.get_by_label("Sample trigger data (JSON)")).to_have_value(re.compile('"ticket": 42'))


def test_a_pick_list_fills_from_the_bound_connection(signed_in, stack):
    page = signed_in
    steps = [{"id": "post", "action": "slack.post_message", "connection": "team", "input": {"text": "hi"}}]
    headers, url, recipe = made(stack, recipe_of({"kind": "manual"}, steps, {"team": {"connector": "slack"}}))
    with LocalServer() as slack:
        slack.reply("POST", "/conversations.list", json={"ok": True, "channels": [
            {"id": "C2", "name": "random"}, {"id": "C1", "name": "general"}]})  # fmt: skip
        status, connection = http("POST", f"{stack.base_url}/api/connections/", {
            "workspace": recipe["workspace"], "connector": "slack", "name": f"Slack {time.time_ns()}",
            "fields": {"bot_token": "xoxb-1", "api_base_url": slack.url}}, headers)  # fmt: skip
        assert status == 201, connection
        page.goto(f"/recipes/{recipe['id']}/edit/")
        page.get_by_role("button", name=re.compile("^Step 1: ")).click()
        panel = page.get_by_test_id("step-panel")
        panel.get_by_label("Connection for slot team").select_option(label=connection["name"])
        page.get_by_role("button", name="Load options for channel").click()
        panel.get_by_label("Choose channel").select_option(label="#general")
        saved = saved_when(page, url, headers, lambda d: d["steps"][0]["input"].get("channel") == "C1")
        assert saved["bindings"] == {"team": connection["id"]}
        screenshot(page, "editor-pick-list")
