import random

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def address() -> str:
    """An address of its own per client: failure counts live in the shared cache."""
    return f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


def test_login_works(personas):
    client = Client(REMOTE_ADDR=address())
    response = client.post(reverse("login"), {"username": "olivia", "password": PASSWORD})
    assert response.status_code == 302


def test_failed_logins_are_limited_per_address(personas):
    client = Client(REMOTE_ADDR=address())
    for n in range(10):
        response = client.post(reverse("login"), {"username": "olivia", "password": f"guess {n}"})
        assert response.status_code == 200
        assert "correct username and password" in response.content.decode()
    blocked = client.post(reverse("login"), {"username": "olivia", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Too many failed attempts" in blocked.content.decode()
    assert "_auth_user_id" not in client.session
    other = Client(REMOTE_ADDR=address()).post(reverse("login"), {"username": "olivia", "password": PASSWORD})
    assert other.status_code == 302
