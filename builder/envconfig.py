"""Strict settings from the environment: a bad value stops start-up with a clear message."""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Callable
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}
INSECURE_PREFIX = "django-insecure"
PROJECT_DIR = Path(__file__).resolve().parent.parent


class Env:
    """Reads typed values from os.environ; never silently falls back on a typo."""

    def __init__(self, environ_map=None):
        self.environ = os.environ if environ_map is None else environ_map

    def str(self, name: str, default: str) -> str:
        return self.environ.get(name, default)

    def bool(self, name: str, default: bool) -> bool:
        raw = self.environ.get(name)
        if raw is None:
            return default
        value = raw.strip().lower()
        if value in TRUE:
            return True
        if value in FALSE:
            return False
        raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use true or false.")

    def int(self, name: str, default: int) -> int:
        raw = self.environ.get(name)
        if raw is None or raw.strip() == "":
            return default
        try:
            return int(raw)
        except ValueError:
            raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None

    def list(self, name: str, default: list[str]) -> list[str]:
        raw = self.environ.get(name)
        if raw is None:
            return list(default)
        return [item.strip() for item in raw.split(",") if item.strip()]

    def choice(self, name: str, choices: list[str], default: str) -> str:
        value = self.environ.get(name, default)
        if value not in choices:
            raise ImproperlyConfigured(f"{name}={value!r} must be one of: {', '.join(choices)}.")
        return value

    def db(self, name: str, default: str) -> dict:
        url = self.environ.get(name) or default
        try:
            config = environ.Env.db_url_config(url)
        except Exception as exc:  # django-environ raises several types for a bad URL
            raise ImproperlyConfigured(f"{name} is not a database URL that Stepwise can use: {exc}") from None
        if config.get("ENGINE") not in ("django.db.backends.sqlite3", "django.db.backends.postgresql"):
            raise ImproperlyConfigured(f"{name} must be a sqlite:// or postgres:// URL.")
        return config

    def data_dir(self) -> Path:
        """Where the embedded default keeps its files: read by the settings and by the front
        (which does not load Django), so that both find gunicorn's socket in the same place."""
        return Path(self.str("STEPWISE_DATA_DIR", str(PROJECT_DIR / "var"))).resolve()

    def require_production_safety(self, *, secret_key: str, debug: bool, encryption_keys: list[str]) -> None:
        if debug:
            raise ImproperlyConfigured("DEBUG must be off when STEPWISE_ENV=production.")
        if len(secret_key) < 50 or secret_key.startswith(INSECURE_PREFIX) or len(set(secret_key)) < 5:
            raise ImproperlyConfigured(
                "STEPWISE_ENV=production needs a real SECRET_KEY: at least 50 random characters."
            )
        if not encryption_keys:
            raise ImproperlyConfigured(
                "STEPWISE_ENV=production needs STEPWISE_ENCRYPTION_KEYS (Fernet keys, newest first) "
                "to encrypt connection secrets."
            )


def load_or_create_secret_key(path: Path, make: Callable[[], str] | None = None) -> str:
    """Outside production, a key generated once (by `make`) and kept in the data folder.

    Written to a temporary file and linked into place, so that a process starting at
    the same moment never reads a half-written key.
    """
    if path.exists() and path.read_text().strip():
        return path.read_text().strip()
    key = make() if make else secrets.token_urlsafe(50)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".key-")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
        try:
            os.link(temporary, path)
        except FileExistsError:
            if not path.read_text().strip():  # an empty file left by an older crash
                os.replace(temporary, path)
                return key
            return path.read_text().strip()  # another process won the race
        return key
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
