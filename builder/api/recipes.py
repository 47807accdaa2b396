"""/api/recipes/: CRUD, the draft (save, publish, discard), versions, restore, diff, start / stop,
import / export, test runs, and the editor's previews of a field's pills and of a schedule."""

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
from builder.api.previews import (
    PreviewAnswerSerializer,
    PreviewSerializer,
    ScheduleAnswerSerializer,
    SchedulePreviewSerializer,
)
from builder.engine.schema import RECIPE_SCHEMA
from builder.recipes import drafts, previews, services
from builder.recipes.access import access_recipe
from builder.recipes.definitions import FORMAT
from builder.recipes.diff import diff
from builder.recipes.models import Recipe, RecipeVersion
from builder.recipes.selectors import recipe_problems, recipe_reloaded, recipe_side, recipes_for_user
from builder.triggers.selectors import schedule_preview, trigger_summary
from builder.triggers.services import hook_prepare, hook_regenerate, parse_poll_from
from builder.workspaces.access import MAX_ID, access_workspace_for_create, parse_id
from builder.workspaces.models import Role


@extend_schema_field({"anyOf": [{"type": "string", "enum": ["now"]}, {"type": "string", "format": "date-time"}]})
class PollFromField(serializers.CharField):
    """Checked by parse_poll_from."""


class StartSerializer(JsonInput):
    poll_from = PollFromField(required=False, help_text='"now" (the default), or an ISO date-time in the past.')


class VersionSerializer(serializers.ModelSerializer):
    """Give the recipe's `live_version_id` in the context."""

    author = serializers.CharField(source="author.username", default=None, allow_null=True, read_only=True)
    live = serializers.SerializerMethodField(help_text="The version that runs.")

    class Meta:
        model = RecipeVersion
        fields = ["number", "author", "comment", "origin", "created_at", "live"]
        extra_kwargs = {"origin": {"help_text": "Where it came from: {template, slug, title, version} for a clone."}}

    def get_live(self, version) -> bool:
        return version.pk == self.context["live_version_id"]


class VersionDetailSerializer(VersionSerializer):
    class Meta(VersionSerializer.Meta):
        fields = VersionSerializer.Meta.fields + ["definition"]


class RecipeSerializer(serializers.ModelSerializer):
    live_version = serializers.IntegerField(
        source="live_version.number",
        default=None,
        allow_null=True,
        read_only=True,
        help_text="The version that runs; null before the first publish.",
    )
    unpublished_changes = serializers.BooleanField(read_only=True, help_text="The draft differs from the live version.")
    draft_saved_by = serializers.CharField(
        source="draft_saved_by.username", default=None, allow_null=True, read_only=True
    )

    class Meta:
        model = Recipe
        fields = ["id", "workspace", "name", "description", "folder", "state", "trigger_kind", "revision",
                  "draft_saved_by", "draft_saved_at", "live_version", "unpublished_changes", "bindings",
                  "created_at", "updated_at"]  # fmt: skip


class RecipeDetailSerializer(RecipeSerializer):
    definition = serializers.JSONField(source="draft", read_only=True, help_text="The draft.")
    problems = serializers.SerializerMethodField(help_text="The draft's problems, each with its JSON pointer.")
    samples = serializers.JSONField(read_only=True, help_text=(
        "Test data to start from, {trigger, pins}: a template's self-test sample for a clone, else {}."))  # fmt: skip

    class Meta(RecipeSerializer.Meta):
        fields = RecipeSerializer.Meta.fields + ["definition", "problems", "samples"]

    def get_problems(self, recipe) -> list[dict]:
        return recipe_problems(recipe)


BINDINGS_HELP = "Connection slot -> connection id; null unbinds."


class RecipeCreateSerializer(JsonInput):
    workspace = id_field(help_text=WORKSPACE_FOR_CREATE)
    definition = serializers.DictField(
        help_text="The exchange JSON (/api/schemas/recipe.json), kept as the draft: it may have problems."
    )
    bindings = serializers.DictField(child=id_field(allow_null=True), required=False, help_text=BINDINGS_HELP)
    folder = serializers.CharField(required=False, allow_blank=True, max_length=200)


@extend_schema_field(
    {"type": "object", "required": ["format"], "properties": {"format": {"type": "string", "enum": [FORMAT]}}}
)
class DocumentField(serializers.DictField):
    """An exchange document: its format is checked by definitions.check_document, the rest may
    have problems."""


class RecipeImportSerializer(RecipeCreateSerializer):
    definition = DocumentField(
        help_text='A document of format "stepwise.recipe/1"; kept as the draft and version 1, with its problems.'
    )
    comment = serializers.CharField(required=False, allow_blank=True, max_length=500)


