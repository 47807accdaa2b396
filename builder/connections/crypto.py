"""Connection secrets at rest: Fernet, with several keys so that keys can be rotated.

STEPWISE_ENCRYPTION_KEYS lists Fernet keys, newest first. Encryption uses the first;
decryption tries each. To rotate: put a new key first, run
`manage.py rotate_encryption_keys`, then drop the old key.
"""

import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _fernet() -> MultiFernet:
    try:
        return MultiFernet([Fernet(key) for key in settings.ENCRYPTION_KEYS])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "STEPWISE_ENCRYPTION_KEYS must hold Fernet keys (32 url-safe base64 bytes), newest first."
        ) from exc


def encrypt(values: dict) -> str:
    if not values:
        return ""
    return _fernet().encrypt(json.dumps(values, sort_keys=True).encode()).decode()


def decrypt(token: str) -> dict:
    if not token:
        return {}
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except InvalidToken:
        raise ImproperlyConfigured(
            "A connection secret cannot be decrypted with STEPWISE_ENCRYPTION_KEYS: was a key removed too early?"
        ) from None


def rotate(token: str) -> str:
    """The same secret, encrypted with the newest key."""
    return _fernet().rotate(token.encode()).decode() if token else token


def new_key() -> str:
    return Fernet.generate_key().decode()
