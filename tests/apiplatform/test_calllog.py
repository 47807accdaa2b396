"""The call log written behind the answer, by a thread of the web process."""

import time

import pytest
from django.utils import timezone

from builder.apiplatform.calllog import Entry, writer
from builder.apiplatform.models import ApiCall
from builder.jobs.models import Job
from tests.apiplatform.conftest import Api


@pytest.mark.django_db(transaction=True)
def test_calls_written_behind_land_with_their_jobs(settings, personas):
    settings.GATEWAY_WRITE_BEHIND = True
    api = Api(personas.a)
    ids = [api.call(body={"name": f"n{i}"})["X-Request-Id"] for i in range(5)]
    for _ in range(200):
        if ApiCall.objects.count() == 5:
            break
        time.sleep(0.05)
    calls = {c.request_id: c for c in ApiCall.objects.select_related("job")}
    assert set(calls) == set(ids)
    assert all(c.job.status == "succeeded" for c in calls.values())
    assert Job.objects.count() == 5


def test_a_flush_writes_what_is_queued(personas):
    call = {
        "workspace_id": personas.a.pk,
        "request_id": "r1",
        "method": "POST",
        "path": "/x",
        "status": 200,
        "latency_ms": 1.0,
        "created_at": timezone.now(),
    }
    writer.queue.put(Entry(call))
    writer.flush()
    assert ApiCall.objects.filter(request_id="r1").exists()


@pytest.mark.django_db(transaction=True)
def test_a_graceful_stop_writes_what_the_thread_holds_too(settings, personas):
    # The thread takes the first call and sleeps to gather a batch; flush must not lose it.
    settings.GATEWAY_WRITE_BEHIND = True
    api = Api(personas.a)
    ids = [api.call(body={"name": f"n{i}"})["X-Request-Id"] for i in range(3)]
    writer.flush()
    assert not writer.thread.is_alive()
    assert set(ApiCall.objects.values_list("request_id", flat=True)) == set(ids)
    # The next call starts a new thread.
    api.call(body={"name": "again"})
    writer.flush()
    assert ApiCall.objects.count() == 4
