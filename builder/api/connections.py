"""/api/connections/: CRUD, and POST /api/connections/<id>/test/. Secrets are write-only."""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from builder.api.apiplatform import WorkspaceFilter
from builder.api.connection_fields import connection_create_schema, connection_update_schema
from builder.api.errors import error_response
from builder.api.inputs import (
    WORKSPACE_FOR_CREATE,
    JsonInput,
    id_field,
    read_query,
    refuse_changes,
    text_field,
    write_body,
)
from builder.api.openapi import errors
from builder.connections import services
from builder.connections.access import access_connection
from builder.connections.models import Connection
from builder.connections.selectors import connections_for_user, secret_state
from builder.workspaces.access import access_workspace_for_create
from builder.workspaces.models import Role
from connectors.errors import ConnectorError
from connectors.registry import get_connector, registry


class ConnectionSerializer(serializers.ModelSerializer):
    secrets = serializers.SerializerMethodField(help_text="Each secret field and whether it is set; never its value.")
    last_test = serializers.SerializerMethodField()

    class Meta:
        model = Connection
        fields = ["id", "workspace", "connector", "name", "fields", "secrets", "last_test", "created_at", "updated_at"]
        read_only_fields = fields

    def get_secrets(self, connection) -> dict[str, bool]:
        connector = get_connector(connection.connector)
        return secret_state(connection, connector) if connector else {}

    def get_last_test(self, connection) -> dict | None:
        if connection.last_tested_at is None:
            return None
        return {"ok": connection.last_test_ok, "message": connection.last_test_message, "at": connection.last_tested_at}


class ConnectionWriteSerializer(JsonInput):
    workspace = id_field(help_text=WORKSPACE_FOR_CREATE)
    connector = serializers.ChoiceField(choices=sorted(registry()), help_text="Cannot change.")
    name = text_field(max_length=100, help_text="Unique in the workspace.")
    fields = serializers.DictField(
        required=False, help_text="The connector's fields (GET /api/connectors/), secrets included: never shown again."
    )


class ConnectionUpdateSerializer(ConnectionWriteSerializer):
    workspace = connector = None


class PickListQuery(serializers.Serializer):
    action = text_field(max_length=200, help_text="The action, as slack.post_message.")
    field = text_field(max_length=200, help_text="Its input field, as channel.")


class PickOptionSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()


class ConnectionTestResultSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    message = serializers.CharField()


class ConnectionViewSet(viewsets.GenericViewSet):
    """Connections of your workspaces. Viewers list them; builders and owners change and test them."""

    queryset = Connection.objects.none()  # for the OpenAPI file; every method checks access itself
    serializer_class = ConnectionSerializer
    pagination_class = None

    @extend_schema(parameters=[WorkspaceFilter], responses=ConnectionSerializer(many=True))
    def list(self, request):
        workspace = read_query(WorkspaceFilter, request).get("workspace")
        connections = connections_for_user(request.user, workspace_id=workspace)
        return Response(ConnectionSerializer(connections, many=True).data)

    @extend_schema(responses=ConnectionSerializer)
    def retrieve(self, request, pk=None):
        return Response(ConnectionSerializer(access_connection(request.user, pk)).data)

    @extend_schema(
        request={"application/json": connection_create_schema()},
        responses={201: ConnectionSerializer, **errors(404, 409)},
    )
    def create(self, request):
        body = write_body(ConnectionWriteSerializer, request)
        missing = {name: ["This field is required."] for name in ("connector", "name") if name not in body}
        if missing:
            raise ValidationError(missing)
        connection = services.connection_create(
            workspace=access_workspace_for_create(request.user, body.get("workspace")),
            connector=body["connector"],
            name=body["name"],
            fields=body.get("fields", {}),
            author=request.user,
        )
        return Response(ConnectionSerializer(connection).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request={"application/json": connection_update_schema()}, responses={200: ConnectionSerializer, **errors(409)}
    )
    def partial_update(self, request, pk=None):
        connection = access_connection(request.user, pk, role=Role.BUILDER)
        body = write_body(ConnectionUpdateSerializer, request)
        refuse_changes(
            request,
            {name: "A connection's workspace and connector cannot change." for name in ("workspace", "connector")},
        )
        connection = services.connection_update(connection=connection, name=body.get("name"), fields=body.get("fields"))
        return Response(ConnectionSerializer(connection).data)

    @extend_schema(responses={204: None, **errors(409)})
    def destroy(self, request, pk=None):
        services.connection_delete(connection=access_connection(request.user, pk, role=Role.BUILDER))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(parameters=[PickListQuery], responses={200: PickOptionSerializer(many=True), **errors(403, 502)})
    @action(detail=True, methods=["get"], url_path="pick-list")
    def pick_list(self, request, pk=None):
        """Options for an input field fed by the connection, e.g. Slack channels for slack.post_message."""
        connection = access_connection(request.user, pk, role=Role.BUILDER)
        query = read_query(PickListQuery, request)
        try:
            options = services.connection_pick_list(connection=connection, action=query["action"], field=query["field"])
        except ConnectorError as exc:
            return error_response(status_code=502, code="connector_error", message=exc.message)
        return Response(options)

    @extend_schema(request=None, responses=ConnectionTestResultSerializer)
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        """Runs the connector's check of this connection; answers ok or the error."""
        ok, message = services.connection_test(connection=access_connection(request.user, pk, role=Role.BUILDER))
        return Response({"ok": ok, "message": message})
