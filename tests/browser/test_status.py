import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.stack]


def test_status_page_shows_each_part_and_live_worker_heartbeats(signed_in):
    page = signed_in
    page.get_by_role("link", name="System status").click()
    expect(page.get_by_test_id("overall")).to_have_text("ok")
    for part in ["database", "broker", "worker"]:
        expect(page.locator(f"[data-check={part}]")).to_contain_text("up")
    # The worker process publishes its heartbeat; it reaches this page through the
    # channel layer and the websocket process.
    expect(page.locator("#worker-rows [data-live=true]").first).to_be_visible(timeout=20_000)
    screenshot(page, "status")
