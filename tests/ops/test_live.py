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
