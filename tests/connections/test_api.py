import json

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection as db

from builder.connections import crypto
from builder.connections.models import Connection
from connectors.moveworks import auth
from connectors.testkit import LocalServer

pytestmark = pytest.mark.django_db

SECRET = "mw-super-secret-key"


def create(client, ws, **overrides):
    body = {"workspace": ws.pk, "connector": "moveworks", "name": "Moveworks prod",
            "fields": {"base_url": "https://api.moveworks.ai", "event_id": "evt-1", "api_key": SECRET}}  # fmt: skip
    body.update(overrides)
    return client.post("/api/connections/", body, format="json")


def test_create_then_the_secret_is_only_said_to_be_set(personas, api_as):
    client = api_as(personas.owner)
    response = create(client, personas.a)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["fields"] == {"base_url": "https://api.moveworks.ai", "event_id": "evt-1", "auth_method": "api_key"}
    assert body["secrets"] == {"api_key": True, "client_secret": False}
    for answer in (body, client.get(f"/api/connections/{body['id']}/").json(), client.get("/api/connections/").json()):
        assert SECRET not in json.dumps(answer)


def test_the_secret_is_unreadable_in_the_database(personas, api_as):
    create(api_as(personas.owner), personas.a)
    with db.cursor() as cursor:
        cursor.execute("SELECT fields, secrets FROM connections_connection")
        fields, secrets = cursor.fetchone()
    assert SECRET not in str(fields)
    assert SECRET not in secrets
    assert crypto.decrypt(secrets) == {"api_key": SECRET}


