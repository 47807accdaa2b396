"""/api/collections/ and /api/endpoints/: the API platform's published APIs. Viewers read, builders change."""

from django.core.exceptions import ValidationError
from django.db.models import Count
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from builder.api.inputs import (
    WORKSPACE_FOR_CREATE,
    JsonInput,
    id_field,
    padded,
    read_query,
    refuse_changes,
    text_field,
    write_body,
)
from builder.api.openapi import errors
from builder.apiplatform import services
from builder.apiplatform.models import MAX_SYNC_TIMEOUT, ApiCollection, ApiEndpoint, Method, Mode, OnTimeout
from builder.apiplatform.paths import PATH_PATTERN
from builder.apiplatform.selectors import collections_for_user, endpoints_for_user
from builder.apiplatform.services import SLUG_PATTERN
from builder.recipes.selectors import recipe_trigger
from builder.workspaces.access import access_in_workspace, access_workspace_for_create
from builder.workspaces.models import Role


class WorkspaceFilter(serializers.Serializer):
    workspace = id_field(help_text="Only this workspace's")


# --- collections -------------------------------------------------------------


class CollectionSerializer(serializers.ModelSerializer):
    base_path = serializers.CharField(read_only=True, help_text="Where the gateway publishes it.")
    openapi_url = serializers.SerializerMethodField()
    endpoint_count = serializers.SerializerMethodField()

    class Meta:
        model = ApiCollection
        fields = ["id", "workspace", "name", "slug", "version", "description", "base_path", "openapi_url",
                  "endpoint_count", "created_at"]  # fmt: skip
        read_only_fields = fields

    def get_openapi_url(self, collection) -> str:
        return f"{collection.base_path}/openapi.json"

    def get_endpoint_count(self, collection) -> int:
        counted = getattr(collection, "endpoint_count", None)
        return collection.endpoints.count() if counted is None else counted


class CollectionWriteSerializer(JsonInput):
    workspace = id_field(help_text=WORKSPACE_FOR_CREATE)
    name = text_field(max_length=100)
    slug = serializers.RegexField(
        padded(SLUG_PATTERN),
        required=False,
        allow_blank=True,
        help_text="Letters, digits, hyphens; made from the name when left out.",
    )
    version = serializers.IntegerField(
        required=False, min_value=1, max_value=999, help_text="Slug and version are unique together."
    )
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class CollectionUpdateSerializer(CollectionWriteSerializer):
    workspace = None


def _collections(user):
    return collections_for_user(user).annotate(endpoint_count=Count("endpoints"))


class CollectionViewSet(viewsets.GenericViewSet):
    """API collections of your workspaces, each published under /apim/<slug>/v<version>/."""

    queryset = ApiCollection.objects.none()  # for the OpenAPI file; every method checks access itself
    serializer_class = CollectionSerializer
    pagination_class = None

    @extend_schema(parameters=[WorkspaceFilter], responses=CollectionSerializer(many=True))
    def list(self, request):
        collections = _collections(request.user)
        if "workspace" in (filters := read_query(WorkspaceFilter, request)):
            collections = collections.filter(workspace_id=filters["workspace"])
        return Response(CollectionSerializer(collections, many=True).data)

    @extend_schema(responses=CollectionSerializer)
    def retrieve(self, request, pk=None):
        return Response(CollectionSerializer(self._access(pk)).data)

    @extend_schema(request=CollectionWriteSerializer, responses={201: CollectionSerializer, **errors(404, 409)})
    def create(self, request):
        body = write_body(CollectionWriteSerializer, request)
        workspace = access_workspace_for_create(request.user, body.pop("workspace", None))
        collection = services.collection_create(workspace=workspace, data=body)
        return Response(CollectionSerializer(collection).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CollectionUpdateSerializer, responses={200: CollectionSerializer, **errors(409)})
    def partial_update(self, request, pk=None):
        collection = self._access(pk, role=Role.BUILDER)
        body = write_body(CollectionUpdateSerializer, request)
        refuse_changes(request, {"workspace": "A collection cannot move to another workspace."})
        services.collection_update(collection=collection, data=body)
        return Response(CollectionSerializer(self._access(pk)).data)

    def destroy(self, request, pk=None):
        services.collection_delete(collection=self._access(pk, role=Role.BUILDER))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _access(self, pk, *, role=Role.VIEWER) -> ApiCollection:
        return access_in_workspace(self.request.user, _collections(self.request.user), pk, role=role,
                                   name="collection")  # fmt: skip


# --- endpoints ---------------------------------------------------------------

TRIGGER_SCHEMAS = ("request_schema", "query_schema", "params_schema", "response_schema", "responses")


