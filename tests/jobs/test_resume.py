"""A job its worker died on resumes at the step that was running: the apps the finished
steps called are not called again, and the repeated call carries the same idempotency key."""

from datetime import timedelta

import pytest
from django.utils import timezone

from builder.connections.services import connection_create
from builder.jobs import runtime, services
from builder.jobs.models import Job, JobStep
from builder.jobs.recorder import JobRecorder
from connectors.testkit import LocalServer
from tests.factories import published_recipe

pytestmark = pytest.mark.django_db


class WorkerDied(BaseException):
    """A SIGKILL as seen from inside: nothing after it runs, not even the recorder."""


class DiesAt(JobRecorder):
    """Dies when step `path` has called its app, before its outcome is written."""

    path = "s3"

    def step_finished(self, step_id, path, status, output=None, error=None):
        if path == self.path:
            raise WorkerDied()
        super().step_finished(step_id, path, status, output, error)


def step(n: int, body: dict | None = None) -> dict:
    return {"id": f"s{n}", "action": "http.request", "connection": "api",
            "input": {"method": "POST", "url": f"/step/{n}", "idempotency_header": "Idempotency-Key",
                      "body_type": "json", "body": body or {}}}  # fmt: skip


FIVE_STEPS = {
    "format": "stepwise.recipe/1",
    "name": "Five calls",
    "connections": {"api": {"connector": "http"}},
    "trigger": {"kind": "manual"},
    "steps": [step(1), step(2), step(3), step(4, {"token": "{{ steps.s1.body.token }}"}), step(5)],
}


@pytest.fixture
def app(settings):
    settings.ALLOW_PRIVATE_NETWORKS = True
    with LocalServer() as server:
        server.reply("POST", "/step/1", json={"token": "t-1"})
        for n in range(2, 6):
            server.reply("POST", f"/step/{n}", json={"step": n})
        yield server


@pytest.fixture
def recipe(personas, app):
    api = connection_create(workspace=personas.a, connector="http", name="App", fields={"base_url": app.url})
    return published_recipe(workspace=personas.a, definition=FIVE_STEPS, bindings={"api": api.pk})


def calls(app) -> dict[str, list[str]]:
    """Each path the app saw, with the idempotency key of each call."""
    seen: dict[str, list[str]] = {}
    for request in app.requests:
        seen.setdefault(request.path, []).append(request.headers.get("idempotency-key"))
    return seen


def die_at_step_3(job, monkeypatch, django_capture_on_commit_callbacks):
    """Attempt 1 runs until s3 has called the app, and dies; the reaper finds the lease expired."""
    with monkeypatch.context() as patched:
        patched.setattr(runtime, "JobRecorder", DiesAt)
        with pytest.raises(WorkerDied):
            runtime.job_execute(job_id=job.pk, worker="w1")
    Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        return services.jobs_reap()


def test_the_next_attempt_calls_only_the_step_in_flight_and_the_ones_after(
    recipe, app, sent, monkeypatch, django_capture_on_commit_callbacks
):
    job = services.job_enqueue(recipe=recipe, trigger={}, trigger_kind="manual")
    assert die_at_step_3(job, monkeypatch, django_capture_on_commit_callbacks) == {
        "requeued": 1,
        "failed": 0,
        "cancelled": 0,
    }
    assert runtime.job_execute(job_id=job.pk, worker="w2") == "succeeded"
    seen = calls(app)
    assert {path: len(keys) for path, keys in seen.items()} == {
        "/step/1": 1, "/step/2": 1, "/step/3": 2, "/step/4": 1, "/step/5": 1,
    }  # fmt: skip
    first, again = seen["/step/3"]
    assert first
    assert first == again
    assert len(set(sum(seen.values(), []))) == 5  # each step its own key
    assert app.requests[-2].json == {"token": "t-1"}  # s4 read s1's recorded output
    job.refresh_from_db()
    assert job.attempt == 2
    steps = list(JobStep.objects.filter(job=job).values_list("path", "status"))
    assert steps == [("s1", "succeeded"), ("s2", "succeeded"), ("s3", "failed"), ("s3", "succeeded"),
                     ("s4", "succeeded"), ("s5", "succeeded")]  # fmt: skip
    interrupted = JobStep.objects.get(job=job, path="s3", status="failed").error
    assert interrupted["type"] == "worker_lost"
    assert "next attempt runs it again" in interrupted["message"]


def test_a_rerun_is_a_new_job_that_runs_every_step(recipe, app, sent, monkeypatch, django_capture_on_commit_callbacks):
    job = services.job_enqueue(recipe=recipe, trigger={}, trigger_kind="manual")
    die_at_step_3(job, monkeypatch, django_capture_on_commit_callbacks)
    runtime.job_execute(job_id=job.pk, worker="w2")
    before = calls(app)
    app.requests.clear()
    again = services.job_rerun(job=job)
    assert runtime.job_execute(job_id=again.pk, worker="w3") == "succeeded"
    seen = calls(app)
    assert {path: len(keys) for path, keys in seen.items()} == {f"/step/{n}": 1 for n in range(1, 6)}
    assert not set(sum(seen.values(), [])) & set(sum(before.values(), []))  # keys of its own


def test_a_step_whose_output_was_clipped_runs_again(
    recipe, app, sent, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.JOB_DATA_LIMIT = 300
    app.routes[("POST", "/step/1")] = []
    app.reply("POST", "/step/1", json={"token": "t-1", "pad": "x" * 400})
    job = services.job_enqueue(recipe=recipe, trigger={}, trigger_kind="manual")
    die_at_step_3(job, monkeypatch, django_capture_on_commit_callbacks)
    assert JobStep.objects.get(job=job, path="s1").output["_truncated"] is True
    assert runtime.job_execute(job_id=job.pk, worker="w2") == "succeeded"
    seen = calls(app)
    # s4 needs all of s1's output, which the record does not hold: s1 runs again, with its key.
    assert {path: len(keys) for path, keys in seen.items()} == {
        "/step/1": 2, "/step/2": 1, "/step/3": 2, "/step/4": 1, "/step/5": 1,
    }  # fmt: skip
    assert len(set(seen["/step/1"])) == 1
    assert app.requests[-2].json == {"token": "t-1"}


def test_the_last_attempt_closes_the_step_in_flight_too(
    recipe, app, sent, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.JOB_MAX_ATTEMPTS = 1
    job = services.job_enqueue(recipe=recipe, trigger={}, trigger_kind="manual")
    assert die_at_step_3(job, monkeypatch, django_capture_on_commit_callbacks) == {
        "requeued": 0,
        "failed": 1,
        "cancelled": 0,
    }
    assert not JobStep.objects.filter(job=job, status="running").exists()
    interrupted = JobStep.objects.get(job=job, path="s3")
    assert interrupted.status == "failed"
    assert interrupted.error == {"type": "worker_lost", "message": "The worker stopped during this step."}
