"""Typed connector errors. The engine retries a RetryableError and never a PermanentError."""

from __future__ import annotations

import email.utils
import time

CLIP = 500


class ConnectorError(Exception):
    """A step failed; `message` is a sentence a builder can act on."""

    retryable = False

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.retry_after = retry_after

    def as_dict(self) -> dict:
        data = {"type": type(self).__name__, "message": self.message, "retryable": self.retryable}
        if self.status is not None:
            data["status"] = self.status
        if self.retry_after is not None:
            data["retry_after"] = self.retry_after
        return data


class RetryableError(ConnectorError):
    """Worth trying again later: a timeout, 429, a 5xx. `retry_after` in seconds when known."""

    retryable = True


class PermanentError(ConnectorError):
    """Trying again will fail the same way: bad input, 4xx, a refused destination."""


class InvalidInputError(PermanentError):
    """The input does not match the action's input schema; `errors` lists each problem."""

    def __init__(self, message: str, errors: list[dict]):
        super().__init__(message)
        self.errors = errors

    def as_dict(self) -> dict:
        return {**super().as_dict(), "errors": self.errors}


class OutputMismatchError(PermanentError):
    """The connector returned output that breaks its own output schema."""


def clip(text: str, limit: int = CLIP) -> str:
    return text if len(text) <= limit else text[:limit] + f"… ({len(text) - limit} more characters)"


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After is either seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def error_for_status(service: str, status: int, detail: str, retry_after: str | None = None) -> ConnectorError:
    """Classifies an HTTP failure: 408, 425, 429 and 5xx are retryable, other statuses permanent."""
    text = f"{service} answered {status}: {clip(detail)}" if detail else f"{service} answered {status}"
    if status in (408, 425, 429) or status >= 500:
        return RetryableError(text, status=status, retry_after=parse_retry_after(retry_after))
    return PermanentError(text, status=status)
