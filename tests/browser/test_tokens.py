import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.stack]


def test_create_use_and_revoke_a_token(signed_in):
    page = signed_in
    page.get_by_role("link", name="API tokens").click()
    page.fill("#id_name", "deploy script")
    page.get_by_role("button", name="Create token").click()
    key = page.locator("#new-token-value").inner_text()
    assert key.startswith("sw_")
    screenshot(page, "tokens")

    me = page.request.get("/api/me/", headers={"Authorization": f"Token {key}"})
    assert me.status == 200

    page.reload()  # the key is never shown again
    expect(page.get_by_test_id("new-token")).to_have_count(0)
    row = page.get_by_test_id("tokens").locator("tr", has_text="deploy script")
    expect(row).to_contain_text(key[:10])
    row.get_by_role("button", name="Revoke").click()
    expect(row).to_contain_text("revoked")
    assert page.request.get("/api/me/", headers={"Authorization": f"Token {key}"}).status == 401
