import pytest
from django.urls import reverse

from builder.connections.models import Connection
from builder.connections.services import connection_create, connection_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def slack(personas):
    return connection_create(workspace=personas.a, connector="slack", name="Slack", fields={"bot_token": "xoxb-9"})


def test_create_from_the_connectors_fields(personas, client):
    client.force_login(personas.owner)
    assert "Moveworks" in client.get(reverse("connection_pick")).content.decode()
    response = client.post(reverse("connection_new", args=["email"]), {
        "name": "Mail relay", "host": "smtp.example.com", "port": "2525", "security": "ssl",
        "password": "pw", "from_email": "bot@example.com"})  # fmt: skip
    connection = Connection.objects.get()
    assert response.status_code == 302
    assert connection_values(connection) == {"host": "smtp.example.com", "port": 2525, "security": "ssl",
                                             "password": "pw", "from_email": "bot@example.com"}  # fmt: skip


def test_bad_values_are_shown_inline_and_nothing_is_saved(personas, client):
    client.force_login(personas.owner)
    response = client.post(reverse("connection_new", args=["email"]), {"name": "", "port": "many"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "A connection needs a name." in page
    assert "Enter a whole number." in page
    assert "SMTP host is required." in page
    assert not Connection.objects.exists()


def test_the_edit_page_never_shows_a_secret(personas, client, slack):
    client.force_login(personas.owner)
    page = client.get(reverse("connection_detail", args=[slack.pk])).content.decode()
    assert "xoxb-9" not in page
    assert "set: leave empty to keep" in page


def test_saving_with_an_empty_secret_keeps_it_and_clear_removes_it(personas, client, slack):
    client.force_login(personas.owner)
    url = reverse("connection_detail", args=[slack.pk])
    client.post(url, {"name": "Slack (renamed)", "bot_token": "", "api_base_url": "https://slack.com/api"})
    slack.refresh_from_db()
    assert slack.name == "Slack (renamed)"
    assert connection_values(slack)["bot_token"] == "xoxb-9"
    client.post(url, {"name": "Slack", "clear_bot_token": "on", "api_base_url": "https://slack.com/api"})
    slack.refresh_from_db()
    assert "bot_token" not in connection_values(slack)


@pytest.mark.parametrize("name", ["connection_detail", "connection_test", "connection_delete"])
def test_another_workspace_gets_404(personas, client, slack, name):
    client.force_login(personas.outsider)
    response = (client.get if name == "connection_detail" else client.post)(reverse(name, args=[slack.pk]))
    assert response.status_code == 404
    assert Connection.objects.filter(pk=slack.pk).exists()


def test_a_viewer_cannot_change_or_delete(personas, client, slack):
    client.force_login(personas.viewer)
    assert client.get(reverse("connection_detail", args=[slack.pk])).status_code == 200
    assert client.post(reverse("connection_delete", args=[slack.pk])).status_code == 403
    assert client.post(reverse("connection_detail", args=[slack.pk]), {"name": "x"}).status_code == 403
    slack.refresh_from_db()
    assert slack.name == "Slack"


def test_an_unknown_connector_page_is_404(personas, client):
    client.force_login(personas.owner)
    assert client.get(reverse("connection_new", args=["nope"])).status_code == 404
