"""The community library's pages: browse and search, a template's preview (its self-test run
again, unpublished by its workspace's owners), Use this template, and a recipe's publish form."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from builder.library import preview, publishing, services
from builder.library.access import access_template, owns_template, runs_self_tests
from builder.library.forms import LibraryFilters, UseForm, workspace_choice
from builder.library.publish_form import PublishForm
from builder.recipes.access import access_recipe
from builder.workspaces.current import current_membership
from builder.workspaces.models import Role

PAGE_SIZE = 24


@login_required
def library_list(request):
    form = LibraryFilters(request.GET)
    filters = form.filters()
    found = preview.library_browse(**filters, size=PAGE_SIZE)
    kept = {name: value for name, value in filters.items() if value and name != "cursor"}
    next_query = urlencode({**kept, "cursor": found["next_cursor"]}) if found["next_cursor"] else ""
    errors = {**form.errors_by_field(), **{name: " ".join(texts) for name, texts in found["problems"].items()}}
    context = {"form": form, "errors": errors, "chosen": filters, "found": found, "next_query": next_query,
               "filtered": bool(kept.keys() - {"sort"}), "choices": preview.filter_choices()}  # fmt: skip
    return render(request, "library/list.html", context)


@login_required
def template_detail(request, template_id):
    template = access_template(request.user, template_id)
    context = {"template": template, "shown": preview.template_preview(template),
               "can_unpublish": template.listed and owns_template(request.user, template),
               "can_run": runs_self_tests(request.user)}  # fmt: skip
    return render(request, "library/preview.html", context)


@login_required
@require_POST
def template_self_test(request, template_id):
    result = services.template_verify(template=access_template(request.user, template_id, run=True))
    if result["passed"]:
        messages.success(request, f"The self-test passes on Stepwise {result['stepwise_version']}.")
    else:
        messages.error(request, "The self-test fails: each case below says where.")
    return redirect("library_template", template_id=template_id)


@login_required
@require_POST
def template_unpublish(request, template_id):
    template = publishing.template_unpublish(template=access_template(request.user, template_id, owner=True))
    messages.success(request, f"“{template.title}” is out of the library; the recipes made from it keep running.")
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("library_template", template_id=template.pk)


@login_required
def template_use(request, template_id):
    """The workspace, and for each connection slot a connection, later, or a new one made here."""
    template = access_template(request.user, template_id)
    building = preview.building_memberships(request.user)
    allowed = [m.workspace_id for m in building]
    current = current_membership(request)
    if request.method == "POST":
        workspace_id = workspace_choice(request.POST.get("workspace"), allowed, posted=True)
        form = UseForm.read(request.POST, template, preview.use_slots(template, workspace_id), workspace_id)
        if not form.errors:
            workspace = next(m.workspace for m in building if m.workspace_id == workspace_id)
            try:
                recipe = services.template_use(
                    template=template, workspace=workspace, author=request.user, bindings=form.bindings,
                    new_connections=form.new_connections,
                )  # fmt: skip
            except ValidationError as exc:
                form.refused(exc.message_dict)
            else:
                messages.success(request, f"“{recipe.name}” is ready in {workspace.name}: run a test with the "
                                          "template's samples, then publish and start it.")  # fmt: skip
                return redirect("recipe_edit", recipe_id=recipe.pk)
    else:
        workspace_id = workspace_choice(request.GET.get("workspace"), allowed,
                                        current=current.workspace_id if current else None)  # fmt: skip
        form = UseForm.blank(template, preview.use_slots(template, workspace_id), workspace_id)
    context = {"template": template, "form": form, "building": building}
    return render(request, "library/use.html", context, status=400 if form.errors else 200)


@login_required
def recipe_library(request, recipe_id):
    """Publish a recipe to the library (its workspace's owners): the offer made of its last
    test run, reviewed, each refusal shown by the field or sample part it names."""
    recipe = access_recipe(request.user, recipe_id, role=Role.OWNER)
    offer = publishing.template_offer(recipe)
    posted = request.method == "POST"
    form = PublishForm(offer, request.POST if posted else None)
    if posted and form.ready and not form.errors:
        try:
            version = publishing.template_publish(recipe=recipe, author=request.user, **form.publish_arguments())
        except ValidationError as exc:
            form.refused(exc)
        else:
            verified = version.test_result.get("stepwise_version", "")
            messages.success(request, f"“{version.title}” version {version.number} is in the library, its "
                                      f"self-test verified on {verified}.")  # fmt: skip
            return redirect("library_template", template_id=version.template_id)
    context = {"recipe": recipe, "offer": offer, "form": form, "posted": posted}
    return render(request, "library/publish.html", context, status=400 if posted else 200)
