from datetime import datetime

from django.db import transaction
from django.utils import timezone

from builder.ops.live import live_publish
from builder.ops.models import Probe, WorkerHeartbeat

OPS_GROUP = "ops"


def heartbeat_record(*, hostname: str, pid: int, started_at: datetime) -> WorkerHeartbeat:
    now = timezone.now()
    beat, _ = WorkerHeartbeat.objects.update_or_create(
        hostname=hostname, defaults={"pid": pid, "started_at": started_at, "last_seen": now}
    )
    live_publish(OPS_GROUP, {"type": "worker.heartbeat", "hostname": hostname, "last_seen": now.isoformat()})
    return beat


def heartbeat_forget(*, hostname: str) -> None:
    WorkerHeartbeat.objects.filter(hostname=hostname).delete()
    live_publish(OPS_GROUP, {"type": "worker.gone", "hostname": hostname})


@transaction.atomic
def probe_complete(*, probe_id: int, worker: str) -> bool:
    return bool(Probe.objects.filter(pk=probe_id, done_at=None).update(done_at=timezone.now(), worker=worker))