class EndpointSerializer(serializers.ModelSerializer):
    recipe_name = serializers.CharField(source="recipe.name", read_only=True)
    recipe_state = serializers.CharField(source="recipe.state", read_only=True)
    url = serializers.SerializerMethodField(help_text="The gateway path that calls it.")
    request_schema = serializers.SerializerMethodField(help_text="From the recipe's api_request trigger.")
    query_schema = serializers.SerializerMethodField()
    params_schema = serializers.SerializerMethodField()
    response_schema = serializers.SerializerMethodField()
    responses = serializers.SerializerMethodField(help_text="Status code -> schema and headers, if declared.")

    class Meta:
        model = ApiEndpoint
        fields = ["id", "collection", "name", "description", "method", "path", "recipe", "recipe_name",
                  "recipe_state", "mode", "timeout_seconds", "on_timeout", "enabled", "url", *TRIGGER_SCHEMAS,
                  "created_at"]  # fmt: skip
        read_only_fields = fields

    def get_url(self, endpoint) -> str:
        return endpoint.collection.base_path + endpoint.path

    @staticmethod
    def _trigger(endpoint) -> dict:
        return recipe_trigger(endpoint.recipe)

    def get_request_schema(self, endpoint) -> dict | None:
        return self._trigger(endpoint).get("request_schema")

    def get_query_schema(self, endpoint) -> dict | None:
        return self._trigger(endpoint).get("query_schema")

    def get_params_schema(self, endpoint) -> dict | None:
        return self._trigger(endpoint).get("params_schema")

    def get_response_schema(self, endpoint) -> dict | None:
        return self._trigger(endpoint).get("response_schema")

    def get_responses(self, endpoint) -> dict | None:
        return self._trigger(endpoint).get("responses")


class EndpointWriteSerializer(JsonInput):
    collection = id_field(required=True, help_text="Cannot change.")
    name = text_field(max_length=100)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    method = serializers.ChoiceField(choices=Method.choices, required=False)
    path = serializers.RegexField(padded(PATH_PATTERN), help_text="Relative to the collection, as /tickets/{id}.")
    recipe = id_field(required=True, help_text="A recipe of the same workspace with the api_request trigger.")
    mode = serializers.ChoiceField(choices=Mode.choices, required=False, help_text="The recipe's mode if left out.")
    timeout_seconds = serializers.FloatField(required=False, min_value=0.1, max_value=MAX_SYNC_TIMEOUT)
    on_timeout = serializers.ChoiceField(choices=OnTimeout.choices, required=False)
    enabled = serializers.BooleanField(required=False)


class EndpointUpdateSerializer(EndpointWriteSerializer):
    collection = None


class CollectionFilter(serializers.Serializer):
    collection = id_field(help_text="Only this collection's")


def _endpoints(user):
    return endpoints_for_user(user).select_related("recipe__live_version")


class EndpointViewSet(viewsets.GenericViewSet):
    """Endpoints of your collections: each calls one recipe through the gateway."""

    queryset = ApiEndpoint.objects.none()  # for the OpenAPI file; every method checks access itself
    serializer_class = EndpointSerializer
    pagination_class = None

    @extend_schema(parameters=[CollectionFilter], responses=EndpointSerializer(many=True))
    def list(self, request):
        endpoints = _endpoints(request.user)
        if "collection" in (filters := read_query(CollectionFilter, request)):
            endpoints = endpoints.filter(collection_id=filters["collection"])
        return Response(EndpointSerializer(endpoints, many=True).data)

    @extend_schema(responses=EndpointSerializer)
    def retrieve(self, request, pk=None):
        return Response(EndpointSerializer(self._access(pk)).data)

    @extend_schema(request=EndpointWriteSerializer, responses={201: EndpointSerializer, **errors(404, 409)})
    def create(self, request):
        body = write_body(EndpointWriteSerializer, request)
        if "collection" not in body:
            raise ValidationError({"collection": "This field is required."})
        collection = access_in_workspace(request.user, ApiCollection.objects.all(), body.pop("collection"),
                                         role=Role.BUILDER, name="collection")  # fmt: skip
        endpoint = services.endpoint_create(collection=collection, data=body)
        return Response(EndpointSerializer(self._access(endpoint.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=EndpointUpdateSerializer, responses={200: EndpointSerializer, **errors(404, 409)})
    def partial_update(self, request, pk=None):
        endpoint = self._access(pk, role=Role.BUILDER)
        body = write_body(EndpointUpdateSerializer, request)
        refuse_changes(request, {"collection": "An endpoint cannot move to another collection."})
        services.endpoint_update(endpoint=endpoint, data=body)
        return Response(EndpointSerializer(self._access(pk)).data)

    def destroy(self, request, pk=None):
        services.endpoint_delete(endpoint=self._access(pk, role=Role.BUILDER))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _access(self, pk, *, role=Role.VIEWER) -> ApiEndpoint:
        return access_in_workspace(self.request.user, _endpoints(self.request.user), pk, role=role, name="endpoint")
