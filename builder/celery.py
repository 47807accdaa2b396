import os

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_process_shutdown

from builder.broker import use_atomic_filesystem_transport

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "builder.settings")
use_atomic_filesystem_transport()

app = Celery("builder")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The worker writes a heartbeat row that /healthz reads; see builder/ops/heartbeat.py.
from builder.ops.heartbeat import HeartbeatStep  # noqa: E402

app.steps["worker"].add(HeartbeatStep)


@task_prerun.connect
@task_postrun.connect
def _close_old_connections(**kwargs) -> None:
    """What Django does around a request: closes a connection past CONN_MAX_AGE or broken.
    Celery's own Django fixup closes every connection around every task unless
    CELERY_DB_REUSE_MAX is set (settings.py sets it): opening the SQLite database again, with
    its PRAGMAs, was a quarter of a short job's time on a worker."""
    from django.db import close_old_connections

    close_old_connections()


@worker_process_shutdown.connect
def _send_live_events(**kwargs) -> None:
    from builder.ops.live import live_flush

    live_flush(timeout=5.0)
