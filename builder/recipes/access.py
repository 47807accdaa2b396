from django.http import Http404

from builder.recipes.models import Recipe
from builder.workspaces.access import access_membership, parse_id
from builder.workspaces.models import Role


def access_recipe(user, recipe_id, *, role: str = Role.VIEWER) -> Recipe:
    recipe = Recipe.objects.filter(pk=parse_id(recipe_id)).select_related("current_version").first()
    if recipe is None:
        raise Http404("No such recipe.")
    access_membership(user, recipe.workspace_id, role=role)
    return recipe
