"""503, 429, 413 and 400, and the order in which the gateway checks them."""

import pytest

from builder.apiplatform import services
from builder.apiplatform.models import ApiCall
from builder.recipes.services import recipe_stop


def test_a_disabled_endpoint_is_503_and_runs_nothing(api):
    services.endpoint_update(endpoint=api.endpoint, data={"enabled": False})
    response = api.call(body={"name": "Ada"})
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "endpoint_disabled"
    assert ApiCall.objects.get().job_id is None


def test_a_stopped_recipe_is_503_with_a_clear_message(api):
    recipe_stop(recipe=api.recipe)
    response = api.call(body={"name": "Ada"})
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "recipe_stopped"
    assert "Greet" in error["message"]
    assert ApiCall.objects.get().detail == error["message"]


def test_over_the_rate_limit_is_429_with_retry_after(api):
    services.profile_update(profile=api.profile, data={"rate_limit_per_minute": 3})
    answers = [api.call(body={"name": "Ada"}) for _ in range(5)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429, 429]
    assert answers[0]["X-RateLimit-Remaining"] == "2"
    limited = answers[3]
    assert 1 <= int(limited["Retry-After"]) <= 61
    assert limited.json()["error"]["code"] == "rate_limited"


def test_over_the_daily_quota_is_429(api):
    services.profile_update(profile=api.profile, data={"quota_per_day": 2})
    answers = [api.call(body={"name": "Ada"}).status_code for _ in range(3)]
    assert answers == [200, 200, 429]
    response = api.call(body={"name": "Ada"})
    assert response.json()["error"]["code"] == "quota_exceeded"
    assert int(response["Retry-After"]) > 0


def test_profiles_count_separately(api):
    services.profile_update(profile=api.profile, data={"rate_limit_per_minute": 1})
    other = services.profile_create(client=api.client, data={"name": "Other", "collections": [api.collection.pk],
                                                             "rate_limit_per_minute": 1})  # fmt: skip
    _, other_secret = services.key_create(profile=other)
    assert api.call(body={"name": "Ada"}).status_code == 200
    assert api.call(body={"name": "Ada"}, secret=other_secret).status_code == 200
    assert api.call(body={"name": "Ada"}).status_code == 429


def test_503_comes_before_429(api):
    services.profile_update(profile=api.profile, data={"rate_limit_per_minute": 1})
    api.call(body={"name": "Ada"})
    services.endpoint_update(endpoint=api.endpoint, data={"enabled": False})
    assert api.call(body={"name": "Ada"}).status_code == 503


def test_a_body_over_the_limit_is_413(api, settings):
    settings.GATEWAY_MAX_BODY_BYTES = 100
    response = api.call(body={"name": "A" * 200})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"


def test_413_comes_after_the_key_check(api, settings):
    settings.GATEWAY_MAX_BODY_BYTES = 100
    assert api.call(body={"name": "A" * 200}, secret="").status_code == 401


@pytest.mark.parametrize("body", ['{"name": ', "not json", b"\xff\xfe"])
def test_a_body_that_is_not_json_is_400(api, body):
    response = api.call(body=body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"


def test_every_schema_error_is_listed_with_its_pointer(api):
    response = api.call(body={"email": "not-an-email", "extra": 1})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    pointers = {(e["pointer"], e["message"]) for e in error["errors"]}
    assert ("/body/name", "'name' is a required property") in pointers
    assert any(p == "/body/email" and "email" in m for p, m in pointers)


def test_a_body_that_is_not_an_object_is_400(api):
    response = api.call(body=[1, 2])
    assert response.status_code == 400
    assert response.json()["error"]["errors"][0]["pointer"] == "/body"


def test_an_empty_body_is_checked_as_an_empty_object(api):
    response = api.call(body="")
    assert response.status_code == 400
    assert response.json()["error"]["errors"] == [{"pointer": "/body/name", "message": "'name' is a required property"}]


def test_a_bad_request_runs_nothing(api):
    api.call(body={"email": "x"})
    call = ApiCall.objects.get()
    assert call.status == 400
    assert call.job_id is None
