"""The one JSON reader for every body the platform takes in: the gateway, webhooks, the
management API, the pages' JSON fields and the expression filter `fromjson`.

Whatever it accepts can be stored and read back by every database Stepwise runs on and by
every later step: no NaN or Infinity (not JSON, refused by SQLite's and PostgreSQL's JSON
checks), no number beyond a float's range (schema checks overflow on them), no nesting
deeper than MAX_DEPTH (every later step recurses into the value), and UTF-8 (or the UTF-16
and UTF-32 that RFC 8259 readers detect) that decodes.
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_DEPTH = 100
# A longer run of digits overflows a float, and a schema's maximum or multipleOf with it.
MAX_INTEGER_DIGITS = 308


class JSONBodyError(ValueError):
    """Why a text is not JSON the platform takes; `message` is a sentence for the sender."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _not_json(constant: str):
    raise ValueError(f"{constant} is not a JSON value")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text[:40]} is out of range for a number")
    return number


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise ValueError(f"{text[:40]}… is out of range for a number")
    return int(text)


_DECODER = json.JSONDecoder(parse_constant=_not_json, parse_float=_finite, parse_int=_integer)


def _deeper_than(value: Any, limit: int) -> bool:
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            pending.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


def _text(raw: bytes, what: str) -> str:
    encoding = json.detect_encoding(raw)
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        name = "UTF-8" if encoding.startswith("utf-8") else encoding.upper()
        raise JSONBodyError(f"{what} is not valid {name}.") from None


def parse(raw: bytes | str, what: str = "The body") -> Any:
    """The JSON value of `raw`, or JSONBodyError saying what is wrong with it (`what` names it)."""
    text = _text(raw, what) if isinstance(raw, bytes | bytearray) else raw
    try:
        value = _DECODER.decode(text)
    except ValueError as exc:
        raise JSONBodyError(f"{what} is not valid JSON: {exc}.") from None
    except RecursionError:
        raise JSONBodyError(f"{what} is nested more than {MAX_DEPTH} levels deep.") from None
    # Fewer brackets than the bound cannot nest deeper than it: most values need no walk.
    if text.count("[") + text.count("{") > MAX_DEPTH and _deeper_than(value, MAX_DEPTH):
        raise JSONBodyError(f"{what} is nested more than {MAX_DEPTH} levels deep.")
    return value
