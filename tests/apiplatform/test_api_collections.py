"""/api/collections/: CRUD, roles and tenancy, and every bad input named."""

import pytest

from builder.apiplatform import services
from builder.apiplatform.models import ApiCollection

pytestmark = pytest.mark.django_db


def create(client, ws=None, **overrides):
    body = {"name": "People", "slug": "people", "description": "Who works here"}
    if ws is not None:
        body["workspace"] = ws.pk
    body.update(overrides)
    return client.post("/api/collections/", body, format="json")


def test_create_list_update_delete(personas, api_as):
    client = api_as(personas.owner)
    response = create(client)  # olivia has one workspace, so it need not be named
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["workspace"] == personas.a.pk
    assert (body["name"], body["slug"], body["version"]) == ("People", "people", 1)
    assert body["base_path"] == "/apim/people/v1"
    assert body["openapi_url"] == "/apim/people/v1/openapi.json"
    assert body["endpoint_count"] == 0
    assert [c["id"] for c in client.get("/api/collections/").json()] == [body["id"]]
    assert client.get(f"/api/collections/?workspace={personas.a.pk}").json()[0]["slug"] == "people"
    assert client.get(f"/api/collections/?workspace={personas.b.pk}").json() == []

    updated = client.patch(f"/api/collections/{body['id']}/", {"version": 2, "name": "Staff"}, format="json")
    assert updated.status_code == 200
    assert (updated.json()["name"], updated.json()["base_path"]) == ("Staff", "/apim/people/v2")
    assert client.get(f"/api/collections/{body['id']}/").json()["name"] == "Staff"

    assert client.delete(f"/api/collections/{body['id']}/").status_code == 204
    assert not ApiCollection.objects.exists()


def test_the_slug_is_made_from_the_name_and_endpoints_are_counted(api, api_as, personas):
    client = api_as(personas.owner)
    assert create(client, name="Help Desk", slug="").json()["slug"] == "help-desk"
    listed = {c["slug"]: c for c in client.get("/api/collections/").json()}
    assert listed["people"]["endpoint_count"] == 1
    assert client.get(f"/api/collections/{api.collection.pk}/").json()["endpoint_count"] == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"slug": "Not a slug!"}, "slug"),
        ({"slug": "a--b"}, "slug"),
        ({"slug": "x" * 61}, "slug"),
        ({"version": 0}, "version"),
        ({"version": 1000}, "version"),
        ({"version": "two"}, "version"),
        ({"workspace": "acme"}, "workspace"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(personas, api_as, overrides, field):
    services.collection_create(workspace=personas.b, data={"name": "Theirs", "slug": "people"})
    response = create(api_as(personas.owner), **overrides)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"]
    assert ApiCollection.objects.count() == 1


def test_a_taken_slug_is_a_conflict(personas, api_as):
    services.collection_create(workspace=personas.b, data={"name": "Theirs", "slug": "people"})
    response = create(api_as(personas.owner), slug="people", version=1)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    assert "/apim/people/v1 is taken" in response.json()["error"]["fields"]["slug"][0]
    assert ApiCollection.objects.count() == 1


def test_a_name_with_no_letter_for_a_slug_gets_one(personas, api_as):
    assert create(api_as(personas.owner), name="日本", slug="").json()["slug"] == "api"


def test_a_name_is_required(personas, api_as):
    response = api_as(personas.owner).post("/api/collections/", {"slug": "x"}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()["error"]["fields"]


def test_bad_updates_change_nothing(personas, api_as):
    client = api_as(personas.owner)
    pk = create(client).json()["id"]
    create(client, name="Other", slug="other")
    for body, field, status in [
        ({"name": ""}, "name", 400),
        ({"slug": "other"}, "slug", 409),
        ({"slug": "UPPER CASE"}, "slug", 400),
        ({"workspace": personas.b.pk}, "workspace", 400),
    ]:
        response = client.patch(f"/api/collections/{pk}/", body, format="json")
        assert response.status_code == status, body
        assert field in response.json()["error"]["fields"]
    collection = ApiCollection.objects.get(pk=pk)
    assert (collection.name, collection.slug, collection.workspace_id) == ("People", "people", personas.a.pk)


def test_a_bad_workspace_filter_is_400(personas, api_as):
    response = api_as(personas.owner).get("/api/collections/?workspace=acme")
    assert response.status_code == 400
    assert "workspace" in response.json()["error"]["fields"]


def test_a_viewer_reads_but_does_not_change(personas, api_as):
    pk = create(api_as(personas.owner)).json()["id"]
    viewer = api_as(personas.viewer)
    assert viewer.get(f"/api/collections/{pk}/").status_code == 200
    assert [c["id"] for c in viewer.get("/api/collections/").json()] == [pk]
    assert create(viewer, personas.a, slug="mine").status_code == 403
    assert viewer.patch(f"/api/collections/{pk}/", {"name": "Mine"}, format="json").status_code == 403
    assert viewer.delete(f"/api/collections/{pk}/").status_code == 403
    assert ApiCollection.objects.get().name == "People"


def test_another_workspace_cannot_see_or_touch_it(personas, api_as):
    pk = create(api_as(personas.owner)).json()["id"]
    outsider = api_as(personas.outsider)
    assert outsider.get("/api/collections/").json() == []
    for method in ("get", "patch", "delete"):
        response = getattr(outsider, method)(f"/api/collections/{pk}/", {"name": "Mine"}, format="json")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert create(outsider, personas.a, slug="theirs").status_code == 404
    assert outsider.get("/api/collections/abc/").status_code == 404
    assert ApiCollection.objects.get().name == "People"


def test_deleting_a_collection_unpublishes_it(api, api_as, personas):
    assert api.call(body={"name": "Ada"}).status_code == 200
    assert api_as(personas.owner).delete(f"/api/collections/{api.collection.pk}/").status_code == 204
    assert api.call(body={"name": "Ada"}).status_code == 404
