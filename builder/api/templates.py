"""/api/templates/: the community library. Browse (full-text search, filters, sorts, keyset
pages), a template with its self-test, its file, run its self-test again, clone it into a
workspace; publish a recipe of one's own (owners), from an offer made of its last test run;
unpublish."""

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from builder.api.inputs import JsonInput, id_field, read_query, write_body
from builder.api.openapi import errors
from builder.api.recipes import RecipeDetailSerializer
from builder.library import publishing, selectors, services
from builder.library.access import access_template
from builder.library.markdown import render_markdown
from builder.library.models import CATEGORIES, Template, UseCase
from builder.recipes.access import access_recipe
from builder.recipes.selectors import recipe_reloaded
from builder.workspaces.access import access_workspace_for_create
from builder.workspaces.models import Role

SEARCH_HELP = (
    "Words to find in the title, summary, description, tags and connector names; each may be the start of a word."
)
SELF_TEST_HELP = (
    "{cases: [{name, trigger, pins, expect}]}: GET /api/templates/offer/ makes one of the recipe's last test run."
)


class TemplateFilters(serializers.Serializer):
    q = serializers.CharField(required=False, max_length=200, help_text=SEARCH_HELP)
    category = serializers.ChoiceField(choices=CATEGORIES, required=False)
    use_case = serializers.ChoiceField(choices=UseCase.choices, required=False)
    connector = serializers.CharField(required=False, max_length=60, help_text="A connector name, e.g. moveworks.")
    verified = serializers.BooleanField(required=False, help_text="Only templates whose self-test passes (or fails).")
    sort = serializers.ChoiceField(choices=list(selectors.SORTS), required=False, help_text="popular by default.")
    cursor = serializers.CharField(required=False, max_length=2000, help_text="A page's `next`, as it came.")
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=selectors.MAX_PAGE)


class TemplateSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="latest.number", read_only=True)
    verified = serializers.SerializerMethodField()

    class Meta:
        model = Template
        fields = ["id", "slug", "title", "summary", "category", "use_case", "tags", "connectors", "author_name",
                  "version", "verified", "verified_on", "clone_count", "listed", "read_only",
                  "created_at", "updated_at"]  # fmt: skip

    def get_verified(self, template) -> bool:
        return bool(template.verified_on)


# One object (a page), not the list the list action's heuristic would make of it.
@extend_schema_serializer(many=False)
class TemplatePageSerializer(serializers.Serializer):
    results = TemplateSerializer(many=True)
    next = serializers.CharField(allow_null=True, help_text="The cursor of the next page; null on the last.")


class TemplateDetailSerializer(TemplateSerializer):
    description_html = serializers.SerializerMethodField(help_text="The description rendered safely.")
    recipe = serializers.JSONField(source="latest.definition", read_only=True)
    setup_notes = serializers.JSONField(source="latest.setup_notes", read_only=True)
    self_test = serializers.JSONField(source="latest.self_test", read_only=True)
    test_result = serializers.JSONField(source="latest.test_result", read_only=True)
    versions = serializers.SerializerMethodField()

    class Meta(TemplateSerializer.Meta):
        fields = [*TemplateSerializer.Meta.fields, "description", "description_html", "recipe", "setup_notes",
                  "self_test", "test_result", "versions"]  # fmt: skip

    def get_description_html(self, template) -> str:
        return render_markdown(template.description)

    def get_versions(self, template) -> list[dict]:
        return [{"number": n, "created_at": at, "author": author}
                for n, at, author in template.versions.values_list("number", "created_at", "author_name")]  # fmt: skip


class TemplateCloneSerializer(JsonInput):
    workspace = id_field(help_text="The workspace the recipe goes into; your only one if left out.")
    bindings = serializers.DictField(child=id_field(allow_null=True), required=False, help_text=(
        "Slot -> a connection id of that workspace, or null to bind it later. A slot left out is bound to the "
        "workspace's only connection of its connector, if it has exactly one."))  # fmt: skip


class TemplatePublishSerializer(JsonInput):
    recipe = id_field(help_text="The recipe whose draft is published: you own its workspace.")
    # Types only: the limits are the template file's (library.document), checked once there.
    title = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    summary = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    description = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    category = serializers.CharField(required=False, allow_blank=True, help_text=", ".join(CATEGORIES))
    tags = serializers.ListField(child=serializers.CharField(allow_blank=True), required=False)
    setup_notes = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)
    self_test = serializers.DictField(required=False, help_text=SELF_TEST_HELP)
    accept_personal_data = serializers.BooleanField(required=False, help_text=(
        "Store samples flagged as personal data anyway (secrets are never stored)."))  # fmt: skip


