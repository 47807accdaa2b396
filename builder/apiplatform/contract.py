"""The endpoint's contract: the request checked against the recipe trigger's schemas, the
recipe's response checked against the declared responses, and the gateway's one error shape:

    {"error": {"status": 400, "code": "invalid_request", "message": "...", "request_id": "...",
               "errors": [{"pointer": "/body/email", "message": "..."}]}}
"""

from __future__ import annotations

import math
import re

from django.http import JsonResponse

from builder.apiplatform.routing import BODY_METHODS, ResponseSpec, Route
from connectors import strict_json

REQUIRED = re.compile(r"^'(.+)' is a required property$")
HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}")
# Headers a recipe may not set: the server owns them.
RESERVED_HEADERS = frozenset({"content-length", "transfer-encoding", "connection", "content-type", "set-cookie",
                              "keep-alive", "upgrade", "x-request-id"})  # fmt: skip


class GatewayError(Exception):
    def __init__(self, status: int, code: str, message: str, *, errors: list | None = None,
                 headers: dict | None = None):  # fmt: skip
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.errors, self.headers = errors, headers or {}

    def response(self, request_id: str) -> JsonResponse:
        body = {"status": self.status, "code": self.code, "message": self.message, "request_id": request_id}
        if self.errors is not None:
            body["errors"] = self.errors
        response = JsonResponse({"error": body}, status=self.status)
        for name, value in self.headers.items():
            response[name] = value
        return response


class ContractViolation(Exception):
    """The recipe answered something its endpoint does not promise."""


def _pointer(prefix: str, error) -> str:
    parts = [prefix, *(str(p).replace("~", "~0").replace("/", "~1") for p in error.absolute_path)]
    if error.validator == "required" and (missing := REQUIRED.match(error.message)):
        parts.append(missing.group(1))
    return "/".join(parts)


def _problems(validator, instance, prefix: str) -> list[dict]:
    if validator is None or validator.quickly_valid(instance):
        return []
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path)))
    return [{"pointer": _pointer(prefix, e), "message": e.message} for e in errors[:50]]


def _coerce(value: str, schema: dict):
    kind = schema.get("type") if isinstance(schema, dict) else None
    kinds = kind if isinstance(kind, list) else [kind]
    try:
        # ASCII digits only: int() and \d also take other scripts' digits (١ is 1).
        if "integer" in kinds and re.fullmatch(r"-?[0-9]{1,18}", value):
            return int(value)
        if "number" in kinds and re.fullmatch(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?", value):
            number = float(value)
            return number if math.isfinite(number) else value  # 1e999 is no JSON number
        if "boolean" in kinds and value in ("true", "false"):
            return value == "true"
    except ValueError:
        pass
    return value


def coerce_strings(values: dict[str, list[str]], validator) -> dict:
    """Query and path values are text; the schema's types say what they become."""
    properties = (validator.schema.get("properties") or {}) if validator is not None else {}
    result = {}
    for name, items in values.items():
        schema = properties.get(name) if isinstance(properties.get(name), dict) else {}
        if schema.get("type") == "array":
            item_schema = schema.get("items") if isinstance(schema.get("items"), dict) else {}
            result[name] = [_coerce(item, item_schema) for item in items]
        else:
            result[name] = _coerce(items[-1], schema)
    return result


def _json_body(raw: bytes):
    try:
        return strict_json.parse(raw)
    except strict_json.JSONBodyError as exc:
        raise GatewayError(400, "invalid_json", exc.message) from None


def parse_request(route: Route, method: str, raw: bytes, query: dict[str, list[str]], params: dict) -> dict:
    """body, query and params of the call, checked; 400 lists every problem."""
    problems: list[dict] = []
    body = None
    if method in BODY_METHODS:
        body = _json_body(raw) if raw.strip() else {}
        problems += _problems(route.request, body, "/body")
    query_values = coerce_strings(query, route.query_validator)
    problems += _problems(route.query_validator, query_values, "/query")
    param_values = coerce_strings({k: [v] for k, v in params.items()}, route.params)
    problems += _problems(route.params, param_values, "/params")
    if problems:
        raise GatewayError(400, "invalid_request", "The request does not match the endpoint's schema.",
                           errors=problems)  # fmt: skip
    return {"body": body, "query": query_values, "params": param_values}


def check_response(responses: dict[int, ResponseSpec], response: dict | None) -> tuple[int, dict, object]:
    """(status, headers, body) to answer for a recipe's `response` under the endpoint's
    declared `responses` (routing.declared_responses), or ContractViolation naming what is wrong."""
    if response is None:
        if responses:
            raise ContractViolation("The recipe ended without a respond step, and this endpoint promises a response.")
        return 204, {}, None
    status, body = response["status"], response.get("body")
    if status < 200:
        raise ContractViolation(f"The recipe answered status {status}; an endpoint answers 200 or more.")
    headers = {k: v for k, v in (response.get("headers") or {}).items() if k.lower() not in RESERVED_HEADERS}
    for name, value in headers.items():
        if not HEADER_NAME.fullmatch(name) or any(c in value for c in "\r\n\0"):
            raise ContractViolation(f"The recipe answered a header that HTTP cannot carry: {name[:60]!r}.")
    if responses:
        spec = responses.get(status)
        if spec is None:
            declared = ", ".join(str(s) for s in sorted(responses))
            raise ContractViolation(f"The recipe answered status {status}; the endpoint declares only {declared}.")
        problems = _problems(spec.validator, body, "")
        if problems:
            first = problems[0]
            raise ContractViolation(f"The response for status {status} breaks its schema at "
                                    f"{first['pointer'] or '/'}: {first['message']}")  # fmt: skip
        present = {name.lower() for name in headers}
        for name, header in spec.headers.items():
            if isinstance(header, dict) and header.get("required") and name.lower() not in present:
                raise ContractViolation(f"The response for status {status} lacks the required header {name}.")
    return status, headers, body
