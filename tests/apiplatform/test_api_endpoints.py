"""/api/endpoints/: CRUD, the recipe's schemas shown, roles and tenancy, and every bad input named."""

import pytest

from builder.apiplatform import services
from builder.apiplatform.models import ApiEndpoint
from tests.apiplatform.conftest import GREET, make_recipe

pytestmark = pytest.mark.django_db

MANUAL = {"format": "stepwise.recipe/1", "name": "By hand", "trigger": {"kind": "manual"},
          "steps": [{"id": "log", "action": "data.log", "input": {"message": "hi"}}]}  # fmt: skip


def create(client, in_collection, calling, **overrides):
    body = {"collection": in_collection.pk, "name": "Hello", "method": "GET", "path": "/hello/{name}",
            "recipe": calling.pk}  # fmt: skip
    body.update(overrides)
    return client.post("/api/endpoints/", body, format="json")


def test_create_shows_the_gateway_url_and_the_recipes_contract(api, personas, api_as):
    client = api_as(personas.owner)
    response = create(client, api.collection, api.recipe, timeout_seconds=2.5)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["url"] == "/apim/people/v1/hello/{name}"
    assert (body["recipe"], body["recipe_name"], body["recipe_state"]) == (api.recipe.pk, "Greet", "running")
    assert (body["method"], body["mode"], body["timeout_seconds"], body["enabled"]) == ("GET", "sync", 2.5, True)
    assert body["request_schema"] == GREET["trigger"]["request_schema"]
    assert body["response_schema"] == GREET["trigger"]["response_schema"]
    assert body["query_schema"] is None
    assert body["responses"] is None
    assert client.get(f"/api/endpoints/{body['id']}/").json() == body


def test_list_filters_by_collection(api, personas, api_as):
    client = api_as(personas.owner)
    other = services.collection_create(workspace=personas.a, data={"name": "Other"})
    mine = create(client, other, api.recipe).json()["id"]
    assert {e["id"] for e in client.get("/api/endpoints/").json()} == {api.endpoint.pk, mine}
    assert [e["id"] for e in client.get(f"/api/endpoints/?collection={other.pk}").json()] == [mine]
    response = client.get("/api/endpoints/?collection=other")
    assert response.status_code == 400
    assert "collection" in response.json()["error"]["fields"]


def test_update_reaches_the_gateway_and_delete_unpublishes(api, personas, api_as):
    client = api_as(personas.owner)
    url = f"/api/endpoints/{api.endpoint.pk}/"
    assert api.call(body={"name": "Ada"}).status_code == 200
    updated = client.patch(url, {"enabled": False, "description": "Says hello"}, format="json")
    assert updated.status_code == 200
    assert (updated.json()["enabled"], updated.json()["description"]) == (False, "Says hello")
    assert api.call(body={"name": "Ada"}).json()["error"]["code"] == "endpoint_disabled"
    moved = client.patch(url, {"enabled": True, "path": "/hellos"}, format="json").json()
    assert moved["url"] == "/apim/people/v1/hellos"
    assert api.call(path="/hellos", body={"name": "Ada"}).status_code == 200
    assert client.delete(url).status_code == 204
    assert not ApiEndpoint.objects.exists()
    assert api.call(path="/hellos", body={"name": "Ada"}).status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"path": "tickets"}, "path"),
        ({"path": "/a//b"}, "path"),
        ({"path": "//greetings"}, "path"),  # was taken, and served as /greetings
        ({"path": "/_jobs"}, "path"),
        ({"path": "/tickets/"}, "path"),
        ({"path": "/{id}/{id}"}, "path"),
        ({"path": "/tickets/{id} x"}, "path"),
        ({"path": "/" + "a" * 300}, "path"),
        ({"method": "TRACE"}, "method"),
        ({"mode": "later"}, "mode"),
        ({"on_timeout": "shrug"}, "on_timeout"),
        ({"timeout_seconds": 0}, "timeout_seconds"),
        ({"timeout_seconds": 11}, "timeout_seconds"),
        ({"timeout_seconds": "soon"}, "timeout_seconds"),
        ({"enabled": "perhaps"}, "enabled"),
        ({"recipe": None}, "recipe"),
        ({"recipe": "greet"}, "recipe"),
        ({"recipe": 2**70}, "recipe"),
        ({"collection": None}, "collection"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(api, personas, api_as, overrides, field):
    response = create(api_as(personas.owner), api.collection, api.recipe, **overrides)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert ApiEndpoint.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "status"),
    [
        ({"method": "POST", "path": "/greetings"}, "path", 409),  # taken in this collection
        ({"recipe": 99999999}, "recipe", 404),  # no such recipe, as an unknown id in the URL
    ],
)
def test_a_taken_path_or_a_missing_recipe_names_the_field(api, personas, api_as, overrides, field, status):
    response = create(api_as(personas.owner), api.collection, api.recipe, **overrides)
    assert response.status_code == status
    assert field in response.json()["error"]["fields"]
    assert ApiEndpoint.objects.count() == 1


