import pytest
from rest_framework.test import APIClient

from builder.connections.services import connection_create
from connectors.testkit import LocalServer
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory


@pytest.fixture
def personas(db):
    """An owner and a viewer of workspace A, and an outsider who owns workspace B."""
    a, b = WorkspaceFactory(name="Acme"), WorkspaceFactory(name="Globex")
    owner, viewer, outsider = (
        UserFactory(username="olivia"),
        UserFactory(username="victor"),
        UserFactory(username="oscar"),
    )
    MembershipFactory(workspace=a, user=owner, role="owner")
    MembershipFactory(workspace=a, user=viewer, role="viewer")
    MembershipFactory(workspace=b, user=outsider, role="owner")
    return type("Personas", (), {"a": a, "b": b, "owner": owner, "viewer": viewer, "outsider": outsider})


@pytest.fixture
def sent(monkeypatch):
    """Job ids whose task would go to a worker (the tests run them, or not, themselves)."""
    from builder.jobs import services

    calls = []
    monkeypatch.setattr(services, "job_send", lambda job_id, countdown=None: calls.append(job_id))
    return calls


@pytest.fixture
def api_as():
    def login(user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return login


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


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """The whole platform running as `make run` runs it, shared by the e2e and browser tests."""
    from tests.stack import running_stack

    with running_stack(tmp_path_factory.mktemp("stack")) as running:
        yield running
