"""Settings are parsed strictly, and production refuses unsafe ones at start-up."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from builder.envconfig import Env

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("raw", ["maybe", "2", "tru"])
def test_a_bad_boolean_is_an_error(raw):
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        Env({"DEBUG": raw}).bool("DEBUG", False)


@pytest.mark.parametrize(("raw", "value"), [("true", True), ("0", False), ("ON", True), ("", False)])
def test_good_booleans(raw, value):
    assert Env({"X": raw}).bool("X", not value) is value


def test_a_bad_number_is_an_error():
    with pytest.raises(ImproperlyConfigured, match="STEPWISE_PORT"):
        Env({"STEPWISE_PORT": "eighty"}).int("STEPWISE_PORT", 8000)


def test_an_unsupported_database_is_an_error():
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        Env({"DATABASE_URL": "mysql://root@localhost/x"}).db("DATABASE_URL", "sqlite:///x")


def start_django(tmp_path, **env):
    removed = ("SECRET_KEY", "DEBUG", "STEPWISE_ENV", "STEPWISE_ENCRYPTION_KEYS")
    environ = {k: v for k, v in os.environ.items() if k not in removed}
    environ.update(STEPWISE_DATA_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = start_django(tmp_path, STEPWISE_ENV="production")
    assert result.returncode != 0
    assert "needs a real SECRET_KEY" in result.stderr


def test_production_refuses_an_insecure_key(tmp_path):
    result = start_django(tmp_path, STEPWISE_ENV="production", SECRET_KEY="django-insecure-" + "x" * 60)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_debug(tmp_path):
    key = "k3y-" + "abcdefghij" * 6
    result = start_django(tmp_path, STEPWISE_ENV="production", SECRET_KEY=key, DEBUG="true")
    assert result.returncode != 0
    assert "DEBUG must be off" in result.stderr


def test_production_refuses_to_start_without_encryption_keys(tmp_path):
    key = "k3y-" + "abcdefghij" * 6
    result = start_django(tmp_path, STEPWISE_ENV="production", SECRET_KEY=key)
    assert result.returncode != 0
    assert "STEPWISE_ENCRYPTION_KEYS" in result.stderr


def test_production_starts_with_safe_settings(tmp_path):
    key = "k3y-" + "abcdefghij" * 6
    result = start_django(tmp_path, STEPWISE_ENV="production", SECRET_KEY=key, ALLOWED_HOSTS="stepwise.example.com",
                          STEPWISE_ENCRYPTION_KEYS=Fernet.generate_key().decode())  # fmt: skip
    assert result.returncode == 0, result.stderr
