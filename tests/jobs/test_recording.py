"""How a job's steps reach the database: a step that may reach outside the run is on record
when it starts and when it ends; the steps that may run again are written together, with the
next one that is not, in batches, and with the job's finish. What is on record is always the
start of the run, so a resumed attempt repeats only what is safe to repeat."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
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


def definition(steps: list[dict]) -> dict:
    return {"format": "stepwise.recipe/1", "name": "Recorded", "connections": {"api": {"connector": "http"}},
            "trigger": {"kind": "manual"}, "steps": steps}  # fmt: skip


CALL = {"id": "call", "action": "http.request", "connection": "api",
        "input": {"method": "POST", "url": "/hook", "body_type": "json", "body": {"n": "{{ vars.n }}"}}}  # fmt: skip
BEFORE = [
    {"id": "keep", "set": {"n": 1}},
    {"id": "log", "action": "data.log", "input": {"message": "n is {{ vars.n }}"}},
    {"id": "check", "if": "{{ vars.n == 1 }}", "then": [{"id": "inner", "set": {"m": 2}}]},
]
REPLY = {"id": "reply", "respond": {"status": 200, "body": {"n": "{{ vars.n }}"}}}


@pytest.fixture
def app(settings):
    settings.ALLOW_PRIVATE_NETWORKS = True
    with LocalServer() as server:
        server.reply("POST", "/hook", json={"ok": True})
        yield server


@pytest.fixture
def make_recipe(personas, app):
    api = connection_create(workspace=personas.a, connector="http", name="App", fields={"base_url": app.url})
    return lambda steps: published_recipe(workspace=personas.a, definition=definition(steps), bindings={"api": api.pk})


def step_inserts(queries) -> int:
    return sum(1 for query in queries if query["sql"].startswith('INSERT INTO "jobs_jobstep"'))


def recorded(job) -> list[tuple[str, str]]:
    return list(JobStep.objects.filter(job=job).values_list("path", "status"))


def test_steps_that_may_run_again_are_written_in_one_statement_with_the_finish(make_recipe, sent):
    job = services.job_enqueue(recipe=make_recipe([*BEFORE, REPLY]), trigger={}, trigger_kind="manual")
    with CaptureQueriesContext(connection) as queries:
        assert runtime.job_execute(job_id=job.pk, worker="w1") == "succeeded"
    assert step_inserts(queries) == 1
    assert not any(query["sql"].startswith('UPDATE "jobs_jobstep"') for query in queries)
    assert recorded(job) == [("keep", "succeeded"), ("log", "succeeded"), ("check", "succeeded"),
                             ("check.then.inner", "succeeded"), ("reply", "succeeded")]  # fmt: skip
    log = JobStep.objects.get(job=job, path="log")
    assert log.input == {"message": "n is 1"}
    assert log.output["message"] == "n is 1"
    assert log.finished_at >= log.started_at


class SeesTheRecord(JobRecorder):
    """Notes what is on record at the moment the app call has answered."""

    seen: list = []

    def step_finished(self, step_id, path, status, output=None, error=None):
        if path == "call":
            SeesTheRecord.seen = recorded(self.job)
        super().step_finished(step_id, path, status, output, error)


def test_an_app_call_is_on_record_with_every_step_before_it_when_it_is_made(make_recipe, app, sent, monkeypatch):
    job = services.job_enqueue(recipe=make_recipe([*BEFORE, CALL, REPLY]), trigger={}, trigger_kind="manual")
    monkeypatch.setattr(runtime, "JobRecorder", SeesTheRecord)
    with CaptureQueriesContext(connection) as queries:
        assert runtime.job_execute(job_id=job.pk, worker="w1") == "succeeded"
    assert SeesTheRecord.seen == [("keep", "succeeded"), ("log", "succeeded"), ("check", "succeeded"),
                                  ("check.then.inner", "succeeded"), ("call", "running")]  # fmt: skip
    assert step_inserts(queries) == 2  # the four before with the call's start; the reply with the finish
    assert recorded(job)[-2:] == [("call", "succeeded"), ("reply", "succeeded")]
    assert [row.path for row in JobStep.objects.filter(job=job).order_by("id")] == [
        "keep", "log", "check", "check.then.inner", "call", "reply",
    ]  # fmt: skip


class DiesAt(JobRecorder):
    """Dies when step `path` has done its work, before its end is recorded."""

    path = "call"

    def step_finished(self, step_id, path, status, output=None, error=None):
        if path == self.path:
            raise WorkerDied()
        super().step_finished(step_id, path, status, output, error)


def die_and_reap(job, path, monkeypatch, django_capture_on_commit_callbacks):
    with monkeypatch.context() as patched:
        patched.setattr(DiesAt, "path", path)
        patched.setattr(runtime, "JobRecorder", DiesAt)
        with pytest.raises(WorkerDied):
            runtime.job_execute(job_id=job.pk, worker="w1")
    Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.jobs_reap()["requeued"] == 1


def test_a_resumed_job_replays_the_steps_on_record_and_calls_the_app_it_was_calling_once_more(
    make_recipe, app, sent, monkeypatch, django_capture_on_commit_callbacks
):
    job = services.job_enqueue(recipe=make_recipe([*BEFORE, CALL, REPLY]), trigger={}, trigger_kind="manual")
    die_and_reap(job, "call", monkeypatch, django_capture_on_commit_callbacks)
    assert recorded(job) == [("keep", "succeeded"), ("log", "succeeded"), ("check", "succeeded"),
                             ("check.then.inner", "succeeded"), ("call", "failed")]  # fmt: skip
    assert runtime.job_execute(job_id=job.pk, worker="w2") == "succeeded"
    assert len(app.requests) == 2  # the call in flight, made again; the steps before it replayed
    assert recorded(job)[5:] == [("call", "succeeded"), ("reply", "succeeded")]


def test_a_worker_that_dies_among_steps_that_may_run_again_leaves_nothing_half_written(
    make_recipe, sent, monkeypatch, django_capture_on_commit_callbacks
):
    job = services.job_enqueue(recipe=make_recipe([*BEFORE, REPLY]), trigger={}, trigger_kind="manual")
    die_and_reap(job, "reply", monkeypatch, django_capture_on_commit_callbacks)
    assert recorded(job) == []
    assert runtime.job_execute(job_id=job.pk, worker="w2") == "succeeded"
    job.refresh_from_db()
    assert job.response["body"] == {"n": 1}
    assert [path for path, _ in recorded(job)] == ["keep", "log", "check", "check.then.inner", "reply"]


def test_a_long_run_of_steps_that_may_run_again_is_written_in_batches(make_recipe, sent, monkeypatch):
    monkeypatch.setattr(JobRecorder, "FLUSH_SECONDS", 3600.0)  # batches by count alone, however slow the machine
    loop = {
        "id": "each",
        "foreach": "{{ range(250) | list }}",
        "as": "n",
        "do": [{"id": "seen", "set": {"last": "{{ n }}"}}],
    }
    job = services.job_enqueue(recipe=make_recipe([{"id": "keep", "set": {"n": 1}}, loop, REPLY]), trigger={},
                               trigger_kind="manual")  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        assert runtime.job_execute(job_id=job.pk, worker="w1") == "succeeded"
    # 253 rows: after the 100th and the 200th kept step, and the last 53 with the finish.
    assert JobRecorder.FLUSH_ROWS == 100
    assert step_inserts(queries) == 3
    paths = [row.path for row in JobStep.objects.filter(job=job).order_by("id")]
    assert paths == ["keep", "each", *(f"each[{n}].seen" for n in range(250)), "reply"]


def test_a_kept_step_waits_at_most_a_second_for_its_record(make_recipe, sent, monkeypatch):
    monkeypatch.setattr(JobRecorder, "FLUSH_SECONDS", 0.0)  # every kept step has waited long enough
    job = services.job_enqueue(recipe=make_recipe([*BEFORE, REPLY]), trigger={}, trigger_kind="manual")
    with CaptureQueriesContext(connection) as queries:
        assert runtime.job_execute(job_id=job.pk, worker="w1") == "succeeded"
    assert step_inserts(queries) == 5
    assert len(recorded(job)) == 5
