import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.stack import ADMIN_USER

pytestmark = [pytest.mark.browser, pytest.mark.stack]

SECTIONS = ["Recipes", "Connections", "API platform", "Library", "Jobs"]


def test_wrong_password_shows_an_inline_error(page):
    page.goto("/login/")
    page.fill("#id_username", ADMIN_USER)
    page.fill("#id_password", "not the password")
    page.click("button[type=submit]")
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
    expect(page).to_have_url("/login/")
    screenshot(page, "login")


def test_login_shows_the_navigation_and_goes_live(signed_in):
    page = signed_in
    nav = page.get_by_role("navigation", name="Main")
    for section in SECTIONS:
        expect(nav).to_contain_text(section)
    expect(page.get_by_test_id("username")).to_have_text(ADMIN_USER)
    expect(page.get_by_test_id("current-workspace")).to_have_text(f"{ADMIN_USER}'s workspace")
    # The websocket runs on its own port and process; "live" means it accepted our session.
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")
    screenshot(page, "home")


def test_logout_ends_the_session(signed_in):
    page = signed_in
    page.get_by_role("button", name="Log out").click()
    page.goto("/")
    expect(page).to_have_url("/login/?next=/")
