"""A workspace's recipe published to the library: the self-test offered from its last test
run, screened for secrets and personal data, checked and run before anything is stored; a
later publish of the same recipe is the template's next version; unpublish and list again."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify

from builder.errors import Conflict
from builder.jobs.models import JobStatus
from builder.jobs.selectors import latest_test_run
from builder.library.document import FORMAT, app_steps, parse_template
from builder.library.models import Source, Template, TemplateVersion
from builder.library.screening import SECRET, screen, workspace_secrets
from builder.library.selftest import run_self_test
from builder.library.services import FlaggedSamples, SelfTestFailed, version_store
from builder.recipes.definitions import trigger_of
from builder.recipes.models import Recipe


def published_from(recipe: Recipe) -> Template | None:
    return Template.objects.select_related("latest").filter(recipe=recipe, workspace_id=recipe.workspace_id).first()


def offered_self_test(recipe: Recipe) -> dict | None:
    """A self-test case made of the recipe's last test run: its trigger payload, each app
    step's output as its pin and the inputs it got as the calls to expect, and the response
    for an endpoint. None before a first test run."""
    job = latest_test_run(recipe.pk)
    if job is None:
        return None
    apps = set(app_steps(recipe.draft))
    pins, calls = {}, {}
    for row in job.steps.filter(kind="action").order_by("id"):
        if row.step_id not in apps:
            continue
        if row.status == JobStatus.SUCCEEDED and row.step_id not in pins:
            pins[row.step_id] = row.output
        calls.setdefault(row.step_id, []).append(row.input)
    expect = {"status": job.status if job.status in ("succeeded", "failed") else "succeeded", "calls": calls}
    if trigger_of(recipe.draft).get("kind") == "api_request" and job.response is not None:
        expect["response"] = {key: job.response[key] for key in ("status", "body") if key in job.response}
    return {"cases": [{"name": "The last test run", "trigger": job.trigger, "pins": pins, "expect": expect}]}


def template_offer(recipe: Recipe) -> dict:
    """What the publish form starts from: the metadata of the template published from this
    recipe before (or the recipe's name and description), the offered self-test and its flags."""
    template = published_from(recipe)
    version = template.latest if template else None
    self_test = offered_self_test(recipe) or (version.self_test if version else None)
    flags = sample_flags(recipe, self_test) if self_test else []
    return {
        "template": template.pk if template else None,
        "listed": bool(template and template.listed),
        "title": version.title if version else recipe.name[:120],
        "summary": version.summary if version else recipe.description[:300],
        "description": version.description if version else "",
        "category": version.category if version else "",
        "tags": version.tags if version else [],
        "setup_notes": version.setup_notes if version else {slot: "" for slot in recipe.draft.get("connections", {})},
        "self_test": self_test,
        "flags": flags,
    }  # fmt: skip


def sample_flags(recipe: Recipe, self_test: dict) -> list[dict]:
    """What screening finds in a self-test about to be published from the recipe's workspace."""
    return screen({"self_test": self_test}, secrets=workspace_secrets(recipe.workspace_id))


def _free_slug(title: str) -> str:
    base = slugify(title)[:90].strip("-") or "template"
    slug, n = base, 2
    while Template.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def template_publish(*, recipe: Recipe, author, title, summary, category, self_test, description: str = "",
                     tags=(), setup_notes=None, accept_personal_data: bool = False) -> TemplateVersion:  # fmt: skip
    """The recipe's draft as a template of its workspace (the next version of the one published
    from it before), slots only, never bindings. Nothing is stored when the self-test is
    flagged (a secret always; personal data unless the owner accepts it) or does not pass."""
    recipe = Recipe.objects.select_for_update().get(pk=recipe.pk)
    template = published_from(recipe)
    document = {"format": FORMAT, "slug": template.slug if template else _free_slug(str(title)), "title": title,
                "summary": summary, "description": description, "category": category, "tags": list(tags or []),
                "setup_notes": setup_notes or {}, "author": author.get_username() if author else "",
                "recipe": recipe.draft, "self_test": self_test}  # fmt: skip
    spec = parse_template(document)
    flags = sample_flags(recipe, spec.self_test)
    blocking = [f for f in flags if f["kind"] == SECRET or not accept_personal_data]
    if blocking:
        raise FlaggedSamples({f["pointer"]: f["message"] for f in blocking},
                             summary="The samples carry secrets or personal data: replace them before publishing.",
                             details={"flags": flags})  # fmt: skip
    result = run_self_test(spec)
    if not result["passed"]:
        problems = {f"self_test.cases.{n}{p['pointer'].replace('/', '.')}": p["message"]
                    for n, case in enumerate(result["cases"]) for p in case["problems"]}  # fmt: skip
        raise SelfTestFailed(problems, summary="The self-test does not pass: fix the samples or the recipe.",
                             details={"result": result})  # fmt: skip
    if template is None:
        template = Template.objects.create(slug=spec.slug, source=Source.WORKSPACE, workspace_id=recipe.workspace_id,
                                           recipe=recipe, title=spec.title, summary=spec.summary,
                                           category=spec.category, use_case=spec.use_case)  # fmt: skip
    if template.latest_id and template.latest.digest == spec.digest:
        version = template.latest  # the same content again (after an unpublish, say): no new version
    else:
        version = version_store(template, spec, author=author, result=result)
    Template.objects.filter(pk=template.pk).update(listed=True)
    return version


def template_unpublish(*, template: Template) -> Template:
    """Out of the list and the search; its clones keep running; a later publish lists it again."""
    if template.read_only:
        raise Conflict({"template": "The installation's own templates are read-only."})
    Template.objects.filter(pk=template.pk).update(listed=False)
    template.listed = False
    return template