class RecipeUpdateSerializer(JsonInput):
    definition = serializers.DictField(required=False, help_text="The new draft; it may have problems.")
    revision = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID,
        help_text="The draft revision you edited: if someone saved after it, 409 stale_revision and nothing changes.",
    )  # fmt: skip
    bindings = serializers.DictField(child=id_field(allow_null=True), required=False, help_text=BINDINGS_HELP)
    folder = serializers.CharField(required=False, allow_blank=True, max_length=200)
    publish = serializers.BooleanField(required=False, help_text="Publish the draft too, in the same transaction.")
    comment = serializers.CharField(required=False, allow_blank=True, max_length=500, help_text="Of the publish.")


class PublishSerializer(JsonInput):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=500)
    revision = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID,
        help_text="The draft revision you reviewed: if someone saved after it, 409 and nothing changes.",
    )  # fmt: skip


class TestRunSerializer(JsonInput):
    trigger = serializers.DictField(required=False, help_text="The sample payload: body, query, headers…")
    pins = serializers.DictField(
        required=False,
        help_text="Action step id of the draft -> the output it answers instead of calling its app (pinned); "
        "an id the draft has no action step for is a 400 naming pins.<id>.",
    )


SIDE = {"type": "string", "pattern": "^(live|draft|[1-9][0-9]{0,9})$"}


@extend_schema_field(SIDE)
class SideField(serializers.RegexField):
    """`live`, `draft` or a version number."""

    def __init__(self, **kwargs):
        super().__init__(SIDE["pattern"], **kwargs)


class DiffQuery(serializers.Serializer):
    a = SideField(required=False, help_text="From: live (the default), draft or a version number")
    b = SideField(required=False, help_text="To: draft (the default), live or a version number")


class DiffSideSerializer(serializers.Serializer):
    side = serializers.ChoiceField(choices=["live", "draft", "version"])
    version = serializers.IntegerField(required=False, allow_null=True, help_text="null: nothing is live yet")
    revision = serializers.IntegerField(required=False, help_text="The draft's")


class DiffChangeSerializer(serializers.Serializer):
    op = serializers.ChoiceField(choices=["add", "remove", "replace"])
    path = serializers.CharField(help_text="A JSON pointer")
    old = serializers.JSONField(required=False)
    new = serializers.JSONField(required=False)


class DiffSerializer(serializers.Serializer):
    a = DiffSideSerializer()
    b = DiffSideSerializer()
    changes = DiffChangeSerializer(many=True)


PROBLEMS_400 = "The body is invalid, or (invalid_recipe) the draft has problems: `problems` lists each."
STALE_409 = "stale_revision: someone saved the draft after `revision`; `current` says who and when."
DRAFT_ERRORS = errors(why={400: PROBLEMS_400, 409: STALE_409})
DRAFT_ERRORS_404 = errors(404, why={400: PROBLEMS_400, 409: STALE_409})
PREVIEW_ERRORS = errors(why={
    400: "The body is invalid, an expression failed (`fields.value` has the engine's message), or `step` "
         "names no step of the recipe.",
    403: "Viewers may not preview: an expression runs in the web process.",
    404: "No such recipe, or (`fields.job`) no such job of this recipe.",
})  # fmt: skip


NUMBER = OpenApiParameter(
    "number", {"type": "integer", "minimum": 1, "maximum": MAX_ID}, OpenApiParameter.PATH, description="Version number"
)


def _detail(recipe) -> Response:
    return Response(RecipeDetailSerializer(recipe_reloaded(recipe)).data)


