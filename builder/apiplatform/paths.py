"""Endpoint paths: `/tickets/{id}` is checked, and compiled to a pattern with named groups."""

from __future__ import annotations

import re

SEGMENT = re.compile(r"^(?:[A-Za-z0-9._~-]+|\{([A-Za-z_][A-Za-z0-9_]{0,63})\})$")
# The gateway answers these itself, under every collection.
RESERVED = ("/openapi.json", "/_jobs")

# What path_problem allows, as one regular expression for the OpenAPI file (to match a whole
# path): at most 300 characters, not reserved, no parameter named twice, then segments. tests/apiplatform/test_paths.py
# keeps the two in step.
_ANY_SEGMENT = r"(?:[A-Za-z0-9._~-]+|\{[A-Za-z_][A-Za-z0-9_]{0,63}\})"
_NOT_RESERVED = r"(?!/(?:openapi\.json|_jobs)(?![A-Za-z0-9._~{}-]))"
_NO_NAME_TWICE = r"(?!.*\{([A-Za-z0-9_]+)\}.*\{\1\})"
_AT_MOST_300 = r"(?=[A-Za-z0-9._~{}/-]{1,300}(?![A-Za-z0-9._~{}/-]))"
PATH_PATTERN = rf"{_AT_MOST_300}{_NOT_RESERVED}{_NO_NAME_TWICE}/(?:{_ANY_SEGMENT}(?:/{_ANY_SEGMENT})*)?"


def path_problem(path: str) -> str | None:
    """Why `path` cannot be an endpoint's path, or None."""
    if not isinstance(path, str) or not path.startswith("/"):
        return "A path starts with /, as in /tickets/{id}."
    if len(path) > 300:
        return "A path is at most 300 characters."
    if path != "/" and path.endswith("/"):
        return "A path does not end with /."
    if any(path == r or path.startswith(r + "/") for r in RESERVED):
        return f"{path} is reserved by the gateway."
    names = []
    for segment in path[1:].split("/") if path != "/" else []:  # "//tickets" has an empty segment
        match = SEGMENT.match(segment)
        if not match:
            return f"{segment!r} is not a path segment: use letters, digits, . _ ~ - or a {{parameter}}."
        if match.group(1):
            names.append(match.group(1))
    if len(names) != len(set(names)):
        return "Each path parameter has a name of its own."
    return None


def path_parameters(path: str) -> list[str]:
    return [m.group(1) for s in path.strip("/").split("/") if (m := SEGMENT.match(s)) and m.group(1)]


def compile_path(path: str) -> re.Pattern:
    parts = []
    for segment in path.strip("/").split("/") if path != "/" else []:
        match = SEGMENT.match(segment)
        parts.append(f"(?P<{match.group(1)}>[^/]+)" if match.group(1) else re.escape(segment))
    return re.compile("^/" + "/".join(parts) + "$")
