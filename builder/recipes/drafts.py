"""A recipe's life from draft to live. The draft is the working copy (saved often, from a
revision the saver last saw); publish checks it, snapshots it as a version and makes that
version live in one transaction; discard and restore change the draft only."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from builder.errors import Conflict, NoSuchObject, Refusal
from builder.jobs.models import TEST_RUN, Job
from builder.jobs.payloads import without_nul
from builder.jobs.services import job_enqueue
from builder.recipes.definitions import action_step_ids, check_storable, digest, summary
from builder.recipes.models import Recipe, RecipeState, RecipeVersion
from builder.recipes.selectors import recipe_problems
from builder.triggers.services import triggers_activate


class _Problems:
    """A refusal that lists a definition's problems, each with its JSON pointer (`problems`)."""

    code = "invalid_recipe"
    summary_text = ""

    def __init__(self, problems: list[dict], *, summary: str = ""):
        lines = {"definition": [f"{p['pointer'] or '/'}: {p['message']}" for p in problems]}
        super().__init__(lines, summary=summary or self.summary_text, details={"problems": problems})
        self.problems = problems


class RecipeProblems(_Problems, Conflict):
    """What the recipe would run has problems, so it cannot start (or lose a binding, or have a
    test run): a conflict with its state, as the same draft may be kept."""

    summary_text = "The recipe cannot start: fix these problems."


class DraftProblems(_Problems, Refusal):
    """The draft has problems, so it cannot be published: the input to publish is at fault
    (400), and nothing changed."""

    summary_text = "The draft cannot be published: fix these problems."


class StaleRevision(Conflict):
    """A save from a revision older than the draft's: someone saved in between."""

    code = "stale_revision"

    def __init__(self, recipe: Recipe, revision: int):
        saved_by = recipe.draft_saved_by.username if recipe.draft_saved_by_id else None
        saved_at = recipe.draft_saved_at.isoformat() if recipe.draft_saved_at else None
        who = (f" by {saved_by}" if saved_by else "") + (f" at {saved_at}" if saved_at else "")
        message = (f"You edited revision {revision}, but revision {recipe.revision} was saved{who}; "
                   "load it and apply your change again.")  # fmt: skip
        super().__init__({"revision": [message]}, summary=message,
                         details={"current": {"revision": recipe.revision, "saved_by": saved_by,
                                              "saved_at": saved_at}})  # fmt: skip


def recipe_locked(recipe: Recipe) -> Recipe:
    """The recipe's row as stored now, locked until the transaction ends: every change of its
    draft, live version, bindings or state takes it, so that two never interleave."""
    return Recipe.objects.select_for_update(of=("self",)).detailed().get(pk=recipe.pk)


def _check_revision(recipe: Recipe, revision: int | None) -> None:
    if revision is not None and revision != recipe.revision:
        raise StaleRevision(recipe, revision)


def _set_draft(recipe: Recipe, definition: dict, author) -> None:
    recipe.draft, recipe.draft_digest = definition, digest(definition)
    recipe.revision += 1
    recipe.draft_saved_by, recipe.draft_saved_at = author, timezone.now()
    recipe.name, kind, recipe.description = summary(definition)
    if recipe.live_version_id is None:  # else the kind stays the live version's
        recipe.trigger_kind = kind
    recipe.save(update_fields=Recipe.DRAFT_FIELDS)


@transaction.atomic
def draft_save(*, recipe: Recipe, definition, author=None, revision: int | None = None) -> Recipe:
    """Stores the draft unless it is unchanged; never touches what runs. `revision` is the
    one the saver last saw: an older one than the draft's answers StaleRevision."""
    check_storable(definition)
    definition = without_nul(definition)  # PostgreSQL cannot store a NUL; no recipe means one
    recipe = recipe_locked(recipe)
    if digest(definition) == recipe.draft_digest:
        return recipe  # a save that changes nothing (an autosave of what is there) makes nothing
    _check_revision(recipe, revision)
    _set_draft(recipe, definition, author)
    return recipe


