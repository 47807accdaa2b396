"""`manage.py stepwise_setup`, the first step of `make run`."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from builder.envconfig import load_or_create_secret_key

pytestmark = pytest.mark.django_db


def setup(monkeypatch, **env) -> str:
    for name in ("STEPWISE_ADMIN_USER", "STEPWISE_ADMIN_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    out = StringIO()
    call_command("stepwise_setup", "--no-static", stdout=out)
    return out.getvalue()


def test_first_run_creates_admin_with_a_workspace_and_prints_the_password_once(monkeypatch):
    first = setup(monkeypatch)
    password = next(line.split()[-1] for line in first.splitlines() if "password:" in line)
    admin = User.objects.get(username="admin")
    assert admin.is_superuser
    assert admin.check_password(password)
    assert admin.memberships.get().role == "owner"

    second = setup(monkeypatch)
    assert "password" not in second
    assert admin.memberships.count() == 1
    assert User.objects.count() == 1


def test_name_and_password_from_the_environment(monkeypatch):
    output = setup(monkeypatch, STEPWISE_ADMIN_USER="root-ops", STEPWISE_ADMIN_PASSWORD="a long given password")
    assert "a long given password" not in output
    assert "password:" not in output
    assert User.objects.get(username="root-ops").check_password("a long given password")


def test_a_changed_password_in_the_environment_resets_it(monkeypatch):
    setup(monkeypatch, STEPWISE_ADMIN_PASSWORD="first password here")
    setup(monkeypatch, STEPWISE_ADMIN_PASSWORD="second password here")
    assert User.objects.get(username="admin").check_password("second password here")


def test_the_generated_secret_key_is_kept_private_and_reused(tmp_path):
    path = tmp_path / "secret_key"
    key = load_or_create_secret_key(path)
    assert len(key) >= 50
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_or_create_secret_key(path) == key
