"""Sends one task through the broker and waits for a worker to run it."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from builder.ops.models import Probe
from builder.ops.tasks import probe


class Command(BaseCommand):
    help = "Check the queue end to end: a task goes through the broker and a worker runs it."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for a worker")

    def handle(self, *args, timeout=30.0, **options):
        with transaction.atomic():
            record = Probe.objects.create()
            # The row must be committed before a worker can look for it.
            transaction.on_commit(lambda: probe.delay(record.pk))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            record.refresh_from_db()
            if record.done_at:
                elapsed = (record.done_at - record.created_at).total_seconds()
                self.stdout.write(f"probe {record.pk} ran on {record.worker} after {elapsed:.2f}s")
                return
            time.sleep(0.1)
        raise CommandError(f"probe {record.pk}: no worker ran it within {timeout:.0f}s")
