"""The recipe editor: the chain of cards, step operations by mouse and keyboard with undo,
autosave of the draft (checked through the API), and a conflicting save."""

import json
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.stack import api_login, http

pytestmark = [pytest.mark.browser, pytest.mark.stack]

EXAMPLE = json.loads((Path(__file__).parents[1] / "engine" / "golden" / "greet_new_hire.json").read_text())
HASHED_SCRIPT = re.compile(r"/static/.+\.[0-9a-f]{12}\.js$")


def made(stack, definition) -> tuple[dict, str, dict]:
    headers, workspace = api_login(stack)
    status, recipe = http("POST", f"{stack.base_url}/api/recipes/", {"workspace": workspace, "definition": definition},
                          headers)  # fmt: skip
    assert status == 201, recipe
    return headers, f"{stack.base_url}/api/recipes/{recipe['id']}/", recipe


def draft(url: str, headers: dict) -> dict:
    status, recipe = http("GET", url, headers=headers)
    assert status == 200, recipe
    return recipe


def ids(steps: list) -> list[str]:
    return [step["id"] for step in steps]


def saved_when(page, url, headers, check) -> dict:
    """The draft as the server has it once `check` holds of it (autosave waits a moment)."""
    deadline = time.monotonic() + 15
    while not check((recipe := draft(url, headers))["definition"]) and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    assert check(recipe["definition"]), recipe["definition"]
    expect(page.locator(".save-state")).to_have_text("Saved")
    return recipe


