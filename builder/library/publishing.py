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
from builder.library.screening import CREDENTIAL_KEY, SECRET, screen, workspace_secrets
from builder.library.selftest import run_self_test
from builder.library.services import FlaggedSamples, SelfTestFailed, template_create, version_store
from builder.recipes.definitions import trigger_of
from builder.recipes.models import Recipe


def published_from(recipe: Recipe) -> Template | None:
    return Template.objects.select_related("latest").filter(recipe=recipe, workspace_id=recipe.workspace_id).first()


def offered_self_test(recipe: Recipe) -> dict | None:
    """A self-test case made of the recipe's last test run: its trigger payload (less headers
    named like a credential, such as a webhook's signature, which the run never reads), each
    app step's output as its pin and the inputs it got as the calls to expect, and the response
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
    trigger = dict(job.trigger)
    if isinstance(trigger.get("headers"), dict):  # a webhook's signature, a caller's key: checked before the run
        trigger["headers"] = {k: v for k, v in trigger["headers"].items() if not CREDENTIAL_KEY.search(k)}
    if trigger_of(recipe.draft).get("kind") == "api_request" and job.response is not None:
        expect["response"] = {key: job.response[key] for key in ("status", "body") if key in job.response}
    return {"cases": [{"name": "The last test run", "trigger": trigger, "pins": pins, "expect": expect}]}


def _screened(document: dict, workspace_id: int, result: dict | None = None) -> list[dict]:
    """Every flag in what would be stored and shown to every workspace: the metadata, the
    recipe, the self-test and, once run, what its run sent and answered."""
    secrets = workspace_secrets(workspace_id)
    shown = {key: document.get(key) for key in ("title", "summary", "description", "tags", "recipe", "self_test")}
    if result is not None:
        shown["test_result"] = {"cases": [{"calls": c["calls"], "response": c["response"]} for c in result["cases"]]}
    notes = document.get("setup_notes")
    return screen(shown, secrets=secrets) + screen(notes, secrets=secrets, names=False, at=("setup_notes",))


def template_offer(recipe: Recipe) -> dict:
    """What the publish form starts from: the metadata of the template published from this
    recipe before (or the recipe's name and description), the offered self-test and what in
    all of it is flagged."""
    template = published_from(recipe)
    version = template.latest if template else None
    slots = recipe.draft.get("connections") if isinstance(recipe.draft.get("connections"), dict) else {}
    offer = {
        "template": template.pk if template else None,
        "listed": bool(template and template.listed),
        "title": version.title if version else recipe.name[:120],
        "summary": version.summary if version else recipe.description[:300],
        "description": version.description if version else "",
        "category": version.category if version else "",
        "tags": version.tags if version else [],
        "setup_notes": version.setup_notes if version else {slot: "" for slot in slots},
        "self_test": offered_self_test(recipe) or (version.self_test if version else None),
    }  # fmt: skip
    return {**offer, "flags": _screened({**offer, "recipe": recipe.draft}, recipe.workspace_id)}


def _free_slug(recipe: Recipe, title: str) -> str:
    """A new slug in the workspace's own namespace (its slug first), so that no later seed
    template of Stepwise's meets it."""
    base = slugify(f"{recipe.workspace.slug} {title}")[:90].strip("-") or "template"
    slug, n = base, 2
    while Template.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _publishable(recipe: Recipe, document: dict, accept_personal_data: bool):
    """The spec and its self-test's result, or the refusal that stores nothing: fields at
    fault, flags (a secret always; personal data unless accepted), a self-test that fails."""
    spec = parse_template(document)
    result = run_self_test(spec)
    flags = _screened(document, recipe.workspace_id, result)
    blocking = [f for f in flags if f["kind"] == SECRET or not accept_personal_data]
    if blocking:
        raise FlaggedSamples({f["pointer"]: f["message"] for f in blocking},
                             summary="The template carries secrets or personal data: replace them before publishing.",
                             details={"flags": flags})  # fmt: skip
    if not result["passed"]:
        problems = {f"self_test.cases.{n}{p['pointer'].replace('/', '.')}": p["message"]
                    for n, case in enumerate(result["cases"]) for p in case["problems"]}  # fmt: skip
        raise SelfTestFailed(problems, summary="The self-test does not pass: fix the samples or the recipe.",
                             details={"result": result})  # fmt: skip
    return spec, result


def template_publish(*, recipe: Recipe, author, title: str, summary: str, category: str, self_test: dict,
                     description: str = "", tags: list[str] | tuple = (), setup_notes: dict | None = None,
                     accept_personal_data: bool = False) -> TemplateVersion:  # fmt: skip
    """The recipe's draft as a template of its workspace (the next version of the one published
    from it before), slots only, never bindings, its author the workspace. Checked, screened
    and self-tested before any lock is taken; nothing is stored when any of it fails."""
    template = published_from(recipe)
    document = {"format": FORMAT, "slug": template.slug if template else _free_slug(recipe, str(title)),
                "title": title, "summary": summary, "description": description, "category": category,
                "tags": list(tags or []), "setup_notes": setup_notes or {}, "author": recipe.workspace.name,
                "recipe": recipe.draft, "self_test": self_test}  # fmt: skip
    spec, result = _publishable(recipe, document, accept_personal_data)
    with transaction.atomic():
        locked = Recipe.objects.select_for_update().get(pk=recipe.pk)
        if locked.draft_digest != recipe.draft_digest:
            raise Conflict({"recipe": "The draft changed while it was being published; publish again."})
        template = published_from(locked)
        if template is None:
            template = template_create(spec, source=Source.WORKSPACE, workspace_id=recipe.workspace_id,
                                       recipe=recipe)  # fmt: skip
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
