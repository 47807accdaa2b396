import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.stack]


def test_api_reference_renders_from_our_own_static_files(signed_in):
    page = signed_in
    origin = page.url.split("/", 3)[:3]
    elsewhere = []
    page.on("request", lambda r: None if r.url.split("/", 3)[:3] == origin else elsewhere.append(r.url))
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="API reference").click()
    # The first request for the OpenAPI document builds it (seconds on a busy machine), and this
    # test is often the first of the suite to ask.
    expect(page.locator(".swagger-ui .title")).to_contain_text("Stepwise management API", timeout=30_000)
    expect(page.locator(".opblock-summary-path", has_text="/api/auth/token/").first).to_be_visible()
    screenshot(page, "api-docs")
    assert not [url for url in elsewhere if url.startswith("http")], f"requests to other origins: {elsewhere}"
