"""The API platform console, clicked through: a collection and an endpoint for a running
recipe, a client with an access profile and a key shown once, "try it out" against the real
gateway, and the call log with its chart."""

import json
import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.stack import ADMIN_USER, api_login, http

pytestmark = [pytest.mark.browser, pytest.mark.stack]

GREET = {
    "format": "stepwise.recipe/1",
    "name": "Greet from the console",
    "trigger": {
        "kind": "api_request",
        "mode": "sync",
        "request_schema": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "minLength": 1, "description": "Who to greet"},
                "email": {"type": "string", "format": "email"},
                "vip": {"type": "boolean"},
            },
        },
        "response_schema": {"type": "object", "required": ["greeting"], "properties": {"greeting": {"type": "string"}}},
    },
    "steps": [{"id": "reply", "respond": {"status": 200, "body": {"greeting": "Hello {{ trigger.body.name }}"}}}],
}


def running_recipe(stack, name: str) -> dict:
    headers, workspace = api_login(stack)
    imported = {"workspace": workspace, "definition": {**GREET, "name": name}}
    status, recipe = http("POST", f"{stack.base_url}/api/recipes/import/", imported, headers)
    assert status == 201, recipe
    status, started = http("POST", f"{stack.base_url}/api/recipes/{recipe['id']}/start/", {}, headers)
    assert status == 200, started
    return recipe


def use_own_workspace(page) -> None:
    """Other browser tests may have given the admin more workspaces; the recipe is in its own."""
    own = f"{ADMIN_USER}'s workspace"
    if page.get_by_test_id("current-workspace").inner_text() != own:
        page.get_by_test_id("current-workspace").click()
        page.locator(".switcher-menu button", has_text=own).click()
        expect(page.get_by_test_id("current-workspace")).to_have_text(own)


