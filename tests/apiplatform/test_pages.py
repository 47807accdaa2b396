"""The API platform console's pages: collections, endpoints, try it out, clients, access
profiles, keys and the call log, as an owner, a viewer and an outsider see them."""

import csv
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from builder.apiplatform.models import AccessProfile, ApiCall, ApiClient, ApiCollection, ApiEndpoint, ApiKey
from builder.apiplatform.services import key_create
from tests.apiplatform.conftest import GREET, make_recipe

pytestmark = pytest.mark.django_db


def page_urls(api) -> dict[str, str]:
    return {
        "collections": reverse("apiplatform_collections"),
        "collection": reverse("apiplatform_collection", args=[api.collection.pk]),
        "openapi": reverse("apiplatform_collection_openapi", args=[api.collection.pk]),
        "endpoint": reverse("apiplatform_endpoint", args=[api.endpoint.pk]),
        "try": reverse("apiplatform_endpoint_try", args=[api.endpoint.pk]),
        "clients": reverse("apiplatform_clients"),
        "client": reverse("apiplatform_client", args=[api.client.pk]),
        "profile": reverse("apiplatform_profile", args=[api.profile.pk]),
        "calls": reverse("apiplatform_calls"),
        "csv": reverse("apiplatform_calls_csv"),
    }


def writes(api) -> list[tuple[str, dict]]:
    """Every page POST, with data that an owner's request would accept."""
    return [
        (reverse("apiplatform_collections"), {"name": "Other", "slug": "other"}),
        (reverse("apiplatform_collection", args=[api.collection.pk]), {"name": "Renamed", "slug": "people"}),
        (reverse("apiplatform_collection_delete", args=[api.collection.pk]), {}),
        (reverse("apiplatform_endpoint_new", args=[api.collection.pk]),
         {"name": "Other", "method": "GET", "path": "/other", "recipe": api.recipe.pk, "timeout_seconds": "5",
          "on_timeout": "error"}),
        (reverse("apiplatform_endpoint", args=[api.endpoint.pk]),
         {"name": "Renamed", "method": "POST", "path": "/greetings", "recipe": api.recipe.pk,
          "timeout_seconds": "5", "on_timeout": "error"}),
        (reverse("apiplatform_endpoint_enabled", args=[api.endpoint.pk]), {"enabled": "false"}),
        (reverse("apiplatform_endpoint_delete", args=[api.endpoint.pk]), {}),
        (reverse("apiplatform_clients"), {"name": "Other"}),
        (reverse("apiplatform_client", args=[api.client.pk]), {"name": "Renamed"}),
        (reverse("apiplatform_client_delete", args=[api.client.pk]), {}),
        (reverse("apiplatform_profile_new", args=[api.client.pk]), {"name": "Other"}),
        (reverse("apiplatform_profile", args=[api.profile.pk]), {"name": "Renamed"}),
        (reverse("apiplatform_profile_delete", args=[api.profile.pk]), {}),
        (reverse("apiplatform_key_new", args=[api.client.pk]), {"name": "Other", "profile": api.profile.pk}),
        (reverse("apiplatform_key_revoke", args=[api.key.pk]), {}),
        (reverse("apiplatform_key_rotate", args=[api.key.pk]), {"grace_hours": "1"}),
    ]  # fmt: skip


def snapshot() -> tuple:
    """What a refused write must leave exactly as it was."""
    return (
        list(ApiCollection.objects.values_list("pk", "name", "slug")),
        list(ApiEndpoint.objects.values_list("pk", "name", "enabled")),
        list(ApiClient.objects.values_list("pk", "name")),
        list(AccessProfile.objects.values_list("pk", "name")),
        list(ApiKey.objects.values_list("pk", "revoked_at", "replaced_by")),
    )


def text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


# --- who sees what -----------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "viewer"])
def test_every_page_renders_for_a_member(personas, client, api, who):
    api.call(body={"name": "Ada"})
    client.force_login(getattr(personas, who))
    for name, url in page_urls(api).items():
        response = client.get(url)
        assert response.status_code == 200, name


def test_a_viewer_sees_no_write_buttons(personas, client, api):
    client.force_login(personas.viewer)
    pages = page_urls(api)
    for name in ("collections", "collection", "endpoint", "clients", "client", "profile"):
        page = text(client.get(pages[name]))
        for button in ("Create collection", "Add endpoint", "Delete", "Save", "Create client", "Create key",
                       "Create profile", "Revoke", "Rotate", "Disable"):  # fmt: skip
            assert f">{button}" not in page, (name, button)
    assert "Try it" in text(client.get(pages["collection"]))


