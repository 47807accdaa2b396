from builder.recipes.models import Recipe
from builder.workspaces.access import access_in_workspace
from builder.workspaces.models import Role


def access_recipe(user, recipe_id, *, role: str = Role.VIEWER) -> Recipe:
    recipes = Recipe.objects.select_related("live_version", "draft_saved_by")
    return access_in_workspace(user, recipes, recipe_id, role=role, name="recipe")
