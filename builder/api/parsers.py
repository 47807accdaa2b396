"""The management API reads JSON only, with the platform's one strict reader (connectors.strict_json):
what it accepts, every database can store."""

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
