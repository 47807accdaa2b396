"""How the management API reads its input: bodies and query parameters through serializers,
so that the OpenAPI file documents exactly what is checked, and the fields they share.

Query parameters are read by `read_query(JobFilters, request)` and documented by
`extend_schema(parameters=[JobFilters])`: each given at most once, and valid, or a 400 naming it.
"""

from collections.abc import Mapping

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.utils import html

from builder.workspaces.access import MAX_ID

WORKSPACE_FOR_CREATE = (
    "The workspace it goes into, for good. A member of one workspace only may leave it out; with several, "
    "leaving it out is a 409."
)


# The white space str.strip() takes off (DRF strips text before it checks it), as the inside of
# a regular expression class: JSON Schema's \s is ECMAScript's, which differs (\x1c-\x1f, \x85).
# The last such character is U+3000.
SPACE = "".join(f"\\u{code:04x}" for code in range(0x3001) if chr(code).isspace())
NOT_ONLY_SPACE = RegexValidator(f"[^{SPACE}]", "Give some text, not only spaces.")


def padded(core: str) -> str:
    """The pattern of a text field that DRF strips: `core`, with white space around it."""
    return f"^[{SPACE}]*(?:{core})[{SPACE}]*$"


# DRF reads 0 as "0" for a text field, "5" as 5 and "yes" as True; the schema says a JSON
# string, number or boolean, so a JSON body must send one. (A form's values are all text.)
JSON_TYPES = [
    (serializers.BooleanField, (bool,), "Give true or false."),
    (serializers.IntegerField, (int,), "Give a whole number."),
    (serializers.FloatField, (int, float), "Give a number."),
    (serializers.CharField, (str,), "Give text."),
    (serializers.ChoiceField, (str,), "Give one of the choices, as text."),
    (serializers.ListField, (list,), "Give a list."),
    (serializers.DictField, (dict,), "Give an object."),
]


def json_type_problems(field: serializers.Field, value, name: str) -> dict[str, str]:
    """What is wrong with the JSON types of `value` for `field`, its items too, each under its
    dotted name (bindings.chat), as the services name them."""
    if value is None:
        return {}  # the field's own allow_null decides
    for kind, types, message in JSON_TYPES:
        if isinstance(field, kind):
            if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
                return {name: message}
            break
    if isinstance(field, serializers.ListField):
        items = enumerate(value)
    elif isinstance(field, serializers.DictField):
        items = value.items()
    else:
        return {}
    return {
        path: message
        for key, item in items
        for path, message in json_type_problems(field.child, item, f"{name}.{key}").items()
    }


class JsonTypes:
    """For a request body's serializer: its values have the JSON types its schema says (JSON_TYPES)."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping) and not html.is_html_input(data):
            given = [(name, field) for name, field in self.fields.items() if not field.read_only and name in data]
            problems = {
                path: [problem]
                for name, field in given
                for path, problem in json_type_problems(field, data[name], name).items()
            }
            if problems:
                raise serializers.ValidationError(problems)
        return super().to_internal_value(data)


class JsonInput(JsonTypes, serializers.Serializer):
    pass


def id_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **{"required": False, **kwargs})


def text_field(*, max_length: int, **kwargs) -> serializers.CharField:
    """Text that may not be blank, as names are."""
    return serializers.CharField(max_length=max_length, validators=[NOT_ONLY_SPACE], **kwargs)


@extend_schema_field({"type": "string", "format": "date-time"})
class DateTimeText(serializers.CharField):
    """An ISO 8601 date-time, handed on as text to the selector that parses it."""


def read_query(serializer_class, request) -> dict:
    params = request.query_params
    names = serializer_class().fields
    repeated = {name: ["Give this parameter once."] for name in names if len(params.getlist(name)) > 1}
    if repeated:
        raise serializers.ValidationError(repeated)
    # A plain dict, not the QueryDict: an empty value is then invalid, not "left out".
    data = serializer_class(data={name: params[name] for name in names if name in params})
    data.is_valid(raise_exception=True)
    return data.validated_data


def refuse_changes(request, messages: dict[str, str]) -> None:
    """A 400 naming each field of the body that cannot change (its PATCH schema leaves it out)."""
    named = {name: [message] for name, message in messages.items() if name in request.data}
    if named:
        raise serializers.ValidationError(named)


def write_body(serializer_class, request) -> dict:
    # partial: a field left out of a form is left alone, never set to False or "". A field
    # the schema marks required for a create is then checked by the service, which names it.
    data = serializer_class(data=request.data, partial=True)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)
