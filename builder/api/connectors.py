"""/api/connectors/: the connector catalogue, as each connector describes itself (connectors.sdk)."""

from typing import get_args

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from connectors.registry import get_connector, registry
from connectors.sdk import FieldType

# What Connector.describe() answers, for the OpenAPI file; the fuzz test checks the two agree.


class ConnectorFieldSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    type = serializers.ChoiceField(choices=get_args(FieldType))
    help = serializers.CharField(required=False)
    required = serializers.BooleanField()
    secret = serializers.BooleanField()
    default = serializers.JSONField(required=False)
    choices = serializers.ListField(child=serializers.CharField(), required=False)


class ConnectorActionSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField(help_text="connector.key, as recipes name it.")
    title = serializers.CharField()
    description = serializers.CharField()
    input_schema = serializers.DictField(help_text="A JSON Schema.")
    output_schema = serializers.DictField(help_text="A JSON Schema.")
    pick_lists = serializers.ListField(child=serializers.CharField(), help_text="Input fields with a pick list.")


class ConnectorTriggerSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=["poll", "webhook", "schedule"])
    title = serializers.CharField()
    description = serializers.CharField()
    input_schema = serializers.DictField(help_text="A JSON Schema.")
    item_schema = serializers.DictField(help_text="A JSON Schema.")


class ConnectorSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    category = serializers.CharField()
    icon = serializers.CharField()
    fields = ConnectorFieldSerializer(many=True, help_text="The connection form.")
    testable = serializers.BooleanField()
    actions = ConnectorActionSerializer(many=True)
    triggers = ConnectorTriggerSerializer(many=True)


@extend_schema(operation_id="connectors_list", responses=ConnectorSerializer(many=True))
@api_view(["GET"])
def connector_list(request):
    """Every connector: its connection fields, actions and triggers with their JSON Schemas."""
    return Response([connector.describe() for connector in registry().values()])


@extend_schema(
    parameters=[OpenApiParameter("name", OpenApiTypes.STR, OpenApiParameter.PATH, enum=sorted(registry()))],
    responses=ConnectorSerializer,
)
@api_view(["GET"])
def connector_detail(request, name):
    connector = get_connector(name)
    if connector is None:
        raise Http404("No such connector.")
    return Response(connector.describe())