def test_the_navigation_links_the_console(personas, client):
    client.force_login(personas.owner)
    assert 'href="/api-platform/" data-nav="apiplatform"' in text(client.get(reverse("home")))


def test_every_write_is_refused_to_a_viewer(personas, client, api):
    client.force_login(personas.viewer)
    before = snapshot()
    for url, data in writes(api):
        assert client.post(url, data).status_code == 403, url
    assert snapshot() == before


def test_another_workspace_gets_404_and_changes_nothing(personas, client, api):
    client.force_login(personas.outsider)
    pages = page_urls(api)
    for name in ("collection", "openapi", "endpoint", "try", "client", "profile"):
        assert client.get(pages[name]).status_code == 404, name
    before = snapshot()
    for url, data in writes(api)[1:]:  # [0] creates in the outsider's own workspace
        if url in (reverse("apiplatform_clients"),):
            continue
        assert client.post(url, data).status_code == 404, url
    assert snapshot() == before


def test_the_lists_and_the_call_log_show_only_the_current_workspace(personas, client, api):
    api.call(body={"name": "Ada"})
    client.force_login(personas.outsider)
    assert "People" not in text(client.get(reverse("apiplatform_collections")))
    assert "Chat assistant" not in text(client.get(reverse("apiplatform_clients")))
    assert "/apim/people/v1/greetings" not in text(client.get(reverse("apiplatform_calls")))
    assert text(client.get(reverse("apiplatform_calls_csv"))).count("\n") == 1  # the header alone


# --- collections -------------------------------------------------------------


def test_create_a_collection(personas, client):
    client.force_login(personas.owner)
    response = client.post(reverse("apiplatform_collections"), {"name": "HR tools", "slug": "", "version": "2",
                                                                 "description": "For the assistant"})  # fmt: skip
    collection = ApiCollection.objects.get()
    assert response.status_code == 302
    assert (collection.workspace, collection.slug, collection.version) == (personas.a, "hr-tools", 2)
    page = text(client.get(reverse("apiplatform_collections")))
    assert "/apim/hr-tools/v2" in page


def test_a_taken_slug_is_shown_next_to_the_field_and_nothing_is_created(personas, client, api):
    client.force_login(personas.owner)
    response = client.post(reverse("apiplatform_collections"), {"name": "Again", "slug": "people", "version": "1"})
    page = text(response)
    assert response.status_code == 400
    assert 'data-field="slug">/apim/people/v1 is taken; choose another.' in page
    assert 'value="Again"' in page
    assert ApiCollection.objects.count() == 1


def test_a_bad_version_on_edit_changes_nothing(personas, client, api):
    client.force_login(personas.owner)
    url = reverse("apiplatform_collection", args=[api.collection.pk])
    response = client.post(url, {"name": "Renamed", "slug": "people", "version": "many"})
    assert response.status_code == 400
    assert 'data-field="version">Give a whole number from 1 to 999' in text(response)
    api.collection.refresh_from_db()
    assert (api.collection.name, api.collection.version) == ("People", 1)
    client.post(url, {"name": "Renamed", "slug": "people", "version": "3", "description": ""})
    api.collection.refresh_from_db()
    assert (api.collection.name, api.collection.version) == ("Renamed", 3)


def test_the_collection_page_lists_endpoints_and_offers_only_api_recipes(personas, client, api):
    make_recipe(personas.a, {**GREET, "name": "Nightly", "trigger": {"kind": "manual"}}, start=False)
    client.force_login(personas.owner)
    page = text(client.get(reverse("apiplatform_collection", args=[api.collection.pk])))
    assert "/greetings" in page
    assert "Greet (running)" in page
    assert "Nightly" not in page
    assert f"/api-platform/collections/{api.collection.pk}/openapi.json" in page


def test_delete_a_collection(personas, client, api):
    client.force_login(personas.owner)
    response = client.post(reverse("apiplatform_collection_delete", args=[api.collection.pk]))
    assert response.status_code == 302
    assert not ApiCollection.objects.exists()
    assert api.call(body={"name": "Ada"}).status_code == 404


