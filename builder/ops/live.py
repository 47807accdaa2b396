"""Pushes events to the browsers listening on a group, from any process.

The channel layer is Redis in the scaled setup and a SQLite file in the embedded
default; either way a web, worker or beat process can publish.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)


def live_publish(group: str, event: dict) -> None:
    """Sends `event` to every websocket in `group`. Never raises: live updates are best effort."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, {"type": "live.event", "event": event})
    except Exception:
        logger.warning("live event to %s was not delivered", group, exc_info=True)
