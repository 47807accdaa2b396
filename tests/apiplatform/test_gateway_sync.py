from builder.apiplatform.models import ApiCall
from builder.jobs.models import Job, JobStep


def test_a_sync_endpoint_answers_with_the_recipes_response(api):
    response = api.call(body={"name": "Ada"})
    assert response.status_code == 200, response.content
    assert response.json() == {"greeting": "Hello Ada"}
    assert response["X-Request-Id"]


def test_the_call_and_its_job_are_recorded(api):
    response = api.call(body={"name": "Ada"})
    call = ApiCall.objects.get(request_id=response["X-Request-Id"])
    assert (call.status, call.endpoint_id, call.client_id) == (200, api.endpoint.pk, api.client.pk)
    assert call.key_prefix == api.key.prefix
    assert api.secret not in str(call.__dict__)
    job = Job.objects.get(pk=call.job_id)
    assert job.status == "succeeded"
    assert job.response["body"] == {"greeting": "Hello Ada"}
    assert job.trigger["context"]["client"]["name"] == "Chat assistant"
    assert api.secret not in str(job.trigger)
    assert list(JobStep.objects.filter(job=job).values_list("step_id", "status")) == [("reply", "succeeded")]


import copy  # noqa: E402

import pytest  # noqa: E402

from builder.apiplatform import services  # noqa: E402
from connectors.testkit import LocalServer  # noqa: E402
from tests.apiplatform.conftest import GREET, Api  # noqa: E402

LOOKUP = copy.deepcopy(GREET)
LOOKUP["trigger"] = {
    "kind": "api_request",
    "mode": "sync",
    "params_schema": {"type": "object", "properties": {"id": {"type": "integer"}}},
    "responses": {
        "200": {"schema": {"type": "object", "required": ["id", "title"],
                           "properties": {"id": {"type": "integer"}, "title": {"type": "string"}}},
                "headers": {"X-Source": {"required": True}}},
        "404": {"schema": {"type": "object", "required": ["message"]}},
    },
}  # fmt: skip
LOOKUP["steps"] = [
    {"id": "known", "if": "{{ trigger.params.id < 100 }}",
     "then": [{"id": "found", "respond": {"status": 200, "headers": {"X-Source": "db"},
                                          "body": {"id": "{{ trigger.params.id }}", "title": "VPN broken"}}}],
     "else": [{"id": "missing", "respond": {"status": 404, "body": {"message": "No such ticket"}}}]},
]  # fmt: skip


def _lookup(personas, steps=None):
    definition = copy.deepcopy(LOOKUP)
    if steps is not None:
        definition["steps"] = steps
    return Api(personas.a, definition, method="GET", path="/tickets/{id}")


def test_each_declared_response_is_answered_with_its_headers(personas):
    api = _lookup(personas)
    found = api.call("GET", "/tickets/7")
    assert (found.status_code, found.json(), found["X-Source"]) == (200, {"id": 7, "title": "VPN broken"}, "db")
    missing = api.call("GET", "/tickets/700")
    assert (missing.status_code, missing.json()) == (404, {"message": "No such ticket"})


@pytest.mark.parametrize(
    ("respond", "problem"),
    [
        ({"status": 201, "body": {"id": 1, "title": "x"}}, "declares only 200, 404"),
        ({"status": 200, "headers": {"X-Source": "db"}, "body": {"id": "one", "title": "x"}}, "/id"),
        ({"status": 200, "body": {"id": 1, "title": "x"}}, "X-Source"),
    ],
)
def test_a_recipe_that_breaks_its_contract_answers_500_and_the_job_says_why(personas, respond, problem):
    api = _lookup(personas, steps=[{"id": "bad", "respond": respond}])
    response = api.call("GET", "/tickets/1")
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "contract_violation"
    assert problem in error["message"]
    assert "title" not in response.content.decode().replace(error["message"], "")  # no partial data
    job = ApiCall.objects.get(request_id=response["X-Request-Id"]).job
    assert job.status == "failed"
    assert job.error["type"] == "contract_violation"


def test_a_recipe_that_ends_without_responding_breaks_a_declared_contract(personas):
    api = _lookup(personas, steps=[{"id": "quiet", "set": {"x": 1}}])
    assert api.call("GET", "/tickets/1").json()["error"]["code"] == "contract_violation"


def test_without_declared_responses_a_silent_recipe_answers_204(personas):
    definition = copy.deepcopy(GREET)
    del definition["trigger"]["response_schema"]
    definition["steps"] = [{"id": "quiet", "set": {"x": 1}}]
    api = Api(personas.a, definition)
    response = api.call(body={"name": "Ada"})
    assert response.status_code == 204
    assert response.content == b""


def test_a_failing_recipe_answers_500_naming_the_step_not_the_details(personas):
    definition = copy.deepcopy(GREET)
    definition["steps"] = [{"id": "boom", "stop": {"status": "failed", "reason": "secret internal detail"}}]
    api = Api(personas.a, definition)
    response = api.call(body={"name": "Ada"})
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "recipe_failed"
    assert "secret internal detail" not in error["message"]
    call = ApiCall.objects.get(request_id=response["X-Request-Id"])
    assert "secret internal detail" in call.detail
    assert call.job.status == "failed"


