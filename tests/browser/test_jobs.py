import pytest
from playwright.sync_api import expect

from connectors.testkit import LocalServer
from tests.browser.conftest import screenshot
from tests.stack import api_login, http

pytestmark = [pytest.mark.browser, pytest.mark.stack]


def slow_recipe(url: str) -> dict:
    steps = [{"id": f"call{n}", "action": "http.request", "connection": "api",
              "input": {"method": "GET", "url": f"{url}/slow"}} for n in range(3)]  # fmt: skip
    steps.append({"id": "done", "set": {"calls": 3}})
    return {"format": "stepwise.recipe/1", "name": "Three slow calls", "connections": {"api": {"connector": "http"}},
            "trigger": {"kind": "manual"}, "steps": steps}  # fmt: skip


def test_a_jobs_steps_appear_live(signed_in, stack):
    page = signed_in
    headers, workspace = api_login(stack)
    with LocalServer() as backend:
        backend.reply("GET", "/slow", json={"ok": True}, delay=1.0)
        backend_connection = {"workspace": workspace, "connector": "http", "name": "Slow backend", "fields": {}}
        _, connection = http("POST", f"{stack.base_url}/api/connections/", backend_connection, headers)
        _, recipe = http(
            "POST",
            f"{stack.base_url}/api/recipes/",
            {"workspace": workspace, "definition": slow_recipe(backend.url), "bindings": {"api": connection["id"]}},
            headers,
        )
        _, queued = http("POST", f"{stack.base_url}/api/recipes/{recipe['id']}/test/", {"trigger": {}}, headers)

        page.goto(f"/jobs/{queued['job_id']}/")
        page.evaluate("window.__stillTheSamePage = true")
        steps = page.get_by_test_id("steps")
        expect(steps.locator("tr[data-path=call0][data-status=succeeded]")).to_be_visible(timeout=20_000)
        expect(page.get_by_test_id("job-status")).to_have_text("running")
        expect(page.get_by_test_id("job-status")).to_have_text("succeeded", timeout=20_000)
    expect(steps.locator("tr")).to_have_count(4)
    assert page.evaluate("window.__stillTheSamePage") is True  # updated live, not reloaded
    screenshot(page, "job")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Jobs").click()
    expect(page.get_by_test_id("jobs")).to_contain_text("Three slow calls")
    screenshot(page, "jobs")