def test_the_openapi_file_for_members(personas, client, api):
    client.force_login(personas.viewer)
    document = client.get(reverse("apiplatform_collection_openapi", args=[api.collection.pk])).json()
    assert document["servers"][0]["url"] == "http://testserver/apim/people/v1"
    assert document["paths"]["/greetings"]["post"]["requestBody"]["content"]["application/json"]["schema"][
        "required"
    ] == ["name"]


# --- endpoints ---------------------------------------------------------------


def test_add_an_endpoint(personas, client, api):
    client.force_login(personas.owner)
    response = client.post(reverse("apiplatform_endpoint_new", args=[api.collection.pk]), {
        "name": "Look up", "method": "GET", "path": "/people/{id}", "recipe": str(api.recipe.pk), "mode": "",
        "timeout_seconds": "2.5", "on_timeout": "handover", "enabled": "on"})  # fmt: skip
    assert response.status_code == 302
    endpoint = ApiEndpoint.objects.get(path="/people/{id}")
    assert (endpoint.method, endpoint.mode, endpoint.timeout_seconds, endpoint.on_timeout, endpoint.enabled) == (
        "GET", "sync", 2.5, "handover", True)  # fmt: skip


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"path": "people"}, "path", "A path starts with /"),
        ({"path": "/greetings", "method": "POST"}, "path", "POST /greetings is already in this collection."),
        ({"recipe": ""}, "recipe", "Give a recipe id."),
        ({"timeout_seconds": "60"}, "timeout_seconds", "Give seconds from 0.1 to 10."),
        ({"name": ""}, "name", "This field may not be blank."),
    ],
)
def test_a_bad_endpoint_is_shown_inline_and_not_added(personas, client, api, change, field, message):
    client.force_login(personas.owner)
    data = {"name": "Look up", "method": "GET", "path": "/people", "recipe": str(api.recipe.pk),
            "timeout_seconds": "5", "on_timeout": "error", **change}  # fmt: skip
    response = client.post(reverse("apiplatform_endpoint_new", args=[api.collection.pk]), data)
    assert response.status_code == 400
    assert f'data-field="{field}">{message}' in text(response)
    assert ApiEndpoint.objects.count() == 1


def test_a_recipe_of_another_kind_is_refused(personas, client, api):
    nightly = make_recipe(personas.a, {**GREET, "name": "Nightly", "trigger": {"kind": "manual"}}, start=False)
    client.force_login(personas.owner)
    response = client.post(reverse("apiplatform_endpoint_new", args=[api.collection.pk]), {
        "name": "x", "method": "GET", "path": "/x", "recipe": str(nightly.pk), "timeout_seconds": "5",
        "on_timeout": "error"})  # fmt: skip
    assert response.status_code == 400
    assert "Nightly has a manual trigger" in text(response)


def test_the_endpoint_page_shows_the_contract_and_saves_settings(personas, client, api):
    client.force_login(personas.owner)
    url = reverse("apiplatform_endpoint", args=[api.endpoint.pk])
    page = text(client.get(url))
    assert "http://testserver/apim/people/v1/greetings" in page
    assert "&quot;minLength&quot;: 1" in page  # the request schema, formatted
    assert 'data-contract="response_schema"' in page
    assert "Not declared." in page  # no query schema
    response = client.post(url, {"name": "Say hello", "method": "PUT", "path": "/hello", "recipe": api.recipe.pk,
                                 "mode": "sync", "timeout_seconds": "3", "on_timeout": "error"})  # fmt: skip
    assert response.status_code == 302
    api.endpoint.refresh_from_db()
    assert (api.endpoint.name, api.endpoint.method, api.endpoint.path, api.endpoint.enabled) == (
        "Say hello", "PUT", "/hello", False)  # fmt: skip


def test_a_bad_endpoint_edit_keeps_what_was_typed_and_changes_nothing(personas, client, api):
    client.force_login(personas.owner)
    url = reverse("apiplatform_endpoint", args=[api.endpoint.pk])
    response = client.post(url, {"name": "Renamed", "method": "POST", "path": "/greetings", "recipe": api.recipe.pk,
                                 "timeout_seconds": "0", "on_timeout": "error", "enabled": "on"})  # fmt: skip
    page = text(response)
    assert response.status_code == 400
    assert 'data-field="timeout_seconds">Give seconds from 0.1 to 10.' in page
    assert 'value="Renamed"' in page
    assert "<title>POST /greetings" in page
    api.endpoint.refresh_from_db()
    assert (api.endpoint.name, api.endpoint.timeout_seconds) == ("Greet", 10.0)


