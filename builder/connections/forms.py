"""Checks submitted connection values against a connector's field declarations."""

import re
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

from connectors.sdk import Connector, Field

MAX_VALUE_LENGTH = 10_000
# For the OpenAPI file: http(s) URLs that URLValidator below accepts (a part of them: host
# names of two or three labels, an optional port and path). tests/connections/test_forms.py
# checks that each one the pattern allows is accepted.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
URL_PATTERN = rf"https?://{_LABEL}(?:\.{_LABEL})?\.[A-Za-z]{{2,63}}(?::[1-9][0-9]{{0,3}})?(?:/[A-Za-z0-9._~%-]*)*"


MAX_INTEGER = 10**15 - 1


def form_value(field: Field, text: str) -> Any:
    """A posted form's text as the field's type: a whole number for an integer field when it
    is one (else the text, which clean_fields then refuses naming the field)."""
    if field.type == "integer" and re.fullmatch(r"-?\d{1,15}", text.strip()):
        return int(text)
    return text


def submitted_values(connector: Connector, post, *, editing: bool, prefix: str = "") -> dict:
    """A posted form's values for the connector's declared fields (each named `prefix` + the
    field's name). On an edit, an empty secret keeps the stored one."""
    values = {}
    for field in connector.fields:
        name = prefix + field.name
        if field.type == "boolean":
            values[field.name] = name in post
        elif field.secret:
            if post.get(f"{prefix}clear_{field.name}"):
                values[field.name] = None
            elif post.get(name) or not editing:
                values[field.name] = post.get(name, "")
        else:
            values[field.name] = form_value(field, post.get(name, ""))
    return values


def field_errors(exc: ValidationError) -> dict[str, str]:
    """A connection service's refusal as one message per form field (`name` and each field's)."""
    return {key.removeprefix("fields."): " ".join(value) for key, value in exc.message_dict.items()}


def field_rows(connector: Connector, values: dict, secrets: dict[str, bool], errors: dict) -> list[dict]:
    """What templates/connections/_fields.html shows of each field: its value, whether a
    secret is stored (never the secret), its error."""
    return [
        {"field": f, "value": values.get(f.name, f.default if f.default is not None else ""),
         "is_set": secrets.get(f.name, False), "error": errors.get(f.name, "")}
        for f in connector.fields
    ]  # fmt: skip


def _clean_value(field: Field, value: Any) -> Any:
    # Typed values only: an API caller sends JSON, and the console converts its form first.
    if field.type == "integer":
        if isinstance(value, bool) or not isinstance(value, int) or abs(value) > MAX_INTEGER:
            raise ValidationError("Enter a whole number.")
        return value
    if field.type == "boolean":
        if not isinstance(value, bool):
            raise ValidationError("Enter true or false.")
        return value
    if not isinstance(value, str):
        raise ValidationError("Enter text.")
    if "\x00" in value:
        raise ValidationError("Null characters are not allowed.")
    value = value.strip()
    if len(value) > MAX_VALUE_LENGTH:
        raise ValidationError(f"At most {MAX_VALUE_LENGTH} characters.")
    if value and field.type == "url":
        URLValidator(schemes=["http", "https"])(value)
        parts = urlsplit(value)
        if parts.username or parts.password or "@" in parts.netloc:
            # A URL is not a secret field: it is shown, and steps report the URLs they call.
            raise ValidationError("Put the user name and password in the connection's own fields, not in the URL.")
    if value and field.type == "email":
        EmailValidator()(value)
    if value and field.type == "select" and value not in field.choices:
        raise ValidationError(f"Choose one of: {', '.join(field.choices)}.")
    return value


def clean_fields(connector: Connector, submitted: dict, *, current: dict | None = None) -> dict:
    """The values to keep, defaults filled in, or a ValidationError naming each bad field.

    `current` holds the values already stored: on an update, an omitted field keeps its
    value (that is how a secret stays set without being sent back).
    """
    if not isinstance(submitted, dict):
        raise ValidationError({"fields": "Send the connection's fields as an object."})
    declared = {field.name: field for field in connector.fields}
    errors = {f"fields.{name}": "This connector has no such field." for name in submitted if name not in declared}
    values = dict(current or {})
    for name, field in declared.items():
        if name in submitted and submitted[name] is not None:
            try:
                values[name] = _clean_value(field, submitted[name])
            except ValidationError as exc:
                errors[f"fields.{name}"] = exc.messages
        elif name in submitted:
            values.pop(name, None)
        elif name not in values and field.default is not None:
            values[name] = field.default
        if field.required and values.get(name) in (None, "") and f"fields.{name}" not in errors:
            errors[f"fields.{name}"] = f"{field.label} is required."
    if current is not None:
        errors.update(_secrets_follow_urls(declared, submitted, current, values))
    if errors:
        raise ValidationError(errors)
    return {name: value for name, value in values.items() if value not in (None, "")}


def _secrets_follow_urls(declared: dict, submitted: dict, current: dict, values: dict) -> dict:
    """A stored secret is not sent to a new address unless it is typed in again: otherwise
    anyone allowed to edit the connection could point it at their own server and test it."""
    moved = [f for f in declared.values() if f.type == "url" and values.get(f.name) != current.get(f.name)]
    if not moved:
        return {}
    kept = [f for f in declared.values() if f.secret and current.get(f.name) and f.name not in submitted]
    where = ", ".join(f.label for f in moved)
    return {f"fields.{f.name}": f"Enter {f.label} again: {where} changed." for f in kept}