class OfferQuery(serializers.Serializer):
    recipe = id_field(required=True)


class TemplateViewSet(viewsets.GenericViewSet):
    """The installation's community library: every workspace sees every listed template."""

    queryset = Template.objects.none()  # for the OpenAPI file; every method checks access itself
    serializer_class = TemplateSerializer
    pagination_class = None

    @extend_schema(parameters=[TemplateFilters], responses=TemplatePageSerializer)
    def list(self, request):
        query = read_query(TemplateFilters, request)
        templates = selectors.templates_listed(q=query.get("q", ""), category=query.get("category", ""),
                                               use_case=query.get("use_case", ""),
                                               connector=query.get("connector", ""),
                                               verified=query.get("verified"))  # fmt: skip
        page = selectors.templates_page(templates, sort=query.get("sort", "popular"), cursor=query.get("cursor", ""),
                                        size=query.get("page_size", 24))  # fmt: skip
        return Response({"results": TemplateSerializer(page.templates, many=True).data, "next": page.next_cursor})

    @extend_schema(responses=TemplateDetailSerializer)
    def retrieve(self, request, pk=None):
        return Response(TemplateDetailSerializer(access_template(request.user, pk)).data)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    # JSON whatever the Accept header: a browser following the preview page's Download link asks
    # for HTML, and would save the browsable API's page as the .json file.
    @action(detail=True, methods=["get"], url_path="file", renderer_classes=[JSONRenderer])
    def file(self, request, pk=None):
        """The template's exchange file (stepwise.template/1): `manage.py library_import` reads it."""
        template = access_template(request.user, pk)
        response = Response(services.template_file(template.latest))
        response["Content-Disposition"] = f'attachment; filename="{template.slug}.json"'
        return response

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"], url_path="self-test")
    def self_test(self, request, pk=None):
        """Runs the self-test again (the real engine, app steps pinned, no connection; at most 10 s)
        and keeps the result: a failure takes the verified mark away. For builders and owners:
        it runs in the web process."""
        return Response(services.template_verify(template=access_template(request.user, pk, run=True)))

    @extend_schema(request=TemplateCloneSerializer, responses={201: RecipeDetailSerializer, **errors(403, 404, 409)})
    @action(detail=True, methods=["post"])
    def clone(self, request, pk=None):
        """A new stopped recipe from the template, its slots bound; its first version says the
        template and version, and it starts with the self-test's samples for a test run."""
        template = access_template(request.user, pk)
        body = write_body(TemplateCloneSerializer, request)
        workspace = access_workspace_for_create(request.user, body.get("workspace"))
        recipe = services.template_clone(template=template, workspace=workspace, author=request.user,
                                         bindings=body.get("bindings"))  # fmt: skip
        return Response(RecipeDetailSerializer(recipe_reloaded(recipe)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TemplatePublishSerializer, responses={201: TemplateDetailSerializer, **errors(403, 404)})
    def create(self, request):
        """Publishes a recipe's draft to the library (a new version of the template published
        from it before). Its bindings stay behind. 400 flagged_samples when the self-test carries
        a secret or personal data (details.flags), 400 self_test_failed when it does not pass."""
        body = write_body(TemplatePublishSerializer, request)
        if "recipe" not in body:
            raise ValidationError({"recipe": "This field is required."})
        recipe = access_recipe(request.user, body.pop("recipe"), role=Role.OWNER)
        # What is left out goes on empty: parse_template names it with every other problem.
        body = {"title": "", "summary": "", "category": "", "self_test": None, **body}
        version = publishing.template_publish(recipe=recipe, author=request.user, **body)
        return Response(TemplateDetailSerializer(selectors.template_get(version.template_id)).data,
                        status=status.HTTP_201_CREATED)  # fmt: skip

    @extend_schema(parameters=[OfferQuery], responses={200: OpenApiTypes.OBJECT, **errors(403, 404)})
    @action(detail=False, methods=["get"])
    def offer(self, request):
        """What publishing this recipe would start from: the metadata of its template (or its
        name), a self-test made of its last test run, and what in it is flagged."""
        recipe = access_recipe(request.user, read_query(OfferQuery, request)["recipe"], role=Role.OWNER)
        return Response(publishing.template_offer(recipe))

    @extend_schema(request=None, responses={200: TemplateSerializer, **errors(403, 409)})
    @action(detail=True, methods=["post"])
    def unpublish(self, request, pk=None):
        """Takes the template out of the library; clones keep running. Publishing again lists it."""
        template = publishing.template_unpublish(template=access_template(request.user, pk, owner=True))
        return Response(TemplateSerializer(template).data)
