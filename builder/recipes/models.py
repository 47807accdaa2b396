from django.conf import settings
from django.db import models

from builder.workspaces.models import Workspace


class RecipeState(models.TextChoices):
    STOPPED = "stopped", "Stopped"
    RUNNING = "running", "Running"


class RecipeQuerySet(models.QuerySet):
    def detailed(self) -> "RecipeQuerySet":
        """With what a recipe's detail shows: its live version and who saved its draft."""
        return self.select_related("live_version", "draft_saved_by")


class Recipe(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="recipes")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    folder = models.CharField(max_length=200, blank=True, default="")
    state = models.CharField(max_length=10, choices=RecipeState.choices, default=RecipeState.STOPPED)
    # The kind of the trigger that runs: the live version's, the draft's until a first publish.
    trigger_kind = models.CharField(max_length=20, blank=True, default="")
    # The working copy the editor saves: may have problems, never runs but in test runs. Each
    # save that changes it bumps `revision`; a save from an older revision is refused (409).
    draft = models.JSONField(default=dict)
    draft_digest = models.CharField(max_length=64, blank=True, default="")
    revision = models.PositiveIntegerField(default=1)
    draft_saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    draft_saved_at = models.DateTimeField(null=True, blank=True)
    # The version that runs (endpoint calls, events, new jobs); none until the first publish.
    live_version = models.ForeignKey(
        "RecipeVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Connection slot name -> Connection id in this workspace. Never secrets.
    bindings = models.JSONField(default=dict, blank=True)
    # Test data the editor starts with when the builder has none of their own: a template's
    # self-test sample ({"trigger": {...}, "pins": {...}}) for a clone.
    samples = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RecipeQuerySet.as_manager()

    # What a draft save writes. None of it changes what runs (a name shows in the gateway's
    # error messages only; the kind changes only before anything is live).
    DRAFT_FIELDS = ("draft", "draft_digest", "revision", "draft_saved_by", "draft_saved_at", "name", "description",
                    "trigger_kind", "updated_at")  # fmt: skip
    # Saving only these leaves every process's caches of what runs as they are.
    UNRUN_FIELDS = frozenset((*DRAFT_FIELDS, "folder"))

    class Meta:
        ordering = ["folder", "name", "id"]
        indexes = [models.Index(fields=["workspace", "state"])]

    def __str__(self) -> str:
        return self.name

    @property
    def unpublished_changes(self) -> bool:
        """The draft differs from the live version (or nothing is live yet)."""
        return self.live_version_id is None or self.live_version.digest != self.draft_digest


class RecipeVersion(models.Model):
    """A numbered snapshot of a draft, made by publish and import. Immutable."""

    recipe = models.ForeignKey(Recipe, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    definition = models.JSONField()
    digest = models.CharField(max_length=64, blank=True, default="")  # definitions.digest of `definition`
    name = models.CharField(max_length=200, blank=True, default="")  # the definition's, as `call` steps find it
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    comment = models.CharField(max_length=500, blank=True, default="")
    # Where it came from when it was not made here: {"template", "slug", "title", "version"}.
    origin = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recipe_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["recipe", "number"], name="recipe_version_number_unique")]

    def __str__(self) -> str:
        return f"{self.recipe} v{self.number}"
