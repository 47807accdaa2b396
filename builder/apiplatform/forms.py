"""Posted console forms turned into the `data` dicts that services.py checks.

Only the shape changes here (text to numbers, checkboxes to booleans, lists of ids); a value
that does not parse is passed on as text, so that the service's message names the field and
there is one set of rules, not two."""

from __future__ import annotations

import math

from django.core.exceptions import ValidationError


def number(text: str | None) -> int | float | str | None:
    """An int or a float when `text` is one, None when it is empty, else the text itself."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        return text
    return value if math.isfinite(value) else text


def field_errors(exc: ValidationError) -> dict[str, str]:
    return {field: " ".join(messages) for field, messages in exc.message_dict.items()}


def collection_data(post) -> dict:
    return {"name": post.get("name", ""), "slug": post.get("slug", ""), "version": number(post.get("version")),
            "description": post.get("description", "")}  # fmt: skip


def endpoint_data(post) -> dict:
    data = {
        "name": post.get("name", ""),
        "description": post.get("description", ""),
        "method": post.get("method", ""),
        "path": post.get("path", "").strip(),
        "recipe": number(post.get("recipe")),
        "timeout_seconds": number(post.get("timeout_seconds")),
        "on_timeout": post.get("on_timeout", ""),
        "enabled": "enabled" in post,
    }
    if post.get("mode"):  # left empty on a new endpoint: the recipe's trigger says
        data["mode"] = post["mode"]
    return data


def client_data(post) -> dict:
    return {"name": post.get("name", ""), "description": post.get("description", "")}


def profile_data(post) -> dict:
    return {
        "name": post.get("name", ""),
        "collections": [number(value) for value in post.getlist("collections")],
        "rate_limit_per_minute": number(post.get("rate_limit_per_minute")),
        "quota_per_day": number(post.get("quota_per_day")),
        "ip_allowlist": post.get("ip_allowlist", ""),
        "active": "active" in post,
    }
