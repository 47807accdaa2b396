"""The live websocket: only for signed-in users, and it carries events from any process."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from builder.ops.consumers import LiveConsumer
from builder.ops.live import live_publish

pytestmark = pytest.mark.django_db(transaction=True)


async def connect(user):
    communicator = WebsocketCommunicator(LiveConsumer.as_asgi(), "/ws/live/")
    communicator.scope["user"] = user
    connected, code = await communicator.connect()
    return communicator, connected, code


def test_anonymous_socket_is_closed_with_4401():
    _, connected, code = async_to_sync(connect)(AnonymousUser())
    assert not connected
    assert code == 4401


def test_member_receives_events_of_their_workspace_only(personas):
    async def scenario():
        communicator, connected, _ = await connect(personas.owner)
        assert connected
        assert (await communicator.receive_json_from())["type"] == "hello"
        await sync_to_async(live_publish)(f"workspace.{personas.b.pk}", {"type": "secret"})
        await sync_to_async(live_publish)(f"workspace.{personas.a.pk}", {"type": "job.step", "step": "tell"})
        received = await communicator.receive_json_from(timeout=5)
        nothing_else = await communicator.receive_nothing(timeout=0.2)
        await communicator.disconnect()
        return received, nothing_else

    received, nothing_else = async_to_sync(scenario)()
    assert received == {"type": "job.step", "step": "tell"}
    assert nothing_else


def test_subscribe_to_a_job_of_ones_own_workspace_only(personas):
    from builder.jobs.services import job_enqueue
    from tests.factories import published_recipe

    definition = {"format": "stepwise.recipe/1", "name": "n", "trigger": {"kind": "manual"}, "steps": []}
    mine = job_enqueue(recipe=published_recipe(workspace=personas.a, definition=definition), trigger={},
                       trigger_kind="manual")  # fmt: skip
    theirs = job_enqueue(recipe=published_recipe(workspace=personas.b, definition=definition), trigger={},
                         trigger_kind="manual")  # fmt: skip

    async def scenario():
        communicator, _, _ = await connect(personas.owner)
        await communicator.receive_json_from()
        await communicator.send_json_to({"type": "subscribe", "job": theirs.pk})
        refused = await communicator.receive_json_from()
        await communicator.send_json_to({"type": "subscribe", "job": mine.pk})
        accepted = await communicator.receive_json_from()
        await sync_to_async(live_publish)(f"job.{theirs.pk}", {"type": "step.started", "secret": True})
        await sync_to_async(live_publish)(f"job.{mine.pk}", {"type": "step.started", "step": "a"})
        event = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return refused, accepted, event

    refused, accepted, event = async_to_sync(scenario)()
    assert refused == {"type": "error", "message": "No such job."}
    assert accepted == {"type": "subscribed", "job": mine.pk}
    assert event == {"type": "step.started", "step": "a"}


def test_a_removed_member_is_disconnected_from_the_workspace(personas):
    from builder.workspaces.services import member_remove

    async def scenario():
        communicator, _, _ = await connect(personas.viewer)
        await communicator.receive_json_from()
        membership = await sync_to_async(personas.a.memberships.get)(user=personas.viewer)
        await sync_to_async(member_remove)(membership=membership)
        closed = await communicator.receive_output(timeout=5)
        return closed

    closed = async_to_sync(scenario)()
    assert closed == {"type": "websocket.close", "code": 4000}
