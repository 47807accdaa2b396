"""Reads of recipes: lists, the one reader of a recipe's trigger, and what stops a
definition from running."""

from __future__ import annotations

from django.db.models import QuerySet

from builder.connections.models import Connection
from builder.engine.checks import check_definition, problem
from builder.recipes.definitions import slot_users, trigger_of
from builder.recipes.models import Recipe, RecipeState
from connectors.registry import registry


def recipes_for_user(user, *, workspace_id: int | None = None) -> QuerySet[Recipe]:
    recipes = Recipe.objects.filter(workspace__memberships__user=user)
    if workspace_id is not None:
        recipes = recipes.filter(workspace_id=workspace_id)
    return recipes_listed(recipes)


def recipes_listed(recipes: QuerySet[Recipe]) -> QuerySet[Recipe]:
    """What a list of recipes shows: the live version's number and digest, not its document
    nor the draft (up to 2 MB each)."""
    return recipes.select_related("live_version").defer("draft", "live_version__definition")


def recipe_reloaded(recipe: Recipe) -> Recipe:
    """The recipe as stored now, with what its detail shows (after a change)."""
    return Recipe.objects.detailed().get(pk=recipe.pk)


def live_definition(recipe: Recipe) -> dict | None:
    return recipe.live_version.definition if recipe.live_version_id else None


def recipe_trigger(recipe: Recipe, *, draft: bool = False) -> dict:
    """The trigger of the recipe's live version (the draft's until a first publish), or of its
    draft (`draft=True`: what the builder is building, as a webhook's test URL reads it).
    {} when the definition has none."""
    live = None if draft else live_definition(recipe)
    return trigger_of(live if live is not None else recipe.draft)


def recipe_side(recipe: Recipe, side: str) -> tuple[dict, dict] | None:
    """One side of a diff: (how the answer names it, its definition) for "live", "draft" or a
    version number; None for a version the recipe does not have. Before a first publish the
    live side is the empty document."""
    if side == "draft":
        return {"side": "draft", "revision": recipe.revision}, recipe.draft
    if side == "live":
        live = recipe.live_version
        return {"side": "live", "version": live.number if live else None}, live.definition if live else {}
    version = recipe.versions.filter(number=int(side)).first()
    return ({"side": "version", "version": version.number}, version.definition) if version else None


def recipe_problems(recipe: Recipe, *, definition: dict | None = None, pinned: frozenset = frozenset()) -> list[dict]:
    """What stops `definition` (the draft's by default) from running as this recipe: its
    checks' problems, then its connection slots left unbound or bound to the wrong connector.
    A slot only `pinned` steps use (a test run's) calls no app, so it may stay unbound."""
    definition = recipe.draft if definition is None else definition
    found = check_definition(definition, registry())
    if found:
        return found
    bound = Connection.objects.filter(pk__in=list(recipe.bindings.values()), workspace_id=recipe.workspace_id)
    connections = {c.pk: c for c in bound}
    users = slot_users(definition)
    for slot, spec in definition.get("connections", {}).items():
        connection = connections.get(recipe.bindings.get(slot))
        if connection is None and pinned and users.get(slot) and users[slot] <= pinned:
            continue
        if connection is None:
            found.append(
                problem(f"/connections/{slot}", f"Bind the slot {slot!r} to a {spec['connector']} connection.")
            )
        elif connection.connector != spec["connector"]:
            found.append(problem(f"/connections/{slot}",
                                 f"The slot {slot!r} is bound to a {connection.connector} connection; it needs "
                                 f"{spec['connector']}."))  # fmt: skip
    return found


def running_recipes_using(connection: Connection) -> list[Recipe]:
    running = Recipe.objects.filter(workspace_id=connection.workspace_id, state=RecipeState.RUNNING)
    return [recipe for recipe in running.defer("draft") if connection.pk in recipe.bindings.values()]
