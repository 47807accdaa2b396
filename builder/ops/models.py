from django.db import models


class WorkerHeartbeat(models.Model):
    """Written by each Celery worker every STEPWISE_WORKER_HEARTBEAT_SECONDS; read by /healthz."""

    hostname = models.CharField(max_length=200, primary_key=True)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["hostname"]

    def __str__(self) -> str:
        return self.hostname


class Probe(models.Model):
    """One round trip through the broker to a worker (manage.py stepwise_probe)."""

    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"probe {self.pk}"
