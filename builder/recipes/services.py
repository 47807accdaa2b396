"""Writes for recipes: every save is a new version; start checks the whole definition."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError

from builder.connections.models import Connection
from builder.engine.checks import check_definition, problem
from builder.errors import Conflict, NoSuchObject
from builder.jobs.payloads import without_nul
from builder.recipes.models import Recipe, RecipeState, RecipeVersion
from builder.triggers.services import triggers_activate, triggers_deactivate, triggers_remove
from builder.workspaces.models import Workspace
from connectors.registry import registry

MAX_DEFINITION_CHARS = 2_000_000


class RecipeProblems(Conflict):
    """The definition cannot start (or a running recipe cannot take it); `problems` lists each
    with its JSON pointer. A Conflict: the same definition is fine as a stopped draft."""

    def __init__(self, problems: list[dict]):
        super().__init__({"definition": [f"{p['pointer'] or '/'}: {p['message']}" for p in problems]})
        self.problems = problems


def _summary(definition) -> tuple[str, str, str]:
    if not isinstance(definition, dict):
        raise ValidationError({"definition": "A recipe definition is a JSON object."})
    if len(str(definition)) > MAX_DEFINITION_CHARS:
        raise ValidationError({"definition": "The definition is larger than 2 MB."})
    name = definition.get("name") if isinstance(definition.get("name"), str) else ""
    trigger = definition.get("trigger") if isinstance(definition.get("trigger"), dict) else {}
    kind = trigger.get("kind") if isinstance(trigger.get("kind"), str) else ""
    description = definition.get("description") if isinstance(definition.get("description"), str) else ""
    return (name.strip() or "Untitled recipe")[:200], kind[:20], description


def _new_version(recipe: Recipe, definition: dict, author, comment: str) -> RecipeVersion:
    definition = without_nul(definition)  # PostgreSQL cannot store a NUL; no recipe means one
    last = recipe.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = RecipeVersion.objects.create(recipe=recipe, number=last + 1, definition=definition, author=author,
                                           comment=(comment or "")[:500])  # fmt: skip
    recipe.name, recipe.trigger_kind, recipe.description = _summary(definition)
    recipe.current_version = version
    recipe.save()
    return version


@transaction.atomic
def recipe_create(*, workspace: Workspace, definition, author=None, bindings=None, folder="", comment="") -> Recipe:
    _summary(definition)
    recipe = Recipe.objects.create(workspace=workspace, name="…", folder=(folder or "")[:200], created_by=author)
    if bindings:
        recipe_bind(recipe=recipe, bindings=bindings)
    _new_version(recipe, definition, author, comment or "Created")
    return recipe


@transaction.atomic
def recipe_save(*, recipe: Recipe, definition, author=None, comment="") -> RecipeVersion:
    """Saves a new version. A draft may be invalid; a running recipe must stay valid."""
    _summary(definition)
    recipe = Recipe.objects.select_for_update().get(pk=recipe.pk)
    if recipe.state == RecipeState.RUNNING:
        found = recipe_problems(recipe, definition=definition)
        if found:
            raise RecipeProblems(found)
    version = _new_version(recipe, definition, author, comment)
    if recipe.state == RecipeState.RUNNING:
        triggers_activate(recipe=recipe)  # an edited schedule or interval applies at once
    return version


@transaction.atomic
def recipe_restore(*, recipe: Recipe, number: int, author=None) -> RecipeVersion:
    old = recipe.versions.filter(number=number).first()
    if old is None:
        raise ValidationError({"version": f"This recipe has no version {number}."})
    return recipe_save(recipe=recipe, definition=old.definition, author=author, comment=f"Restored version {number}")


@transaction.atomic
def recipe_bind(*, recipe: Recipe, bindings) -> Recipe:
    if not isinstance(bindings, dict) or not all(isinstance(k, str) for k in bindings):
        raise ValidationError({"bindings": "Bindings map connection slot names to connection ids."})
    clean = {}
    for slot, connection_id in bindings.items():
        if connection_id is None:
            continue
        if isinstance(connection_id, bool) or not isinstance(connection_id, int):
            raise ValidationError({f"bindings.{slot}": "Give a connection id."})
        if not Connection.objects.filter(pk=connection_id, workspace_id=recipe.workspace_id).exists():
            raise NoSuchObject({f"bindings.{slot}": f"There is no connection {connection_id} in this workspace."})
        clean[slot] = connection_id
    recipe.bindings = clean
    if recipe.state == RecipeState.RUNNING and recipe.current_version:
        found = recipe_problems(recipe)
        if found:  # a running recipe must keep every slot bound to a fitting connection
            raise RecipeProblems(found)
    recipe.save(update_fields=["bindings", "updated_at"])
    return recipe


def recipe_problems(recipe: Recipe, *, definition=None) -> list[dict]:
    """What stops the recipe from starting: its definition's problems and unbound slots."""
    definition = definition if definition is not None else recipe.current_version.definition
    found = check_definition(definition, registry())
    if found:
        return found
    connections = {c.pk: c for c in Connection.objects.filter(pk__in=recipe.bindings.values(),
                                                              workspace_id=recipe.workspace_id)}  # fmt: skip
    for slot, spec in definition.get("connections", {}).items():
        bound = connections.get(recipe.bindings.get(slot))
        if bound is None:
            found.append(
                problem(f"/connections/{slot}", f"Bind the slot {slot!r} to a {spec['connector']} connection.")
            )
        elif bound.connector != spec["connector"]:
            found.append(problem(f"/connections/{slot}",
                                 f"The slot {slot!r} is bound to a {bound.connector} connection; it needs "
                                 f"{spec['connector']}."))  # fmt: skip
    return found


