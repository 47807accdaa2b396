"""The management API's OpenAPI file (/api/schema/): valid, and true to what the API answers.
tests/e2e/test_management_api_fuzz.py holds the API to it on the real server."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

ERROR = {"$ref": "#/components/schemas/Error"}


@pytest.fixture
def schema(client):
    return client.get("/api/schema/?format=json").json()


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_the_openapi_file_generates_without_warnings(tmp_path):
    # Fails on any warning, so that every endpoint stays documented with its types.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "/api/recipes/{id}/versions/{number}/restore/" in (tmp_path / "schema.yaml").read_text()


def test_every_operation_documents_its_error_answers_in_the_one_shape(schema):
    assert schema["components"]["schemas"]["Error"]["required"] == ["error"]
    for path, method, operation in operations(schema):
        answers = operation["responses"]
        if any(operation.get("security", [])):
            assert answers["401"]["content"]["application/json"]["schema"] == ERROR, (method, path)
        if "{" in path:
            assert answers["404"]["content"]["application/json"]["schema"] == ERROR, (method, path)
        if "requestBody" in operation or any(p["in"] == "query" for p in operation.get("parameters", [])):
            assert "400" in answers, (method, path)
        if method in ("post", "put", "patch", "delete") and any(operation.get("security", [])):
            assert "403" in answers, (method, path)


def test_a_conflict_is_documented_where_the_state_can_refuse(schema):
    paths = schema["paths"]
    for path, method in [
        ("/api/recipes/{id}/start/", "post"),
        ("/api/recipes/{id}/", "delete"),
        ("/api/collections/", "post"),
        ("/api/jobs/{id}/cancel/", "post"),
        ("/api/workspaces/{workspace_pk}/members/{id}/", "patch"),
    ]:
        assert paths[path][method]["responses"]["409"]["content"]["application/json"]["schema"] == ERROR
    assert "429" in paths["/api/auth/token/"]["post"]["responses"]


def test_request_bodies_are_json(schema):
    for path, method, operation in operations(schema):
        if "requestBody" in operation:
            assert list(operation["requestBody"]["content"]) == ["application/json"], (method, path)


def test_the_connector_catalogue_is_a_list(schema):
    answer = schema["paths"]["/api/connectors/"]["get"]["responses"]["200"]["content"]["application/json"]
    assert answer["schema"] == {"type": "array", "items": {"$ref": "#/components/schemas/Connector"}}


def test_an_email_may_be_blank(schema):
    email = schema["components"]["schemas"]["User"]["properties"]["email"]
    assert email["anyOf"] == [{"format": "email"}, {"maxLength": 0}]


def test_ids_in_paths_and_filters_are_whole_numbers_from_1(schema):
    members = schema["paths"]["/api/workspaces/{workspace_pk}/members/{id}/"]["get"]["parameters"]
    assert {p["name"]: p["schema"]["type"] for p in members} == {"workspace_pk": "integer", "id": "integer"}
    recipes = schema["paths"]["/api/recipes/"]["get"]["parameters"]
    assert recipes[0]["name"] == "workspace"
    assert (recipes[0]["schema"]["minimum"], recipes[0]["schema"]["maximum"]) == (1, 2**63 - 1)


def test_a_new_connection_has_its_connectors_fields_and_no_others(schema):
    body = schema["paths"]["/api/connections/"]["post"]["requestBody"]
    shapes = {
        shape["properties"]["connector"]["enum"][0]: shape
        for shape in body["content"]["application/json"]["schema"]["oneOf"]
    }
    email = shapes["email"]["properties"]["fields"]
    assert email["additionalProperties"] is False
    assert email["required"] == ["host", "from_email"]
    assert email["properties"]["port"]["type"] == "integer"
    assert body["required"] is True


def test_the_editor_previews_are_documented(schema):
    preview = schema["paths"]["/api/recipes/{id}/preview/"]["post"]
    body = preview["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(schema["components"]["schemas"][body]["properties"]) == {"value", "job", "step"}
    answer = preview["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(schema["components"]["schemas"][answer]["properties"]) == {"value", "job"}
    assert {"400", "404"} <= set(preview["responses"])
    schedule = schema["paths"]["/api/recipes/schedule-preview/"]["post"]
    body = schedule["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    interval = schema["components"]["schemas"][body]["properties"]["every_seconds"]
    assert (interval["minimum"], interval["maximum"]) == (10, 31 * 24 * 3600)
    answer = schedule["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    runs = schema["components"]["schemas"][answer]["properties"]["next_runs"]
    assert runs["items"]["format"] == "date-time"
