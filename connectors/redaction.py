"""Redaction: a connection's secrets never leave a step, in any form they travel in.

A secret reaches a service raw, percent-encoded in a query (`quote` or `quote_plus`, either
case of hex), JSON- or HTML-escaped in a body, or base64-encoded alone or inside a longer
text (a Basic `user:password` header); a service may echo any of these back in an answer,
an error or a redirect. `Redactor` replaces every such form. While a connector runs,
`redacting()` also makes every log record of that thread redacted before any handler sees it.
"""

from __future__ import annotations

import base64
import contextvars
import dataclasses
import html
import json
import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any
from urllib.parse import quote, quote_plus

REDACTED = "••••"
# Shorter values are too likely to be ordinary text.
MIN_SECRET_LENGTH = 4
# A base64 fragment this short could be anything.
MIN_BASE64_CORE = 8


def _base64_cores(raw: bytes) -> set[str]:
    """What every base64 text containing `raw` contains, whatever its offset: the characters
    that depend on `raw`'s bytes alone, for each of the three alignments, in both alphabets."""
    cores = set()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw).decode().rstrip("=")
        start, end = -(-offset * 8 // 6), (offset + len(raw)) * 8 // 6
        core = encoded[start:end]
        if len(core) >= MIN_BASE64_CORE:
            cores.update({core, core.replace("+", "-").replace("/", "_")})
    return cores


def secret_forms(secret: str) -> set[str]:
    """Every text form of `secret` that redaction replaces."""
    escaped = {json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
    # Many services' JSON (PHP's json_encode, Slack's) also escapes "/" as "\/".
    forms = {secret, html.escape(secret), *escaped, *(form.replace("/", "\\/") for form in escaped)}
    for encoded in (quote(secret, safe=""), quote(secret), quote_plus(secret), quote_plus(secret, safe="")):
        forms.add(encoded)
        forms.add(re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), encoded))
    raw = secret.encode()
    forms.update(_base64_cores(raw))
    for whole in (base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode()):
        forms.update({whole, whole.rstrip("=")})
    return {form for form in forms if len(form) >= MIN_SECRET_LENGTH}


@lru_cache(maxsize=256)
def _pattern(secrets: tuple[str, ...]) -> re.Pattern | None:
    forms = set()
    for secret in secrets:
        forms |= secret_forms(secret)
    if not forms:
        return None
    # Longest first, so that a form containing another is replaced whole.
    return re.compile("|".join(re.escape(form) for form in sorted(forms, key=len, reverse=True)))


class Redactor:
    """Call it on a value: strings, dict keys and values, lists and dataclasses, recursively."""

    def __init__(self, secrets: Iterable[Any]):
        values = {str(s) for s in secrets if s is not None and len(str(s)) >= MIN_SECRET_LENGTH}
        self.pattern = _pattern(tuple(sorted(values)))

    def __bool__(self) -> bool:
        return self.pattern is not None

    def text(self, value: str) -> str:
        return self.pattern.sub(REDACTED, value) if self.pattern is not None else value

    def __call__(self, value: Any) -> Any:
        if self.pattern is None:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self(key): self(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self(item) for item in value)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes = {f.name: self(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
            return dataclasses.replace(value, **changes)
        return value


NO_SECRETS = Redactor(())
_active: contextvars.ContextVar[Redactor] = contextvars.ContextVar("stepwise_redactor", default=NO_SECRETS)


@contextmanager
def redacting(redactor: Redactor) -> Iterator[Redactor]:
    """Log records made in this context (this thread, while a connector runs) are redacted."""
    _install_log_redaction()
    token = _active.set(redactor)
    try:
        yield redactor
    finally:
        _active.reset(token)


_installed = False


def _install_log_redaction() -> None:
    # A record factory rather than a handler filter: it holds for every logger and handler,
    # including those Celery or gunicorn configure after Django did.
    global _installed
    if _installed:
        return
    _installed = True
    make_record = logging.getLogRecordFactory()

    def redacted_record(*args, **kwargs):
        record = make_record(*args, **kwargs)
        redactor = _active.get()
        if redactor:
            record.msg, record.args = redactor.text(record.getMessage()), ()
            if record.exc_info and not record.exc_text:
                record.exc_text = redactor.text(logging.Formatter().formatException(record.exc_info))
        return record

    logging.setLogRecordFactory(redacted_record)