SLOW = copy.deepcopy(GREET)
SLOW["connections"] = {"api": {"connector": "http"}}
SLOW["steps"] = [
    {"id": "fetch", "action": "http.request", "connection": "api", "input": {"method": "GET", "url": "/slow"}},
    {"id": "reply", "respond": {"body": {"greeting": "{{ steps.fetch.body.text }}"}}},
]


@pytest.fixture
def slow_backend(settings):
    settings.ALLOW_PRIVATE_NETWORKS = True
    with LocalServer() as server:
        server.reply("GET", "/slow", json={"text": "late hello"}, delay=1.5)
        yield server


def _slow_api(personas, backend, **endpoint):
    from builder.connections.services import connection_create
    from builder.recipes.services import recipe_bind, recipe_create, recipe_start

    connection = connection_create(workspace=personas.a, connector="http", name="Backend",
                                   fields={"base_url": backend.url, "auth_type": "none"})  # fmt: skip
    api = Api.__new__(Api)
    recipe = recipe_create(workspace=personas.a, definition=SLOW)
    recipe_bind(recipe=recipe, bindings={"api": connection.pk})
    recipe_start(recipe=recipe)
    api.workspace, api.recipe = personas.a, recipe
    api.collection = services.collection_create(workspace=personas.a, data={"name": "Slow", "slug": "people"})
    api.endpoint = services.endpoint_create(collection=api.collection, data={
        "name": "Slow", "method": "POST", "path": "/greetings", "recipe": recipe.pk, **endpoint})  # fmt: skip
    api.client = services.client_create(workspace=personas.a, data={"name": "c"})
    api.profile = services.profile_create(client=api.client, data={"name": "p", "collections": [api.collection.pk]})
    api.key, api.secret = services.key_create(profile=api.profile)
    from django.test import Client

    api.http = Client()
    return api


def test_past_the_deadline_the_endpoint_answers_504_and_the_job_records_where(personas, slow_backend):
    api = _slow_api(personas, slow_backend, timeout_seconds=0.5)
    response = api.call(body={"name": "Ada"})
    assert response.status_code == 504
    assert response.json()["error"]["code"] == "timeout"
    job = ApiCall.objects.get(request_id=response["X-Request-Id"]).job
    assert job.status == "failed"
    assert list(job.steps.values_list("step_id", "status")) == [("fetch", "failed")]


def test_past_the_deadline_a_handover_endpoint_answers_202_and_the_job_finishes(
    transactional_db, personas, slow_backend
):
    api = _slow_api(personas, slow_backend, timeout_seconds=0.5, on_timeout="handover")
    response = api.call(body={"name": "Ada"})
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status_url"] == f"/apim/people/v1/_jobs/{body['job_id']}"
    from builder.apiplatform.execution import _handover_pool

    _handover_pool.submit(lambda: None).result()  # the pool runs in order: wait for the run
    import time

    for _ in range(100):
        status = api.call("GET", f"/_jobs/{body['job_id']}").json()
        if status["status"] != "running":
            break
        time.sleep(0.05)
    assert status["status"] == "succeeded"
    assert status["response"]["body"] == {"greeting": "late hello"}


def test_a_handover_endpoint_that_is_fast_answers_like_a_sync_one(transactional_db, api):
    services.endpoint_update(endpoint=api.endpoint, data={"on_timeout": "handover"})
    response = api.call(body={"name": "Ada"})
    assert (response.status_code, response.json()) == (200, {"greeting": "Hello Ada"})


@pytest.mark.parametrize(
    "respond",
    [
        {"status": 200, "headers": {"X-Note": "line one\nline two"}, "body": {"greeting": "x"}},
        {"status": 200, "headers": {"Bad Header": "x"}, "body": {"greeting": "x"}},
        {"status": 101, "body": {"greeting": "x"}},
    ],
)
def test_a_response_http_cannot_carry_is_a_contract_violation_not_a_crash(personas, respond):
    definition = copy.deepcopy(GREET)
    definition["steps"] = [{"id": "reply", "respond": respond}]
    api = Api(personas.a, definition)
    response = api.call(body={"name": "Ada"})
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "contract_violation"


def test_a_204_carries_no_body_even_if_the_recipe_gave_one(personas):
    definition = copy.deepcopy(GREET)
    del definition["trigger"]["response_schema"]
    definition["steps"] = [{"id": "reply", "respond": {"status": 204, "body": {"ignored": True}}}]
    response = Api(personas.a, definition).call(body={"name": "Ada"})
    assert response.status_code == 204
    assert response.content == b""


def test_an_engine_crash_in_a_handover_run_answers_recipe_failed_and_fails_the_job(transactional_db, api, monkeypatch):
    from builder.jobs import runtime
    from builder.jobs.models import Job

    def crash(*args, **kwargs):
        raise RuntimeError("engine bug")

    monkeypatch.setattr(runtime, "run", crash)
    services.endpoint_update(endpoint=api.endpoint, data={"on_timeout": "handover"})
    response = api.call(body={"name": "Ada"})
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "recipe_failed"
    job = Job.objects.get()
    assert (job.status, job.error["type"]) == ("failed", "internal_error")
