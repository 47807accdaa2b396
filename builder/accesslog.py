"""What the access log may say about a request: never a credential.

A key sent in the query string is refused by the gateway, but the log would keep it; a
webhook URL is itself a secret. So published endpoints and webhooks are logged without
their query string and with the hook's token cut to its first characters, and elsewhere
the values of parameters that usually carry credentials are replaced.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl, quote, urlsplit

from gunicorn import glogging

REDACTED = "••••"
CREDENTIAL_PARAMS = re.compile(
    r"(?i)^(api[-_]?key|apikey|key|token|access[-_]?token|auth|authorization|api[-_]?token|password|passwd|secret|"
    r"client[-_]?secret|signature|sig|code|session|sessionid)$"
)
HOOK = re.compile(r"^(/hooks/(?:test/)?)([^/?]+)")
# Request headers gunicorn offers as atoms ({authorization}i): never logged whatever the format says.
PRIVATE_HEADERS = ("authorization", "proxy-authorization", "cookie", "api-token", "x-api-key")


def _query(query: str) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    return "&".join(f"{quote(k)}={REDACTED if CREDENTIAL_PARAMS.match(k) else quote(v)}" for k, v in pairs)


def logged_target(target: str) -> str:
    """The request target (path and query) as the access log shows it."""
    if "://" in target:  # the absolute form, "POST http://host/hooks/<token>/", and a Referer
        target = urlsplit(target)._replace(scheme="", netloc="").geturl()
    path, _, query = target.partition("?")
    if path.startswith("/hooks/"):
        path = HOOK.sub(lambda m: f"{m.group(1)}{m.group(2)[:4]}{REDACTED}", path)
        return path
    if path.startswith("/apim/"):
        return path
    return f"{path}?{_query(query)}" if query else path


class AccessLogger(glogging.Logger):
    """gunicorn's logger with the request line, query, referer and private headers redacted."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        target = logged_target(environ.get("RAW_URI") or environ.get("PATH_INFO") or "")
        path, _, query = target.partition("?")
        atoms.update(r=f"{environ.get('REQUEST_METHOD')} {target} {environ.get('SERVER_PROTOCOL')}", U=path, q=query)
        if atoms.get("f", "-") != "-":
            atoms["f"] = logged_target(atoms["f"])
        for name in PRIVATE_HEADERS:
            if f"{{{name}}}i" in atoms:
                atoms[f"{{{name}}}i"] = REDACTED
        return atoms


class RequestLogFilter(logging.Filter):
    """Django's own request log ("Not Found: /hooks/<token>/") shows paths the same way."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                logged_target(a) if isinstance(a, str) and a.startswith("/") else a for a in record.args
            )
        return True
