"""Recipes pages (until the visual editor): list with start / stop, import, export, and a
recipe page with its draft, problems, publish and discard, and versions."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from builder.connections.models import Connection
from builder.recipes import drafts, services
from builder.recipes.access import access_recipe
from builder.recipes.definitions import NEW_TRIGGERS, blank_definition
from builder.recipes.models import Recipe, RecipeState
from builder.recipes.selectors import recipe_problems, recipes_listed
from builder.triggers.selectors import erroring_polls, trigger_summary
from builder.triggers.services import hook_regenerate, parse_poll_from
from builder.workspaces.access import access_membership
from builder.workspaces.current import current_membership
from builder.workspaces.models import Role
from connectors import strict_json

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
NEW_TRIGGER_CHOICES = [(kind, label) for kind, (label, _trigger) in NEW_TRIGGERS.items()]


def _flash_problems(request, exc: ValidationError) -> None:
    for text in sum(exc.message_dict.values(), []):
        messages.error(request, text)


@login_required
def recipe_list(request):
    membership = current_membership(request)
    if membership is None:
        return redirect("workspace_new")
    recipes = recipes_listed(Recipe.objects.filter(workspace_id=membership.workspace_id))
    return render(request, "recipes/list.html", {"recipes": recipes, "membership": membership,
                                                 "erroring": erroring_polls(membership.workspace_id),
                                                 "can_edit": membership.allows(Role.BUILDER),
                                                 "new_triggers": NEW_TRIGGER_CHOICES})  # fmt: skip


def _building_membership(request):
    """The current workspace's membership, which must allow building; None: no workspace yet."""
    membership = current_membership(request)
    if membership is not None:
        access_membership(request.user, membership.workspace_id, role=Role.BUILDER)
    return membership


@login_required
@require_POST
def recipe_new(request):
    """An empty recipe (a name and what starts it), opened in the editor."""
    membership = _building_membership(request)
    if membership is None:
        return redirect("workspace_new")
    try:
        definition = blank_definition(request.POST.get("name", ""), request.POST.get("trigger_kind", ""))
        recipe = services.recipe_create(workspace=membership.workspace, definition=definition, author=request.user)
    except ValidationError as exc:
        _flash_problems(request, exc)
        return redirect("recipe_list")
    return redirect("recipe_edit", recipe_id=recipe.pk)


@login_required
@require_POST
def recipe_import(request):
    membership = _building_membership(request)
    if membership is None:
        return redirect("workspace_new")
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationError({"file": "Choose a recipe JSON file to import."})
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError({"file": "The file is larger than 2 MB."})
        try:
            definition = strict_json.parse(upload.read(), "The file")
        except strict_json.JSONBodyError as exc:
            raise ValidationError({"file": exc.message}) from None
        recipe = services.recipe_import(workspace=membership.workspace, document=definition, author=request.user,
                                        comment=f"Imported from {upload.name}"[:500])  # fmt: skip
    except ValidationError as exc:
        _flash_problems(request, exc)
        return redirect("recipe_list")
    messages.success(request, f"Recipe {recipe.name} imported as a draft. Bind its connections, then start it.")
    return redirect("recipe_detail", recipe_id=recipe.pk)


@login_required
def recipe_edit(request, recipe_id):
    """The editor's page: its ES modules (static/editor/) load the draft through the API."""
    recipe = access_recipe(request.user, recipe_id)
    membership = access_membership(request.user, recipe.workspace_id)
    return render(request, "recipes/editor.html", {"recipe": recipe, "can_edit": membership.allows(Role.BUILDER),
                                                   "can_publish": membership.allows(Role.OWNER)})  # fmt: skip


@login_required
def recipe_detail(request, recipe_id):
    return _detail_page(request, access_recipe(request.user, recipe_id))


def _detail_page(request, recipe, *, status: int = 200, **extra):
    membership = access_membership(request.user, recipe.workspace_id)
    definition = recipe.draft
    slots = definition.get("connections") if isinstance(definition.get("connections"), dict) else {}
    choices = {slot: Connection.objects.filter(workspace_id=recipe.workspace_id, connector=spec.get("connector"))
               for slot, spec in slots.items() if isinstance(spec, dict)}  # fmt: skip
    context = {
        "recipe": recipe,
        "definition_text": json.dumps(definition, indent=2, ensure_ascii=False),
        "problems": recipe_problems(recipe),
        "versions": recipe.versions.select_related("author")[:50],
        "slots": [(slot, spec, choices.get(slot, []), recipe.bindings.get(slot)) for slot, spec in slots.items()],
        "can_edit": membership.allows(Role.BUILDER),
        "can_publish": membership.allows(Role.OWNER),
        "jobs": recipe.jobs.select_related("version").order_by("-id")[:20],
        **_trigger_context(request, recipe, can_edit=membership.allows(Role.BUILDER)),
        **extra,
    }
    # The test run starts from what was typed last, else from a webhook's captured sample.
    context["sample"] = (
        request.session.pop(f"recipe-sample-{recipe.pk}", None) or context["sample_text"] or ('{\n  "body": {}\n}')
    )
    return render(request, "recipes/detail.html", context, status=status)


@login_required
@require_POST
def recipe_test(request, recipe_id):
    """Runs the draft once on the worker with the sample payload typed in."""
    recipe = access_recipe(request.user, recipe_id, role=Role.BUILDER)
    text = request.POST.get("trigger", "")
    try:
        trigger = strict_json.parse(text or "{}", "The sample payload")
        if not isinstance(trigger, dict):
            raise strict_json.JSONBodyError("The sample payload is not a JSON object.")
    except strict_json.JSONBodyError as exc:
        request.session[f"recipe-sample-{recipe.pk}"] = text[:100_000]
        messages.error(request, exc.message)
        return redirect("recipe_detail", recipe_id=recipe.pk)
    try:
        job = drafts.draft_test_run(recipe=recipe, trigger=trigger)
    except drafts.RecipeProblems:
        messages.error(request, "The draft cannot run: fix the problems listed on its page.")
        return redirect("recipe_detail", recipe_id=recipe.pk)
    return redirect("job_detail", job_id=job.pk)


