"""One rule for who is calling, used by the password throttle, the login lockout, the gateway's
call log and IP allowlists: X-Forwarded-For counts only behind STEPWISE_TRUSTED_PROXY_COUNT proxies."""

import random

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from builder.client_address import client_address
from builder.workspaces.models import ApiToken
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def address() -> str:
    return f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


def request(remote: str, forwarded: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request("192.0.2.1", "203.0.113.9")) == "192.0.2.1"


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # what the client wrote is left of what the proxy added
        (2, "6.6.6.6, 203.0.113.9, 198.51.100.7", "203.0.113.9"),
        (2, "203.0.113.9", "192.0.2.1"),  # fewer hops than proxies: the request bypassed one
        (1, "not-an-address", "192.0.2.1"),
        (1, "", "192.0.2.1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_behind_trusted_proxies_the_nth_address_from_the_right_counts(settings, hops, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = hops
    assert client_address(request("192.0.2.1", forwarded)) == expected


def guess(client, n: int, forwarded: str):
    body = {"username": "olivia", "password": f"guess {n}"}
    return client.post("/api/auth/token/", body, format="json", HTTP_X_FORWARDED_FOR=forwarded)


def test_a_new_forwarded_for_on_every_guess_does_not_escape_the_password_throttle(personas, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    client = APIClient(REMOTE_ADDR=address())
    statuses = [guess(client, n, address()).status_code for n in range(12)]
    assert statuses == [401] * 10 + [429, 429]
    right = client.post("/api/auth/token/", {"username": "olivia", "password": PASSWORD}, format="json",
                        HTTP_X_FORWARDED_FOR=address())  # fmt: skip
    assert right.status_code == 429
    assert not ApiToken.objects.exists()


def test_behind_a_proxy_the_throttle_counts_each_real_client(personas, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy, guesser, colleague = address(), address(), address()
    client = APIClient(REMOTE_ADDR=proxy)
    # The guesser spoofs addresses to the left of the one the proxy appends: they do not count.
    statuses = [guess(client, n, f"{address()}, {guesser}").status_code for n in range(11)]
    assert statuses == [401] * 10 + [429]
    ok = client.post("/api/auth/token/", {"username": "olivia", "password": PASSWORD}, format="json",
                     HTTP_X_FORWARDED_FOR=colleague)  # fmt: skip
    assert ok.status_code == 201


def test_the_login_lockout_ignores_a_spoofed_header(personas, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    client = Client(REMOTE_ADDR=address())
    for n in range(10):
        client.post(reverse("login"), {"username": "olivia", "password": f"guess {n}"}, HTTP_X_FORWARDED_FOR=address())
    blocked = client.post(reverse("login"), {"username": "olivia", "password": PASSWORD},
                          HTTP_X_FORWARDED_FOR=address())  # fmt: skip
    assert blocked.status_code == 429
