"""What a viewer sees of a job (the API's list and detail, the job page) holds no form of a
connection's secret, even when the service echoes it back encoded."""

import json

import pytest
from django.test import Client

from builder.connections.services import connection_create
from builder.jobs import runtime, services
from connectors.testkit import LocalServer
from tests.connectors.test_redaction import KEY, leaks
from tests.factories import published_recipe

pytestmark = pytest.mark.django_db

DEFINITION = {
    "format": "stepwise.recipe/1",
    "name": "Look up",
    "connections": {"desk": {"connector": "http"}},
    "trigger": {"kind": "manual"},
    "steps": [
        {"id": "ok", "action": "http.request", "connection": "desk", "input": {"method": "GET", "url": "/echo"}},
        {"id": "bad", "action": "http.request", "connection": "desk", "input": {"method": "GET", "url": "/fail"}},
    ],
}


@pytest.fixture
def job(personas, settings, monkeypatch):
    settings.ALLOW_PRIVATE_NETWORKS = True
    monkeypatch.setattr(services, "job_send", lambda job_id, countdown=None: None)
    with LocalServer() as desk:
        desk.handle("GET", "/echo", lambda request: {"query": request.query, "raw_path": request.path})
        desk.reply("GET", "/fail", status=400, body="bad request")
        connection = connection_create(workspace=personas.a, connector="http", name="Desk",
                                       fields={"base_url": desk.url, "auth_type": "api_key_query",
                                               "api_key_name": "key", "api_key": KEY})  # fmt: skip
        recipe = published_recipe(workspace=personas.a, definition=DEFINITION, bindings={"desk": connection.pk})
        job = services.job_enqueue(recipe=recipe, trigger={"body": {}}, trigger_kind="manual")
        assert runtime.job_execute(job_id=job.pk, worker="w") == "failed"
        assert desk.requests[0].query == {"key": KEY}
        yield job


def test_the_jobs_api_and_page_show_no_form_of_the_key(personas, api_as, job):
    viewer = api_as(personas.viewer)
    detail = viewer.get(f"/api/jobs/{job.pk}/").json()
    assert detail["steps"][0]["output"]["status"] == 200
    assert "key=" in detail["error"]["message"]
    listed = viewer.get("/api/jobs/").content.decode()
    page = Client()
    page.force_login(personas.viewer)
    response = page.get(f"/jobs/{job.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/echo" in html
    for text in (json.dumps(detail), json.dumps(detail, ensure_ascii=False), listed, html):
        assert leaks(text, KEY) == []
