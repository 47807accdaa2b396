import random

import pytest
from rest_framework.test import APIClient

from builder.workspaces.models import ApiToken
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def caller() -> APIClient:
    """A client from an address of its own, so that the attempt limit of one test is not another's."""
    return APIClient(REMOTE_ADDR=f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}")


def get_token(username, password=PASSWORD, name="laptop", client=None):
    body = {"username": username, "password": password, "name": name}
    return (client or caller()).post("/api/auth/token/", body)


def test_username_and_password_give_a_token_that_works(personas):
    response = get_token("olivia")
    assert response.status_code == 201
    body = response.json()
    assert body["token"].startswith("sw_")
    assert body["prefix"] == body["token"][:10]
    client = APIClient(HTTP_AUTHORIZATION=f"Token {body['token']}")
    me = client.get("/api/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "olivia"
    assert me.json()["workspaces"] == [{"id": personas.a.pk, "name": "Acme", "role": "owner"}]


def test_the_key_is_stored_only_as_a_hash(personas):
    key = get_token("olivia").json()["token"]
    stored = ApiToken.objects.get()
    assert key not in (stored.key_hash, stored.prefix, stored.name)
    listed = APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/auth/tokens/").json()
    assert "token" not in listed["results"][0]
    assert key not in str(listed)


def test_wrong_password_is_401(personas):
    response = get_token("olivia", password="nope")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"
    assert not ApiToken.objects.exists()


def test_missing_fields_are_named(personas):
    response = caller().post("/api/auth/token/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"username", "password"}


@pytest.mark.parametrize(
    "header",
    [None, "Token sw_not_a_real_token", "Token", "Token a b", "Bearer whatever"],
)
def test_missing_or_wrong_token_is_401(personas, header):
    client = APIClient(**({"HTTP_AUTHORIZATION": header} if header else {}))
    response = client.get("/api/me/")
    assert response.status_code == 401
    assert response.json()["error"]["status"] == 401


def test_revoked_token_is_401(personas):
    key = get_token("olivia").json()["token"]
    client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    token_id = ApiToken.objects.get().pk
    assert client.delete(f"/api/auth/tokens/{token_id}/").status_code == 204
    response = client.get("/api/me/")
    assert response.status_code == 401
    assert "revoked" in response.json()["error"]["message"]


def test_token_of_an_inactive_user_is_401(personas):
    key = get_token("olivia").json()["token"]
    personas.owner.is_active = False
    personas.owner.save()
    assert APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/me/").status_code == 401


def test_someone_elses_token_is_404(personas):
    get_token("olivia")
    theirs = ApiToken.objects.get()
    key = get_token("oscar").json()["token"]
    response = APIClient(HTTP_AUTHORIZATION=f"Token {key}").delete(f"/api/auth/tokens/{theirs.pk}/")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_openapi_schema_is_served():
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/auth/token/" in paths
    assert "/api/workspaces/{workspace_pk}/members/" in paths


def test_password_guessing_is_limited(personas, settings):
    client = caller()
    statuses = [get_token("olivia", password=f"guess {n}", client=client).status_code for n in range(12)]
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]
    response = get_token("olivia", client=client)
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert not ApiToken.objects.exists()
