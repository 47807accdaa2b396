"""Each collection's OpenAPI 3.1 file: valid, complete, behind the same keys, and fresh."""

import copy

import pytest
from openapi_spec_validator import validate

from builder.apiplatform import services
from tests.apiplatform.conftest import GREET, Api, make_recipe
from tests.apiplatform.test_gateway_sync import LOOKUP


@pytest.fixture
def published(personas):
    api = Api(personas.a)
    lookup = make_recipe(personas.a, LOOKUP)
    ticket = {"name": "Ticket", "method": "GET", "path": "/tickets/{id}", "recipe": lookup.pk}
    services.endpoint_create(collection=api.collection, data=ticket)
    hire = copy.deepcopy(GREET)
    hire["trigger"]["mode"] = "async"
    services.endpoint_create(collection=api.collection, data={"name": "Hire", "method": "POST", "path": "/hires",
                                                              "recipe": make_recipe(personas.a, hire).pk})  # fmt: skip
    return api


def test_the_collections_openapi_file_is_valid_and_complete(published):
    response = published.call("GET", "/openapi.json")
    assert response.status_code == 200
    document = response.json()
    validate(document)  # OpenAPI 3.1
    assert document["servers"] == [{"url": "http://testserver/apim/people/v1"}]
    assert document["components"]["securitySchemes"]["apiToken"] == {"type": "apiKey", "in": "header",
                                                                       "name": "API-Token"}  # fmt: skip
    greet = document["paths"]["/greetings"]["post"]
    assert greet["requestBody"]["content"]["application/json"]["schema"]["required"] == ["name"]
    assert greet["responses"]["200"]["content"]["application/json"]["schema"]["required"] == ["greeting"]
    assert greet["responses"]["400"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    ticket = document["paths"]["/tickets/{id}"]["get"]
    assert ticket["parameters"][0] == {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
    assert ticket["responses"]["200"]["headers"]["X-Source"]["required"] is True
    assert "404" in ticket["responses"]
    assert "202" in document["paths"]["/hires"]["post"]["responses"]
    assert "/_jobs/{job_id}" in document["paths"]


def test_the_openapi_file_needs_a_key_for_the_collection(published, personas):
    assert published.call("GET", "/openapi.json", secret="").status_code == 401
    services.profile_update(profile=published.profile, data={"collections": []})
    assert published.call("GET", "/openapi.json").status_code == 403


def test_the_openapi_file_follows_changes(published):
    assert "/farewells" not in published.call("GET", "/openapi.json").json()["paths"]
    services.endpoint_create(collection=published.collection, data={"name": "Bye", "method": "POST",
                                                                    "path": "/farewells",
                                                                    "recipe": published.recipe.pk})  # fmt: skip
    assert "/farewells" in published.call("GET", "/openapi.json").json()["paths"]
