import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.stack]


def test_create_test_edit_and_delete_a_connection(signed_in):
    page = signed_in
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Connections").click()
    page.get_by_role("link", name="New connection").click()
    page.get_by_test_id("connectors").get_by_role("link", name="Moveworks").click()

    page.fill("#id_name", "Moveworks prod")
    page.fill("#id_base_url", "not a url")
    page.get_by_role("button", name="Create connection").click()
    expect(page.locator("[data-field=base_url]")).to_contain_text("Enter a valid URL")

    page.fill("#id_base_url", "https://api.moveworks.ai")
    page.fill("#id_event_id", "evt-1")
    page.fill("#id_api_key", "mw-secret-key")
    page.get_by_role("button", name="Create connection").click()
    expect(page.locator(".flash-success")).to_contain_text("Connection Moveworks prod saved")
    expect(page.locator("#id_api_key")).to_have_attribute("placeholder", "•••••••• set: leave empty to keep")
    assert "mw-secret-key" not in page.content()

    page.get_by_role("button", name="Test connection").click()
    expect(page.locator(".flash-success")).to_contain_text("no read-only check")
    screenshot(page, "connection")

    page.get_by_role("link", name="Connections").first.click()
    expect(page.get_by_test_id("connections")).to_contain_text("Moveworks prod")
    screenshot(page, "connections")
    page.get_by_role("link", name="Moveworks prod").click()
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_test_id("connections")).not_to_contain_text("Moveworks prod")