@login_required
@require_POST
def recipe_publish(request, recipe_id):
    recipe = access_recipe(request.user, recipe_id, role=Role.BUILDER)
    # The revision the page showed: a colleague's later save is not published unseen.
    seen = request.POST.get("revision", "")
    try:
        version = drafts.recipe_publish(
            recipe=recipe, author=request.user, revision=int(seen) if seen.isdigit() else None,
            comment=request.POST.get("comment", "").strip()[:500],
        )  # fmt: skip
    except drafts.DraftProblems:
        messages.error(request, "The draft cannot be published: fix the problems listed on its page.")
    except ValidationError as exc:
        _flash_problems(request, exc)
    else:
        running = " It runs from now on." if recipe.state == RecipeState.RUNNING else " Start the recipe to run it."
        messages.success(request, f"Version {version.number} is live.{running}")
    return redirect("recipe_detail", recipe_id=recipe.pk)


@login_required
@require_POST
def recipe_discard(request, recipe_id):
    recipe = access_recipe(request.user, recipe_id, role=Role.BUILDER)
    try:
        drafts.recipe_discard(recipe=recipe, author=request.user)
    except ValidationError as exc:
        _flash_problems(request, exc)
    else:
        messages.success(request, f"The draft is version {recipe.live_version.number} again.")
    return redirect("recipe_detail", recipe_id=recipe.pk)


@login_required
@require_POST
def recipe_bind(request, recipe_id):
    recipe = access_recipe(request.user, recipe_id, role=Role.BUILDER)
    bindings = {}
    for key, value in request.POST.items():
        if key.startswith("slot_") and value:
            bindings[key.removeprefix("slot_")] = int(value) if value.isdigit() else value
    try:
        services.recipe_bind(recipe=recipe, bindings=bindings)
    except ValidationError as exc:
        _flash_problems(request, exc)
    else:
        messages.success(request, "Connections bound.")
    return redirect("recipe_detail", recipe_id=recipe.pk)


def _trigger_context(request, recipe, *, can_edit: bool) -> dict:
    trigger = trigger_summary(recipe, build_url=request.build_absolute_uri, show_secrets=can_edit)
    sample = (trigger.get("webhook") or {}).get("sample")
    cursor = (trigger.get("poll") or {}).get("cursor")
    return {
        "trigger": trigger,
        "sample_text": json.dumps(sample, indent=2, ensure_ascii=False) if sample is not None else "",
        "cursor_text": json.dumps(cursor, ensure_ascii=False) if cursor is not None else "",
    }


def _poll_from(request):
    """The start form's "pick up events from": now, or the date typed in (taken as UTC)."""
    if request.POST.get("poll_from_choice") != "date":
        return None
    typed = (request.POST.get("poll_from_date") or "").strip()
    if not typed:
        raise ValidationError({"poll_from": "Choose the date and time to pick up events from."})
    return parse_poll_from(f"{typed}Z")


@login_required
@require_POST
def recipe_state(request, recipe_id, action):
    recipe = access_recipe(request.user, recipe_id, role=Role.BUILDER)
    try:
        poll_from = _poll_from(request) if action == "start" else None
    except ValidationError as exc:
        # Said next to the date, which stays as typed; the recipe stays stopped.
        return _detail_page(request, recipe, status=400, poll_from_error=" ".join(exc.message_dict["poll_from"]),
                            poll_from_date=request.POST.get("poll_from_date", "")[:40])  # fmt: skip
    try:
        if action == "start":
            services.recipe_start(recipe=recipe, author=request.user, poll_from=poll_from)
        else:
            services.recipe_stop(recipe=recipe)
    except drafts.RecipeProblems:
        messages.error(request, "The recipe cannot start: fix the problems listed on its page.")
    except ValidationError as exc:
        messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
    else:
        messages.success(request, f"{recipe.name} is {'running' if action == 'start' else 'stopped'}.")
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("recipe_detail", recipe_id=recipe.pk)


@login_required
@require_POST
def recipe_trigger_regenerate(request, recipe_id):
    """A new secret webhook URL (or the first one, for a recipe not started yet)."""
    recipe = access_recipe(request.user, recipe_id, role=Role.BUILDER)
    try:
        _hook, had = hook_regenerate(recipe=recipe)
    except ValidationError as exc:
        _flash_problems(request, exc)
    else:
        messages.success(request, "A new URL is ready; the old one no longer works." if had else
                         "The webhook URLs are ready.")  # fmt: skip
    return redirect("recipe_detail", recipe_id=recipe.pk)


@login_required
@require_POST
def recipe_restore(request, recipe_id, number):
    recipe = access_recipe(request.user, recipe_id, role=Role.BUILDER)
    try:
        drafts.recipe_restore(recipe=recipe, number=number, author=request.user)
    except ValidationError as exc:
        _flash_problems(request, exc)
    else:
        messages.success(request, f"Version {number} is the draft now; publish it to make it live.")
    return redirect("recipe_detail", recipe_id=recipe.pk)


@login_required
def recipe_export(request, recipe_id):
    recipe = access_recipe(request.user, recipe_id)
    response = JsonResponse(services.recipe_export(recipe), json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="recipe-{recipe.pk}.json"'
    return response