def version_create(recipe: Recipe, *, author=None, comment: str = "", origin: dict | None = None) -> RecipeVersion:
    """A snapshot of the draft as the next version (not live by itself); `origin` says where it
    came from when it was not made here (a template)."""
    last = recipe.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return RecipeVersion.objects.create(recipe=recipe, number=last + 1, definition=recipe.draft,
                                        digest=recipe.draft_digest, name=summary(recipe.draft)[0], author=author,
                                        comment=(comment or "")[:500], origin=origin)  # fmt: skip


def publish_locked(recipe: Recipe, *, author=None, comment: str = "") -> RecipeVersion:
    """Publish, inside the caller's transaction, on a recipe row it has locked."""
    found = recipe_problems(recipe)
    if found:
        raise DraftProblems(found)
    if recipe.live_version_id and recipe.live_version.digest == recipe.draft_digest:
        return recipe.live_version  # already live: nothing to publish
    latest = recipe.versions.order_by("-number").first()
    if latest is not None and latest.digest == recipe.draft_digest:
        version = latest  # the draft is its last version (an import's): that one goes live
    else:
        version = version_create(recipe, author=author, comment=comment)
    recipe.live_version = version
    recipe.trigger_kind = summary(version.definition)[1]
    recipe.save(update_fields=["live_version", "trigger_kind", "updated_at"])
    if recipe.state == RecipeState.RUNNING:
        triggers_activate(recipe=recipe)  # an edited schedule, interval or poll applies at once
    return version


@transaction.atomic
def recipe_publish(*, recipe: Recipe, author=None, comment: str = "", revision: int | None = None) -> RecipeVersion:
    """Checks the draft (DraftProblems lists every problem, and nothing changes), snapshots it
    as a version and makes it live. New calls, events and jobs run it from the commit on; jobs
    already running finish on the version they started with."""
    recipe = recipe_locked(recipe)
    _check_revision(recipe, revision)
    return publish_locked(recipe, author=author, comment=comment)


MAX_PINS_CHARS = 2_000_000


def _check_pins(recipe: Recipe, pins) -> dict:
    if not isinstance(pins, dict):
        raise ValidationError({"pins": "Pins map action step ids to the output each answers instead of its app."})
    actions = action_step_ids(recipe.draft.get("steps"))
    unknown = {f"pins.{key}": "The draft has no action step with this id." for key in pins if key not in actions}
    if unknown:
        raise ValidationError(unknown)
    if len(json.dumps(pins, ensure_ascii=False)) > MAX_PINS_CHARS:
        raise ValidationError({"pins": "The pinned outputs are larger than 2 MB."})
    return without_nul(pins)


def draft_test_run(*, recipe: Recipe, trigger: dict, pins: dict | None = None) -> Job:
    """One run of the draft on the worker with a sample trigger payload, running or not; the
    action steps named in `pins` answer their pinned output and call no app. The job records
    the live version when the draft is that version, else the draft itself."""
    pins = _check_pins(recipe, pins) if pins else None
    found = recipe_problems(recipe, pinned=frozenset(pins or ()))
    if found:
        raise RecipeProblems(found, summary="The draft cannot run: fix these problems.")
    if recipe.live_version_id and recipe.live_version.digest == recipe.draft_digest:
        return job_enqueue(recipe=recipe, trigger=trigger, trigger_kind=TEST_RUN, version=recipe.live_version,
                           pins=pins)  # fmt: skip
    return job_enqueue(recipe=recipe, trigger=trigger, trigger_kind=TEST_RUN, draft=recipe.draft, pins=pins)


@transaction.atomic
def recipe_discard(*, recipe: Recipe, author=None) -> Recipe:
    """The draft becomes the live version again."""
    recipe = recipe_locked(recipe)
    if recipe.live_version_id is None:
        raise Conflict({"draft": "Nothing is published yet, so there is no live version to go back to."})
    if recipe.draft_digest != recipe.live_version.digest:
        _set_draft(recipe, recipe.live_version.definition, author)
    return recipe


@transaction.atomic
def recipe_restore(*, recipe: Recipe, number: int, author=None) -> Recipe:
    """The version becomes the draft; publish makes it live."""
    recipe = recipe_locked(recipe)
    version = recipe.versions.filter(number=number).first()
    if version is None:
        raise NoSuchObject({"version": f"This recipe has no version {number}."})
    if version.digest != recipe.draft_digest:
        _set_draft(recipe, version.definition, author)
    return recipe
