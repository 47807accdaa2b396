"""The editor's step panel: fields from the action's schema, pills from the data tree (clicked
or dragged in, flagged when out of scope), formula mode with the server's preview, renaming a
step, retries; each checked through the API."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_editor import EXAMPLE, made

pytestmark = [pytest.mark.browser, pytest.mark.stack]


def test_smoke(signed_in, stack):
    page = signed_in
    headers, url, recipe = made(stack, EXAMPLE["definition"])
    page.goto(f"/recipes/{recipe['id']}/edit/")
    page.get_by_role("button", name="Step 1: Send a chat message in Moveworks").click()
    expect(page.get_by_test_id("step-panel")).to_be_visible()
    screenshot(page, "panel-1")
    page.get_by_role("button", name="Step 2.1: Log a message in Data").click()
    screenshot(page, "panel-2")
    page.get_by_role("button", name="Test", exact=True).click()
    screenshot(page, "panel-3")
    page.locator(".card-recipe .card-main").click()
    screenshot(page, "panel-4")
