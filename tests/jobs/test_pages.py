import pytest
from django.urls import reverse

from builder.jobs.services import job_enqueue
from tests.factories import published_recipe

pytestmark = pytest.mark.django_db

DEFINITION = {"format": "stepwise.recipe/1", "name": "Nightly", "trigger": {"kind": "manual"}, "steps": []}


@pytest.fixture
def job(personas, monkeypatch):
    from builder.jobs import services

    monkeypatch.setattr(services, "job_send", lambda job_id, countdown=None: None)
    return job_enqueue(recipe=published_recipe(workspace=personas.a, definition=DEFINITION), trigger={"body": {"x": 1}},
                       trigger_kind="manual")  # fmt: skip


def test_the_jobs_list_and_a_job_page(personas, client, job):
    client.force_login(personas.viewer)
    page = client.get(reverse("job_list")).content.decode()
    assert f"#{job.pk}" in page
    assert "Nightly" in page
    assert "queued" in client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert f"#{job.pk}" not in client.get(reverse("job_list") + "?status=failed").content.decode()


def test_another_workspace_gets_404(personas, client, job):
    client.force_login(personas.outsider)
    assert client.get(reverse("job_detail", args=[job.pk])).status_code == 404
    assert f"#{job.pk}" not in client.get(reverse("job_list")).content.decode()


def test_a_bad_page_cursor_is_404(personas, client, job):
    client.force_login(personas.owner)
    assert client.get(reverse("job_list") + "?before=abc").status_code == 404
