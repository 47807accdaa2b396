"""Playwright driving Debian's Chromium (Playwright's own browser download cannot work here).

Without /usr/bin/chromium these tests skip with a message, except under CI, where a
missing browser is a failure.
"""

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.stack import ADMIN_PASSWORD, ADMIN_USER

CHROMIUM = os.environ.get("STEPWISE_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Flags from the machine notes: no sandbox as root, and no background calls to a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        message = f"Chromium not found at {CHROMIUM}: install Debian's chromium package to run the browser tests"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


# A form shown again with its errors answers 400, 409 or 422, and Try it out shows 4xx answers:
# the browser reports each as a failed resource, though nothing failed. A 404 (a missing file,
# a broken link) still counts.
DELIBERATE = re.compile(r"Failed to load resource: the server responded with a status of 4(?!04)\d\d")


@pytest.fixture
def page(browser, stack):
    context = browser.new_context(base_url=stack.base_url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(20_000)
    opened = context.new_page()
    errors = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    # Console errors too: a Content-Security-Policy violation is reported there, not thrown.
    opened.on("console", lambda message: errors.append(f"{message.text} ({message.location.get('url')})")
              if message.type == "error" and not DELIBERATE.search(message.text) else None)  # fmt: skip
    yield opened
    context.close()
    assert not errors, f"JavaScript or console errors on the page: {errors}"


@pytest.fixture
def signed_in(page):
    page.goto("/login/")
    page.fill("#id_username", ADMIN_USER)
    page.fill("#id_password", ADMIN_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    return page


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
