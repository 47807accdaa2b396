"""The community library: templates (a catalog entry) and their immutable versions (a recipe
in the exchange format, its metadata and its self-test)."""

from django.conf import settings
from django.db import models

from builder.workspaces.models import Workspace


class UseCase(models.TextChoices):
    PATHS = "paths", "Paths (async endpoint)"
    QUERY = "query", "Query (sync endpoint)"
    EVENT = "event", "Event (push, schedule or poll)"


CATEGORIES = ("IT", "HR", "Sales", "Support", "Finance", "Operations", "Engineering", "Marketing", "Security", "Other")


class Source(models.TextChoices):
    SEED = "seed", "Stepwise's seed library"
    IMPORT = "import", "Imported from a file"
    WORKSPACE = "workspace", "Published from a workspace"


class Template(models.Model):
    """One entry of the library. What the list shows, filters, sorts and searches on is copied
    from its latest version, so a list reads this table alone."""

    slug = models.SlugField(max_length=100, unique=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WORKSPACE)
    # The workspace that publishes it (its owners may publish new versions and unpublish it);
    # none for the installation's own templates (the seed, imported files), which are read-only.
    workspace = models.ForeignKey(Workspace, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    recipe = models.ForeignKey("recipes.Recipe", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    latest = models.ForeignKey("TemplateVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    listed = models.BooleanField(default=True)
    title = models.CharField(max_length=120)
    summary = models.CharField(max_length=300)
    description = models.TextField(blank=True, default="")
    category = models.CharField(max_length=40)
    use_case = models.CharField(max_length=10, choices=UseCase.choices)
    tags = models.JSONField(default=list, blank=True)
    connectors = models.JSONField(default=list, blank=True)  # derived from the recipe, in order of use
    # Words the full-text index reads besides the title, summary and description.
    keywords = models.TextField(blank=True, default="")
    author_name = models.CharField(max_length=150, blank=True, default="")
    # The Stepwise version the latest version's self-test last passed on; empty: not verified.
    verified_on = models.CharField(max_length=20, blank=True, default="")
    clone_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        indexes = [
            models.Index(fields=["listed", "-clone_count", "-id"], name="template_popular"),
            models.Index(fields=["listed", "-created_at", "-id"], name="template_new"),
            models.Index(fields=["listed", "title", "id"], name="template_name"),
            models.Index(fields=["category"], name="template_category"),
            models.Index(fields=["use_case"], name="template_use_case"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def read_only(self) -> bool:
        return self.workspace_id is None


class TemplateConnector(models.Model):
    """A connector a template uses, for the connector filter (an index, not a scan of JSON)."""

    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="connector_rows")
    connector = models.CharField(max_length=60)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["connector", "template"], name="template_connector_unique")]

    def __str__(self) -> str:
        return f"{self.template_id}: {self.connector}"


class TemplateVersion(models.Model):
    """A numbered, immutable publish of a template."""

    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    definition = models.JSONField()  # stepwise.recipe/1, slots only: never bindings
    digest = models.CharField(max_length=64)  # of the whole document but its version, to import idempotently
    title = models.CharField(max_length=120)
    summary = models.CharField(max_length=300)
    description = models.TextField(blank=True, default="")
    category = models.CharField(max_length=40)
    tags = models.JSONField(default=list, blank=True)
    setup_notes = models.JSONField(default=dict, blank=True)  # slot -> what to connect and how
    self_test = models.JSONField(default=dict)
    # The last run of the self-test: {"passed", "stepwise_version", "ran_at", "cases": [...]}.
    test_result = models.JSONField(default=dict, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    author_name = models.CharField(max_length=150, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["template_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["template", "number"], name="template_version_unique")]

    def __str__(self) -> str:
        return f"{self.template} v{self.number}"
