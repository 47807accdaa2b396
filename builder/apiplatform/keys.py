"""API key secrets: made here, shown once, kept as a SHA-256 hash."""

import hashlib
import secrets

KEY_PREFIX = "swk_"
SHOWN_PREFIX = 12


def new_secret() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def shown_prefix(secret: str) -> str:
    return secret[:SHOWN_PREFIX]