def test_publish_a_recipe_call_it_and_read_the_log(signed_in, stack):
    page = signed_in
    suffix = time.time_ns() % 10**8
    recipe = running_recipe(stack, f"Greet {suffix}")
    use_own_workspace(page)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=stack.base_url)

    # A collection, and an endpoint for the recipe.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="API platform").click()
    page.fill("#id_name", "People directory")
    page.fill("#id_slug", f"people-{suffix}")
    page.get_by_role("button", name="Create collection").click()
    expect(page.locator(".flash-success")).to_contain_text("Collection People directory created")
    page.fill("#ep_name", "Greet")
    page.fill("#ep_path", "greetings")
    page.select_option("#ep_recipe", label=f"{recipe['name']} (running)")
    page.get_by_role("button", name="Add endpoint").click()
    expect(page.locator("[data-field=path]")).to_contain_text("A path starts with /")
    page.fill("#ep_path", "/greetings")
    page.get_by_role("button", name="Add endpoint").click()
    expect(page.get_by_test_id("endpoints")).to_contain_text("/greetings")
    expect(page.get_by_test_id("endpoints")).to_contain_text("enabled")
    screenshot(page, "apiplatform-collection")

    page.get_by_test_id("endpoints").get_by_role("link", name="/greetings").click()
    expect(page.locator("[data-contract=request_schema]")).to_contain_text('"minLength": 1')
    expect(page.get_by_test_id("gateway-url")).to_have_text(f"{stack.base_url}/apim/people-{suffix}/v1/greetings")
    screenshot(page, "apiplatform-endpoint")

    page.get_by_role("navigation", name="API platform").get_by_role("link", name="Collections").click()
    expect(page.get_by_test_id("collections")).to_contain_text(f"/apim/people-{suffix}/v1")
    screenshot(page, "apiplatform-collections")

    # A client, an access profile for the collection, and a key seen once.
    page.get_by_role("navigation", name="API platform").get_by_role("link", name="Clients").click()
    page.fill("#id_name", f"Assistant {suffix}")
    page.get_by_role("button", name="Create client").click()
    page.get_by_test_id("profile-collections").get_by_label(re.compile("People directory")).check()
    page.fill("#pr_rate", "100")
    page.get_by_role("button", name="Create profile").click()
    expect(page.get_by_test_id("profiles")).to_contain_text("100/min")
    page.get_by_test_id("profiles").get_by_role("link", name="Default").click()
    expect(page.get_by_test_id("profile-collections").get_by_label(re.compile("People directory"))).to_be_checked()
    screenshot(page, "apiplatform-profile")
    page.get_by_role("navigation", name="API platform").get_by_role("link", name="Clients").click()
    expect(page.get_by_test_id("clients")).to_contain_text(f"Assistant {suffix}")
    screenshot(page, "apiplatform-clients")
    page.get_by_test_id("clients").get_by_role("link", name=f"Assistant {suffix}").click()
    page.fill("#key_name", "browser")
    page.get_by_role("button", name="Create key").click()
    fresh = page.get_by_test_id("fresh-key")
    expect(fresh).to_contain_text("Copy it now: it is not shown again")
    secret = page.locator("#fresh-secret").inner_text().strip()
    assert secret.startswith("swk_")
    fresh.get_by_role("button", name="Copy").click()
    expect(fresh.get_by_role("button")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == secret
    screenshot(page, "apiplatform-client")
    page.reload()
    expect(page.get_by_test_id("fresh-key")).to_have_count(0)
    assert secret not in page.content()
    expect(page.get_by_test_id("keys")).to_contain_text(secret[:12])

    # Try it out: the key created in this tab is filled in.
    page.get_by_role("navigation", name="API platform").get_by_role("link", name="Collections").click()
    page.get_by_role("link", name="People directory").click()
    page.get_by_test_id("endpoints").get_by_role("link", name="Try it").click()
    expect(page.locator("#tryit-key")).to_have_value(secret)
    expect(page.get_by_test_id("tryit-curl")).to_contain_text("$STEPWISE_KEY")
    page.fill("#tryit-body-name", "Ada")
    page.fill("#tryit-body-email", "ada@example.com")
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_test_id("tryit-status")).to_have_text(re.compile(r"^200\b"))
    expect(page.get_by_test_id("tryit-body")).to_contain_text('"greeting": "Hello Ada"')
    expect(page.get_by_test_id("tryit-request-id")).to_have_text(re.compile(r"^[0-9a-f-]{36}$"))
    expect(page.get_by_test_id("tryit-time")).to_have_text(re.compile(r"^\d+ ms$"))
    curl = page.get_by_test_id("tryit-curl").inner_text()
    assert '"name":"Ada"' in curl
    assert secret not in curl
    screenshot(page, "apiplatform-tryit")

    page.fill("#tryit-body-name", "")
    page.fill("#tryit-body-email", "not an address")
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_test_id("tryit-status")).to_have_text(re.compile(r"^400\b"))
    errors = page.get_by_test_id("tryit-errors")
    expect(errors).to_contain_text("/body/name")
    expect(errors).to_contain_text("/body/email")
    expect(errors).to_contain_text("'not an address' is not a 'email'")
    screenshot(page, "apiplatform-tryit-errors")

    # The call log: both calls, charted, and exported.
    page.get_by_role("navigation", name="API platform").get_by_role("link", name="Call log").click()
    page.select_option("select[name=client]", label=f"Assistant {suffix}")
    for _ in range(50):  # the gateway writes its log behind the answer
        page.get_by_role("button", name="Filter").click()
        if page.get_by_test_id("calls").locator("tr[data-status]").count() == 2:
            break
        time.sleep(0.2)
    calls = page.get_by_test_id("calls")
    expect(calls.locator("tr[data-status='200']")).to_contain_text("/greetings")
    expect(calls.locator("tr[data-status='400']")).to_contain_text("does not match")
    expect(calls).to_contain_text(secret[:12])
    expect(page.get_by_test_id("chart-summary")).to_contain_text("2 calls, 1 error")
    expect(page.get_by_test_id("chart").locator(".chart-errors")).to_have_count(1)
    screenshot(page, "apiplatform-calls")
    exported = page.request.get(page.get_by_test_id("export-csv").get_attribute("href"))
    assert exported.ok
    lines = exported.text().strip().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("time,request_id,method,path,status")
    assert secret not in exported.text()


