"""404 and 405: which collection, path and method a call reaches."""

import copy

from builder.apiplatform import services
from tests.apiplatform.conftest import GREET, make_recipe


def test_an_unknown_collection_is_404(api):
    response = api.http.post("/apim/nobody/v1/greetings", "{}", content_type="application/json",
                             headers={"API-Token": api.secret})  # fmt: skip
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "no_such_collection"


def test_another_version_of_the_collection_is_404(api):
    response = api.http.post("/apim/people/v2/greetings", "{}", content_type="application/json")
    assert response.status_code == 404


def test_an_unknown_path_is_404_in_the_error_shape(api):
    response = api.call(path="/nothing-here", body={"name": "Ada"})
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "no_such_endpoint"
    assert error["status"] == 404
    assert error["request_id"] == response["X-Request-Id"]


def test_a_known_path_with_another_method_is_405_with_allow(api):
    response = api.call("GET")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_404_and_405_come_before_the_key_check(api):
    assert api.call(path="/nothing-here", secret="").status_code == 404
    assert api.call("DELETE", secret="").status_code == 405


def test_path_parameters_reach_the_recipe_and_literal_segments_win(api):
    ticket = copy.deepcopy(GREET)
    ticket["trigger"] = {"kind": "api_request", "mode": "sync", "params_schema": {
        "type": "object", "properties": {"id": {"type": "integer"}}}}  # fmt: skip
    ticket["steps"] = [{"id": "r", "respond": {"body": {"id": "{{ trigger.params.id }}", "kind": "ticket"}}}]
    new = copy.deepcopy(ticket)
    new["steps"] = [{"id": "r", "respond": {"body": {"kind": "new form"}}}]
    for path, definition in (("/tickets/{id}", ticket), ("/tickets/new", new)):
        recipe = make_recipe(api.workspace, definition)
        data = {"name": path, "method": "GET", "path": path, "recipe": recipe.pk}
        services.endpoint_create(collection=api.collection, data=data)
    api.profile.collections.set([api.collection])
    assert api.call("GET", "/tickets/42").json() == {"id": 42, "kind": "ticket"}
    assert api.call("GET", "/tickets/new").json() == {"kind": "new form"}
    bad = api.call("GET", "/tickets/forty-two")
    assert bad.status_code == 400
    assert bad.json()["error"]["errors"][0]["pointer"] == "/params/id"