@transaction.atomic
def recipe_start(*, recipe: Recipe, poll_from: datetime | None = None) -> Recipe:
    """Starts a recipe and its trigger: its webhook URL, its beat entry, its poll cursor
    (a first start of a polling recipe picks up events from `poll_from`, or from now)."""
    recipe = Recipe.objects.select_for_update().get(pk=recipe.pk)
    found = recipe_problems(recipe)
    if found:
        raise RecipeProblems(found)
    recipe.state = RecipeState.RUNNING
    recipe.save(update_fields=["state", "updated_at"])
    triggers_activate(recipe=recipe, poll_from=poll_from)
    return recipe


@transaction.atomic
def recipe_stop(*, recipe: Recipe) -> Recipe:
    recipe = Recipe.objects.select_for_update().get(pk=recipe.pk)
    recipe.state = RecipeState.STOPPED
    recipe.save(update_fields=["state", "updated_at"])  # a save, so that its signals run (the gateway's cache)
    triggers_deactivate(recipe=recipe)
    return recipe


@transaction.atomic
def recipe_delete(*, recipe: Recipe) -> None:
    if Recipe.objects.filter(pk=recipe.pk, state=RecipeState.RUNNING).exists():
        raise Conflict({"state": "Stop the recipe before deleting it."})
    try:
        with transaction.atomic():
            triggers_remove(recipe=recipe)
            recipe.delete()
    except ProtectedError as exc:
        users = ", ".join(sorted({str(obj) for obj in exc.protected_objects})[:5])
        raise Conflict({"recipe": f"API endpoints call this recipe ({users}); remove them first."}) from None


def running_recipes_using(connection: Connection) -> list[Recipe]:
    running = Recipe.objects.filter(workspace_id=connection.workspace_id, state=RecipeState.RUNNING)
    return [recipe for recipe in running if connection.pk in recipe.bindings.values()]


def recipe_export(recipe: Recipe) -> dict:
    """The exchange JSON: the definition as saved. Bindings and secrets are never part of it."""
    return recipe.current_version.definition
