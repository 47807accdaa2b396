"""builder.wsgi: published endpoints and webhooks skip the browser middleware; pages keep it."""

import io
import json
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import resolve

from builder.wsgi import application


def serve(path: str, method: str = "GET", body: bytes = b"", host: str = "localhost") -> tuple[str, dict, bytes]:
    environ = {"PATH_INFO": path, "REQUEST_METHOD": method, "wsgi.input": io.BytesIO(body),
               "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": "application/json"}  # fmt: skip
    setup_testing_defaults(environ)
    environ["SERVER_NAME"] = environ["HTTP_HOST"] = host
    answered = {}

    def start_response(status, headers, exc_info=None):
        answered["status"], answered["headers"] = status, dict(headers)

    # As django.test.Client does: the handler must not close the test's database connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = application(environ, start_response)
        try:
            body = b"".join(response)
        finally:
            response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return answered["status"], answered["headers"], body


@pytest.mark.django_db
def test_a_published_endpoint_answers_without_session_or_csrf_middleware():
    status, headers, body = serve("/apim/nothing/v1/here", "POST", b"{}")
    assert status.startswith("404")
    assert json.loads(body)["error"]["code"] == "no_such_collection"
    assert "X-Frame-Options" not in headers  # the browser middleware did not run
    assert "Set-Cookie" not in headers
    assert headers["X-Content-Type-Options"] == "nosniff"  # SecurityMiddleware did
    assert headers["Content-Length"] == str(len(body))  # and CommonMiddleware


@pytest.mark.django_db
def test_a_webhook_url_goes_the_same_short_way():
    status, headers, _ = serve("/hooks/no-such-token/", "POST", b"{}")
    assert status[:3] in ("404", "410")
    assert "X-Frame-Options" not in headers


@pytest.mark.django_db
def test_pages_keep_the_whole_middleware():
    status, headers, _ = serve("/login/")
    assert status.startswith("200")
    assert headers["X-Frame-Options"] == "DENY"
    assert "csrftoken" in headers.get("Set-Cookie", "")


@pytest.mark.parametrize("path", ["/apim/people/v1/greetings", "/hooks/token/", "/hooks/token", "/hooks/test/token/"])
def test_every_view_on_the_short_path_needs_no_session_or_csrf(path):
    # The short path has no session, CSRF or auth middleware: its views must not rely on them.
    assert getattr(resolve(path).func, "csrf_exempt", False)


@pytest.mark.django_db
def test_the_short_path_still_checks_the_host():
    status, headers, body = serve("/apim/nothing/v1/here", host="evil.example")
    assert status.startswith("400")


@pytest.mark.django_db
def test_a_newline_after_the_version_answers_the_gateways_json():
    status, headers, body = serve("/apim/nothing/v1\n")
    assert status.startswith("404")
    assert json.loads(body)["error"]["code"] == "no_such_collection"
