"""The request and response schema designer (static/editor/designer.js), mounted on its own on
the editor's page until the editor shows it: fields by keyboard and buttons, nested fields in an
array of objects, a schema from a sample, the raw JSON view, and problems at their field."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.stack import api_login, http

pytestmark = [pytest.mark.browser, pytest.mark.stack]

EXAMPLE = json.loads((Path(__file__).parents[1] / "engine" / "golden" / "greet_new_hire.json").read_text())

# page.evaluate runs through the DevTools protocol, which the page's Content-Security-Policy does
# not govern; the modules it imports are the site's own, which script-src 'self' allows.
MOUNT = """async () => {
  const { html, render, useState } = await import("/static/vendor/htm-preact-standalone.module.js");
  const { SchemaDesigner } = await import("/static/editor/designer.js");
  const host = document.createElement("div");
  host.id = "designer-host";
  document.getElementById("editor").before(host);
  function Harness() {
    const [schema, setSchema] = useState(undefined);
    const [problems, setProblems] = useState(undefined);
    window.__setSchema = (next) => { window.__schema = next; setSchema(next); };
    window.__setProblems = (entries) => setProblems(new Map(entries));
    const change = (next) => {
      window.__changes = (window.__changes || 0) + 1;
      window.__setSchema(next);
    };
    return html`<${SchemaDesigner} schema=${schema} onChange=${change} label="Request body" idPrefix="req"
      problems=${problems} />`;
  }
  render(html`<${Harness} />`, host);
}"""

ORDER = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "email": {"type": "string", "description": "Where to write"},
        "items": {
            "type": "array",
            "items": {"type": "object", "properties": {"sku": {"type": "string"}, "qty": {"type": "integer"}}},
        },
    },
    "required": ["email"],
}


def opened_designer(page, stack):
    headers, workspace = api_login(stack)
    status, recipe = http("POST", f"{stack.base_url}/api/recipes/", {"workspace": workspace,
                          "definition": EXAMPLE["definition"]}, headers)  # fmt: skip
    assert status == 201, recipe
    page.goto(f"/recipes/{recipe['id']}/edit/")
    expect(page.get_by_role("button", name="Step 1: Send a chat message in Moveworks")).to_be_visible()
    page.evaluate(MOUNT)
    expect(page.get_by_role("table", name="Request body")).to_be_visible()
    return page


def schema(page):
    return page.evaluate("window.__schema")


def add_field(page, name: str, *, inside: str | None = None):
    page.get_by_role("button", name=f"Add a field inside {inside}" if inside else "Add a field", exact=True).click()
    named = page.get_by_label(f"Name of field field in {inside}" if inside else "Name of field field", exact=True)
    expect(named).to_be_focused()  # the new field's name, selected, ready to type over
    named.press_sequentially(name)  # into that field even if a late render moved the focus
    named.press("Tab")


def test_fields_by_keyboard_and_buttons_make_the_schema(signed_in, stack):
    page = opened_designer(signed_in, stack)
    expect(page.get_by_text("No fields yet.")).to_be_visible()
    add_field(page, "name")
    add_field(page, "email")
    expect(page.get_by_label("Type of email")).to_be_focused()  # Tab went on from the name
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # required
    page.keyboard.press("Tab")
    page.keyboard.type("Where to write")
    page.keyboard.press("Tab")
    add_field(page, "items")
    page.get_by_label("Type of items").select_option(label="array of objects")
    add_field(page, "sku", inside="items")
    add_field(page, "qty", inside="items")
    page.get_by_label("Type of qty in items").select_option("integer")
    assert schema(page) == ORDER

    # A taken name is refused where it is typed, and nothing changes.
    changes = page.evaluate("window.__changes")
    qty = page.get_by_label("Name of field qty in items")
    qty.fill("sku")
    expect(qty).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#{qty.get_attribute('aria-describedby')}")).to_have_text(
        'There is already a field named "sku" here.'
    )
    qty.press("Tab")
    assert page.evaluate("window.__changes") == changes
    qty.fill("qty")
    expect(qty).not_to_have_attribute("aria-invalid", "true")

    # Move by keyboard: focus stays with the moved field.
    page.get_by_role("button", name="Move field email up").focus()
    page.keyboard.press("Enter")
    assert list(schema(page)["properties"]) == ["email", "name", "items"]
    expect(page.get_by_role("button", name="Move field email down")).to_be_focused()
    page.keyboard.press("Enter")
    assert schema(page) == ORDER

    page.evaluate("window.__setProblems([['/properties/items/items/properties/sku', ['Never sent by the caller']]])")
    expect(page.locator("[data-pointer='/properties/items/items/properties/sku']")).to_contain_text(
        "Never sent by the caller"
    )
    page.get_by_role("table", name="Request body").scroll_into_view_if_needed()
    screenshot(page, "designer-1280")
    page.set_viewport_size({"width": 1024, "height": 800})
    screenshot(page, "designer-1024")

    # Remove, then undo by hand: removing a field inside an array of objects leaves the rest.
    page.get_by_role("button", name="Remove field sku in items").click()
    expect(page.get_by_label("Name of field qty in items")).to_be_focused()
    assert list(schema(page)["properties"]["items"]["items"]["properties"]) == ["qty"]


def test_a_sample_and_the_raw_view_replace_the_schema_and_refuse_bad_json(signed_in, stack):
    page = opened_designer(signed_in, stack)
    page.evaluate(f"window.__setSchema({json.dumps(ORDER)})")
    expect(page.get_by_label("Name of field sku in items")).to_be_visible()

    page.get_by_text("Generate from a JSON sample").click()
    sample = page.get_by_label("A JSON sample (an object)")
    sample.fill('{\n  "id": 7,\n}')
    page.get_by_role("button", name="Generate", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Not valid JSON at line 3, column 1")
    assert schema(page) == ORDER
    sample.fill(
        '{"id": 7, "contact": "ada@example.com", "tags": ["vip"], "lines": [{"sku": "a"}, {"sku": "b", "qty": 2}]}'
    )
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Generate", exact=True).click()
    expect(page.get_by_label("Name of field qty in lines")).to_be_visible()
    assert dialogs == ["Replace the 3 fields with ones from the sample?"]
    generated = {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "contact": {"type": "string", "format": "email"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "lines": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"sku": {"type": "string"}, "qty": {"type": "integer"}},
                    "required": ["sku"],
                },
            },
        },
        "required": ["id", "contact", "tags", "lines"],
    }
    assert schema(page) == generated
    expect(page.get_by_label("lines is required", exact=True)).to_be_checked()
    expect(page.get_by_label("qty in lines is required")).not_to_be_checked()

    page.get_by_text("Raw JSON Schema").click()
    raw = page.get_by_label("The schema as JSON")
    assert json.loads(raw.input_value()) == generated
    for text, said in [('{"type": ', "Not valid JSON"), ("[1, 2]", "A JSON Schema is a JSON object")]:
        raw.fill(text)
        page.get_by_role("button", name="Apply").click()
        expect(page.get_by_role("alert")).to_contain_text(said)
        expect(raw).to_have_attribute("aria-invalid", "true")
        assert schema(page) == generated
    screenshot(page, "designer-raw-error")

    # A schema the table cannot show gets the raw view alone, with why.
    choice = {"type": "object", "properties": {"id": {"oneOf": [{"type": "string"}, {"type": "integer"}]}}}
    raw.fill(json.dumps(choice))
    page.get_by_role("button", name="Apply").click()
    assert schema(page) == choice
    expect(page.get_by_text('The field "id" uses "oneOf".')).to_be_visible()
    expect(page.get_by_role("table", name="Request body")).to_have_count(0)
    expect(page.get_by_label("The schema as JSON")).to_be_visible()
    screenshot(page, "designer-unrepresentable")