def test_cards_say_what_each_step_does_and_where_the_problems_are(signed_in, stack):
    page = signed_in
    _headers, _url, recipe = made(stack, EXAMPLE["definition"])
    page.goto(f"/recipes/{recipe['id']}/edit/")
    expect(page.get_by_role("button", name="Step 1: Send a chat message in Moveworks")).to_be_visible()
    expect(
        page.get_by_role("button", name="Step 2: If {{ trigger.body.email.endswith('@example.com') }}")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Step 2.1: Log a message in Data")).to_be_visible()
    expect(page.get_by_test_id("problem-count")).to_have_text("1 problem")  # the chat slot is unbound
    page.get_by_test_id("problem-count").click()
    expect(page.locator(".card-recipe .card-problems")).to_contain_text("Bind the slot 'chat'")
    page.get_by_role("button", name="Collapse step 2").click()
    expect(page.get_by_role("button", name="Step 2.1: Log a message in Data")).to_have_count(0)
    screenshot(page, "editor-chain")


def test_the_editor_loads_only_hashed_modules_and_opens_one_websocket(signed_in, stack):
    """The stack serves the manifest storage's files, as `make run` does: a module imported
    unhashed would be a second copy of it, and a second live.js a second websocket."""
    page = signed_in
    _headers, _url, recipe = made(stack, EXAMPLE["definition"])
    # The home page that signing in lands on opens its own websocket: listen only after it has.
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")
    scripts, sockets = [], []
    page.on("request", lambda request: scripts.append(request.url) if request.resource_type == "script" else None)
    page.on("websocket", lambda socket: sockets.append(socket.url))
    page.goto(f"/recipes/{recipe['id']}/edit/")
    expect(page.get_by_role("button", name="Step 1: Send a chat message in Moveworks")).to_be_visible()
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")
    page.wait_for_load_state("networkidle")
    assert any("/static/editor/testrun." in url for url in scripts), scripts
    assert [url for url in scripts if not HASHED_SCRIPT.search(url)] == []
    assert len(sockets) == 1, sockets


def test_step_operations_by_keyboard_and_buttons_save_the_draft_with_undo(signed_in, stack):
    page = signed_in
    headers, url, recipe = made(stack, EXAMPLE["definition"])
    page.goto(f"/recipes/{recipe['id']}/edit/")
    first = page.get_by_role("button", name="Step 1: Send a chat message in Moveworks")
    first.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Alt+ArrowDown")  # the chat step after the if block
    saved_when(page, url, headers, lambda d: ids(d["steps"]) == ["vip", "tell", "reply"])
    page.keyboard.press("Control+d")
    saved_when(page, url, headers, lambda d: ids(d["steps"]) == ["vip", "tell", "tell_2", "reply"])
    page.keyboard.press("Delete")
    saved_when(page, url, headers, lambda d: ids(d["steps"]) == ["vip", "tell", "reply"])
    page.get_by_role("button", name="Undo").click()
    saved_when(page, url, headers, lambda d: ids(d["steps"]) == ["vip", "tell", "tell_2", "reply"])
    page.keyboard.press("Control+z")
    page.keyboard.press("Control+z")
    saved_when(page, url, headers, lambda d: d == EXAMPLE["definition"])
    page.keyboard.press("Control+Shift+z")
    after = saved_when(page, url, headers, lambda d: ids(d["steps"]) == ["vip", "tell", "reply"])
    assert after["revision"] > recipe["revision"]

    page.get_by_role("button", name="Step 3: Respond 200").click()
    page.get_by_test_id("open-add-step").click()
    page.select_option("#add-kind", "set")
    page.get_by_role("button", name="Add", exact=True).click()
    saved_when(page, url, headers, lambda d: ids(d["steps"]) == ["vip", "tell", "reply", "set"])
    page.get_by_test_id("open-add-step").click()
    page.select_option("#add-kind", "action")
    page.get_by_label("Find an action").fill("log")
    page.get_by_role("radio", name="Log a message").check()
    page.get_by_role("button", name="Add", exact=True).click()
    final = saved_when(page, url, headers, lambda d: ids(d["steps"]) == ["vip", "tell", "reply", "set", "log"])
    assert final["definition"]["steps"][4] == {"id": "log", "action": "data.log", "input": {}}
    screenshot(page, "editor-edited")


def edited_after_theirs(page, stack, card: str):
    """The example open in the editor, a colleague's save after it, and our delete of `card`."""
    headers, url, recipe = made(stack, EXAMPLE["definition"])
    page.goto(f"/recipes/{recipe['id']}/edit/")
    expect(page.locator(".save-state")).to_have_text("Saved")
    theirs = {**EXAMPLE["definition"], "name": "Their name"}
    assert http("PATCH", url, {"definition": theirs, "revision": recipe["revision"]}, headers)[0] == 200
    page.get_by_role("button", name=card).click()
    page.get_by_role("button", name="Delete", exact=True).click()
    return headers, url, recipe, theirs


def test_a_save_after_someone_elses_says_who_and_offers_their_version(signed_in, stack):
    page = signed_in
    headers, url, _recipe, theirs = edited_after_theirs(page, stack, "Step 1: Send a chat message in Moveworks")
    conflict = page.get_by_test_id("conflict")
    expect(conflict).to_contain_text("was saved by")
    expect(page.locator(".save-state")).to_have_text("Not saved: conflict")
    assert draft(url, headers)["definition"] == theirs  # nothing of ours overwrote theirs
    screenshot(page, "editor-conflict")
    conflict.get_by_role("button", name="Load their version").click()
    expect(page.get_by_role("button", name="Step 1: Send a chat message in Moveworks")).to_be_visible()
    expect(page.locator(".card-recipe")).to_contain_text("Their name")


def test_after_a_conflict_ours_is_kept_as_a_copy_and_theirs_untouched(signed_in, stack):
    page = signed_in
    headers, url, recipe, theirs = edited_after_theirs(page, stack, "Step 3: Respond 200")
    page.get_by_test_id("conflict").get_by_role("button", name="Keep editing mine as a copy").click()
    page.wait_for_url(lambda u: u.endswith("/edit/") and f"/recipes/{recipe['id']}/" not in u)
    copy_id = page.url.rstrip("/").split("/")[-2]
    assert copy_id != str(recipe["id"])
    expect(page.locator(".card-recipe")).to_contain_text("Greet a new hire (my copy)")
    mine = draft(f"{stack.base_url}/api/recipes/{copy_id}/", headers)["definition"]
    assert ids(mine["steps"]) == ["tell", "vip"]
    assert draft(url, headers)["definition"] == theirs


def test_a_new_recipe_is_built_published_started_and_its_changes_discarded_in_the_editor(signed_in, stack):
    page = signed_in
    headers, _workspace = api_login(stack)
    name = f"Answer a question {time.time_ns()}"
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Recipes").click()
    page.get_by_label("New recipe").fill(name)
    page.get_by_label("What starts it").select_option("manual")
    page.get_by_role("button", name="Create and edit").click()
    expect(page.get_by_role("button", name="Run by hand")).to_be_visible()
    url = f"{stack.base_url}/api/recipes/{page.url.rstrip('/').split('/')[-2]}/"
    assert draft(url, headers)["definition"] == {"format": "stepwise.recipe/1", "name": name,
                                                 "trigger": {"kind": "manual"}, "steps": []}  # fmt: skip

    page.get_by_test_id("open-add-step").click()
    page.select_option("#add-kind", "respond")
    page.get_by_role("button", name="Add", exact=True).click()
    saved_when(page, url, headers, lambda d: ids(d["steps"]) == ["respond"])
    page.get_by_label("What changed (optional)").fill("first answer")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".editor-toolbar")).to_contain_text("live: version 1")
    recipe = draft(url, headers)
    assert (recipe["live_version"], recipe["unpublished_changes"]) == (1, False)
    _status, versions = http("GET", f"{url}versions/", headers=headers)
    assert [(v["number"], v["comment"]) for v in versions] == [(1, "first answer")]

    page.get_by_role("button", name="Start").click()
    expect(page.get_by_test_id("editor-state")).to_have_text("running")
    assert draft(url, headers)["state"] == "running"

    page.get_by_test_id("open-add-step").click()
    page.select_option("#add-kind", "set")
    page.get_by_role("button", name="Add", exact=True).click()
    saved_when(page, url, headers, lambda d: ids(d["steps"]) == ["respond", "set"])
    expect(page.locator(".editor-toolbar .pill-draft")).to_have_text("unpublished changes")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Discard changes").click()
    expect(page.get_by_role("button", name="Step 2: Set variables")).to_have_count(0)
    recipe = draft(url, headers)
    assert (ids(recipe["definition"]["steps"]), recipe["unpublished_changes"], recipe["live_version"]) == (
        ["respond"], False, 1)  # fmt: skip
    screenshot(page, "editor-lifecycle")


