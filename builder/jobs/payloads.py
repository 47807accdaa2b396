"""Job data is bounded: a value over the limit is stored as a marked, clipped preview."""

import json
from typing import Any

from django.conf import settings


def without_nul(value: Any) -> Any:
    """NUL characters replaced by U+FFFD, in keys and values: PostgreSQL cannot store them."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {without_nul(str(k)): without_nul(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [without_nul(item) for item in value]
    return value


def bounded(value: Any) -> Any:
    if value is None:
        return None
    text = json.dumps(value, ensure_ascii=False, default=str)
    if "\\u0000" in text:  # json.dumps writes NUL as \u0000
        value = without_nul(value)
        text = json.dumps(value, ensure_ascii=False, default=str)
    limit = settings.JOB_DATA_LIMIT
    if len(text) <= limit:
        return value
    return {"_truncated": True, "size": len(text), "preview": text[:limit]}


def is_clipped(value: Any) -> bool:
    """Whether `value` is what `bounded` stored in place of a value over the limit."""
    return isinstance(value, dict) and set(value) == {"_truncated", "size", "preview"} and value["_truncated"] is True


# Small parts of a trigger that say who and what it was for; they are kept whole.
TRIGGER_META = ("context", "method", "path", "params")


def bounded_trigger(trigger: dict) -> dict:
    """A trigger payload within the limit, its parts clipped one by one so that its context
    (who called, through which endpoint) survives a large body."""
    if bounded(trigger) is trigger:
        return trigger
    trigger = without_nul(trigger)  # a NUL anywhere (its keys too), or a large trigger: the slow way
    if bounded(trigger) is trigger:
        return trigger
    return {key: value if key in TRIGGER_META else bounded(value) for key, value in trigger.items()}
