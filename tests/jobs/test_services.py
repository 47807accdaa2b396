import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from builder.jobs import runtime, services
from builder.jobs.models import Job, JobStep
from builder.jobs.recorder import JobRecorder
from builder.recipes.drafts import draft_save, recipe_publish
from builder.recipes.services import recipe_create
from tests.factories import published_recipe

pytestmark = pytest.mark.django_db

EXAMPLE = json.loads((Path(__file__).parents[1] / "engine" / "golden" / "greet_new_hire.json").read_text())
TRIGGER = EXAMPLE["trigger"]


@pytest.fixture
def recipe(personas, chat):
    return published_recipe(workspace=personas.a, definition=EXAMPLE["definition"], bindings={"chat": chat.pk})


def test_the_task_is_sent_only_after_the_row_is_committed(recipe, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = services.job_enqueue(recipe=recipe, trigger=TRIGGER, trigger_kind="manual")
        assert sent == []
    for callback in callbacks:
        callback()
    assert sent == [job.pk]


def test_a_job_runs_and_records_every_step(recipe, sent, moveworks):
    job = services.job_enqueue(recipe=recipe, trigger=TRIGGER, trigger_kind="manual")
    assert runtime.job_execute(job_id=job.pk, worker="w1") == "succeeded"
    job.refresh_from_db()
    assert job.status == "succeeded"
    assert job.attempt == 1
    assert job.response == EXAMPLE["expected"]["response"]
    assert job.duration_ms is not None
    steps = list(JobStep.objects.filter(job=job).values_list("path", "status"))
    assert steps == [tuple(pair) for pair in EXAMPLE["expected"]["finished"]]
    assert moveworks.requests[0].json == EXAMPLE["expected"]["moveworks_request"]
    assert "k" not in json.dumps(JobStep.objects.get(path="tell").input)


def test_a_redelivered_task_runs_nothing_twice(recipe, sent, moveworks):
    job = services.job_enqueue(recipe=recipe, trigger=TRIGGER, trigger_kind="manual")
    runtime.job_execute(job_id=job.pk, worker="w1")
    assert runtime.job_execute(job_id=job.pk, worker="w2") is None
    assert len(moveworks.requests) == 1


def test_a_failing_step_fails_the_job_with_where_and_why(recipe, sent, moveworks):
    moveworks.routes.clear()
    moveworks.reply("POST", "/rest/v1/events/evt-1/messages/send", status=403, json={"error": {"message": "nope"}})
    job = services.job_enqueue(recipe=recipe, trigger=TRIGGER, trigger_kind="manual")
    assert runtime.job_execute(job_id=job.pk, worker="w1") == "failed"
    job.refresh_from_db()
    assert job.error["step"] == "tell"
    assert "nope" in job.error["message"]


def test_cancel_a_queued_job(recipe, sent):
    job = services.job_enqueue(recipe=recipe, trigger=TRIGGER, trigger_kind="manual")
    services.job_cancel(job=job)
    assert runtime.job_execute(job_id=job.pk, worker="w1") is None
    job.refresh_from_db()
    assert job.status == "cancelled"


def test_a_running_job_sees_its_cancel_before_the_next_step(recipe, sent):
    job = services.job_enqueue(recipe=recipe, trigger=TRIGGER, trigger_kind="manual")
    Job.objects.filter(pk=job.pk).update(status="running")
    recorder = JobRecorder(job)
    assert recorder.should_cancel() is False
    services.job_cancel(job=Job.objects.get(pk=job.pk))
    recorder.next_check = 0
    assert recorder.should_cancel() is True


def test_rerun_points_to_the_old_job(recipe, sent):
    job = services.job_enqueue(recipe=recipe, trigger=TRIGGER, trigger_kind="manual")
    again = services.job_rerun(job=job)
    assert again.rerun_of == job
    assert again.trigger == job.trigger
    assert again.version == job.version


def test_the_reaper_requeues_then_fails_jobs_whose_worker_died(
    recipe, sent, settings, django_capture_on_commit_callbacks
):
    settings.JOB_MAX_ATTEMPTS = 2
    expired = timezone.now() - timedelta(seconds=5)
    first = services.job_enqueue(recipe=recipe, trigger=TRIGGER, trigger_kind="manual")
    last = services.job_enqueue(recipe=recipe, trigger=TRIGGER, trigger_kind="manual")
    alive = services.job_enqueue(recipe=recipe, trigger=TRIGGER, trigger_kind="manual")
    Job.objects.filter(pk=first.pk).update(status="running", attempt=1, lease_until=expired)
    Job.objects.filter(pk=last.pk).update(status="running", attempt=2, lease_until=expired)
    Job.objects.filter(pk=alive.pk).update(status="running", attempt=1, lease_until=timezone.now() + timedelta(60))
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.jobs_reap() == {"requeued": 1, "failed": 1, "cancelled": 0}
    assert sent == [first.pk]
    statuses = dict(Job.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "queued", last.pk: "failed", alive.pk: "running"}
    assert Job.objects.get(pk=last.pk).error["type"] == "worker_lost"


def test_a_job_cancelled_while_its_worker_died_ends_cancelled(recipe, sent, django_capture_on_commit_callbacks):
    # Requeued, it would wait forever: a worker never claims a job someone asked to cancel.
    job = services.job_enqueue(recipe=recipe, trigger=TRIGGER, trigger_kind="manual")
    Job.objects.filter(pk=job.pk).update(status="running", attempt=1, cancel_requested=True,
                                         lease_until=timezone.now() - timedelta(seconds=5))  # fmt: skip
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.jobs_reap() == {"requeued": 0, "failed": 0, "cancelled": 1}
    assert sent == []
    job.refresh_from_db()
    assert (job.status, job.error["type"]) == ("cancelled", "cancelled")
    assert job.finished_at is not None


def test_the_concurrency_limit_requeues(recipe, sent, settings):
    settings.RECIPE_CONCURRENCY = 1
    busy = services.job_enqueue(recipe=recipe, trigger=TRIGGER, trigger_kind="manual")
    Job.objects.filter(pk=busy.pk).update(status="running", lease_until=timezone.now() + timedelta(minutes=1))
    waiting = services.job_enqueue(recipe=recipe, trigger=TRIGGER, trigger_kind="manual")
    assert runtime.job_execute(job_id=waiting.pk, worker="w1") == "queued"
    assert Job.objects.get(pk=waiting.pk).status == "queued"
    # Waiting for a free slot is not an attempt: it must not use up the retries a dead worker gets.
    assert Job.objects.get(pk=waiting.pk).attempt == 0


def test_big_payloads_are_stored_truncated(recipe, sent, settings):
    settings.JOB_DATA_LIMIT = 100
    trigger = {"body": {"blob": "x" * 500}, "context": {"request_id": "r-1"}}
    job = services.job_enqueue(recipe=recipe, trigger=trigger, trigger_kind="manual")
    assert job.trigger["body"]["_truncated"] is True
    assert len(job.trigger["body"]["preview"]) == 100
    assert job.trigger["context"] == {"request_id": "r-1"}  # who and what it was for survives


def test_prune_removes_old_finished_jobs_only(recipe, sent, settings):
    settings.JOB_RETENTION_DAYS = 7
    old = timezone.now() - timedelta(days=8)
    done = services.job_enqueue(recipe=recipe, trigger=TRIGGER, trigger_kind="manual")
    running = services.job_enqueue(recipe=recipe, trigger=TRIGGER, trigger_kind="manual")
    recent = services.job_enqueue(recipe=recipe, trigger=TRIGGER, trigger_kind="manual")
    Job.objects.filter(pk=done.pk).update(status="succeeded", created_at=old)
    Job.objects.filter(pk=running.pk).update(status="running", created_at=old)
    Job.objects.filter(pk=recent.pk).update(status="succeeded")
    assert services.jobs_prune(batch=1) == 1
    assert set(Job.objects.values_list("pk", flat=True)) == {running.pk, recent.pk}


def test_a_call_step_runs_a_function_recipe_with_checked_input_and_output(personas, sent):
    double = {"format": "stepwise.recipe/1", "name": "Double",
              "trigger": {"kind": "function", "input_schema": {"type": "object", "required": ["n"],
                                                               "properties": {"n": {"type": "integer"}}},
                          "output_schema": {"type": "object", "required": ["n"]}},
              "steps": [{"id": "out", "respond": {"body": {"n": "{{ trigger.body.n * 2 }}"}}}]}  # fmt: skip
    caller = {"format": "stepwise.recipe/1", "name": "Caller", "trigger": {"kind": "manual"},
              "steps": [{"id": "twice", "call": "Double", "input": {"n": "{{ trigger.body.n }}"}},
                        {"id": "keep", "set": {"result": "{{ steps.twice.n }}"}}]}  # fmt: skip
    published_recipe(workspace=personas.a, definition=double)
    recipe = published_recipe(workspace=personas.a, definition=caller)
    good = services.job_enqueue(recipe=recipe, trigger={"body": {"n": 21}}, trigger_kind="manual")
    bad = services.job_enqueue(recipe=recipe, trigger={"body": {"n": "x"}}, trigger_kind="manual")
    assert runtime.job_execute(job_id=good.pk, worker="w") == "succeeded"
    assert JobStep.objects.get(job=good, step_id="keep").output == {"result": 42}
    assert runtime.job_execute(job_id=bad.pk, worker="w") == "failed"
    assert "input for Double is invalid" in Job.objects.get(pk=bad.pk).error["message"]


def test_a_function_of_another_workspace_cannot_be_called(personas, sent):
    other = {"format": "stepwise.recipe/1", "name": "Secret", "trigger": {"kind": "function"},
             "steps": [{"id": "out", "respond": {"body": {}}}]}  # fmt: skip
    published_recipe(workspace=personas.b, definition=other)
    caller = {"format": "stepwise.recipe/1", "name": "Caller", "trigger": {"kind": "manual"},
              "steps": [{"id": "c", "call": "Secret", "input": {}}]}  # fmt: skip
    job = services.job_enqueue(recipe=published_recipe(workspace=personas.a, definition=caller), trigger={},
                               trigger_kind="manual")  # fmt: skip
    assert runtime.job_execute(job_id=job.pk, worker="w") == "failed"
    assert "no function recipe 'Secret'" in Job.objects.get(pk=job.pk).error["message"]


def test_a_call_step_runs_the_functions_live_version_and_refuses_one_never_published(personas, sent):
    def double(factor: int) -> dict:
        reply = {"id": "out", "respond": {"body": {"n": f"{{{{ trigger.body.n * {factor} }}}}"}}}
        return {"format": "stepwise.recipe/1", "name": "Double", "trigger": {"kind": "function"}, "steps": [reply]}

    caller = {"format": "stepwise.recipe/1", "name": "Caller", "trigger": {"kind": "manual"},
              "steps": [{"id": "twice", "call": "Double", "input": {"n": 21}}]}  # fmt: skip
    function = recipe_create(workspace=personas.a, definition=double(2))
    recipe = published_recipe(workspace=personas.a, definition=caller)
    never = services.job_enqueue(recipe=recipe, trigger={}, trigger_kind="manual")
    assert runtime.job_execute(job_id=never.pk, worker="w") == "failed"
    assert "not published yet" in Job.objects.get(pk=never.pk).error["message"]
    recipe_publish(recipe=function)
    draft_save(recipe=function, definition=double(3))  # a draft: calls still run version 1
    job = services.job_enqueue(recipe=recipe, trigger={}, trigger_kind="manual")
    assert runtime.job_execute(job_id=job.pk, worker="w") == "succeeded"
    assert JobStep.objects.get(job=job, step_id="twice").output == {"n": 42}


def test_renaming_a_functions_draft_redirects_no_caller(personas, sent):
    function = {"format": "stepwise.recipe/1", "name": "Double", "trigger": {"kind": "function"},
                "steps": [{"id": "out", "respond": {"body": {"n": "{{ trigger.body.n * 2 }}"}}}]}  # fmt: skip
    caller = {"format": "stepwise.recipe/1", "name": "Caller", "trigger": {"kind": "manual"},
              "steps": [{"id": "twice", "call": "Double", "input": {"n": 21}}]}  # fmt: skip
    double = published_recipe(workspace=personas.a, definition=function)
    draft_save(recipe=double, definition={**function, "name": "Triple"})
    job = services.job_enqueue(recipe=published_recipe(workspace=personas.a, definition=caller), trigger={},
                               trigger_kind="manual")  # fmt: skip
    assert runtime.job_execute(job_id=job.pk, worker="w") == "succeeded"
    assert JobStep.objects.get(job=job, step_id="twice").output == {"n": 42}
