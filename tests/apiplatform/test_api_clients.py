"""/api/clients/, their access profiles and keys: CRUD, secrets shown once, revoke, rotate, and tenancy."""

import json

import pytest

from builder.apiplatform import services
from builder.apiplatform.models import AccessProfile, ApiClient, ApiKey

pytestmark = pytest.mark.django_db


def profiles_url(client):
    return f"/api/clients/{client.pk}/profiles/"


def keys_url(client):
    return f"/api/clients/{client.pk}/keys/"


def test_client_create_list_update_delete(personas, api_as):
    owner = api_as(personas.owner)
    response = owner.post("/api/clients/", {"name": "Chat assistant", "description": "The bot"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["workspace"], body["name"], body["profiles"]) == (personas.a.pk, "Chat assistant", [])
    assert [c["id"] for c in owner.get("/api/clients/").json()] == [body["id"]]
    renamed = owner.patch(f"/api/clients/{body['id']}/", {"name": "Assistant"}, format="json")
    assert renamed.json()["name"] == "Assistant"
    assert owner.delete(f"/api/clients/{body['id']}/").status_code == 204
    assert not ApiClient.objects.exists()


@pytest.mark.parametrize(
    ("method", "body", "field"),
    [("post", {"name": ""}, "name"), ("post", {"description": "no name"}, "name"), ("patch", {"name": "  "}, "name"),
     ("patch", {"workspace": 1}, "workspace"), ("post", {"name": "x" * 101}, "name")],
)  # fmt: skip
def test_bad_client_input_names_the_field(api, personas, api_as, method, body, field):
    owner = api_as(personas.owner)
    url = "/api/clients/" if method == "post" else f"/api/clients/{api.client.pk}/"
    response = getattr(owner, method)(url, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert list(ApiClient.objects.values_list("name", "workspace_id")) == [("Chat assistant", personas.a.pk)]


def test_profiles_nest_under_the_client_and_reach_the_gateway(api, personas, api_as):
    owner = api_as(personas.owner)
    body = {"name": "Limited", "collections": [api.collection.pk], "rate_limit_per_minute": 1,
            "quota_per_day": 1000, "ip_allowlist": ["10.0.0.0/8", "127.0.0.1"]}  # fmt: skip
    response = owner.post(profiles_url(api.client), body, format="json")
    assert response.status_code == 201, response.json()
    profile = response.json()
    assert profile["collections"] == [api.collection.pk]
    assert profile["ip_allowlist"] == ["10.0.0.0/8", "127.0.0.1/32"]
    assert (profile["rate_limit_per_minute"], profile["quota_per_day"], profile["active"]) == (1, 1000, True)
    assert {p["name"] for p in owner.get(f"/api/clients/{api.client.pk}/").json()["profiles"]} == {"Default", "Limited"}
    assert len(owner.get(profiles_url(api.client)).json()) == 2

    url = f"{profiles_url(api.client)}{api.profile.pk}/"
    assert owner.get(url).json()["name"] == "Default"
    assert owner.patch(url, {"active": False}, format="json").json()["active"] is False
    assert api.call(body={"name": "Ada"}).status_code == 403
    cleared = owner.patch(url, {"active": True, "collections": [], "rate_limit_per_minute": None}, format="json")
    assert (cleared.json()["collections"], cleared.json()["rate_limit_per_minute"]) == ([], None)
    assert api.call(body={"name": "Ada"}).status_code == 403  # no longer may call People
    assert owner.delete(url).status_code == 204
    assert list(AccessProfile.objects.values_list("name", flat=True)) == ["Limited"]
    assert not ApiKey.objects.exists()  # a profile's keys go with it


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"ip_allowlist": ["not-an-ip"]}, "ip_allowlist"),
        ({"ip_allowlist": "not-an-ip"}, "ip_allowlist"),
        ({"rate_limit_per_minute": -1}, "rate_limit_per_minute"),
        ({"rate_limit_per_minute": 0}, "rate_limit_per_minute"),
        ({"quota_per_day": "lots"}, "quota_per_day"),
        ({"collections": "all"}, "collections"),
        ({"collections": ["1"]}, "collections.0"),
        ({"active": "maybe"}, "active"),
    ],
)
def test_bad_profile_input_names_the_field_and_changes_nothing(api, personas, api_as, body, field):
    owner = api_as(personas.owner)
    created = owner.post(profiles_url(api.client), {"name": "New", **body}, format="json")
    updated = owner.patch(f"{profiles_url(api.client)}{api.profile.pk}/", {"name": "Changed", **body}, format="json")
    for response in (created, updated):
        assert response.status_code == 400
        assert field in response.json()["error"]["fields"]
    profile = AccessProfile.objects.get()
    assert (profile.name, list(profile.collections.all()), profile.ip_allowlist) == ("Default", [api.collection], [])
    assert profile.rate_limit_per_minute is None


