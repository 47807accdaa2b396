"""Fixtures of the jobs tests: a stand-in Moveworks and a connection to it."""

import pytest

from builder.connections.services import connection_create
from connectors.testkit import LocalServer


@pytest.fixture
def moveworks(settings):
    settings.ALLOW_PRIVATE_NETWORKS = True
    with LocalServer() as server:
        server.reply("POST", "/rest/v1/events/evt-1/messages/send", json={"ok": True})
        yield server


@pytest.fixture
def chat(personas, moveworks):
    """Workspace a's Moveworks connection, to the stand-in."""
    return connection_create(workspace=personas.a, connector="moveworks", name="MW",
                             fields={"base_url": moveworks.url, "event_id": "evt-1", "api_key": "k"})  # fmt: skip
