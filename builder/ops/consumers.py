from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from builder.ops.services import OPS_GROUP

UNAUTHORIZED = 4401
ACCESS_CHANGED = 4000


@database_sync_to_async
def _workspace_ids(user) -> list[int]:
    return list(user.memberships.values_list("workspace_id", flat=True))


@database_sync_to_async
def _group_for(user, kind: str, object_id) -> str | None:
    from django.http import Http404

    from builder.jobs.access import access_job
    from builder.recipes.access import access_recipe

    try:
        found = access_job(user, object_id) if kind == "job" else access_recipe(user, object_id)
    except Http404:
        return None
    return f"{kind}.{found.pk}"


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
        elif content.get("type") == "subscribe":
            await self.subscribe(content)

    async def subscribe(self, content):
        """Follow one job or one recipe: only if this user may see it (else an error, nothing joined)."""
        kind = "job" if "job" in content else "recipe"
        group = await _group_for(self.scope["user"], kind, content.get(kind))
        if group is None:
            await self.send_json({"type": "error", "message": f"No such {kind}."})
            return
        await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined.append(group)
        await self.send_json({"type": "subscribed", kind: content.get(kind)})

    async def live_event(self, message):
        await self.live_events({"events": [message["event"]]})

    async def live_events(self, message):
        """Events a process published while its last message was on its way (builder/ops/live.py)."""
        for event in message["events"]:
            if event.get("type") == "access.changed":
                # Groups were chosen at connect: drop the socket, and the page reconnects with
                # the groups (and subscriptions, checked again) that the user may now see.
                await self.close(code=ACCESS_CHANGED)
                return
            await self.send_json(event)
