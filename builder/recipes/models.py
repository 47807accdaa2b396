from django.conf import settings
from django.db import models

from builder.workspaces.models import Workspace


class RecipeState(models.TextChoices):
    STOPPED = "stopped", "Stopped"
    RUNNING = "running", "Running"


class Recipe(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="recipes")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    folder = models.CharField(max_length=200, blank=True, default="")
    state = models.CharField(max_length=10, choices=RecipeState.choices, default=RecipeState.STOPPED)
    trigger_kind = models.CharField(max_length=20, blank=True, default="")
    current_version = models.ForeignKey(
        "RecipeVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Connection slot name -> Connection id in this workspace. Never secrets.
    bindings = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["folder", "name", "id"]
        indexes = [models.Index(fields=["workspace", "state"])]

    def __str__(self) -> str:
        return self.name


class RecipeVersion(models.Model):
    """One saved definition. Immutable: a change, or a restore, makes a new version."""

    recipe = models.ForeignKey(Recipe, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    definition = models.JSONField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    comment = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recipe_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["recipe", "number"], name="recipe_version_number_unique")]

    def __str__(self) -> str:
        return f"{self.recipe} v{self.number}"