def test_updating_other_fields_keeps_the_secret_and_null_clears_it(personas, api_as):
    client = api_as(personas.owner)
    pk = create(client, personas.a).json()["id"]
    updated = client.patch(f"/api/connections/{pk}/", {"fields": {"event_id": "evt-2"}}, format="json").json()
    assert updated["fields"]["event_id"] == "evt-2"
    assert updated["secrets"]["api_key"] is True
    cleared = client.patch(f"/api/connections/{pk}/", {"fields": {"api_key": None}}, format="json").json()
    assert cleared["secrets"]["api_key"] is False


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"connector": "nope"}, "connector"),
        ({"name": ""}, "name"),
        ({"fields": {"base_url": "not a url"}}, "fields.base_url"),
        ({"fields": {"base_url": "https://ada:pa55word@api.moveworks.ai"}}, "fields.base_url"),
        ({"fields": {"auth_method": "magic"}}, "fields.auth_method"),
        ({"fields": {"colour": "blue"}}, "fields.colour"),
        ({"fields": "api_key=1"}, "fields"),
        ({"workspace": 99999999999999999999}, "workspace"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(personas, api_as, overrides, field):
    response = create(api_as(personas.owner), personas.a, **overrides)
    assert response.status_code in (400, 404)
    if response.status_code == 400:
        assert field in response.json()["error"]["fields"]
    assert not Connection.objects.exists()


def test_a_required_field_is_required(personas, api_as):
    response = create(api_as(personas.owner), personas.a, connector="email", fields={"host": "smtp.example.com"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["fields.from_email"] == ["From address is required."]


def test_names_are_unique_in_a_workspace(personas, api_as):
    client = api_as(personas.owner)
    assert create(client, personas.a).status_code == 201
    response = create(client, personas.a)
    assert response.status_code == 409
    assert "name" in response.json()["error"]["fields"]
    assert Connection.objects.count() == 1


def test_another_workspace_cannot_see_or_touch_it(personas, api_as):
    pk = create(api_as(personas.owner), personas.a).json()["id"]
    outsider = api_as(personas.outsider)
    assert outsider.get("/api/connections/").json() == []
    for method in ("get", "patch", "delete"):
        assert getattr(outsider, method)(f"/api/connections/{pk}/", {}, format="json").status_code == 404
    assert outsider.post(f"/api/connections/{pk}/test/").status_code == 404
    assert create(outsider, personas.a).status_code == 404
    assert Connection.objects.count() == 1


def test_a_viewer_reads_but_does_not_change(personas, api_as):
    pk = create(api_as(personas.owner), personas.a).json()["id"]
    viewer = api_as(personas.viewer)
    assert viewer.get(f"/api/connections/{pk}/").status_code == 200
    assert viewer.delete(f"/api/connections/{pk}/").status_code == 403
    assert create(viewer, personas.a, name="mine").status_code == 403


def test_the_test_endpoint_runs_the_connectors_check(personas, api_as, settings):
    settings.ALLOW_PRIVATE_NETWORKS = True  # the stand-in runs on loopback
    auth._tokens.clear()
    client = api_as(personas.owner)
    with LocalServer() as server:
        server.reply("POST", "/token", json={"access_token": "t", "expires_in": 600})
        server.reply("POST", "/token", status=401, json={"error": "invalid_client"})
        fields = {"base_url": server.url, "auth_method": "oauth2", "token_url": f"{server.url}/token",
                  "client_id": "c", "client_secret": "s"}  # fmt: skip
        pk = create(client, personas.a, fields=fields).json()["id"]
        first = client.post(f"/api/connections/{pk}/test/").json()
        second = client.post(f"/api/connections/{pk}/test/").json()
    assert first == {"ok": True, "message": "Moveworks issued an access token for these client credentials."}
    assert second["ok"] is False
    assert "401" in second["message"]
    assert client.get(f"/api/connections/{pk}/").json()["last_test"]["ok"] is False


def test_the_test_refuses_private_addresses_by_default(personas, api_as):
    client = api_as(personas.owner)
    fields = {"base_url": "http://127.0.0.1:9/", "auth_method": "oauth2", "token_url": "http://127.0.0.1:9/token",
              "client_id": "c", "client_secret": "s"}  # fmt: skip
    pk = create(client, personas.a, fields=fields).json()["id"]
    result = client.post(f"/api/connections/{pk}/test/").json()
    assert result["ok"] is False
    assert "does not allow" in result["message"]


def test_delete(personas, api_as):
    client = api_as(personas.owner)
    pk = create(client, personas.a).json()["id"]
    assert client.delete(f"/api/connections/{pk}/").status_code == 204
    assert not Connection.objects.exists()


def test_key_rotation_re_encrypts_with_the_new_key(personas, api_as, settings):
    create(api_as(personas.owner), personas.a)
    old = list(settings.ENCRYPTION_KEYS)
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *old]
    call_command("rotate_encryption_keys", stdout=open("/dev/null", "w"))
    settings.ENCRYPTION_KEYS = settings.ENCRYPTION_KEYS[:1]  # the old key is gone
    assert crypto.decrypt(Connection.objects.get().secrets) == {"api_key": SECRET}


def test_pick_list_of_slack_channels(personas, api_as, settings):
    settings.ALLOW_PRIVATE_NETWORKS = True
    client = api_as(personas.owner)
    with LocalServer() as server:
        server.reply("POST", "/conversations.list", json={"ok": True, "channels": [{"id": "C2", "name": "it-help"}],
                                                         "response_metadata": {"next_cursor": "p2"}})  # fmt: skip
        server.reply("POST", "/conversations.list", json={"ok": True, "channels": [{"id": "C1", "name": "general"}]})
        pk = create(client, personas.a, connector="slack", name="Slack",
                    fields={"bot_token": "xoxb-1", "api_base_url": server.url}).json()["id"]  # fmt: skip
        response = client.get(f"/api/connections/{pk}/pick-list/?action=slack.post_message&field=channel")
    assert response.status_code == 200
    assert response.json() == [{"value": "C1", "label": "#general"}, {"value": "C2", "label": "#it-help"}]
    assert server.requests[1].json["cursor"] == "p2"


def test_pick_list_errors(personas, api_as):
    client = api_as(personas.owner)
    fields = {"bot_token": "xoxb-1", "api_base_url": "http://127.0.0.1:9"}
    pk = create(client, personas.a, connector="slack", name="Slack", fields=fields).json()["id"]
    response = client.get(f"/api/connections/{pk}/pick-list/?action=slack.post_message&field=text")
    assert response.status_code == 404  # no such pick list
    assert "field" in response.json()["error"]["fields"]
    assert client.get(f"/api/connections/{pk}/pick-list/?action=slack.post_message").status_code == 400
    blocked = client.get(f"/api/connections/{pk}/pick-list/?action=slack.post_message&field=channel")
    assert blocked.status_code == 502
    assert "does not allow" in blocked.json()["error"]["message"]


def test_moving_a_url_needs_the_secret_again(personas, api_as):
    client = api_as(personas.owner)
    pk = create(client, personas.a).json()["id"]
    moved = client.patch(f"/api/connections/{pk}/", {"fields": {"base_url": "https://evil.example.com"}}, format="json")
    assert moved.status_code == 400
    assert "fields.api_key" in moved.json()["error"]["fields"]
    both = {"fields": {"base_url": "https://api.eu.moveworks.ai", "api_key": "new-key"}}
    assert client.patch(f"/api/connections/{pk}/", both, format="json").status_code == 200


@pytest.mark.parametrize("port", ["1" * 5000, 10**40, "12a", True, "587"])  # JSON has numbers: "587" is text
def test_absurd_numbers_are_refused(personas, api_as, port):
    response = create(api_as(personas.owner), personas.a, connector="email", name="Mail",
                      fields={"host": "smtp.example.com", "from_email": "a@b.io", "port": port})  # fmt: skip
    assert response.status_code == 400
    assert "fields.port" in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"signing_secret": "s", "encoding": "hex\x00"}, "fields.encoding"),  # PostgreSQL cannot store a NUL
        ({"signing_secret": "s\x00"}, "fields.signing_secret"),
        ({"signature_header": 7}, "fields.signature_header"),
        ({"algorithm": True}, "fields.algorithm"),
    ],
)
def test_a_field_value_that_does_not_fit_is_refused(personas, api_as, fields, field):
    response = create(api_as(personas.owner), personas.a, connector="webhooks", name="Hook", fields=fields)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Connection.objects.exists()


def test_a_boolean_field_takes_a_boolean_only(personas, api_as):
    # the console turns its checkbox into one; an API caller sends JSON
    from builder.connections.forms import clean_fields
    from connectors.sdk import Connector, Field

    connector = Connector(name="t", title="T", description="", category="tools", fields=(Field("on", "On", "boolean"),))
    assert clean_fields(connector, {"on": False}) == {"on": False}
    for value in ("true", 1, "yes"):
        with pytest.raises(ValidationError):
            clean_fields(connector, {"on": value})
