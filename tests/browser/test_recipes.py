import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.stack]

EXAMPLE = json.loads((Path(__file__).parents[1] / "engine" / "golden" / "greet_new_hire.json").read_text())


def test_import_bind_and_start_the_example(signed_in, tmp_path):
    page = signed_in
    recipe_file = tmp_path / "greet.json"
    recipe_file.write_text(json.dumps(EXAMPLE["definition"]))

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Recipes").click()
    page.set_input_files("#id_file", str(recipe_file))
    page.get_by_test_id("import").get_by_role("button", name="Import").click()
    expect(page.get_by_test_id("problems")).to_contain_text("Bind the slot 'chat'")
    page.get_by_role("button", name="Start").click()
    expect(page.locator(".flash-error")).to_contain_text("cannot start")

    page.get_by_role("link", name="create one").click()
    page.fill("#id_name", "Moveworks for greetings")
    page.fill("#id_api_key", "mw-key")
    page.get_by_role("button", name="Create connection").click()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Recipes").click()
    page.get_by_role("link", name="Greet a new hire").first.click()
    page.select_option("#slot_chat", label="Moveworks for greetings")
    page.get_by_role("button", name="Save bindings").click()
    expect(page.get_by_test_id("problems")).to_have_count(0)
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_test_id("state")).to_have_text("running")
    expect(page.get_by_test_id("definition")).to_contain_text("moveworks.send_message")
    screenshot(page, "recipe")
