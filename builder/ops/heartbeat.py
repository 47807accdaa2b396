"""A worker bootstep that records, every few seconds, that this worker is alive.

It runs on the worker's timer in the main process, so a worker whose pool is busy
still beats, and one whose main process hangs or dies stops beating.
"""

import logging
import os

from celery import bootsteps

logger = logging.getLogger(__name__)


class HeartbeatStep(bootsteps.StartStopStep):
    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.tref = None
        self.started_at = None

    def start(self, worker):
        from django.conf import settings
        from django.utils import timezone

        self.started_at = timezone.now()
        self.beat(worker)
        self.tref = worker.timer.call_repeatedly(settings.WORKER_HEARTBEAT_SECONDS, self.beat, (worker,), priority=10)

    def stop(self, worker):
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None
        from builder.ops.services import heartbeat_forget

        try:
            heartbeat_forget(hostname=worker.hostname)
        except Exception:  # the database may be gone at shutdown; the row then just ages out
            logger.warning("could not remove the heartbeat of %s", worker.hostname)

    def beat(self, worker):
        from django.db import close_old_connections

        from builder.ops.services import heartbeat_record

        close_old_connections()
        try:
            heartbeat_record(hostname=worker.hostname, pid=os.getpid(), started_at=self.started_at)
        except Exception:
            logger.exception("worker heartbeat failed")