def test_disable_and_enable_an_endpoint(personas, client, api):
    client.force_login(personas.owner)
    url = reverse("apiplatform_endpoint_enabled", args=[api.endpoint.pk])
    client.post(url, {"enabled": "false"})
    assert api.call(body={"name": "Ada"}).status_code == 503
    client.post(url, {"enabled": "true"})
    assert api.call(body={"name": "Ada"}).status_code == 200


def test_delete_an_endpoint(personas, client, api):
    client.force_login(personas.owner)
    response = client.post(reverse("apiplatform_endpoint_delete", args=[api.endpoint.pk]))
    assert response.url == reverse("apiplatform_collection", args=[api.collection.pk])
    assert not ApiEndpoint.objects.exists()


def test_try_it_describes_the_call_for_the_script(personas, client, api):
    client.force_login(personas.viewer)
    response = client.get(reverse("apiplatform_endpoint_try", args=[api.endpoint.pk]))
    spec = json.loads(response.content.decode().split('id="tryit-spec" type="application/json">')[1].split("<")[0])
    assert spec["method"] == "POST"
    assert spec["base"] == "http://testserver/apim/people/v1"
    assert spec["body_schema"]["required"] == ["name"]
    assert spec["collection"] == api.collection.pk
    assert api.secret not in text(response)


def test_try_it_of_a_get_endpoint_reads_the_request_schema_as_the_query(personas, client, api):
    endpoint = ApiEndpoint.objects.create(collection=api.collection, name="Find", method="GET",
                                          path="/people/{id}", recipe=api.recipe)  # fmt: skip
    client.force_login(personas.owner)
    response = client.get(reverse("apiplatform_endpoint_try", args=[endpoint.pk]))
    spec = response.context["spec"]
    assert (spec["params"], spec["body_schema"]) == (["id"], None)
    assert spec["query_schema"]["required"] == ["name"]


# --- clients, profiles, keys -------------------------------------------------


def test_create_a_client_then_a_profile(personas, client, api):
    client.force_login(personas.owner)
    response = client.post(reverse("apiplatform_clients"), {"name": "Partner", "description": ""})
    partner = ApiClient.objects.get(name="Partner")
    assert response.url == reverse("apiplatform_client", args=[partner.pk])
    response = client.post(reverse("apiplatform_profile_new", args=[partner.pk]), {
        "name": "Read only", "collections": [str(api.collection.pk)], "rate_limit_per_minute": "60",
        "quota_per_day": "", "ip_allowlist": "10.0.0.0/8\n192.0.2.7", "active": "on"})  # fmt: skip
    assert response.status_code == 302
    profile = partner.profiles.get()
    assert list(profile.collections.all()) == [api.collection]
    assert (profile.rate_limit_per_minute, profile.quota_per_day) == (60, None)
    assert profile.ip_allowlist == ["10.0.0.0/8", "192.0.2.7/32"]
    page = text(client.get(reverse("apiplatform_client", args=[partner.pk])))
    assert "60/min" in page
    assert "10.0.0.0/8, 192.0.2.7/32" in page


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"ip_allowlist": "10.0.0.300"}, "ip_allowlist", "&#x27;10.0.0.300&#x27; is not an IP address or CIDR range."),
        ({"rate_limit_per_minute": "0"}, "rate_limit_per_minute", "Give a whole number from 1 to 1000000"),
        ({"quota_per_day": "lots"}, "quota_per_day", "Give a whole number from 1 to 1000000000"),
        ({"collections": ["999999"]}, "collections", "There is no collection 999999 in this workspace."),
        ({"name": " "}, "name", "This field may not be blank."),
    ],
)
def test_a_bad_profile_is_shown_inline_and_not_created(personas, client, api, change, field, message):
    client.force_login(personas.owner)
    data = {"name": "Second", "collections": [str(api.collection.pk)], "active": "on", **change}
    response = client.post(reverse("apiplatform_profile_new", args=[api.client.pk]), data)
    assert response.status_code == 400
    assert f'data-field="{field}">{message}' in text(response)
    assert AccessProfile.objects.count() == 1


def test_another_workspaces_collection_cannot_be_granted(personas, client, api):
    theirs = ApiCollection.objects.create(workspace=personas.b, name="Theirs", slug="theirs")
    client.force_login(personas.owner)
    url = reverse("apiplatform_profile", args=[api.profile.pk])
    response = client.post(url, {"name": "Default", "collections": [str(theirs.pk)], "active": "on"})
    assert response.status_code == 400
    assert list(api.profile.collections.all()) == [api.collection]