LOOKUP = {
    "format": "stepwise.recipe/1",
    "name": "Look up a person",
    "trigger": {
        "kind": "api_request",
        "mode": "sync",
        "request_schema": {  # the query of a GET
            "type": "object",
            "properties": {"limit": {"type": "integer", "maximum": 50}, "tags": {"type": "array"}},
        },
        "params_schema": {"type": "object", "properties": {"id": {"type": "integer"}}},
    },
    "steps": [{"id": "reply", "respond": {"status": 200, "body": {
        "id": "{{ trigger.params.id }}", "limit": "{{ trigger.query.limit }}", "tags": "{{ trigger.query.tags }}"}}}],
}  # fmt: skip


def test_try_a_get_endpoint_with_a_path_parameter_and_a_query(signed_in, stack):
    page = signed_in
    base, (headers, workspace) = stack.base_url, api_login(stack)
    suffix = time.time_ns() % 10**8
    imported = {"workspace": workspace, "definition": {**LOOKUP, "name": f"Look up {suffix}"}}
    _, recipe = http("POST", f"{base}/api/recipes/import/", imported, headers)
    http("POST", f"{base}/api/recipes/{recipe['id']}/start/", {}, headers)
    _, collection = http("POST", f"{base}/api/collections/", {"workspace": workspace, "name": "Directory",
                                                              "slug": f"directory-{suffix}"}, headers)  # fmt: skip
    _, endpoint = http("POST", f"{base}/api/endpoints/", {"collection": collection["id"], "name": "Find",
                       "method": "GET", "path": "/people/{id}", "recipe": recipe["id"]}, headers)  # fmt: skip
    _, client = http("POST", f"{base}/api/clients/", {"workspace": workspace, "name": f"Script {suffix}"}, headers)
    profile = {"name": "Default", "collections": [collection["id"]]}
    http("POST", f"{base}/api/clients/{client['id']}/profiles/", profile, headers)
    status, key = http("POST", f"{base}/api/clients/{client['id']}/keys/", {"name": "script"}, headers)
    assert status == 201, key

    use_own_workspace(page)
    page.goto(f"/api-platform/endpoints/{endpoint['id']}/try/")
    expect(page.locator("#tryit-key")).to_have_value("")  # no key was created in this tab
    page.fill("#tryit-key", key["secret"])
    page.fill("#tryit-params-id", "7")
    page.fill("#tryit-query-limit", "5")
    page.get_by_role("button", name="Add tags item").click()
    page.get_by_role("button", name="Add tags item").click()
    page.fill("#tryit-query-tags-0", "a")
    page.fill("#tryit-query-tags-1", "b")
    # The query follows the schema's property order, which PostgreSQL's jsonb does not keep.
    expect(page.get_by_test_id("tryit-curl")).to_contain_text(
        re.compile(rf"/apim/directory-{suffix}/v1/people/7\?(limit=5&tags=a&tags=b|tags=a&tags=b&limit=5)")
    )
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_test_id("tryit-status")).to_have_text(re.compile(r"^200\b"))
    body = page.get_by_test_id("tryit-body")
    expect(body).to_contain_text('"id": 7')
    expect(body).to_contain_text('"limit": 5')
    page.fill("#tryit-query-limit", "99")
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_test_id("tryit-status")).to_have_text(re.compile(r"^400\b"))
    expect(page.get_by_test_id("tryit-errors")).to_contain_text("/query/limit")
    page.fill("#tryit-params-id", "")
    page.get_by_role("button", name="Send request").click()
    expect(page.locator("#tryit-problems")).to_have_text("Fill in the path parameter id.")
    screenshot(page, "apiplatform-tryit-get")


NOTIFY = {
    "format": "stepwise.recipe/1",
    "name": "Notify",
    "trigger": {
        "kind": "api_request",
        "mode": "sync",
        "request_schema": {
            "type": "object",
            "required": ["recipients", "card"],
            "properties": {
                "recipients": {"type": "array", "items": {"type": "string", "format": "email"}},
                "card": {
                    "type": "object",
                    "required": ["title"],
                    "properties": {"title": {"type": "string"}, "size": {"type": "integer"}},
                },
                "priority": {"enum": ["low", "high"]},
                "silent": {"type": "boolean", "description": "Leave out to use the channel's setting"},
            },
        },
    },
    "steps": [{"id": "reply", "respond": {"status": 200, "body": {"got": "{{ trigger.body }}"}}}],
}


