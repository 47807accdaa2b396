import copy
import json
from pathlib import Path

import pytest

from builder.connections.models import Connection
from builder.connections.services import connection_create
from builder.recipes.models import Recipe

pytestmark = pytest.mark.django_db

EXAMPLE = json.loads((Path(__file__).parents[1] / "engine" / "golden" / "greet_new_hire.json").read_text())[
    "definition"
]


@pytest.fixture
def chat(personas):
    return connection_create(workspace=personas.a, connector="moveworks", name="Moveworks",
                             fields={"api_key": "mw-secret"})  # fmt: skip


def create(client, workspace, definition=EXAMPLE, **extra):
    return client.post("/api/recipes/", {"workspace": workspace.pk, "definition": definition, **extra}, format="json")


def test_import_bound_then_start(personas, api_as, chat):
    client = api_as(personas.owner)
    response = client.post("/api/recipes/import/", {"workspace": personas.a.pk, "definition": EXAMPLE,
                                                    "bindings": {"chat": chat.pk}}, format="json")  # fmt: skip
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["name"] == "Greet a new hire"
    assert body["trigger_kind"] == "api_request"
    assert (body["live_version"], body["unpublished_changes"], body["revision"]) == (None, True, 1)
    assert body["problems"] == []
    assert [v["number"] for v in client.get(f"/api/recipes/{body['id']}/versions/").json()] == [1]
    started = client.post(f"/api/recipes/{body['id']}/start/").json()
    assert started["state"] == "running"
    # The first start published the draft: the imported version 1 itself went live, not a copy.
    assert (started["live_version"], started["unpublished_changes"]) == (1, False)
    assert [v["live"] for v in client.get(f"/api/recipes/{body['id']}/versions/").json()] == [True]


def test_an_invalid_draft_saves_but_cannot_start(personas, api_as):
    client = api_as(personas.owner)
    draft = copy.deepcopy(EXAMPLE)
    draft["steps"][0]["action"] = "moveworks.fly"
    body = create(client, personas.a, draft).json()
    assert {"pointer": "/steps/0/action", "message": "The Moveworks connector has no action 'fly'."} in body["problems"]
    response = client.post(f"/api/recipes/{body['id']}/start/")
    assert response.status_code == 409  # the same draft may be saved, not started
    assert response.json()["error"]["code"] == "invalid_recipe"
    assert response.json()["error"]["problems"][0]["pointer"] == "/steps/0/action"
    assert Recipe.objects.get().state == "stopped"


def test_an_unbound_slot_stops_the_start(personas, api_as):
    client = api_as(personas.owner)
    body = create(client, personas.a).json()
    assert body["problems"] == [
        {"pointer": "/connections/chat", "message": "Bind the slot 'chat' to a moveworks connection."}
    ]
    assert client.post(f"/api/recipes/{body['id']}/start/").status_code == 409


def test_versions_restore_and_diff(personas, api_as, chat):
    client = api_as(personas.owner)
    pk = create(client, personas.a, bindings={"chat": chat.pk}).json()["id"]
    assert client.post(f"/api/recipes/{pk}/publish/", {"comment": "first"}, format="json").json()["live_version"] == 1
    changed = copy.deepcopy(EXAMPLE)
    changed["name"] = "Greet warmly"
    changed["steps"][2]["respond"]["body"]["greeting"] = "Welcome {{ trigger.body.name }}"
    saved = client.patch(f"/api/recipes/{pk}/", {"definition": changed, "comment": "warmer", "publish": True},
                         format="json").json()  # fmt: skip
    assert (saved["live_version"], saved["name"]) == (2, "Greet warmly")
    versions = client.get(f"/api/recipes/{pk}/versions/").json()
    assert [(v["number"], v["comment"], v["live"]) for v in versions] == [(2, "warmer", True), (1, "first", False)]
    diff = client.get(f"/api/recipes/{pk}/diff/?a=1&b=2").json()
    assert (diff["a"], diff["b"]) == ({"side": "version", "version": 1}, {"side": "version", "version": 2})
    assert {"op": "replace", "path": "/name", "old": "Greet a new hire", "new": "Greet warmly"} in diff["changes"]
    assert len(diff["changes"]) == 2
    restored = client.post(f"/api/recipes/{pk}/versions/1/restore/").json()
    # Restore makes version 1 the draft; what runs is still version 2 until a publish.
    assert (restored["live_version"], restored["unpublished_changes"]) == (2, True)
    assert restored["name"] == "Greet a new hire"
    assert restored["definition"] == EXAMPLE
    assert [v["number"] for v in client.get(f"/api/recipes/{pk}/versions/").json()] == [2, 1]
    live_to_draft = client.get(f"/api/recipes/{pk}/diff/").json()  # by default from live to draft
    assert live_to_draft["a"] == {"side": "live", "version": 2}
    assert live_to_draft["b"] == {"side": "draft", "revision": 3}
    assert {"op": "replace", "path": "/name", "old": "Greet warmly", "new": "Greet a new hire"} in live_to_draft[
        "changes"]  # fmt: skip
    assert client.get(f"/api/recipes/{pk}/versions/1/").json()["definition"] == EXAMPLE


