"""The management API's OpenAPI file, beyond what drf-spectacular reads off the views: the one
error shape (builder/api/errors.py) as the `Error` component, and the error answers of every
operation, added in one place by `document_errors` from what the operation is:

- 400 when it takes a body or query parameters (a body that does not parse, a field that does not fit);
- 401 when it takes credentials (a wrong or revoked token);
- 403 when it changes something (a role too low, a session without its CSRF token);
- 404 when its path names an object (none such, or another workspace's), or its `cursor` a page;
- 414 when it takes query parameters: a request line over 4094 bytes, refused by make run's front
  (builder/front) in the error shape before gunicorn, whose limit it is, sees it.

Answers that depend on what one operation does (404 for an object its body names, 409 for a
conflict with the current state, 429, 502) are declared on its view with `errors(...)`.

Text input says it holds no NUL character (`TextWithoutNul`), which DRF refuses.

Request bodies are documented as JSON only (`json_bodies_only`): DRF's form and multipart
parsers still read them, but a form has no null, no number, no nested object, so the typed
schema of a body would be untrue of a form.
"""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import OpenApiResponse

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "code", "message"],
            "properties": {
                "status": {"type": "integer", "description": "The HTTP status, again."},
                "code": {"type": "string", "description": "Stable, for programs: invalid, not_found, conflict…"},
                "message": {"type": "string", "description": "A sentence for people."},
                "fields": {
                    "type": "object",
                    "description": "On 400, 404 and 409 answers to input: each field, dotted, with its problems.",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
                "problems": {
                    "type": "array",
                    "description": "On invalid_recipe: each problem of the definition with its JSON pointer.",
                    "items": {"type": "object"},
                },
                "current": {
                    "type": "object",
                    "description": "On stale_revision: the draft's revision now, who saved it and when.",
                    "properties": {
                        "revision": {"type": "integer"},
                        "saved_by": {"type": "string", "nullable": True},
                        "saved_at": {"type": "string", "format": "date-time", "nullable": True},
                    },
                },
            },
        }
    },
}
ERROR = {"$ref": "#/components/schemas/Error"}
WHY = {
    400: "The body or a query parameter is invalid; `fields` names each.",
    401: "No credentials, or a wrong or revoked token.",
    403: "Your role in the workspace does not allow this (or a session sent no CSRF token).",
    404: "No such object, or not one of your workspaces'.",
    409: "The current state does not allow this; `fields` says what is in the way.",
    414: "The URL is too long for the web server (4094 bytes with the method).",
    429: "Too many attempts; wait a minute.",
    502: "The service behind the connection failed.",
}
WRITES = {"post", "put", "patch", "delete"}
HAS_NUL = {"pattern": "\\u0000"}  # as "not": text input holds no NUL character


def errors(*codes: int, why: dict[int, str] | None = None) -> dict:
    """Error answers for `extend_schema(responses={200: ..., **errors(404, 409)})`; `why` says
    what a code means for this operation where the general sentence would not."""
    why = why or {}
    return {code: OpenApiResponse(response=ERROR, description=why.get(code, WHY[code])) for code in {*codes, *why}}


def _error_response(code: int) -> dict:
    return {"description": WHY[code], "content": {"application/json": {"schema": ERROR}}}


def _generic_codes(path: str, method: str, operation: dict) -> list[int]:
    codes = []
    takes_query = any(p["in"] == "query" for p in operation.get("parameters", []))
    if "requestBody" in operation or takes_query:
        codes.append(400)
    if any(requirement for requirement in operation.get("security", [])):
        codes.append(401)
        if method in WRITES:
            codes.append(403)
    if "{" in path or any(p["name"] == "cursor" for p in operation.get("parameters", [])):
        codes.append(404)
    if takes_query:
        codes.append(414)
    return codes


def document_errors(result, generator, request, public):
    """drf-spectacular postprocessing hook: the Error component, and each operation's error answers."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, operations in result["paths"].items():
        for method, operation in operations.items():
            for code in _generic_codes(path, method, operation):
                operation["responses"].setdefault(str(code), _error_response(code))
    return result


def _requires_a_property(schema: dict) -> bool:
    """For a body given as a raw schema (drf-spectacular marks a serializer's itself)."""
    if "oneOf" in schema:
        return all(_requires_a_property(shape) for shape in schema["oneOf"])
    return bool(schema.get("required"))


def json_bodies_only(result, generator, request, public):
    """drf-spectacular postprocessing hook: each request body as application/json alone, and
    required when its schema requires a property."""
    for operations in result["paths"].values():
        for operation in operations.values():
            body = operation.get("requestBody", {})
            if "application/json" in body.get("content", {}):
                body["content"] = {"application/json": body["content"]["application/json"]}
                if _requires_a_property(body["content"]["application/json"]["schema"]):
                    body["required"] = True
    return result


class TextWithoutNul(OpenApiSerializerFieldExtension):
    """DRF refuses a NUL character in any text field it reads (PostgreSQL could not store it)."""

    target_class = "rest_framework.fields.CharField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if direction == "request":
            schema["not"] = HAS_NUL
        return schema
