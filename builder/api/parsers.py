"""The management API reads JSON with the platform's one strict reader (connectors.strict_json):
what it accepts, every database can store."""

from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from connectors import strict_json


class InvalidJSON(ParseError):
    default_code = "invalid_json"


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        if not raw.strip():
            raise InvalidJSON("The body is empty; send a JSON object.")
        try:
            return strict_json.parse(raw)
        except strict_json.JSONBodyError as exc:
            raise InvalidJSON(exc.message) from None


class StrictJSONField(serializers.JSONField):
    """A JSON value; sent as text in a form field, it is read as strictly as a JSON body."""

    def to_internal_value(self, data):
        if isinstance(data, str | bytes) and (self.binary or getattr(data, "is_json_string", False)):
            try:
                return strict_json.parse(data, "The value")
            except strict_json.JSONBodyError as exc:
                raise serializers.ValidationError(exc.message) from None
        return super().to_internal_value(data)
