"""The request schemas of /api/connections/, one shape per connector, made from the fields it
declares (connectors.sdk.Field) as builder/connections/forms.py checks them: a connection's
`fields` are its connector's, each typed, and no others."""

from builder.api.inputs import SPACE, WORKSPACE_FOR_CREATE, padded
from builder.api.openapi import HAS_NUL
from builder.connections.forms import MAX_INTEGER, MAX_VALUE_LENGTH, URL_PATTERN
from builder.workspaces.access import MAX_ID
from connectors.registry import registry
from connectors.sdk import Connector, Field

WORKSPACE = {"type": "integer", "minimum": 1, "maximum": MAX_ID, "description": WORKSPACE_FOR_CREATE}
TEXT = f"[^{SPACE}]"  # some text, not only white space
BLANK = f"^[{SPACE}]*$"
NAME = {
    "type": "string",
    "minLength": 1,
    "maxLength": 100,
    "pattern": TEXT,
    "not": HAS_NUL,
    "description": "Unique in the workspace.",
}


def _text(field: Field) -> dict:
    if field.type == "url":
        return {"maxLength": 2048, "pattern": padded(URL_PATTERN)}
    if field.type == "email":
        return {"maxLength": 320, "format": "email"}  # EmailValidator refuses longer
    return {"maxLength": MAX_VALUE_LENGTH, "pattern": TEXT} if field.required else {"maxLength": MAX_VALUE_LENGTH}


def field_schema(field: Field) -> dict:
    """One field; null, or blank text, leaves an optional one unset (its default, if any)."""
    optional = not field.required
    if field.type == "integer":
        schema = {"type": "integer", "minimum": -MAX_INTEGER, "maximum": MAX_INTEGER}
    elif field.type == "boolean":
        schema = {"type": "boolean"}
    elif field.type == "select":
        schema = {"type": "string", "enum": [*field.choices, *(["", None] if optional else [])]}
    elif optional and field.type in ("url", "email"):
        # A branch's keywords apply to text only, so that null passes either.
        schema = {"type": "string", "anyOf": [_text(field), {"pattern": BLANK}]}
    else:
        schema = {"type": "string", **_text(field)}
    if schema["type"] == "string":
        schema["not"] = HAS_NUL
    schema["nullable"] = optional
    schema["description"] = f"{field.label}. {field.help}".strip() + (" Secret." if field.secret else "")
    if field.default is not None:
        schema["default"] = field.default
    return schema


def fields_schema(connector: Connector, *, creating: bool) -> dict:
    schema = {
        "type": "object",
        "title": f"{connector.title} fields",
        "additionalProperties": False,
        "properties": {field.name: field_schema(field) for field in connector.fields},
    }
    needed = [f.name for f in connector.fields if f.required and f.default is None]
    if creating and needed:
        schema["required"] = needed
    return schema


def connection_create_schema() -> dict:
    shapes = []
    for name, connector in sorted(registry().items()):
        fields = fields_schema(connector, creating=True)
        properties = {"workspace": WORKSPACE, "connector": {"type": "string", "enum": [name]}, "name": NAME}
        required = ["connector", "name", *(["fields"] if "required" in fields else [])]
        shapes.append(
            {
                "type": "object",
                "title": connector.title,
                "required": required,
                "properties": {**properties, "fields": fields},
            }
        )
    return {"oneOf": shapes}


def connection_update_schema() -> dict:
    """The fields are the connection's own connector's, which the URL does not say: any one's."""
    fields = {"anyOf": [fields_schema(c, creating=False) for _, c in sorted(registry().items())]}
    return {"type": "object", "properties": {"name": NAME, "fields": fields}}
