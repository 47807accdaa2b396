"""A worker keeps its database connection from one task to the next, as Django keeps one
from request to request (builder/celery.py): Celery's own fixup would close it each time.
(An in-memory SQLite database ignores close(), so the tests count the calls to it.)"""

import time
from types import SimpleNamespace

import pytest
from celery.fixups.django import DjangoWorkerFixup
from celery.signals import task_postrun, task_prerun
from django.db import connection

from builder.celery import app

pytestmark = pytest.mark.django_db(transaction=True)


class TASK:
    """What the fixup reads of a task that a worker (not a test's eager call) runs."""

    request = SimpleNamespace(is_eager=False)


@pytest.fixture
def closes(monkeypatch):
    """How many times the default connection was closed."""
    calls = []
    real = connection.close
    monkeypatch.setattr(connection._connections[connection._alias], "close", lambda: calls.append(1) or real())
    connection.ensure_connection()
    connection.close_at = time.monotonic() + 60  # as just opened (the suite's connection may be older)
    return calls


def around_a_task() -> None:
    fixup = DjangoWorkerFixup(app)
    fixup.on_task_prerun(sender=TASK)
    task_prerun.send(sender=TASK)
    fixup.on_task_postrun(sender=TASK)
    task_postrun.send(sender=TASK)


def test_the_connection_outlives_a_task(closes):
    around_a_task()
    assert closes == []


def test_a_connection_past_its_age_is_closed_after_a_task(closes):
    connection.close_at = 0  # as if CONN_MAX_AGE had passed
    around_a_task()
    assert closes


def test_celerys_fixup_alone_would_close_it(closes, monkeypatch):
    monkeypatch.setitem(app.conf, "CELERY_DB_REUSE_MAX", None)
    around_a_task()
    assert closes
