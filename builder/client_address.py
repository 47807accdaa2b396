"""Who is calling: the one rule for every throttle, lockout, call log and IP allowlist.

Only the proxies in front of Stepwise write X-Forwarded-For truthfully, and each appends the
address it saw, so behind N trusted proxies (STEPWISE_TRUSTED_PROXY_COUNT) the caller is the
Nth address from the right; whatever a client wrote itself lies further left and never counts.
With no trusted proxy the header is ignored and the peer address is the caller.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_address(request) -> str | None:
    """The caller's IP address as text, or None when the server knows none."""
    peer = request.META.get("REMOTE_ADDR") or None
    hops = settings.TRUSTED_PROXY_COUNT
    if not hops:
        return peer
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < hops:
        return peer  # the request skipped a proxy: only the peer is known
    try:
        return str(ipaddress.ip_address(forwarded[-hops]))
    except ValueError:
        return peer