def test_cards_reorder_by_drag_and_drop_into_and_out_of_blocks(signed_in, stack):
    page = signed_in
    headers, url, recipe = made(stack, EXAMPLE["definition"])
    page.goto(f"/recipes/{recipe['id']}/edit/")
    reply = page.get_by_role("button", name="Step 3: Respond 200")
    tell = page.locator("[data-step=tell]")
    box = tell.bounding_box()
    reply.drag_to(tell, target_position={"x": box["width"] / 2, "y": 4})  # the top half: before it
    saved_when(page, url, headers, lambda d: ids(d["steps"]) == ["reply", "tell", "vip"])
    # Into the if block's empty else, and back out after the block.
    page.get_by_role("button", name="Step 2: Send a chat message in Moveworks").drag_to(
        page.locator("[data-step=vip] .empty-steps")
    )
    moved = saved_when(page, url, headers, lambda d: ids(d["steps"]) == ["reply", "vip"])["definition"]
    assert ids(moved["steps"][1]["else"]) == ["tell"]
    inner = page.get_by_role("button", name="Step 2.2: Send a chat message in Moveworks")
    expect(inner).to_have_attribute("aria-pressed", "true")  # the moved card stays selected
    first = page.locator("[data-step=reply]")
    box = first.bounding_box()
    inner.drag_to(first, target_position={"x": box["width"] / 2, "y": box["height"] - 4})  # the bottom half: after it
    saved_when(
        page, url, headers, lambda d: ids(d["steps"]) == ["reply", "tell", "vip"] and d["steps"][2]["else"] == []
    )
    page.keyboard.press("Control+z")
    saved_when(page, url, headers, lambda d: ids(d["steps"]) == ["reply", "vip"])


def test_a_card_dropped_past_the_last_card_goes_to_the_end_after_a_block(signed_in, stack):
    page = signed_in
    headers, url, recipe = made(stack, {**EXAMPLE["definition"], "steps": EXAMPLE["definition"]["steps"][:2]})
    page.goto(f"/recipes/{recipe['id']}/edit/")
    page.get_by_role("button", name="Step 1: Send a chat message in Moveworks").drag_to(
        page.locator(".chain > .steps > .drop-end")
    )
    saved_when(page, url, headers, lambda d: ids(d["steps"]) == ["vip", "tell"])


def test_keys_move_a_step_into_and_out_of_blocks_and_act_on_the_focused_card(signed_in, stack):
    page = signed_in
    headers, url, recipe = made(stack, EXAMPLE["definition"])
    page.goto(f"/recipes/{recipe['id']}/edit/")
    page.get_by_role("button", name="Step 1: Send a chat message in Moveworks").click()
    page.keyboard.press("Alt+ArrowRight")  # into the if block below, at the top of its then
    moved = saved_when(page, url, headers, lambda d: ids(d["steps"]) == ["vip", "reply"])["definition"]
    assert ids(moved["steps"][0]["then"]) == ["tell", "note"]
    page.keyboard.press("Alt+ArrowLeft")  # out again, just after the block
    saved_when(page, url, headers, lambda d: ids(d["steps"]) == ["vip", "tell", "reply"])
    # Delete acts on the card the key is pressed on, not on the one selected before.
    page.get_by_role("button", name="Step 3: Respond 200").focus()
    page.keyboard.press("Delete")
    saved_when(page, url, headers, lambda d: ids(d["steps"]) == ["vip", "tell"])
    expect(page.get_by_role("button", name="Step 2: Send a chat message in Moveworks")).to_be_focused()
