"""Pages carry a strict Content-Security-Policy (no inline script, nothing from elsewhere but the
websocket), and what a signed-in person sees is never stored by a cache."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in policy.split(";") if part.strip()}


def test_pages_have_a_strict_policy(personas, client, settings):
    settings.WS_PORT = 8001
    client.force_login(personas.owner)
    response = client.get("/recipes/", HTTP_HOST="localhost")
    policy = directives(response)
    assert policy["script-src"] == "script-src 'self'"
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert policy["object-src"] == "object-src 'none'"
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"
    assert "ws://localhost:8001" in policy["connect-src"]


def test_an_explicit_websocket_url_is_allowed(personas, client, settings):
    settings.WS_URL = "wss://live.example.com/ws/live/"
    client.force_login(personas.owner)
    assert "wss://live.example.com" in directives(client.get("/recipes/"))["connect-src"]


def test_the_login_page_has_the_policy_too():
    assert "script-src 'self'" in Client().get("/login/")["Content-Security-Policy"]


def test_signed_in_pages_and_api_answers_are_not_stored(personas, client, api_as):
    client.force_login(personas.owner)
    for path in ("/", "/recipes/", "/jobs/"):
        assert "no-store" in client.get(path)["Cache-Control"], path
    assert "no-store" in api_as(personas.owner).get("/api/me/")["Cache-Control"]


def test_the_api_docs_page_runs_no_inline_script(personas, client):
    client.force_login(personas.owner)
    page = client.get("/api/docs/").content.decode()
    assert "<script>" not in page.replace(" ", "")