def test_edit_a_profile(personas, client, api):
    client.force_login(personas.owner)
    url = reverse("apiplatform_profile", args=[api.profile.pk])
    assert "checked> People" in text(client.get(url))
    response = client.post(url, {"name": "Paused", "rate_limit_per_minute": "5", "ip_allowlist": ""})
    assert response.status_code == 302
    api.profile.refresh_from_db()
    assert (api.profile.name, api.profile.active, api.profile.rate_limit_per_minute) == ("Paused", False, 5)
    assert not api.profile.collections.exists()
    assert api.call(body={"name": "Ada"}).status_code == 403


def test_a_new_keys_secret_is_shown_once_and_its_hash_never(personas, client, api):
    client.force_login(personas.owner)
    page_url = reverse("apiplatform_client", args=[api.client.pk])
    new_key = reverse("apiplatform_key_new", args=[api.client.pk])
    response = client.post(new_key, {"name": "prod", "profile": api.profile.pk})
    assert response.url == page_url
    key = ApiKey.objects.get(name="prod")
    first = text(client.get(page_url))
    secret = first.split('id="fresh-secret"')[1].split(">")[1].split("<")[0]
    assert secret.startswith(key.prefix)
    assert f'data-prefix="{key.prefix}" data-collections="{api.collection.pk}"' in first
    assert api.call(body={"name": "Ada"}, secret=secret).status_code == 200
    second = text(client.get(page_url))
    assert secret not in second
    assert key.prefix in second
    assert key.key_hash not in first + second
    assert secret not in str(dict(client.session))


def test_a_key_needs_a_profile_of_this_client(personas, client, api):
    other = ApiClient.objects.create(workspace=personas.a, name="Other")
    foreign = AccessProfile.objects.create(client=other, name="Theirs")
    client.force_login(personas.owner)
    for profile in ("", "x", str(foreign.pk), str(10**30)):
        response = client.post(reverse("apiplatform_key_new", args=[api.client.pk]), {"name": "k", "profile": profile})
        assert response.status_code == 400
        assert 'data-field="profile">Choose one of this client&#x27;s access profiles.' in text(response)
    response = client.post(reverse("apiplatform_key_new", args=[api.client.pk]),
                           {"name": "n" * 101, "profile": api.profile.pk})  # fmt: skip
    assert 'data-field="name">Give a name of at most 100 characters.' in text(response)
    assert ApiKey.objects.count() == 1


def test_revoke_a_key(personas, client, api):
    client.force_login(personas.owner)
    client.post(reverse("apiplatform_key_revoke", args=[api.key.pk]))
    page = text(client.get(reverse("apiplatform_client", args=[api.client.pk])))
    assert f'data-revoked-key="{api.key.prefix}"' in page
    assert ">revoked<" in page
    assert api.call(body={"name": "Ada"}).status_code == 401


def test_rotate_a_key_shows_the_new_secret_once(personas, client, api):
    client.force_login(personas.owner)
    page_url = reverse("apiplatform_client", args=[api.client.pk])
    client.post(reverse("apiplatform_key_rotate", args=[api.key.pk]), {"grace_hours": "2"})
    api.key.refresh_from_db()
    new = api.key.replaced_by
    page = text(client.get(page_url))
    secret = page.split('id="fresh-secret"')[1].split(">")[1].split("<")[0]
    assert secret.startswith(new.prefix)
    assert f"It replaces <code>{api.key.prefix}…</code>" in page
    assert "rotated, valid until" in page
    assert api.call(body={"name": "Ada"}, secret=secret).status_code == 200
    assert api.call(body={"name": "Ada"}).status_code == 200  # the old one, within its grace hours
    assert secret not in text(client.get(page_url))
    response = client.post(reverse("apiplatform_key_rotate", args=[api.key.pk]), {"grace_hours": "2"})
    assert response.status_code == 400
    assert "This key was already rotated." in text(response)


def test_rotate_refuses_bad_grace_hours(personas, client, api):
    client.force_login(personas.owner)
    response = client.post(reverse("apiplatform_key_rotate", args=[api.key.pk]), {"grace_hours": "9999"})
    assert response.status_code == 400
    assert 'data-field="grace_hours">Give hours from 0 to 720.' in text(response)
    api.key.refresh_from_db()
    assert api.key.replaced_by is None


