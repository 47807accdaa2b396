import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.stack]


@pytest.fixture
def teammate(stack):
    result = stack.manage(
        "shell",
        "-c",
        "from django.contrib.auth.models import User; User.objects.get_or_create(username='teammate')",
    )
    assert result.returncode == 0, result.stderr
    return "teammate"


def test_owner_manages_members(signed_in, teammate):
    page = signed_in
    page.get_by_role("link", name="Members", exact=True).click()

    page.fill("#id_username", "nobody-here")
    page.get_by_role("button", name="Add member").click()
    expect(page.get_by_role("alert")).to_contain_text("There is no user named 'nobody-here'")

    page.fill("#id_username", teammate)
    page.select_option("#id_role", "viewer")
    page.get_by_role("button", name="Add member").click()
    members = page.get_by_test_id("members")
    row = members.locator("tr", has_text=teammate)
    expect(row.get_by_label(f"Role of {teammate}")).to_have_value("viewer")

    row.get_by_label(f"Role of {teammate}").select_option("builder")
    row.get_by_role("button", name="Save").click()
    expect(page.locator(".flash-success")).to_contain_text("is now builder")
    screenshot(page, "members")

    members.locator("tr", has_text=teammate).get_by_role("button", name="Remove").click()
    expect(members).not_to_contain_text(teammate)


def test_create_and_switch_workspaces(signed_in):
    page = signed_in
    page.get_by_test_id("current-workspace").click()
    page.get_by_role("link", name="+ New workspace").click()
    page.get_by_role("button", name="Create workspace").click()
    expect(page.locator(".field-error")).to_contain_text("required")
    page.fill("#id_name", "Support bots")
    page.get_by_role("button", name="Create workspace").click()
    expect(page.get_by_test_id("current-workspace")).to_have_text("Support bots")

    page.get_by_test_id("current-workspace").click()
    page.get_by_role("button", name="admin's workspace").click()
    expect(page.get_by_test_id("current-workspace")).to_have_text("admin's workspace")