def test_try_a_body_with_a_list_a_nested_object_an_enum_and_an_optional_boolean(signed_in, stack):
    page = signed_in
    base, (headers, workspace) = stack.base_url, api_login(stack)
    suffix = time.time_ns() % 10**8
    imported = {"workspace": workspace, "definition": {**NOTIFY, "name": f"Notify {suffix}"}}
    _, recipe = http("POST", f"{base}/api/recipes/import/", imported, headers)
    http("POST", f"{base}/api/recipes/{recipe['id']}/start/", {}, headers)
    _, collection = http("POST", f"{base}/api/collections/", {"workspace": workspace, "name": "Alerts",
                                                              "slug": f"alerts-{suffix}"}, headers)  # fmt: skip
    _, endpoint = http("POST", f"{base}/api/endpoints/", {"collection": collection["id"], "name": "Notify",
                       "method": "POST", "path": "/notify", "recipe": recipe["id"]}, headers)  # fmt: skip
    _, client = http("POST", f"{base}/api/clients/", {"workspace": workspace, "name": f"Pager {suffix}"}, headers)
    http("POST", f"{base}/api/clients/{client['id']}/profiles/", {"name": "Default", "collections": [collection["id"]]},
         headers)  # fmt: skip
    _, key = http("POST", f"{base}/api/clients/{client['id']}/keys/", {"name": "pager"}, headers)

    use_own_workspace(page)
    page.goto(f"/api-platform/endpoints/{endpoint['id']}/try/")
    page.fill("#tryit-key", key["secret"])
    add = page.get_by_role("button", name="Add recipients item")
    add.click()
    expect(page.locator("#tryit-body-recipients-0")).to_be_focused()  # the new row's field
    page.keyboard.type("first@example.com")
    add.click()
    page.keyboard.type("second@example.com")
    page.get_by_role("button", name="Move recipients item 2 up").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#tryit-body-recipients-0")).to_have_value("second@example.com")
    expect(page.locator("#tryit-body-recipients-1")).to_have_value("first@example.com")
    # The moved row cannot go higher: its other move button takes the focus.
    expect(page.get_by_role("button", name="Move recipients item 1 down")).to_be_focused()
    add.click()
    page.keyboard.type("third@example.com")
    page.get_by_role("button", name="Remove recipients item 2").click()
    expect(page.locator("#tryit-body-recipients-2")).to_have_count(0)

    page.fill("#tryit-body-card-title", "Disk full")
    page.fill("#tryit-body-card-size", "abc")
    expect(page.locator("#tryit-body-card-size-error")).to_have_text("Not a number.")
    expect(page.locator("#tryit-body-card-size")).to_have_attribute("aria-invalid", "true")
    page.get_by_role("button", name="Send request").click()
    expect(page.locator("#tryit-problems")).to_have_text("Correct the fields marked above.")
    page.fill("#tryit-body-card-size", "1e1")
    expect(page.locator("#tryit-body-card-size-error")).to_have_count(0)
    page.select_option("#tryit-body-priority", label="high")
    expect(page.locator("#tryit-body-silent")).to_have_value("")  # not sent unless chosen
    page.select_option("#tryit-body-silent", label="false")
    expect(page.get_by_test_id("tryit-curl")).to_contain_text('"size":10')
    screenshot(page, "apiplatform-tryit-form")

    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_test_id("tryit-status")).to_have_text(re.compile(r"^200\b"))
    got = json.loads(page.get_by_test_id("tryit-body").inner_text())["got"]
    assert got == {
        "recipients": ["second@example.com", "third@example.com"],
        "card": {"title": "Disk full", "size": 10},
        "priority": "high",
        "silent": False,
    }

    # The gateway's problems land on the field they name.
    page.fill("#tryit-body-recipients-1", "nobody")
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_test_id("tryit-status")).to_have_text(re.compile(r"^400\b"))
    expect(page.locator("#tryit-body-recipients-1")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#tryit-body-recipients-1-error")).to_contain_text("'nobody' is not a 'email'")
    screenshot(page, "apiplatform-tryit-form-problems")