class RecipeViewSet(viewsets.GenericViewSet):
    """Recipes of your workspaces: a draft that saves change, versions that publish makes,
    the live version that runs. Viewers read, builders change."""

    queryset = Recipe.objects.none()  # for the OpenAPI file; every method checks access itself
    serializer_class = RecipeSerializer
    pagination_class = None

    @extend_schema(parameters=[WorkspaceFilter], responses=RecipeSerializer(many=True))
    def list(self, request):
        workspace = read_query(WorkspaceFilter, request).get("workspace")
        recipes = recipes_for_user(request.user, workspace_id=workspace).select_related("draft_saved_by")
        return Response(RecipeSerializer(recipes, many=True).data)

    @extend_schema(responses=RecipeDetailSerializer)
    def retrieve(self, request, pk=None):
        return Response(RecipeDetailSerializer(access_recipe(request.user, pk)).data)

    @extend_schema(request=RecipeCreateSerializer, responses={201: RecipeDetailSerializer, **errors(404, 409)})
    def create(self, request):
        """A new stopped recipe whose draft is `definition`."""
        body = write_body(RecipeCreateSerializer, request)
        if "definition" not in body:
            raise ValidationError({"definition": "This field is required."})
        recipe = services.recipe_create(
            workspace=access_workspace_for_create(request.user, body.get("workspace")), definition=body["definition"],
            author=request.user, bindings=body.get("bindings"), folder=body.get("folder", ""),
        )  # fmt: skip
        return Response(RecipeDetailSerializer(recipe_reloaded(recipe)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RecipeUpdateSerializer, responses={200: RecipeDetailSerializer, **DRAFT_ERRORS_404})
    def partial_update(self, request, pk=None):
        """Saves the draft (what runs is not touched) and, with `publish`, makes it live; also
        changes bindings and the folder. Applied whole or not at all."""
        recipe = access_recipe(request.user, pk, role=Role.BUILDER)
        body = write_body(RecipeUpdateSerializer, request)
        given = {name: body[name] for name in ("definition", "bindings", "folder") if name in body}
        recipe = services.recipe_update(recipe=recipe, author=request.user, revision=body.get("revision"),
                                        publish=body.get("publish", False), comment=body.get("comment", ""),
                                        **given)  # fmt: skip
        return _detail(recipe)

    @extend_schema(responses={204: None, **errors(409)})
    def destroy(self, request, pk=None):
        services.recipe_delete(recipe=access_recipe(request.user, pk, role=Role.BUILDER))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=PublishSerializer, responses={200: RecipeDetailSerializer, **DRAFT_ERRORS})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Checks the draft (400 invalid_recipe lists every problem; nothing changes), makes it
        a version and that version live. A running recipe's new calls, events and jobs run it
        from now on; jobs already running finish on their own version."""
        recipe = access_recipe(request.user, pk, role=Role.BUILDER)
        body = write_body(PublishSerializer, request)
        drafts.recipe_publish(recipe=recipe, author=request.user, comment=body.get("comment", ""),
                              revision=body.get("revision"))  # fmt: skip
        return _detail(recipe)

    @extend_schema(request=None, responses={200: RecipeDetailSerializer, **errors(409)})
    @action(detail=True, methods=["post"])
    def discard(self, request, pk=None):
        """The draft becomes the live version again (409 before a first publish)."""
        recipe = drafts.recipe_discard(recipe=access_recipe(request.user, pk, role=Role.BUILDER), author=request.user)
        return _detail(recipe)

    @extend_schema(request=StartSerializer, responses={200: RecipeDetailSerializer, **errors(409)})
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """Runs the live version; a recipe never published publishes its draft first (409
        invalid_recipe with its problems if it cannot). A first start of a polling recipe
        picks up events from `poll_from`: "now" (the default) or an ISO date-time in the past.
        A later start goes on from the stored cursor, and other triggers ignore it."""
        recipe = access_recipe(request.user, pk, role=Role.BUILDER)
        poll_from = parse_poll_from(
            write_body(StartSerializer, request).get("poll_from"), polling=recipe.trigger_kind == "poll"
        )
        recipe = services.recipe_start(recipe=recipe, author=request.user, poll_from=poll_from)
        return _detail(recipe)

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
        hook_regenerate(recipe=recipe)
        return Response(trigger_summary(recipe, build_url=request.build_absolute_uri))

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT, **errors(409)})
    @action(detail=True, methods=["post"], url_path="trigger/test-url")
    def trigger_test_url(self, request, pk=None):
        """Makes the webhook's URLs now, for a recipe not started yet: its test URL takes samples."""
        recipe = access_recipe(request.user, pk, role=Role.BUILDER)
        hook_prepare(recipe=recipe)
        return Response(trigger_summary(recipe, build_url=request.build_absolute_uri))

    @extend_schema(request=None, responses=RecipeDetailSerializer)
    @action(detail=True, methods=["post"])
    def stop(self, request, pk=None):
        recipe = services.recipe_stop(recipe=access_recipe(request.user, pk, role=Role.BUILDER))
        return _detail(recipe)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        """The draft's exchange JSON (format stepwise.recipe/1): no bindings, no secrets."""
        recipe = access_recipe(request.user, pk)
        response = Response(services.recipe_export(recipe))
        response["Content-Disposition"] = f'attachment; filename="recipe-{recipe.pk}.json"'
        return response

    @extend_schema(request=RecipeImportSerializer, responses={201: RecipeDetailSerializer, **errors(404, 409)})
    @action(detail=False, methods=["post"], url_path="import")
    def import_(self, request):
        """Creates a stopped recipe from an exchange document: its draft and version 1, with its
        slots bound by `bindings`. A document that is not of format stepwise.recipe/1 is refused
        (400) and creates nothing; one with problems is kept, and `problems` lists them."""
        body = write_body(RecipeImportSerializer, request)
        if "definition" not in body:
            raise ValidationError({"definition": "This field is required."})
        recipe = services.recipe_import(
            workspace=access_workspace_for_create(request.user, body.get("workspace")), document=body["definition"],
            author=request.user, bindings=body.get("bindings"), folder=body.get("folder", ""),
            comment=body.get("comment", ""),
        )  # fmt: skip
        return Response(RecipeDetailSerializer(recipe_reloaded(recipe)).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=VersionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def versions(self, request, pk=None):
        recipe = access_recipe(request.user, pk)
        versions = VersionSerializer(recipe.versions.select_related("author"), many=True,
                                     context={"live_version_id": recipe.live_version_id})  # fmt: skip
        return Response(versions.data)

    @extend_schema(parameters=[NUMBER], responses=VersionDetailSerializer)
    @action(detail=True, methods=["get"], url_path=r"versions/(?P<number>[^/.]+)")
    def version(self, request, pk=None, number=None):
        version = self._version(request, pk, number)
        live = {"live_version_id": version.recipe.live_version_id}
        return Response(VersionDetailSerializer(version, context=live).data)

    @extend_schema(parameters=[NUMBER], request=None, responses=RecipeDetailSerializer)
    @action(detail=True, methods=["post"], url_path=r"versions/(?P<number>[^/.]+)/restore")
    def restore(self, request, pk=None, number=None):
        """The version becomes the draft; publish makes it live."""
        recipe = access_recipe(request.user, pk, role=Role.BUILDER)
        version = self._version(request, pk, number)
        return _detail(drafts.recipe_restore(recipe=recipe, number=version.number, author=request.user))

    @extend_schema(parameters=[DiffQuery], responses=DiffSerializer)
    @action(detail=True, methods=["get"], url_path="diff")
    def compare(self, request, pk=None):
        """What changed from `a` to `b` (each live, draft or a version number; by default from
        live to draft), as JSON-pointer operations. Before a first publish, live is empty."""
        recipe = access_recipe(request.user, pk)  # a recipe that is not yours is a 404 before its query is looked at
        query = read_query(DiffQuery, request)
        old, new = recipe_side(recipe, query.get("a", "live")), recipe_side(recipe, query.get("b", "draft"))
        if old is None or new is None:
            raise Http404("No such version.")
        return Response({"a": old[0], "b": new[0], "changes": diff(old[1], new[1])})

    @extend_schema(request=TestRunSerializer, responses={202: OpenApiTypes.OBJECT, **errors(409)})
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        """Runs the draft once on the worker with a sample trigger payload, even while stopped. The
        action steps named in `pins` answer their pinned output and call no app."""
        recipe = access_recipe(request.user, pk, role=Role.BUILDER)
        body = write_body(TestRunSerializer, request)
        job = drafts.draft_test_run(recipe=recipe, trigger=body.get("trigger", {}), pins=body.get("pins"))
        status_url = request.build_absolute_uri(f"/api/jobs/{job.pk}/")
        return Response({"job_id": job.pk, "status_url": status_url}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=PreviewSerializer, responses={200: PreviewAnswerSerializer, **PREVIEW_ERRORS})
    @action(detail=True, methods=["post"])
    def preview(self, request, pk=None):
        """What `value` renders to as a step field, by the engine, in the data of one of this
        recipe's jobs (`job`, by default its latest test run; with none, empty data): trigger,
        steps.<id>, vars and, for a `step` in a for each, the loop's first item. Builders and
        owners: an expression costs the web process its time and memory, within bounds."""
        recipe = access_recipe(request.user, pk, role=Role.BUILDER)
        body = write_body(PreviewSerializer, request)
        if "value" not in body:
            raise ValidationError({"value": "This field is required."})
        found = previews.expression_preview(recipe=recipe, value=body["value"], job_id=body.get("job"),
                                            step=body.get("step"))  # fmt: skip
        return Response({"value": found.value, "job": found.job_id})

    @extend_schema(request=SchedulePreviewSerializer, responses=ScheduleAnswerSerializer)
    @action(detail=False, methods=["post"], url_path="schedule-preview")
    def schedule_preview(self, request):
        """A schedule trigger before it is saved: in words and its next five runs in its time
        zone. `cron` (with `timezone`, UTC by default) or `every_seconds`."""
        body = write_body(SchedulePreviewSerializer, request)
        return Response(schedule_preview(**body))

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