def test_a_profile_cannot_name_another_workspaces_collection(api, personas, api_as):
    theirs = services.collection_create(workspace=personas.b, data={"name": "Theirs"})
    for collections in ([theirs.pk], [99999999]):  # as an unknown id in the URL: theirs does not leak
        response = api_as(personas.owner).post(
            profiles_url(api.client), {"name": "X", "collections": collections}, format="json"
        )
        assert response.status_code == 404
        assert "collections" in response.json()["error"]["fields"]
    outsider_client = services.client_create(workspace=personas.b, data={"name": "Theirs"})
    response = api_as(personas.outsider).post(profiles_url(outsider_client), {"name": "X",
                                              "collections": [api.collection.pk]}, format="json")  # fmt: skip
    assert response.status_code == 404
    assert "collections" in response.json()["error"]["fields"]
    assert AccessProfile.objects.count() == 1


def test_a_key_secret_is_shown_once_and_works(api, personas, api_as):
    owner = api_as(personas.owner)
    response = owner.post(keys_url(api.client), {"name": "laptop"}, format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    secret = created["secret"]
    assert secret.startswith(created["prefix"])
    assert (created["profile"], created["name"], created["active"]) == (api.profile.pk, "laptop", True)
    assert api.call(body={"name": "Ada"}, secret=secret).status_code == 200
    listed = owner.get(keys_url(api.client)).json()
    assert {k["name"] for k in listed} == {"main", "laptop"}
    key_hash = ApiKey.objects.get(pk=created["id"]).key_hash
    answers = [listed, owner.get(f"/api/clients/{api.client.pk}/").json(), owner.get("/api/clients/").json()]
    for answer in answers:
        text = json.dumps(answer)
        assert secret not in text
        assert api.secret not in text
        assert key_hash not in text
        assert '"secret"' not in text
        assert "hash" not in text


def test_a_key_needs_a_profile_to_belong_to(api, personas, api_as):
    owner = api_as(personas.owner)
    bare = services.client_create(workspace=personas.a, data={"name": "Bare"})
    # Leaving the profile out is fine for a client with one: with none or several, a 409.
    response = owner.post(keys_url(bare), {"name": "k"}, format="json")
    assert response.status_code == 409
    assert "create an access profile first" in response.json()["error"]["fields"]["profile"][0]
    services.profile_create(client=api.client, data={"name": "Second"})
    response = owner.post(keys_url(api.client), {"name": "k"}, format="json")
    assert response.status_code == 409
    assert "say which one" in response.json()["error"]["fields"]["profile"][0]
    other_profile = services.profile_create(client=bare, data={"name": "Bare's"})
    response = owner.post(keys_url(api.client), {"name": "k", "profile": other_profile.pk}, format="json")
    assert response.status_code == 404
    assert "profile" in response.json()["error"]["fields"]
    response = owner.post(keys_url(api.client), {"name": "x" * 101, "profile": api.profile.pk}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()["error"]["fields"]
    assert ApiKey.objects.count() == 1
    chosen = owner.post(keys_url(api.client), {"profile": api.profile.pk}, format="json")
    assert (chosen.status_code, chosen.json()["profile"], chosen.json()["name"]) == (201, api.profile.pk, "Key")


def test_revoke_stops_the_key_at_once(api, personas, api_as):
    owner = api_as(personas.owner)
    assert api.call(body={"name": "Ada"}).status_code == 200
    response = owner.post(f"{keys_url(api.client)}{api.key.pk}/revoke/")
    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None
    assert response.json()["active"] is False
    assert api.call(body={"name": "Ada"}).json()["error"]["code"] == "revoked_key"
    again = owner.post(f"{keys_url(api.client)}{api.key.pk}/revoke/")
    assert again.json()["revoked_at"] == response.json()["revoked_at"]  # revoking twice changes nothing
    rotated = owner.post(f"{keys_url(api.client)}{api.key.pk}/rotate/", {}, format="json")
    assert rotated.status_code == 409
    assert "key" in rotated.json()["error"]["fields"]
    assert ApiKey.objects.count() == 1


def test_rotate_gives_a_new_key_and_keeps_the_old_one_for_a_while(api, personas, api_as):
    owner = api_as(personas.owner)
    response = owner.post(f"{keys_url(api.client)}{api.key.pk}/rotate/", {"grace_hours": 2}, format="json")
    assert response.status_code == 201, response.json()
    new = response.json()
    assert new["id"] != api.key.pk
    assert new["name"] == "main"
    assert new["active"] is True
    assert new["old_key"]["id"] == api.key.pk
    assert new["old_key"]["expires_at"] is not None
    assert new["old_key"]["active"] is True
    assert new["old_key"]["replaced_by"] == new["id"]
    assert api.call(body={"name": "Ada"}).status_code == 200  # the old secret, within its grace
    assert api.call(body={"name": "Ada"}, secret=new["secret"]).status_code == 200
    listed = {k["id"]: k for k in owner.get(keys_url(api.client)).json()}
    assert listed[api.key.pk]["expires_at"] == new["old_key"]["expires_at"]
    again = owner.post(f"{keys_url(api.client)}{api.key.pk}/rotate/", {}, format="json")
    assert again.status_code == 409
    assert "key" in again.json()["error"]["fields"]


def test_rotate_with_no_grace_ends_the_old_key_now(api, personas, api_as):
    owner = api_as(personas.owner)
    for bad in (-1, 24 * 31, "soon"):
        response = owner.post(f"{keys_url(api.client)}{api.key.pk}/rotate/", {"grace_hours": bad}, format="json")
        assert response.status_code == 400
        assert "grace_hours" in response.json()["error"]["fields"]
    assert ApiKey.objects.count() == 1
    new = owner.post(f"{keys_url(api.client)}{api.key.pk}/rotate/", {"grace_hours": 0}, format="json").json()
    assert api.call(body={"name": "Ada"}).json()["error"]["code"] == "expired_key"
    assert api.call(body={"name": "Ada"}, secret=new["secret"]).status_code == 200


def test_a_viewer_reads_but_does_not_change(api, personas, api_as):
    viewer = api_as(personas.viewer)
    assert viewer.get(f"/api/clients/{api.client.pk}/").status_code == 200
    assert len(viewer.get(keys_url(api.client)).json()) == 1
    assert viewer.get(f"{profiles_url(api.client)}{api.profile.pk}/").status_code == 200
    writes = [
        ("post", "/api/clients/", {"name": "Mine"}),
        ("patch", f"/api/clients/{api.client.pk}/", {"name": "Mine"}),
        ("delete", f"/api/clients/{api.client.pk}/", None),
        ("post", profiles_url(api.client), {"name": "Mine"}),
        ("patch", f"{profiles_url(api.client)}{api.profile.pk}/", {"name": "Mine"}),
        ("delete", f"{profiles_url(api.client)}{api.profile.pk}/", None),
        ("post", keys_url(api.client), {"name": "Mine"}),
        ("post", f"{keys_url(api.client)}{api.key.pk}/revoke/", None),
        ("post", f"{keys_url(api.client)}{api.key.pk}/rotate/", None),
    ]
    for method, url, body in writes:
        assert getattr(viewer, method)(url, body, format="json").status_code == 403, (method, url)
    assert api.call(body={"name": "Ada"}).status_code == 200
    assert (ApiClient.objects.count(), AccessProfile.objects.count(), ApiKey.objects.count()) == (1, 1, 1)


def test_another_workspace_cannot_see_or_touch_them(api, personas, api_as):
    outsider = api_as(personas.outsider)
    assert outsider.get("/api/clients/").json() == []
    urls = [f"/api/clients/{api.client.pk}/", profiles_url(api.client), f"{profiles_url(api.client)}{api.profile.pk}/",
            keys_url(api.client)]  # fmt: skip
    for url in urls:
        assert outsider.get(url).status_code == 404, url
    for method, url in [("patch", urls[0]), ("delete", urls[0]), ("post", urls[1]), ("patch", urls[2]),
                        ("delete", urls[2]), ("post", urls[3]), ("post", f"{urls[3]}{api.key.pk}/revoke/"),
                        ("post", f"{urls[3]}{api.key.pk}/rotate/")]:  # fmt: skip
        assert getattr(outsider, method)(url, {"name": "Mine"}, format="json").status_code == 404, (method, url)
    # Their own client cannot reach A's profile or key through its URL.
    theirs = services.client_create(workspace=personas.b, data={"name": "Theirs"})
    assert outsider.get(f"{profiles_url(theirs)}{api.profile.pk}/").status_code == 404
    assert outsider.post(f"{keys_url(theirs)}{api.key.pk}/revoke/").status_code == 404
    response = outsider.post(keys_url(theirs), {"profile": api.profile.pk}, format="json")
    assert response.status_code == 404
    assert api.call(body={"name": "Ada"}).status_code == 200
    assert (ApiClient.objects.count(), AccessProfile.objects.count(), ApiKey.objects.count()) == (2, 1, 1)
