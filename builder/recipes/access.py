from builder.recipes.models import Recipe
from builder.workspaces.access import access_in_workspace
from builder.workspaces.models import Role


def access_recipe(user, recipe_id, *, role: str = Role.VIEWER) -> Recipe:
    return access_in_workspace(user, Recipe.objects.detailed(), recipe_id, role=role, name="recipe")
