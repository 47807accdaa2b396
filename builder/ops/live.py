"""Pushes events to the browsers listening on a group, from any process.

The channel layer is Redis in the scaled setup and a SQLite file in the embedded
default; either way a web, worker or beat process can publish.

A worker publishes some fifteen events a job (each step's start and end, to the job's
group and the recipe's). `async_to_sync` starts an event loop and a thread for each call,
which cost a job more CPU than its steps did; so each process hands its events to one
thread of its own that keeps one loop. That thread waits BATCH_SECONDS after an event for
the ones that follow (a short job's all), then sends them in one message a group
(`live.events`), in the order published: asking the SQLite layer who listens on a group is
a query in a thread of its own, each time. So an event is on the socket within
BATCH_SECONDS and then some, a long step's start while the step runs. The in-memory layer
(the unit tests') lives in its caller's loop and is sent to as before.
"""

import asyncio
import atexit
import logging
import os
import queue
import threading
import time

from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.utils import timezone

logger = logging.getLogger(__name__)

BATCH_SECONDS = 0.05


def live_message(events: list[dict]) -> dict:
    """What a group receives for its events: one event as `live.event`, more as `live.events`."""
    if len(events) == 1:
        return {"type": "live.event", "event": events[0]}
    return {"type": "live.events", "events": events}


class Publisher(threading.Thread):
    """Sends the events of one process through `layer`, from a loop of its own."""

    def __init__(self, layer):
        super().__init__(name="live-publisher", daemon=True)
        self.layer = layer
        self.pid = os.getpid()
        self.pending: queue.SimpleQueue = queue.SimpleQueue()
        self.unsent = 0
        self.idle = threading.Condition()

    def put(self, group: str, event: dict) -> None:
        with self.idle:
            self.unsent += 1
        self.pending.put((group, event))

    def flush(self, timeout: float) -> bool:
        """Waits until every event put so far has been sent (or given up on); False on timeout."""
        with self.idle:
            return self.idle.wait_for(lambda: self.unsent == 0, timeout)

    def run(self) -> None:
        loop = asyncio.new_event_loop()
        while True:
            batch = [self.pending.get()]
            time.sleep(BATCH_SECONDS)
            while True:
                try:
                    batch.append(self.pending.get_nowait())
                except queue.Empty:
                    break
            by_group: dict[str, list[dict]] = {}
            for group, event in batch:
                by_group.setdefault(group, []).append(event)
            loop.run_until_complete(self.send(by_group))
            with self.idle:
                self.unsent -= len(batch)
                self.idle.notify_all()

    async def send(self, by_group: dict[str, list[dict]]) -> None:
        try:
            listened = await listened_groups(self.layer, list(by_group))
        except Exception:  # the layer's store away for a moment: send to all, as the layer asks each
            logger.warning("could not ask who listens on %d groups", len(by_group), exc_info=True)
            listened = None
        for group, events in by_group.items():
            if listened is not None and group not in listened:
                continue
            try:
                await self.layer.group_send(group, live_message(events))
            except Exception:
                logger.warning("%d live events to %s were not delivered", len(events), group, exc_info=True)


async def listened_groups(layer, groups: list[str]) -> set[str] | None:
    """Which of `groups` someone listens on (None: send to all, the layer will see). Asking
    costs the SQLite layer a query a group, in a thread of its own, and the Redis layer two
    round trips a group, each time; a worker's batch names a group a job, nearly always
    unwatched. So the publisher asks once a batch, and sends only where someone listens.
    (The layers are told apart by name: the SQLite layer's module needs its app installed.)"""
    kind = type(layer).__name__
    if kind == "SQLiteChannelLayer":
        return await sync_to_async(_sqlite_listened, thread_sensitive=False)(groups)
    if kind == "RedisChannelLayer":
        by_connection: dict[int, list[str]] = {}
        for group in groups:
            by_connection.setdefault(layer.consistent_hash(group), []).append(group)
        listened = set()
        for index, named in by_connection.items():
            pipe = layer.connection(index).pipeline(transaction=False)
            for group in named:
                pipe.exists(layer._group_key(group))  # its members' sorted set: absent when it has none
            listened.update(group for group, found in zip(named, await pipe.execute(), strict=True) if found)
        return listened
    return None


def _sqlite_listened(groups: list[str]) -> set[str]:
    from channels_lite.models import GroupMembership

    found = GroupMembership.objects.filter(group_name__in=groups, expires_at__gte=timezone.now())
    return set(found.values_list("group_name", flat=True))


_publisher: Publisher | None = None
_publisher_lock = threading.Lock()


def _publisher_for(layer) -> Publisher:
    """This process's publisher (a forked child starts its own: threads do not survive fork)."""
    global _publisher
    with _publisher_lock:
        if _publisher is None or _publisher.layer is not layer or _publisher.pid != os.getpid():
            _publisher = Publisher(layer)
            _publisher.start()
        return _publisher


def live_publish(group: str, event: dict) -> None:
    """Sends `event` to every websocket in `group`. Never raises: live updates are best effort."""
    layer = get_channel_layer()
    if layer is None:
        return
    if not isinstance(layer, InMemoryChannelLayer):
        _publisher_for(layer).put(group, event)
        return
    try:
        async_to_sync(layer.group_send)(group, live_message([event]))
    except Exception:
        logger.warning("live event to %s was not delivered", group, exc_info=True)


@atexit.register
def live_flush(timeout: float = 5.0) -> bool:
    """Waits until this process's events have left; each process calls it before it exits
    (a pool process of the worker from builder/celery.py: it leaves by os._exit)."""
    publisher = _publisher
    if publisher is None or publisher.pid != os.getpid():
        return True
    return publisher.flush(timeout)
