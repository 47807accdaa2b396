import pytest
from jsonschema import Draft202012Validator

pytestmark = pytest.mark.django_db


def test_the_catalog_lists_every_connector_with_valid_schemas(personas, api_as):
    response = api_as(personas.viewer).get("/api/connectors/")
    assert response.status_code == 200
    catalog = {c["name"]: c for c in response.json()}
    assert {"http", "moveworks", "slack", "email", "webhooks", "scheduler", "data"} <= set(catalog)
    for connector in catalog.values():
        for action in connector["actions"]:
            Draft202012Validator.check_schema(action["input_schema"])
            Draft202012Validator.check_schema(action["output_schema"])
    send = next(a for a in catalog["moveworks"]["actions"] if a["key"] == "send_message")
    assert send["name"] == "moveworks.send_message"
    assert {f["name"]: f["secret"] for f in catalog["moveworks"]["fields"]}["api_key"] is True


def test_one_connector(personas, api_as):
    body = api_as(personas.viewer).get("/api/connectors/webhooks/").json()
    assert body["triggers"][0]["name"] == "webhooks.push"
    assert body["triggers"][0]["kind"] == "webhook"


def test_an_unknown_connector_is_404(personas, api_as):
    response = api_as(personas.viewer).get("/api/connectors/nope/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_the_catalog_needs_a_login(client):
    assert client.get("/api/connectors/").status_code == 401
