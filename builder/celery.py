import os

from celery import Celery
from celery.signals import worker_process_shutdown

from builder.broker import use_atomic_filesystem_transport

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "builder.settings")
use_atomic_filesystem_transport()

app = Celery("builder")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The worker writes a heartbeat row that /healthz reads; see builder/ops/heartbeat.py.
from builder.ops.heartbeat import HeartbeatStep  # noqa: E402

app.steps["worker"].add(HeartbeatStep)


@worker_process_shutdown.connect
def _send_live_events(**kwargs) -> None:
    from builder.ops.live import live_flush

    live_flush(timeout=5.0)