def test_the_recipe_and_collection_are_required(api, personas, api_as):
    client = api_as(personas.owner)
    for missing in ("recipe", "collection"):
        body = {"collection": api.collection.pk, "name": "Hello", "path": "/hello", "recipe": api.recipe.pk}
        del body[missing]
        response = client.post("/api/endpoints/", body, format="json")
        assert response.status_code == 400
        assert missing in response.json()["error"]["fields"]
    assert ApiEndpoint.objects.count() == 1


def test_the_recipe_needs_the_api_request_trigger(api, personas, api_as):
    manual = make_recipe(personas.a, MANUAL, start=False)
    response = create(api_as(personas.owner), api.collection, manual)
    assert response.status_code == 409  # the recipe's trigger is in the way: change it, and try again
    assert "api_request" in response.json()["error"]["fields"]["recipe"][0]
    assert ApiEndpoint.objects.count() == 1


def test_bad_updates_change_nothing(api, personas, api_as):
    client = api_as(personas.owner)
    other = services.collection_create(workspace=personas.a, data={"name": "Other"})
    for body, field in [({"path": "/_jobs/x"}, "path"), ({"timeout_seconds": 0}, "timeout_seconds"),
                        ({"name": ""}, "name"), ({"collection": other.pk}, "collection"),
                        ({"name": "Renamed", "method": "TRACE"}, "method")]:  # fmt: skip
        response = client.patch(f"/api/endpoints/{api.endpoint.pk}/", body, format="json")
        assert response.status_code == 400, body
        assert field in response.json()["error"]["fields"]
    endpoint = ApiEndpoint.objects.get()
    assert (endpoint.name, endpoint.path, endpoint.timeout_seconds, endpoint.collection_id) == (
        "Greet", "/greetings", 10.0, api.collection.pk)  # fmt: skip


def test_a_viewer_reads_but_does_not_change(api, personas, api_as):
    viewer = api_as(personas.viewer)
    url = f"/api/endpoints/{api.endpoint.pk}/"
    assert viewer.get(url).json()["name"] == "Greet"
    assert create(viewer, api.collection, api.recipe).status_code == 403
    assert viewer.patch(url, {"enabled": False}, format="json").status_code == 403
    assert viewer.delete(url).status_code == 403
    assert ApiEndpoint.objects.get().enabled is True


def test_another_workspace_cannot_see_touch_or_borrow(api, personas, api_as):
    outsider = api_as(personas.outsider)
    url = f"/api/endpoints/{api.endpoint.pk}/"
    assert outsider.get("/api/endpoints/").json() == []
    assert outsider.get(f"/api/endpoints/?collection={api.collection.pk}").json() == []
    for method in ("get", "patch", "delete"):
        assert getattr(outsider, method)(url, {"enabled": False}, format="json").status_code == 404
    # Their recipe in A's collection: the collection is not theirs to see.
    theirs = make_recipe(personas.b)
    assert create(outsider, api.collection, theirs).status_code == 404
    # A's recipe in their own collection, at creation or later.
    collection = services.collection_create(workspace=personas.b, data={"name": "Theirs"})
    response = create(outsider, collection, api.recipe)
    assert response.status_code == 404
    assert "recipe" in response.json()["error"]["fields"]
    own = create(outsider, collection, theirs).json()["id"]
    response = outsider.patch(f"/api/endpoints/{own}/", {"recipe": api.recipe.pk}, format="json")
    assert response.status_code == 404
    assert "recipe" in response.json()["error"]["fields"]
    assert ApiEndpoint.objects.get(pk=own).recipe_id == theirs.pk
    assert ApiEndpoint.objects.get(pk=api.endpoint.pk).enabled is True
