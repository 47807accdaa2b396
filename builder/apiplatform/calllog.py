"""The call log, and the jobs of sync calls, written behind the answer.

A web process queues each call (and, for a sync call, its finished run) and one thread
writes them in batches: a few INSERTs a fraction of a second later instead of several per
call on the hot path. `STEPWISE_GATEWAY_WRITE_BEHIND=false` writes each call before
answering instead. A process killed with SIGKILL loses at most the last batch interval of
log lines; a graceful stop writes what is queued (atexit, and gunicorn's worker_exit).
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from builder.apiplatform.models import ApiCall, ApiKey
from builder.jobs.bulk import insert_rows
from builder.jobs.services import FinishedRun, jobs_record

logger = logging.getLogger(__name__)

FLUSH_SECONDS = 0.1
IDLE_SECONDS = 2.0
BATCH = 500
LAST_USED_EVERY = 60.0
STOP = object()  # queued by flush(): write what you hold, then end


@dataclass
class Entry:
    call: dict  # an ApiCall row: attribute name -> value
    run: FinishedRun | None = None


class Writer:
    def __init__(self):
        self.queue: queue.Queue[Entry] = queue.Queue()
        self.thread: threading.Thread | None = None
        self.pid: int | None = None
        self.lock = threading.Lock()
        self.keys_used: dict[tuple[int, str], float] = {}

    def submit(self, entry: Entry) -> None:
        if not settings.GATEWAY_WRITE_BEHIND:
            write([entry])
            return
        self._ensure_thread()
        self.queue.put(entry)

    def _ensure_thread(self) -> None:
        if self.pid == os.getpid() and self.thread is not None and self.thread.is_alive():
            return
        with self.lock:
            if self.pid != os.getpid() or self.thread is None or not self.thread.is_alive():
                self.queue = queue.Queue() if self.pid != os.getpid() else self.queue  # a forked child starts empty
                self.pid = os.getpid()
                self.thread = threading.Thread(target=self._loop, name="apim-calllog", daemon=True)
                self.thread.start()

    def _loop(self) -> None:
        while True:
            try:
                entries = [self.queue.get(timeout=IDLE_SECONDS)]
            except queue.Empty:
                connection.close()  # idle: hold no database connection (nor a test database open)
                continue
            # Let a batch gather while nobody waits on the queue: a put then wakes no thread.
            if entries[0] is not STOP and self.queue.qsize() < BATCH:
                time.sleep(FLUSH_SECONDS)
            try:
                while len(entries) < BATCH and entries[-1] is not STOP:
                    entries.append(self.queue.get_nowait())
            except queue.Empty:
                pass
            stopping = entries[-1] is STOP
            entries = [entry for entry in entries if entry is not STOP]
            try:
                if entries:
                    write(entries)
            except Exception:  # the log must never take the gateway down; say so loudly
                logger.exception("could not write %d gateway calls", len(entries))
                connection.close()
            if stopping:
                connection.close()
                return

    def flush(self, timeout: float = 10) -> None:
        """Writes everything queued, including what the thread holds: at a graceful stop."""
        if self.pid == os.getpid() and self.thread is not None and self.thread.is_alive():
            self.queue.put(STOP)
            self.thread.join(timeout)
            return
        entries = []
        while True:
            try:
                entries.append(self.queue.get_nowait())
            except queue.Empty:
                break
        entries = [entry for entry in entries if entry is not STOP]
        if entries:
            write(entries)

    def key_used(self, key: tuple[int, str], now: float) -> bool:
        """True at most once a minute per key in this process: last_used_at is a minute-level fact."""
        last = self.keys_used.get(key)
        if last is not None and now - last < LAST_USED_EVERY:
            return False
        if len(self.keys_used) > 100_000:
            self.keys_used.clear()
        self.keys_used[key] = now
        return True


def write(entries: list[Entry]) -> None:
    with transaction.atomic():
        runs = [e for e in entries if e.run is not None]
        job_ids = jobs_record([e.run for e in runs]) if runs else []
        for entry, job_id in zip(runs, job_ids, strict=True):
            entry.call["job_id"] = job_id
        insert_rows(ApiCall, [e.call for e in entries])


writer = Writer()


def log_call(call: dict, run: FinishedRun | None = None) -> None:
    writer.submit(Entry(call, run))


def touch_key(key_id: int, prefix: str, now: float) -> None:
    if writer.key_used((key_id, prefix), now):
        # An update, not a save: last-used times must not bump the route generation.
        ApiKey.objects.filter(pk=key_id).update(last_used_at=timezone.now())


atexit.register(lambda: writer.flush() if writer.pid == os.getpid() else None)
