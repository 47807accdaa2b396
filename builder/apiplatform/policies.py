"""Who is calling and whether they may: the key from the request, the caller's address,
the access profile's collections and IP allowlist, its rate limit and daily quota."""

from __future__ import annotations

import base64
import binascii
import time
from datetime import UTC, datetime

from django.utils import timezone

from builder.apiplatform.contract import GatewayError
from builder.apiplatform.counters import counters
from builder.apiplatform.keys import hash_secret
from builder.apiplatform.routing import CollectionRoutes, KeyProfile, Snapshot

BASIC_USER = "api-token"


def presented_key(request) -> str | None:
    """The key from `API-Token: <key>`, `Authorization: Bearer <key>`, or Basic with user api-token."""
    header = request.META.get("HTTP_API_TOKEN")
    if header:
        return header.strip()
    scheme, _, value = request.META.get("HTTP_AUTHORIZATION", "").strip().partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if scheme.lower() == "basic" and value.strip():
        try:
            user, _, password = base64.b64decode(value.strip(), validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        if user == BASIC_USER and password:
            return password
    return None


def authenticate(request, snapshot: Snapshot) -> KeyProfile:
    secret = presented_key(request)
    if not secret:
        raise GatewayError(401, "missing_key", "Send an API key: an API-Token header, a Bearer token, or Basic "
                                               "auth with the user api-token.",
                           headers={"WWW-Authenticate": 'Bearer realm="stepwise"'})  # fmt: skip
    profile = snapshot.key(hash_secret(secret)) if len(secret) <= 200 else None
    if profile is None:
        raise GatewayError(401, "invalid_key", "The API key is not valid.",
                           headers={"WWW-Authenticate": 'Bearer realm="stepwise", error="invalid_token"'})  # fmt: skip
    if profile.revoked:
        raise GatewayError(401, "revoked_key", "The API key was revoked.")
    if profile.expires_at is not None and profile.expires_at <= timezone.now():
        raise GatewayError(401, "expired_key", "The API key was rotated and its grace period is over; use the new key.")
    return profile


def authorize(profile: KeyProfile, collection: CollectionRoutes, ip: str | None) -> None:
    if (
        not profile.active
        or profile.workspace_id != collection.workspace_id
        or collection.id not in profile.collection_ids
    ):
        raise GatewayError(403, "collection_not_allowed",
                           "This key may not call this collection.")  # fmt: skip
    if not profile.allows_ip(ip):
        raise GatewayError(403, "ip_not_allowed", f"Calls from {ip} are not allowed for this key.")


def enforce_limits(profile: KeyProfile) -> dict:
    """Counts the call against the profile's rate limit and quota (shared by every web
    process); 429 with Retry-After when over. Returns headers telling the caller where it stands."""
    if profile.rate_limit is None and profile.quota is None:
        return {}
    now = time.time()
    minute, day = int(now // 60), datetime.fromtimestamp(now, UTC).strftime("%Y%m%d")
    windows = []
    if profile.rate_limit is not None:
        windows.append((f"rate:{profile.profile_id}:{minute}", 60))
    if profile.quota is not None:
        windows.append((f"quota:{profile.profile_id}:{day}", 86400))
    counts = dict(zip([w[0].split(":")[0] for w in windows], counters().hit(windows), strict=True))
    headers = {}
    if profile.rate_limit is not None:
        used = counts["rate"]
        headers = {"X-RateLimit-Limit": str(profile.rate_limit),
                   "X-RateLimit-Remaining": str(max(0, profile.rate_limit - used))}  # fmt: skip
        if used > profile.rate_limit:
            wait = max(1, int(60 - now % 60) + 1)
            message = f"More than {profile.rate_limit} calls a minute; try again in {wait} s."
            raise GatewayError(429, "rate_limited", message, headers={**headers, "Retry-After": str(wait)})
    if profile.quota is not None and counts["quota"] > profile.quota:
        wait = max(1, int(86400 - now % 86400))
        raise GatewayError(429, "quota_exceeded", f"The daily quota of {profile.quota} calls is used up; it resets "
                                                  "at midnight UTC.", headers={"Retry-After": str(wait)})  # fmt: skip
    return headers
