from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from builder.ops.services import OPS_GROUP

UNAUTHORIZED = 4401


@database_sync_to_async
def _workspace_ids(user) -> list[int]:
    return list(user.memberships.values_list("workspace_id", flat=True))


class LiveConsumer(AsyncJsonWebsocketConsumer):
    """One socket per page: the server pushes the events of the groups this user may see."""

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=UNAUTHORIZED)
            return
        self.groups_joined = [OPS_GROUP, f"user.{user.pk}"] + [f"workspace.{i}" for i in await _workspace_ids(user)]
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "user": user.username})

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def live_event(self, message):
        await self.send_json(message["event"])
