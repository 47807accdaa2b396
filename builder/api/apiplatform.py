"""/api/collections/ and /api/endpoints/: the API platform's published APIs. Viewers read, builders change."""

from django.core.exceptions import ValidationError
from django.db.models import Count
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from builder.apiplatform import services
from builder.apiplatform.models import ApiCollection, ApiEndpoint, Method, Mode, OnTimeout
from builder.apiplatform.selectors import collections_for_user, endpoints_for_user
from builder.workspaces.access import MAX_ID, access_in_workspace, access_workspace_for_create
from builder.workspaces.models import Role


def id_param(request, name: str) -> int | None:
    """An id given as a query filter, or None; anything else is a 400 naming the filter."""
    raw = request.query_params.get(name)
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or not 0 < int(raw) <= MAX_ID:
        raise ValidationError({name: "Give an id."})
    return int(raw)


def id_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, **kwargs)


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


class CollectionWriteSerializer(serializers.Serializer):
    workspace = id_field(help_text="Needed when you belong to several workspaces; cannot change.")
    name = serializers.CharField(required=False)
    slug = serializers.CharField(required=False, allow_blank=True, help_text="Made from the name when left out.")
    version = serializers.IntegerField(required=False, help_text="1 to 999; slug and version are unique.")
    description = serializers.CharField(required=False, allow_blank=True)


def write_body(serializer_class, request) -> dict:
    # partial: a field left out of a form is left alone, never set to False or "".
    data = serializer_class(data=request.data, partial=True)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


def _collections(user):
    return collections_for_user(user).annotate(endpoint_count=Count("endpoints"))


WORKSPACE = OpenApiParameter("workspace", int, description="Only this workspace's")


class CollectionViewSet(viewsets.GenericViewSet):
    """API collections of your workspaces, each published under /apim/<slug>/v<version>/."""

    queryset = ApiCollection.objects.none()  # for the OpenAPI file; every method checks access itself
    serializer_class = CollectionSerializer
    pagination_class = None

    @extend_schema(parameters=[WORKSPACE], responses=CollectionSerializer(many=True))
    def list(self, request):
        collections = _collections(request.user)
        if (workspace := id_param(request, "workspace")) is not None:
            collections = collections.filter(workspace_id=workspace)
        return Response(CollectionSerializer(collections, many=True).data)

    @extend_schema(responses=CollectionSerializer)
    def retrieve(self, request, pk=None):
        return Response(CollectionSerializer(self._access(pk)).data)

    @extend_schema(request=CollectionWriteSerializer, responses={201: CollectionSerializer})
    def create(self, request):
        body = write_body(CollectionWriteSerializer, request)
        workspace = access_workspace_for_create(request.user, body.pop("workspace", None))
        collection = services.collection_create(workspace=workspace, data=body)
        return Response(CollectionSerializer(collection).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CollectionWriteSerializer, responses=CollectionSerializer)
    def partial_update(self, request, pk=None):
        collection = self._access(pk, role=Role.BUILDER)
        body = write_body(CollectionWriteSerializer, request)
        if "workspace" in body:
            raise ValidationError({"workspace": "A collection cannot move to another workspace."})
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
        version = endpoint.recipe.current_version
        trigger = version.definition.get("trigger") if version and isinstance(version.definition, dict) else None
        return trigger if isinstance(trigger, dict) else {}

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


class EndpointWriteSerializer(serializers.Serializer):
    collection = id_field(help_text="Needed to create; cannot change.")
    name = serializers.CharField(required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    method = serializers.ChoiceField(choices=Method.choices, required=False)
    path = serializers.CharField(required=False, help_text="Relative to the collection, as /tickets/{id}.")
    recipe = id_field(help_text="A recipe of the same workspace with the api_request trigger.")
    mode = serializers.ChoiceField(choices=Mode.choices, required=False, help_text="The recipe's mode if left out.")
    timeout_seconds = serializers.FloatField(required=False, help_text="0.1 to 10.")
    on_timeout = serializers.ChoiceField(choices=OnTimeout.choices, required=False)
    enabled = serializers.BooleanField(required=False)


def _endpoints(user):
    return endpoints_for_user(user).select_related("recipe__current_version")


class EndpointViewSet(viewsets.GenericViewSet):
    """Endpoints of your collections: each calls one recipe through the gateway."""

    queryset = ApiEndpoint.objects.none()  # for the OpenAPI file; every method checks access itself
    serializer_class = EndpointSerializer
    pagination_class = None

    @extend_schema(parameters=[OpenApiParameter("collection", int, description="Only this collection's")],
                   responses=EndpointSerializer(many=True))  # fmt: skip
    def list(self, request):
        endpoints = _endpoints(request.user)
        if (collection := id_param(request, "collection")) is not None:
            endpoints = endpoints.filter(collection_id=collection)
        return Response(EndpointSerializer(endpoints, many=True).data)

    @extend_schema(responses=EndpointSerializer)
    def retrieve(self, request, pk=None):
        return Response(EndpointSerializer(self._access(pk)).data)

    @extend_schema(request=EndpointWriteSerializer, responses={201: EndpointSerializer})
    def create(self, request):
        body = write_body(EndpointWriteSerializer, request)
        if "collection" not in body:
            raise ValidationError({"collection": "This field is required."})
        collection = access_in_workspace(request.user, ApiCollection.objects.all(), body.pop("collection"),
                                         role=Role.BUILDER, name="collection")  # fmt: skip
        endpoint = services.endpoint_create(collection=collection, data=body)
        return Response(EndpointSerializer(self._access(endpoint.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=EndpointWriteSerializer, responses=EndpointSerializer)
    def partial_update(self, request, pk=None):
        endpoint = self._access(pk, role=Role.BUILDER)
        body = write_body(EndpointWriteSerializer, request)
        if "collection" in body:
            raise ValidationError({"collection": "An endpoint cannot move to another collection."})
        services.endpoint_update(endpoint=endpoint, data=body)
        return Response(EndpointSerializer(self._access(pk)).data)

    def destroy(self, request, pk=None):
        services.endpoint_delete(endpoint=self._access(pk, role=Role.BUILDER))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _access(self, pk, *, role=Role.VIEWER) -> ApiEndpoint:
        return access_in_workspace(self.request.user, _endpoints(self.request.user), pk, role=role, name="endpoint")
