from django.db.models import QuerySet

from builder.recipes.models import Recipe


def recipes_for_user(user, *, workspace_id: int | None = None) -> QuerySet[Recipe]:
    recipes = Recipe.objects.filter(workspace__memberships__user=user).select_related("current_version")
    if workspace_id is not None:
        recipes = recipes.filter(workspace_id=workspace_id)
    return recipes
