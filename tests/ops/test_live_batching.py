"""A process's live events go out through one publisher thread, batched per group: every
event still arrives, in the order published (builder/ops/live.py)."""

import asyncio
import os
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from builder.jobs import runtime, services
from builder.jobs.models import JobStep
from builder.ops import live
from builder.ops.consumers import LiveConsumer
from tests.factories import published_recipe

THREE_STEPS = {
    "format": "stepwise.recipe/1",
    "name": "Three steps",
    "trigger": {"kind": "manual"},
    "steps": [
        {"id": "log", "action": "data.log", "input": {"message": "{{ trigger.body.name }}"}},
        {"id": "keep", "set": {"name": "{{ trigger.body.name }}"}},
        {"id": "reply", "respond": {"status": 200, "body": {"greeting": "Hello {{ vars.name }}"}}},
    ],
}


class RecordingLayer:
    """A channel layer outside the process, as the SQLite and Redis layers are."""

    def __init__(self):
        self.sent: list[tuple[str, dict]] = []

    async def group_send(self, group, message):
        self.sent.append((group, message))


def events_of(layer: RecordingLayer, group: str) -> list[dict]:
    found = []
    for sent_to, message in layer.sent:
        if sent_to == group:
            found.extend(message["events"] if message["type"] == "live.events" else [message["event"]])
    return found


@pytest.fixture
def layer(monkeypatch):
    recording = RecordingLayer()
    monkeypatch.setattr(live, "get_channel_layer", lambda: recording)
    yield recording
    assert live.live_flush(timeout=5)


def test_events_arrive_in_order_per_group_in_fewer_messages(layer):
    for n in range(5):
        live.live_publish("job.1", {"type": "step", "n": n})
        live.live_publish("recipe.1", {"type": "step", "n": n})
    assert live.live_flush(timeout=5)
    assert events_of(layer, "job.1") == [{"type": "step", "n": n} for n in range(5)]
    assert events_of(layer, "recipe.1") == [{"type": "step", "n": n} for n in range(5)]
    assert len(layer.sent) < 10


@pytest.mark.django_db
def test_a_worker_job_records_every_step_and_publishes_every_event(layer, personas, sent):
    recipe = published_recipe(workspace=personas.a, definition=THREE_STEPS)
    job = services.job_enqueue(recipe=recipe, trigger={"body": {"name": "Ada"}}, trigger_kind="manual")
    assert runtime.job_execute(job_id=job.pk, worker="w1") == "succeeded"
    assert live.live_flush(timeout=5)
    steps = JobStep.objects.filter(job=job).order_by("id")
    assert [(s.step_id, s.status) for s in steps] == [("log", "succeeded"), ("keep", "succeeded"),
                                                      ("reply", "succeeded")]  # fmt: skip
    kinds = [(e["type"], e.get("step")) for e in events_of(layer, f"job.{job.pk}")]
    assert kinds == [("step.started", "log"), ("step.finished", "log"), ("step.started", "keep"),
                     ("step.finished", "keep"), ("step.started", "reply"), ("step.finished", "reply"),
                     ("job.finished", None)]  # fmt: skip
    recipe_kinds = [e["type"] for e in events_of(layer, f"recipe.{recipe.pk}")]
    assert recipe_kinds == ["job.started"] + ["step.started", "step.finished"] * 3 + ["job.finished"]


@pytest.mark.django_db(transaction=True)
def test_a_socket_receives_each_event_of_a_batch(personas):
    async def scenario():
        communicator = WebsocketCommunicator(LiveConsumer.as_asgi(), "/ws/live/")
        communicator.scope["user"] = personas.owner
        await communicator.connect()
        await communicator.receive_json_from()
        events = [{"type": "step.started", "step": "a"}, {"type": "step.finished", "step": "a"}]
        await get_channel_layer().group_send(f"workspace.{personas.a.pk}", live.live_message(events))
        received = [await communicator.receive_json_from(timeout=5) for _ in events]
        await communicator.disconnect()
        return received, events

    received, events = async_to_sync(scenario)()
    assert received == events


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="Redis is not configured for this run")
def test_the_redis_layer_is_asked_once_who_listens_and_sends_only_there():
    from channels_redis.core import RedisChannelLayer

    prefix = f"{os.environ.get('STEPWISE_REDIS_PREFIX', 'stepwise')}-live-{uuid.uuid4().hex[:8]}"
    layer = RedisChannelLayer(hosts=[os.environ["REDIS_URL"]], prefix=prefix)

    async def scenario():
        channel = await layer.new_channel()
        await layer.group_add("job.1", channel)
        try:
            assert await live.listened_groups(layer, ["job.1", "job.2", "recipe.1"]) == {"job.1"}
            await live.Publisher(layer).send({"job.1": [{"n": 1}], "job.2": [{"n": 2}]})
            assert (await layer.receive(channel))["event"] == {"n": 1}
        finally:
            await layer.group_discard("job.1", channel)
            await layer.flush()

    # In a thread of its own: an earlier test of the suite (a browser's) may leave a loop running in this one.
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, scenario()).result()
