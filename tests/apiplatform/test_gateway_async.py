"""Async endpoints: 202 with a job at once, its status URL, and Idempotency-Key."""

import pytest

from builder.apiplatform import services
from builder.apiplatform.models import ApiCall
from builder.jobs.models import Job
from builder.jobs.runtime import job_execute
from tests.apiplatform.conftest import Api


@pytest.fixture
def async_api(personas):
    return Api(personas.a, mode="async")


def test_an_async_call_answers_202_with_its_job_at_once(async_api):
    response = async_api.call(body={"name": "Ada"})
    assert response.status_code == 202
    body = response.json()
    job = Job.objects.get(pk=body["job_id"])
    assert job.status == "queued"
    assert body["status"] == "queued"
    assert body["status_url"] == f"/apim/people/v1/_jobs/{job.pk}" == response["Location"]
    assert job.trigger["body"] == {"name": "Ada"}
    assert job.trigger["context"]["client"]["id"] == async_api.client.pk
    assert ApiCall.objects.get(request_id=response["X-Request-Id"]).job_id == job.pk


def test_the_status_url_answers_the_jobs_output_once_done(async_api):
    job_id = async_api.call(body={"name": "Ada"}).json()["job_id"]
    before = async_api.call("GET", f"/_jobs/{job_id}")
    assert before.status_code == 200
    assert before.json()["status"] == "queued"
    job_execute(job_id=job_id, worker="w")
    after = async_api.call("GET", f"/_jobs/{job_id}").json()
    assert after["status"] == "succeeded"
    assert after["response"]["body"] == {"greeting": "Hello Ada"}


def test_the_status_url_needs_a_key_of_the_same_client(async_api, personas):
    job_id = async_api.call(body={"name": "Ada"}).json()["job_id"]
    assert async_api.call("GET", f"/_jobs/{job_id}", secret="").status_code == 401
    stranger = services.client_create(workspace=personas.a, data={"name": "Stranger"})
    profile = services.profile_create(client=stranger, data={"name": "p", "collections": [async_api.collection.pk]})
    _, secret = services.key_create(profile=profile)
    assert async_api.call("GET", f"/_jobs/{job_id}", secret=secret).status_code == 404
    second = {"name": "second", "collections": [async_api.collection.pk]}
    same_client = services.profile_create(client=async_api.client, data=second)
    _, second_secret = services.key_create(profile=same_client)
    assert async_api.call("GET", f"/_jobs/{job_id}", secret=second_secret).status_code == 200


@pytest.mark.parametrize("job_id", ["999999", "abc", "99999999999999999999999", "-1"])
def test_an_unknown_job_is_404(async_api, job_id):
    response = async_api.call("GET", f"/_jobs/{job_id}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "no_such_job"


def test_the_status_url_answers_get_only(async_api):
    assert async_api.call("POST", "/_jobs/1", body={}).status_code == 405


def test_an_idempotency_key_runs_the_call_once(async_api):
    first = async_api.call(body={"name": "Ada"}, headers={"Idempotency-Key": "order-17"})
    again = async_api.call(body={"name": "Ada"}, headers={"Idempotency-Key": "order-17"})
    assert first.status_code == again.status_code == 202
    assert again.json()["job_id"] == first.json()["job_id"]
    assert again["Idempotent-Replayed"] == "true"
    assert Job.objects.count() == 1
    calls = ApiCall.objects.order_by("id")
    assert [c.job_id for c in calls] == [first.json()["job_id"]] * 2
    assert calls[1].detail == "idempotent replay"


def test_the_same_idempotency_key_with_another_body_is_422(async_api):
    async_api.call(body={"name": "Ada"}, headers={"Idempotency-Key": "k1"})
    response = async_api.call(body={"name": "Grace"}, headers={"Idempotency-Key": "k1"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert Job.objects.count() == 1


def test_idempotency_keys_belong_to_their_client(async_api, personas):
    other = services.client_create(workspace=personas.a, data={"name": "Other"})
    profile = services.profile_create(client=other, data={"name": "p", "collections": [async_api.collection.pk]})
    _, secret = services.key_create(profile=profile)
    async_api.call(body={"name": "Ada"}, headers={"Idempotency-Key": "shared"})
    async_api.call(body={"name": "Ada"}, headers={"Idempotency-Key": "shared"}, secret=secret)
    assert Job.objects.count() == 2


def test_an_idempotency_key_older_than_a_day_runs_again(async_api):
    from datetime import timedelta

    from django.utils import timezone

    from builder.apiplatform.models import IdempotencyRecord

    async_api.call(body={"name": "Ada"}, headers={"Idempotency-Key": "old"})
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    async_api.call(body={"name": "Ada"}, headers={"Idempotency-Key": "old"})
    assert Job.objects.count() == 2


@pytest.mark.parametrize("key", ["", "x" * 256])
def test_a_bad_idempotency_key_is_400(async_api, key):
    response = async_api.call(body={"name": "Ada"}, headers={"Idempotency-Key": key})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_idempotency_key"
    assert Job.objects.count() == 0


def test_a_sync_call_is_replayed_under_its_idempotency_key(api):
    first = api.call(body={"name": "Ada"}, headers={"Idempotency-Key": "s1"})
    again = api.call(body={"name": "Ada"}, headers={"Idempotency-Key": "s1"})
    assert again.status_code == first.status_code == 200
    assert again.json() == first.json() == {"greeting": "Hello Ada"}
    assert ApiCall.objects.filter(job__isnull=False).count() == 1


def test_a_failed_sync_call_may_be_tried_again_under_the_same_key(personas):
    import copy

    from tests.apiplatform.conftest import GREET

    definition = copy.deepcopy(GREET)
    definition["steps"] = [{"id": "boom", "stop": {"status": "failed", "reason": "down"}}]
    api = Api(personas.a, definition)
    assert api.call(body={"name": "Ada"}, headers={"Idempotency-Key": "retry-me"}).status_code == 500
    assert api.call(body={"name": "Ada"}, headers={"Idempotency-Key": "retry-me"}).status_code == 500
    assert ApiCall.objects.filter(job__isnull=False).count() == 2


def test_nul_characters_are_stored_as_replacement_characters(async_api):
    # PostgreSQL cannot store NUL in text or jsonb; schemathesis found the 500 this made.
    response = async_api.call("POST", "/greetings%00x", body={"name": "A\u0000da", "k\u0000": [{"\u0000": 1}]})
    assert response.status_code == 404
    response = async_api.call(body={"name": "A\u0000da", "k\u0000": [{"\u0000": 1}]})
    assert response.status_code == 202, response.content
    job = Job.objects.get(pk=response.json()["job_id"])
    assert job.trigger["body"] == {"name": "A\ufffdda", "k\ufffd": [{"\ufffd": 1}]}
    assert ApiCall.objects.filter(path__contains="\ufffd").exists()
