"""Headers every page gets: a strict Content-Security-Policy and, for a signed-in person,
`Cache-Control: no-store`.

The policy allows scripts, styles, images and fonts from this origin only (the pages, the
editor's ES modules and the vendored files are all served from /static/), no inline script
or style, no plugins, no framing, forms posting only here, and the websocket the pages open
(on another port in the embedded default, or STEPWISE_WS_URL).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http.request import split_domain_port
from django.utils.cache import patch_cache_control


def _websocket_sources(request) -> list[str]:
    if settings.WS_URL:
        parts = urlsplit(settings.WS_URL)
        return [f"{parts.scheme}://{parts.netloc}"] if parts.scheme and parts.netloc else []
    if settings.WS_PORT:
        domain, _port = split_domain_port(request.get_host())
        host = f"[{domain}]" if ":" in domain else domain
        return [f"{'wss' if request.is_secure() else 'ws'}://{host}:{settings.WS_PORT}"]
    return []  # same origin: 'self' covers ws(s) to it


def content_security_policy(request) -> str:
    connect = " ".join(["'self'", *_websocket_sources(request)])
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        f"connect-src {connect}",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])  # fmt: skip


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", content_security_policy(request))
        user = getattr(request, "user", None)  # DRF sets it on the request once it authenticates
        if request.path.startswith("/api/") or (user is not None and user.is_authenticated):
            patch_cache_control(response, no_store=True, private=True)
        return response
