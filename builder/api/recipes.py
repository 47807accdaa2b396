"""/api/recipes/: CRUD, versions, restore, diff, start / stop, import / export."""

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from builder.api.apiplatform import WorkspaceFilter
from builder.api.inputs import WORKSPACE_FOR_CREATE, JsonInput, id_field, read_query, write_body
from builder.api.openapi import errors
from builder.engine.schema import RECIPE_SCHEMA
from builder.errors import Conflict
from builder.jobs.services import job_enqueue
from builder.recipes import services
from builder.recipes.access import access_recipe
from builder.recipes.diff import diff
from builder.recipes.models import Recipe, RecipeVersion
from builder.recipes.selectors import recipes_for_user
from builder.triggers.selectors import trigger_summary
from builder.triggers.services import hook_for, hook_regenerate, parse_poll_from
from builder.workspaces.access import MAX_ID, access_workspace_for_create, parse_id
from builder.workspaces.models import Role


@extend_schema_field({"anyOf": [{"type": "string", "enum": ["now"]}, {"type": "string", "format": "date-time"}]})
class PollFromField(serializers.CharField):
    """Checked by parse_poll_from."""


class StartSerializer(JsonInput):
    poll_from = PollFromField(required=False, help_text='"now" (the default), or an ISO date-time in the past.')


class VersionSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", default=None, read_only=True)

    class Meta:
        model = RecipeVersion
        fields = ["number", "author", "comment", "created_at"]


class VersionDetailSerializer(VersionSerializer):
    class Meta(VersionSerializer.Meta):
        fields = VersionSerializer.Meta.fields + ["definition"]


class RecipeSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="current_version.number", default=None, read_only=True)

    class Meta:
        model = Recipe
        fields = ["id", "workspace", "name", "description", "folder", "state", "trigger_kind", "version", "bindings",
                  "created_at", "updated_at"]  # fmt: skip


class RecipeDetailSerializer(RecipeSerializer):
    definition = serializers.JSONField(source="current_version.definition", default=None, read_only=True)
    problems = serializers.SerializerMethodField()

    class Meta(RecipeSerializer.Meta):
        fields = RecipeSerializer.Meta.fields + ["definition", "problems"]

    def get_problems(self, recipe) -> list[dict]:
        return services.recipe_problems(recipe) if recipe.current_version else []


class RecipeWriteSerializer(JsonInput):
    workspace = id_field(help_text=WORKSPACE_FOR_CREATE)
    definition = serializers.DictField(
        help_text="The exchange JSON, /api/schemas/recipe.json; a draft may have problems, a running recipe may not."
    )
    bindings = serializers.DictField(
        child=id_field(allow_null=True), required=False, help_text="Connection slot -> connection id; null unbinds."
    )
    folder = serializers.CharField(required=False, allow_blank=True, max_length=200)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=500)


class RecipeUpdateSerializer(RecipeWriteSerializer):
    workspace = None  # a recipe stays in its workspace


class TestRunSerializer(JsonInput):
    trigger = serializers.DictField(required=False, help_text="The sample payload: body, query, headers…")


class DiffQuery(serializers.Serializer):
    a = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="From this version number")
    b = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="To this version number")


def _problems_response(exc: services.RecipeProblems) -> Response:
    body = {"status": 409, "code": "invalid_recipe", "message": "The recipe cannot start: fix these problems.",
            "problems": exc.problems}  # fmt: skip
    return Response({"error": body}, status=409)


NUMBER = OpenApiParameter(
    "number", {"type": "integer", "minimum": 1, "maximum": MAX_ID}, OpenApiParameter.PATH, description="Version number"
)


