"""Writes for recipes: create and import, bindings, folders, start and stop, delete. A
recipe's draft, versions and live version change in drafts.py."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from builder.connections.models import Connection
from builder.errors import Conflict, NoSuchObject
from builder.jobs.payloads import without_nul
from builder.recipes.definitions import check_document, check_storable, digest, summary
from builder.recipes.drafts import (
    RecipeProblems,
    StaleRevision,
    draft_save,
    publish_locked,
    recipe_locked,
    version_create,
)
from builder.recipes.models import Recipe, RecipeState
from builder.recipes.selectors import live_definition, recipe_problems
from builder.triggers.services import triggers_activate, triggers_deactivate, triggers_remove
from builder.workspaces.models import Workspace

UNSET = object()  # an argument left out (None may be a value)


@transaction.atomic
def recipe_create(*, workspace: Workspace, definition, author=None, bindings=None, folder: str = "") -> Recipe:
    """A new stopped recipe whose draft is `definition` (which may have problems)."""
    check_storable(definition)
    definition = without_nul(definition)  # PostgreSQL cannot store a NUL; no recipe means one
    name, kind, description = summary(definition)
    recipe = Recipe.objects.create(
        workspace=workspace, name=name, trigger_kind=kind, description=description, folder=(folder or "")[:200],
        created_by=author, draft=definition, draft_digest=digest(definition), draft_saved_by=author,
        draft_saved_at=timezone.now(),
    )  # fmt: skip
    if bindings:
        recipe_bind(recipe=recipe, bindings=bindings)
    return recipe


@transaction.atomic
def recipe_import(*, workspace: Workspace, document, author=None, bindings=None, folder: str = "",
                  comment: str = "", origin: dict | None = None, samples: dict | None = None) -> Recipe:  # fmt: skip
    """A stopped recipe from an exchange document: its draft and its first version (which says
    its `origin`, a template's). Refuses a document that is not a stepwise.recipe/1 (and
    creates nothing); keeps one with problems. `samples`: the test data the editor starts with."""
    check_document(document)
    recipe = recipe_create(workspace=workspace, definition=document, author=author, bindings=bindings, folder=folder)
    if samples:
        recipe.samples = samples
        recipe.save(update_fields=["samples"])
    version_create(recipe, author=author, comment=comment or "Imported", origin=origin)
    return recipe


@transaction.atomic
def recipe_bind(*, recipe: Recipe, bindings, check_live: bool = True) -> Recipe:
    """Binds each slot to a connection of the workspace (None unbinds). A running recipe's live
    version must keep every slot bound to a fitting connection, unless `check_live` is False
    because the caller publishes next (which checks the new draft with these bindings)."""
    recipe = recipe_locked(recipe)
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
    if check_live and recipe.state == RecipeState.RUNNING:
        found = recipe_problems(recipe, definition=live_definition(recipe))
        if found:  # what runs must keep every slot bound to a fitting connection
            raise RecipeProblems(found)
    recipe.save(update_fields=["bindings", "updated_at"])
    return recipe


def recipe_move(*, recipe: Recipe, folder: str) -> Recipe:
    recipe.folder = (folder or "")[:200]
    recipe.save(update_fields=["folder", "updated_at"])
    return recipe


@transaction.atomic
def recipe_update(*, recipe: Recipe, author=None, definition: dict | object = UNSET, revision: int | None = None,
                  bindings: dict | object = UNSET, folder: str | object = UNSET, publish: bool = False,
                  comment: str = "") -> Recipe:  # fmt: skip
    """One edit of a recipe, applied whole or not at all: its bindings, its folder, its draft
    (from `revision`, see drafts.draft_save) and, with `publish`, the draft made live (checked
    with the new bindings, so one call may move a running recipe to other slots)."""
    if revision is not None and definition is UNSET and not publish:
        raise ValidationError({"revision": "A revision goes with a definition to save, or with publish."})
    recipe = recipe_locked(recipe)
    if bindings is not UNSET:
        recipe = recipe_bind(recipe=recipe, bindings=bindings, check_live=not publish)
    if folder is not UNSET:
        recipe = recipe_move(recipe=recipe, folder=folder)
    if definition is not UNSET:
        recipe = draft_save(recipe=recipe, definition=definition, author=author, revision=revision)
        revision = None  # checked, and the draft is now the caller's
    if publish:
        recipe = recipe_locked(recipe)
        if revision is not None and revision != recipe.revision:
            raise StaleRevision(recipe, revision)
        publish_locked(recipe, author=author, comment=comment)
    return recipe


@transaction.atomic
def recipe_start(*, recipe: Recipe, author=None, poll_from: datetime | None = None) -> Recipe:
    """Starts the live version and its trigger: its webhook URL, its beat entry, its poll
    cursor (a first start of a polling recipe picks up events from `poll_from`, or from now).
    A recipe never published publishes its draft first, with the same checks."""
    recipe = recipe_locked(recipe)
    found = recipe_problems(recipe, definition=live_definition(recipe))
    if found:
        raise RecipeProblems(found)
    if recipe.live_version_id is None:
        publish_locked(recipe, author=author, comment="Published on start")
    recipe.state = RecipeState.RUNNING
    recipe.save(update_fields=["state", "updated_at"])
    triggers_activate(recipe=recipe, poll_from=poll_from)
    return recipe


@transaction.atomic
def recipe_stop(*, recipe: Recipe) -> Recipe:
    recipe = recipe_locked(recipe)
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


def recipe_export(recipe: Recipe) -> dict:
    """The exchange JSON of the draft, as saved. Bindings and secrets are never part of it."""
    return recipe.draft
