"""GET endpoints: the request schema describes the query, and text becomes the schema's types."""

import copy

from builder.apiplatform import services
from tests.apiplatform.conftest import GREET, Api

SEARCH = copy.deepcopy(GREET)
SEARCH["trigger"] = {
    "kind": "api_request",
    "mode": "sync",
    "request_schema": {
        "type": "object",
        "required": ["q"],
        "properties": {
            "q": {"type": "string"},
            "limit": {"type": "integer", "minimum": 1, "maximum": 50},
            "open": {"type": "boolean"},
            "tags": {"type": "array", "items": {"type": "string"}},
        },
    },
}
SEARCH["steps"] = [{"id": "r", "respond": {"body": "{{ trigger.query }}"}}]


def test_query_values_are_typed_by_the_schema(personas):
    api = Api(personas.a, SEARCH, method="GET", path="/search")
    response = api.call("GET", "/search?q=vpn&limit=5&open=true&tags=a&tags=b")
    assert response.status_code == 200, response.content
    assert response.json() == {"q": "vpn", "limit": 5, "open": True, "tags": ["a", "b"]}


def test_bad_query_values_are_listed(personas):
    api = Api(personas.a, SEARCH, method="GET", path="/search")
    response = api.call("GET", "/search?limit=500")
    assert response.status_code == 400
    pointers = [e["pointer"] for e in response.json()["error"]["errors"]]
    assert pointers == ["/query/limit", "/query/q"] or sorted(pointers) == ["/query/limit", "/query/q"]


def test_a_post_endpoint_checks_its_query_schema(api):
    definition = copy.deepcopy(GREET)
    definition["trigger"]["query_schema"] = {"type": "object", "properties": {"dry_run": {"type": "boolean"}}}
    from builder.recipes.services import recipe_update

    recipe_update(recipe=api.recipe, definition=definition, publish=True)
    services.endpoint_update(endpoint=api.endpoint, data={"enabled": True})
    response = api.call(path="/greetings?dry_run=maybe", body={"name": "Ada"})
    assert response.status_code == 400
    assert response.json()["error"]["errors"][0]["pointer"] == "/query/dry_run"


MANY = "&".join(f"p{n}=1" for n in range(1900))


def test_too_many_query_parameters_answer_in_the_gateways_shape(api):
    response = api.call(path=f"/greetings?{MANY}", body={"name": "Ada"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == "too_many_parameters"
    assert "1000" in error["message"]
    assert error["request_id"]
