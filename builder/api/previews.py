"""The bodies and answers of the editor's two previews (RecipeViewSet's `preview` and
`schedule_preview`): a field's pills rendered in a job's data, a schedule's next runs."""

from rest_framework import serializers

from builder.api.inputs import DateTimeText, JsonInput, id_field
from builder.triggers.selectors import INTERVAL_SECONDS


class PreviewSerializer(JsonInput):
    value = serializers.JSONField(
        allow_null=True,
        help_text="What a step field holds: text with {{ }} pills, or an object or list holding them.",
    )
    job = id_field(
        allow_null=True,
        help_text="A job of this recipe whose data the pills read; by default its latest test run. "
        "Another recipe's job is a 404 naming job.",
    )
    step = serializers.CharField(
        required=False, max_length=64,
        help_text="The step the field belongs to: inside a for each, the loop's name is the first item of its list.",
    )  # fmt: skip


class PreviewAnswerSerializer(serializers.Serializer):
    value = serializers.JSONField(allow_null=True, help_text="The rendered value: a whole pill keeps its type.")
    job = serializers.IntegerField(allow_null=True, help_text="The job whose data was read; null: none (empty data).")


class SchedulePreviewSerializer(JsonInput):
    cron = serializers.CharField(
        required=False, max_length=200, help_text="Five fields: minute hour day month weekday. Or every_seconds."
    )
    timezone = serializers.CharField(
        required=False, max_length=64, help_text="An IANA time zone (Europe/Paris); UTC by default."
    )
    every_seconds = serializers.IntegerField(required=False, min_value=INTERVAL_SECONDS[0],
                                             max_value=INTERVAL_SECONDS[1])  # fmt: skip


class ScheduleAnswerSerializer(serializers.Serializer):
    description = serializers.CharField(help_text="In words, as the recipe page says it.")
    next_runs = serializers.ListField(
        child=DateTimeText(), help_text="The next five times it fires, ISO 8601, in its time zone."
    )