class RecipeViewSet(viewsets.GenericViewSet):
    """Recipes of your workspaces. Every save makes a version; viewers read, builders change."""

    queryset = Recipe.objects.none()  # for the OpenAPI file; every method checks access itself
    serializer_class = RecipeSerializer
    pagination_class = None

    @extend_schema(parameters=[WorkspaceFilter], responses=RecipeSerializer(many=True))
    def list(self, request):
        workspace = read_query(WorkspaceFilter, request).get("workspace")
        recipes = recipes_for_user(request.user, workspace_id=workspace)
        return Response(RecipeSerializer(recipes, many=True).data)

    @extend_schema(responses=RecipeDetailSerializer)
    def retrieve(self, request, pk=None):
        return Response(RecipeDetailSerializer(access_recipe(request.user, pk)).data)

    @extend_schema(request=RecipeWriteSerializer, responses={201: RecipeDetailSerializer, **errors(404, 409)})
    def create(self, request):
        body = write_body(RecipeWriteSerializer, request)
        if "definition" not in body:
            raise ValidationError({"definition": "This field is required."})
        recipe = services.recipe_create(
            workspace=access_workspace_for_create(request.user, body.get("workspace")),
            definition=body["definition"],
            author=request.user,
            bindings=body.get("bindings"),
            folder=body.get("folder", ""),
            comment=body.get("comment", ""),
        )
        return Response(RecipeDetailSerializer(recipe).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RecipeUpdateSerializer, responses={200: RecipeDetailSerializer, **errors(404, 409)})
    def partial_update(self, request, pk=None):
        recipe = access_recipe(request.user, pk, role=Role.BUILDER)
        body = write_body(RecipeUpdateSerializer, request)
        try:
            if "bindings" in body:
                services.recipe_bind(recipe=recipe, bindings=body["bindings"])
            if "folder" in body:
                Recipe.objects.filter(pk=recipe.pk).update(folder=body["folder"])
            if "definition" in body:
                services.recipe_save(recipe=recipe, definition=body["definition"], author=request.user,
                                     comment=body.get("comment", ""))  # fmt: skip
        except services.RecipeProblems as exc:
            return _problems_response(exc)
        return Response(RecipeDetailSerializer(access_recipe(request.user, pk)).data)

    @extend_schema(responses={204: None, **errors(409)})
    def destroy(self, request, pk=None):
        services.recipe_delete(recipe=access_recipe(request.user, pk, role=Role.BUILDER))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=StartSerializer, responses={200: RecipeDetailSerializer, **errors(409)})
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """A first start of a polling recipe picks up events from `poll_from`: "now" (the
        default) or an ISO date-time in the past. A later start goes on from the stored
        cursor, and other triggers ignore it."""
        recipe = access_recipe(request.user, pk, role=Role.BUILDER)
        poll_from = parse_poll_from(
            write_body(StartSerializer, request).get("poll_from"), polling=recipe.trigger_kind == "poll"
        )
        try:
            recipe = services.recipe_start(recipe=recipe, poll_from=poll_from)
        except services.RecipeProblems as exc:
            return _problems_response(exc)
        return Response(RecipeDetailSerializer(recipe).data)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def trigger(self, request, pk=None):
        """The trigger's state under a key named like its kind. `webhook`: the push URL and the
        test URL (secrets of the workspace: builders and owners get them, viewers get null), the
        last sample and its time. `schedule`: the schedule, in words too, its next five runs in
        its time zone, whether beat has it enabled. `poll`: cursor, last poll and success,
        items taken, failures in a row, last error, `erroring` (POLL_MAX_FAILURES reached)."""
        recipe = access_recipe(request.user, pk)
        membership = recipe.workspace.memberships.get(user=request.user)
        return Response(trigger_summary(recipe, build_url=request.build_absolute_uri,
                                        show_secrets=membership.allows(Role.BUILDER)))  # fmt: skip

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT, **errors(409)})
    @action(detail=True, methods=["post"], url_path="trigger/regenerate")
    def trigger_regenerate(self, request, pk=None):
        """A new secret webhook URL; the old one stops working at once."""
        recipe = access_recipe(request.user, pk, role=Role.BUILDER)
        if recipe.trigger_kind != "webhook":
            raise Conflict({"trigger": "Only a webhook trigger has a URL to regenerate."})
        hook_regenerate(recipe=recipe)
        return Response(trigger_summary(recipe, build_url=request.build_absolute_uri))

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT, **errors(409)})
    @action(detail=True, methods=["post"], url_path="trigger/test-url")
    def trigger_test_url(self, request, pk=None):
        """Makes the webhook's URLs now, for a recipe not started yet: its test URL takes samples."""
        recipe = access_recipe(request.user, pk, role=Role.BUILDER)
        if recipe.trigger_kind != "webhook":
            raise Conflict({"trigger": "Only a webhook trigger has a test URL."})
        hook_for(recipe)
        return Response(trigger_summary(recipe, build_url=request.build_absolute_uri))

    @extend_schema(request=None, responses=RecipeDetailSerializer)
    @action(detail=True, methods=["post"])
    def stop(self, request, pk=None):
        recipe = services.recipe_stop(recipe=access_recipe(request.user, pk, role=Role.BUILDER))
        return Response(RecipeDetailSerializer(recipe).data)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        """The exchange JSON (format stepwise.recipe/1): no bindings, no secrets."""
        recipe = access_recipe(request.user, pk)
        response = Response(services.recipe_export(recipe))
        response["Content-Disposition"] = f'attachment; filename="recipe-{recipe.pk}.json"'
        return response

    @extend_schema(request=RecipeWriteSerializer, responses={201: RecipeDetailSerializer, **errors(404, 409)})
    @action(detail=False, methods=["post"], url_path="import")
    def import_(self, request):
        """Creates a recipe from an exchange JSON, binding its slots with `bindings`."""
        return self.create(request)

    @extend_schema(responses=VersionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def versions(self, request, pk=None):
        recipe = access_recipe(request.user, pk)
        return Response(VersionSerializer(recipe.versions.select_related("author"), many=True).data)

    @extend_schema(parameters=[NUMBER], responses=VersionDetailSerializer)
    @action(detail=True, methods=["get"], url_path=r"versions/(?P<number>[^/.]+)")
    def version(self, request, pk=None, number=None):
        return Response(VersionDetailSerializer(self._version(request, pk, number)).data)

    @extend_schema(parameters=[NUMBER], request=None, responses={200: RecipeDetailSerializer, **errors(409)})
    @action(detail=True, methods=["post"], url_path=r"versions/(?P<number>[^/.]+)/restore")
    def restore(self, request, pk=None, number=None):
        recipe = access_recipe(request.user, pk, role=Role.BUILDER)
        version = self._version(request, pk, number)
        try:
            services.recipe_restore(recipe=recipe, number=version.number, author=request.user)
        except services.RecipeProblems as exc:
            return _problems_response(exc)
        return Response(RecipeDetailSerializer(access_recipe(request.user, pk)).data)

    @extend_schema(parameters=[DiffQuery], responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"], url_path="diff")
    def compare(self, request, pk=None):
        """What changed from version a to version b, as JSON-pointer operations."""
        access_recipe(request.user, pk)  # a recipe that is not yours is a 404 before its query is looked at
        query = read_query(DiffQuery, request)
        old, new = self._version(request, pk, query["a"]), self._version(request, pk, query["b"])
        return Response({"a": old.number, "b": new.number, "changes": diff(old.definition, new.definition)})

    @extend_schema(request=TestRunSerializer, responses={202: OpenApiTypes.OBJECT, **errors(409)})
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        """Runs the current version once on the worker with a sample trigger payload, even while stopped."""
        recipe = access_recipe(request.user, pk, role=Role.BUILDER)
        data = TestRunSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        found = services.recipe_problems(recipe)
        if found:
            return _problems_response(services.RecipeProblems(found))
        job = job_enqueue(recipe=recipe, trigger=data.validated_data.get("trigger", {}), trigger_kind="manual")
        status_url = request.build_absolute_uri(f"/api/jobs/{job.pk}/")
        return Response({"job_id": job.pk, "status_url": status_url}, status=status.HTTP_202_ACCEPTED)

    @staticmethod
    def _version(request, pk, number) -> RecipeVersion:
        recipe = access_recipe(request.user, pk)
        version = recipe.versions.filter(number=parse_id(number)).first()
        if version is None:
            raise Http404("No such version.")
        return version


@extend_schema(responses=OpenApiTypes.OBJECT)
@api_view(["GET"])
@permission_classes([AllowAny])
def recipe_schema(request):
    """The JSON Schema of the recipe exchange format, version 1."""
    return Response(RECIPE_SCHEMA)