def test_export_is_the_exchange_json_without_bindings(personas, api_as, chat):
    client = api_as(personas.owner)
    pk = create(client, personas.a, bindings={"chat": chat.pk}).json()["id"]
    exported = client.get(f"/api/recipes/{pk}/export/")
    assert exported.json() == EXAMPLE
    assert "mw-secret" not in exported.content.decode()
    assert str(chat.pk) not in json.dumps(exported.json()["connections"])


def test_a_running_recipe_keeps_its_connection(personas, api_as, chat):
    client = api_as(personas.owner)
    pk = create(client, personas.a, bindings={"chat": chat.pk}).json()["id"]
    client.post(f"/api/recipes/{pk}/start/")
    response = client.delete(f"/api/connections/{chat.pk}/")
    assert response.status_code == 409
    assert "Greet a new hire" in response.json()["error"]["fields"]["connection"][0]
    assert client.delete(f"/api/recipes/{pk}/").status_code == 409
    client.post(f"/api/recipes/{pk}/stop/")
    assert client.delete(f"/api/connections/{chat.pk}/").status_code == 204


def test_a_running_recipe_keeps_running_its_live_version_while_a_broken_draft_is_saved(personas, api_as, chat):
    client = api_as(personas.owner)
    pk = create(client, personas.a, bindings={"chat": chat.pk}).json()["id"]
    client.post(f"/api/recipes/{pk}/start/")
    broken = copy.deepcopy(EXAMPLE)
    broken["steps"][0]["id"] = "reply"
    saved = client.patch(f"/api/recipes/{pk}/", {"definition": broken}, format="json")
    assert saved.status_code == 200  # a draft may have problems
    assert saved.json()["problems"][0]["pointer"] == "/steps/2/id"
    assert (saved.json()["live_version"], saved.json()["state"]) == (1, "running")
    published = client.patch(f"/api/recipes/{pk}/", {"definition": broken, "publish": True}, format="json")
    assert published.status_code == 400
    assert published.json()["error"]["code"] == "invalid_recipe"
    assert published.json()["error"]["problems"][0]["pointer"] == "/steps/2/id"
    assert client.get(f"/api/recipes/{pk}/").json()["live_version"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"definition": "not json object"}, "definition"),
        ({"definition": [1, 2]}, "definition"),
        ({}, "definition"),
        ({"definition": EXAMPLE, "bindings": {"chat": "one"}}, "bindings.chat"),
        ({"definition": EXAMPLE, "bindings": {"chat": 0}}, "bindings.chat"),
        ({"definition": EXAMPLE, "bindings": ["chat"]}, "bindings"),
        ({"definition": EXAMPLE, "folder": 7}, "folder"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(personas, api_as, body, field):
    response = api_as(personas.owner).post("/api/recipes/", {"workspace": personas.a.pk, **body}, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Recipe.objects.exists()


@pytest.mark.parametrize("theirs", [True, False])
def test_a_connection_not_in_the_workspace_cannot_be_bound(personas, api_as, theirs):
    other = connection_create(workspace=personas.b, connector="moveworks", name="Theirs", fields={"api_key": "k"})
    response = create(api_as(personas.owner), personas.a, bindings={"chat": other.pk if theirs else 999999})
    assert response.status_code == 404  # as an unknown id in the URL, so that theirs does not leak
    assert "bindings.chat" in response.json()["error"]["fields"]
    assert Connection.objects.count() == 1


def test_tenancy_and_roles(personas, api_as):
    pk = create(api_as(personas.owner), personas.a).json()["id"]
    outsider = api_as(personas.outsider)
    assert outsider.get("/api/recipes/").json() == []
    for method, path in [("get", ""), ("patch", ""), ("delete", ""), ("post", "start/"), ("get", "export/"),
                         ("get", "versions/"), ("get", "versions/1/"), ("post", "versions/1/restore/")]:  # fmt: skip
        assert getattr(outsider, method)(f"/api/recipes/{pk}/{path}", {}, format="json").status_code == 404
    viewer = api_as(personas.viewer)
    assert viewer.get(f"/api/recipes/{pk}/").status_code == 200
    assert viewer.post(f"/api/recipes/{pk}/start/").status_code == 403
    assert create(viewer, personas.a).status_code == 403


def test_the_schema_is_served(client):
    schema = client.get("/api/schemas/recipe.json").json()
    assert schema["properties"]["format"] == {"const": "stepwise.recipe/1"}


def test_a_running_recipe_cannot_lose_a_binding(personas, api_as, chat):
    client = api_as(personas.owner)
    pk = create(client, personas.a, bindings={"chat": chat.pk}).json()["id"]
    client.post(f"/api/recipes/{pk}/start/")
    response = client.patch(f"/api/recipes/{pk}/", {"bindings": {}}, format="json")
    assert response.status_code == 409
    assert client.get(f"/api/recipes/{pk}/").json()["bindings"] == {"chat": chat.pk}


def test_a_nul_in_a_definition_is_kept_as_a_replacement_character(personas, api_as):
    # PostgreSQL cannot store a NUL in JSON: it answered 500.
    draft = {**copy.deepcopy(EXAMPLE), "description": "a\x00b", "x\x00": 1}
    response = create(api_as(personas.owner), personas.a, draft)
    assert response.status_code == 201
    saved = Recipe.objects.get().draft
    assert (saved["description"], saved["x\ufffd"]) == ("a\ufffdb", 1)