def test_delete_a_profile_and_a_client(personas, client, api):
    client.force_login(personas.owner)
    client.post(reverse("apiplatform_profile_delete", args=[api.profile.pk]))
    assert not ApiKey.objects.exists()
    client.post(reverse("apiplatform_client_delete", args=[api.client.pk]))
    assert not ApiClient.objects.exists()


# --- the call log ------------------------------------------------------------


def log(api, *, status=200, detail="", path="/apim/people/v1/greetings", **fields) -> ApiCall:
    return ApiCall.objects.create(workspace=api.workspace, collection=api.collection, endpoint=api.endpoint,
                                  client=api.client, key_prefix=api.key.prefix, request_id="r", method="POST",
                                  path=path, status=status, detail=detail, latency_ms=1.5,
                                  created_at=fields.pop("created_at", timezone.now()), **fields)  # fmt: skip


def test_the_call_log_lists_calls_with_their_job_and_charts_them(personas, client, api):
    api.call(body={"name": "Ada"})
    api.call(body={})
    call = ApiCall.objects.get(status=200)
    client.force_login(personas.viewer)
    response = client.get(reverse("apiplatform_calls"))
    page = text(response)
    assert page.count('data-status="') == 2
    assert f'href="/jobs/{call.job_id}/"' in page
    assert api.key.prefix in page
    assert api.secret not in page
    assert "127.0.0.1" in page
    last_hour = response.context["chart"]["bars"][-1]
    assert (last_hour["calls"], last_hour["errors"]) == (2, 1)
    assert 'data-calls="2" data-errors="1"' in page
    assert "2 calls, 1 error" in page


def test_the_call_log_filters(personas, client, api):
    api.call(body={"name": "Ada"})
    api.call(body={})
    client.force_login(personas.owner)
    url = reverse("apiplatform_calls")
    assert text(client.get(url, {"status": "4xx"})).count('data-status="400"') == 1
    assert 'data-status="200"' not in text(client.get(url, {"status": "4xx"}))
    assert text(client.get(url, {"client": api.client.pk, "endpoint": api.endpoint.pk})).count('data-status="') == 2
    assert text(client.get(url, {"since": "2999-01-01T00:00"})).count('data-status="') == 0
    response = client.get(url, {"since": "yesterday"})
    assert response.status_code == 400
    assert 'data-field="since"' in text(response)


def test_the_call_log_pages_by_keyset(personas, client, api):
    for n in range(52):
        log(api, detail=f"call {n}")
    client.force_login(personas.owner)
    first = client.get(reverse("apiplatform_calls"), {"status": "2xx"})
    assert len(first.context["calls"]) == 50
    older = first.context["next_before"]
    assert f"?status=2xx&amp;before={older}" in text(first)
    second = client.get(reverse("apiplatform_calls"), {"status": "2xx", "before": older})
    assert [c.detail for c in second.context["calls"]] == ["call 1", "call 0"]


def test_export_csv_with_the_filters_and_no_formulas(personas, client, api):
    log(api, status=500, detail='=HYPERLINK("http://evil")', path="/apim/people/v1/x")
    log(api, status=200, detail="+1 fine")
    api.client.name = "@assistant"
    api.client.save()
    client.force_login(personas.viewer)
    response = client.get(reverse("apiplatform_calls_csv"), {"status": "error"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(text(response))))
    assert len(rows) == 1
    assert rows[0]["detail"] == '\'=HYPERLINK("http://evil")'
    assert rows[0]["client"] == "'@assistant"
    assert (rows[0]["status"], rows[0]["key_prefix"], rows[0]["path"]) == ("500", api.key.prefix, "/apim/people/v1/x")
    everything = text(client.get(reverse("apiplatform_calls_csv")))
    assert "'+1 fine" in everything
    assert api.key.key_hash not in everything


def test_a_bad_csv_filter_goes_back_to_the_log(personas, client):
    client.force_login(personas.owner)
    response = client.get(reverse("apiplatform_calls_csv"), {"status": "teapot"})
    assert response.status_code == 302
    assert response.url == reverse("apiplatform_calls") + "?status=teapot"


def test_a_key_created_by_a_service_never_shows_its_secret_on_the_page(personas, client, api):
    _, secret = key_create(profile=api.profile, name="script")
    client.force_login(personas.owner)
    assert secret not in text(client.get(reverse("apiplatform_client", args=[api.client.pk])))
