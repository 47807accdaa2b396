"""401 and 403: the key, the access profile, and the caller's address."""

from datetime import timedelta

import pytest
from django.utils import timezone

from builder.apiplatform import services
from builder.apiplatform.models import ApiCall, ApiKey
from tests.apiplatform.conftest import Api


@pytest.mark.parametrize("auth", ["header", "bearer", "basic"])
def test_the_key_is_accepted_in_each_documented_way(api, auth):
    assert api.call(body={"name": "Ada"}, auth=auth).status_code == 200


def test_a_missing_key_is_401_with_a_challenge(api):
    response = api.call(body={"name": "Ada"}, secret="")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "missing_key"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("secret", ["swk_wrong", "x" * 500, "swk_" + "é" * 10])
def test_a_wrong_key_is_401(api, secret):
    response = api.call(body={"name": "Ada"}, secret=secret)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_key"


def test_basic_auth_needs_the_api_token_user(api):
    import base64

    wrong_user = "Basic " + base64.b64encode(f"admin:{api.secret}".encode()).decode()
    response = api.call(body={"name": "Ada"}, secret="", headers={"Authorization": wrong_user})
    assert response.status_code == 401
    garbage = api.call(body={"name": "Ada"}, secret="", headers={"Authorization": "Basic %%%"})
    assert garbage.status_code == 401


def test_a_revoked_key_stops_working_at_once(api):
    assert api.call(body={"name": "Ada"}).status_code == 200  # cached by now
    services.key_revoke(key=api.key)
    response = api.call(body={"name": "Ada"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "revoked_key"


def test_a_rotated_key_works_until_its_grace_period_ends(api):
    new, new_secret = services.key_rotate(key=api.key, grace_hours=1)
    assert api.call(body={"name": "Ada"}).status_code == 200
    assert api.call(body={"name": "Ada"}, secret=new_secret).status_code == 200
    ApiKey.objects.filter(pk=api.key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    services.profile_update(profile=api.profile, data={"name": "Default"})  # any change refreshes the caches
    response = api.call(body={"name": "Ada"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "expired_key"
    assert api.call(body={"name": "Ada"}, secret=new_secret).status_code == 200


def test_a_profile_without_the_collection_is_403(api):
    services.profile_update(profile=api.profile, data={"collections": []})
    response = api.call(body={"name": "Ada"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "collection_not_allowed"


def test_an_inactive_profile_is_403(api):
    services.profile_update(profile=api.profile, data={"active": False})
    assert api.call(body={"name": "Ada"}).status_code == 403


def test_another_workspaces_key_is_403(api, personas):
    other = services.client_create(workspace=personas.b, data={"name": "Globex bot"})
    profile = services.profile_create(client=other, data={"name": "p"})
    _, secret = services.key_create(profile=profile)
    refused = api.call(body={"name": "Ada"}, secret=secret)
    assert refused.status_code == 403
    # Nothing of the other workspace is named: not its collection, not its name.
    assert refused.json()["error"]["message"] == "This key may not call this collection."
    assert api.collection.name not in refused.content.decode()


def test_the_ip_allowlist_admits_listed_addresses_only(api):
    services.profile_update(profile=api.profile, data={"ip_allowlist": ["10.0.0.0/8"]})
    refused = api.call(body={"name": "Ada"})  # the test client calls from 127.0.0.1
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "ip_not_allowed"
    assert api.call(body={"name": "Ada"}, REMOTE_ADDR="10.1.2.3").status_code == 200


def test_forwarded_for_is_ignored_unless_a_proxy_is_trusted(api, settings):
    services.profile_update(profile=api.profile, data={"ip_allowlist": ["10.0.0.0/8"]})
    spoofed = {"X-Forwarded-For": "10.1.2.3"}
    assert api.call(body={"name": "Ada"}, headers=spoofed).status_code == 403
    settings.TRUSTED_PROXY_COUNT = 1
    assert api.call(body={"name": "Ada"}, headers=spoofed).status_code == 200
    assert ApiCall.objects.order_by("-id").first().caller_ip == "10.1.2.3"


def test_the_key_is_checked_before_the_endpoint_state(api):
    services.endpoint_update(endpoint=api.endpoint, data={"enabled": False})
    assert api.call(body={"name": "Ada"}, secret="").status_code == 401


def test_the_last_use_of_a_key_is_recorded(api):
    assert api.call(body={"name": "Ada"}).status_code == 200
    api.key.refresh_from_db()
    assert api.key.last_used_at is not None


def test_a_second_api_in_another_workspace_is_separate(personas):
    first = Api(personas.a)
    services.collection_update(collection=first.collection, data={"slug": "people-a"})
    second = Api(personas.b)
    assert second.call(body={"name": "Ada"}).status_code == 200
    assert second.call(body={"name": "Ada"}, secret=first.secret).status_code == 403
