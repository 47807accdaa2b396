"""The template file: one JSON document per template (the recipe, its catalog metadata and
its self-test), what export writes and import reads, and the checks a template passes
before it is stored. Reads documents before they are known to be valid."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from builder.engine.checks import check_definition
from builder.jobs.payloads import without_nul
from builder.library.models import CATEGORIES, UseCase
from builder.recipes.definitions import FORMAT as RECIPE_FORMAT
from builder.recipes.definitions import action_steps, check_storable, digest, trigger_of, walk_steps
from connectors.registry import registry

FORMAT = "stepwise.template/1"
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_CASES = 10
MAX_TAGS = 12
LIMITS = {"title": 120, "summary": 300, "description": 20_000, "author": 150}


@dataclass
class TemplateSpec:
    """A template's content, checked: what a version stores."""

    slug: str
    title: str
    summary: str
    description: str
    category: str
    tags: list[str]
    setup_notes: dict[str, str]
    author: str
    definition: dict
    self_test: dict
    version: int | None = None  # the number a file says it had where it came from
    connectors: list[str] = field(default_factory=list)
    use_case: str = ""

    @property
    def digest(self) -> str:
        """What makes two publishes the same template version (its number left out)."""
        return digest({**template_document(self), "version": None})


def use_case_of(definition: dict) -> str | None:
    """Paths for an async endpoint, Query for a sync one, Event for a push, schedule or poll."""
    trigger = trigger_of(definition)
    kind = trigger.get("kind")
    if kind == "api_request":
        return UseCase.QUERY if trigger.get("mode") == "sync" else UseCase.PATHS
    if kind in ("webhook", "schedule", "poll"):
        return UseCase.EVENT
    return None


def app_steps(definition: dict) -> list[str]:
    """The ids of the action steps that call an app through a connection slot, in order."""
    return [s["id"] for s in walk_steps(definition.get("steps"))
            if "action" in s and isinstance(s.get("id"), str) and isinstance(s.get("connection"), str)]  # fmt: skip


def connectors_of(definition: dict) -> list[str]:
    """The connectors a recipe uses: its trigger's, then its steps' and slots', in order."""
    found: list[str] = []
    trigger = trigger_of(definition)
    kind = trigger.get("kind")
    if kind == "webhook":
        found.append("webhooks")
    elif kind == "schedule":
        found.append("scheduler")
    elif kind == "poll" and isinstance(trigger.get("poll"), str):
        found.append(trigger["poll"].partition(".")[0])
    found += [action.partition(".")[0] for action in action_steps(definition).values()]
    slots = definition.get("connections")
    found += [spec.get("connector") for spec in (slots.values() if isinstance(slots, dict) else [])
              if isinstance(spec, dict) and isinstance(spec.get("connector"), str)]  # fmt: skip
    return list(dict.fromkeys(found))


def _text(document: dict, key: str, errors: dict, *, required: bool = True) -> str:
    value = document.get(key, "")
    if not isinstance(value, str):
        errors[key] = "Give a text."
        return ""
    value = value.strip()
    if required and not value:
        errors[key] = "This is required."
    elif len(value) > LIMITS[key]:
        errors[key] = f"At most {LIMITS[key]} characters."
    return value


def check_metadata(document: dict, errors: dict) -> dict:
    """The catalog fields of a template document or a publish request, each error by field."""
    clean = {key: _text(document, key, errors, required=key in ("title", "summary"))
             for key in ("title", "summary", "description", "author")}  # fmt: skip
    category = document.get("category")
    if category not in CATEGORIES:
        errors["category"] = f"Choose one of {', '.join(CATEGORIES)}."
    tags = document.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and 0 < len(t.strip()) <= 40 for t in tags):
        errors["tags"] = "Tags are a list of words of at most 40 characters."
        tags = []
    elif len(tags) > MAX_TAGS:
        errors["tags"] = f"At most {MAX_TAGS} tags."
    notes = document.get("setup_notes", {})
    if not isinstance(notes, dict) or not all(isinstance(v, str) and len(v) <= 2000 for v in notes.values()):
        errors["setup_notes"] = "Setup notes map each connection slot to a text of at most 2,000 characters."
        notes = {}
    tags = list(dict.fromkeys(t.strip().lower() for t in tags))
    return {**clean, "category": category, "tags": tags, "setup_notes": notes}


def check_recipe(definition, errors: dict) -> None:
    if not isinstance(definition, dict) or definition.get("format") != RECIPE_FORMAT:
        errors["recipe"] = f"The recipe is a {RECIPE_FORMAT} document."
        return
    try:
        check_storable(definition)
    except ValidationError as exc:
        errors["recipe"] = "; ".join(exc.messages)
        return
    for found in check_definition(definition, registry()):
        errors.setdefault(f"recipe{found['pointer'].replace('/', '.')}", found["message"])
    if "recipe" not in errors and use_case_of(definition) is None:
        errors["recipe.trigger.kind"] = "A template starts on an API request, a webhook, a schedule or a poll."


def _case_errors(case, n: int, definition: dict, errors: dict) -> None:
    where = f"self_test.cases.{n}"
    if not isinstance(case, dict):
        errors[where] = "A case is an object with a trigger, pins and what to expect."
        return
    if not isinstance(case.get("name", ""), str) or len(case.get("name", "")) > 120:
        errors[f"{where}.name"] = "A case's name is a text of at most 120 characters."
    if not isinstance(case.get("trigger"), dict):
        errors[f"{where}.trigger"] = 'Give the sample trigger payload: an object ({"body": ...} for an endpoint).'
    pins = case.get("pins", {})
    actions = action_steps(definition)
    if not isinstance(pins, dict):
        errors[f"{where}.pins"] = "Pins map action step ids to the output their app would answer."
        pins = {}
    for key in pins:
        if key not in actions:
            errors[f"{where}.pins.{key}"] = "The recipe has no action step with this id."
    for step_id in app_steps(definition):
        if step_id not in pins:
            errors[f"{where}.pins.{step_id}"] = (f"Step {step_id} calls an app: pin the output it would answer, "
                                                 "so that the self-test needs no connection.")  # fmt: skip
    expect = case.get("expect")
    if not isinstance(expect, dict):
        errors[f"{where}.expect"] = "Say what to expect: the status, and the response or the app calls."
        return
    if expect.get("status", "succeeded") not in ("succeeded", "failed"):
        errors[f"{where}.expect.status"] = "Expect succeeded or failed."
    calls = expect.get("calls", {})
    if not isinstance(calls, dict):
        errors[f"{where}.expect.calls"] = "Calls map pinned step ids to the list of inputs the step receives."
        return
    for key, inputs in calls.items():
        if key not in pins:
            errors[f"{where}.expect.calls.{key}"] = "Only a pinned step's calls can be expected."
        elif not isinstance(inputs, list):
            errors[f"{where}.expect.calls.{key}"] = "Give the list of inputs, one per call, in order."
    if "response" in expect and not (expect["response"] is None or isinstance(expect["response"], dict)):
        errors[f"{where}.expect.response"] = "The expected response is an object with a status and a body."
    if not calls and "response" not in expect:
        errors[f"{where}.expect"] = "Expect a response or the inputs of at least one app call."


def check_self_test(self_test, definition: dict, errors: dict) -> dict:
    if not isinstance(self_test, dict) or not isinstance(self_test.get("cases"), list) or not self_test["cases"]:
        errors["self_test.cases"] = "A self-test has one or more cases."
        return {}
    cases = self_test["cases"]
    if len(cases) > MAX_CASES:
        errors["self_test.cases"] = f"At most {MAX_CASES} cases."
    if not any(key == "recipe" or key.startswith("recipe.") for key in errors):  # a case is read against a sound recipe
        for n, case in enumerate(cases[:MAX_CASES]):
            _case_errors(case, n, definition, errors)
    return {"cases": cases}


def parse_template(document) -> TemplateSpec:
    """A template file's content checked; ValidationError names each field at fault."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValidationError({"format": f"A template file is a JSON object whose format is {FORMAT!r}."})
    document = without_nul(document)  # PostgreSQL cannot store a NUL; no template means one
    errors: dict[str, str] = {}
    slug = document.get("slug")
    if not isinstance(slug, str) or not SLUG.fullmatch(slug) or len(slug) > 100:
        errors["slug"] = "A slug is lower-case words and digits joined by hyphens, at most 100 characters."
    meta = check_metadata(document, errors)
    version = document.get("version")
    if version is not None and (isinstance(version, bool) or not isinstance(version, int) or version < 1):
        errors["version"] = "A version is a whole number from 1."
    definition = document.get("recipe")
    check_recipe(definition, errors)
    self_test = check_self_test(document.get("self_test"), definition if isinstance(definition, dict) else {}, errors)
    if isinstance(definition, dict) and not errors:
        unknown = set(meta["setup_notes"]) - set(definition.get("connections") or {})
        if unknown:
            errors["setup_notes"] = f"The recipe has no connection slot {sorted(unknown)[0]!r}."
    if errors:
        raise ValidationError(errors)
    return TemplateSpec(slug=slug, version=version, definition=definition, self_test=self_test,
                        connectors=connectors_of(definition), use_case=use_case_of(definition), **meta)  # fmt: skip


def template_document(spec: TemplateSpec) -> dict:
    """The file of a template: what `parse_template` reads back to an equal spec."""
    return {
        "format": FORMAT, "slug": spec.slug, "version": spec.version, "title": spec.title, "summary": spec.summary,
        "description": spec.description, "category": spec.category, "use_case": spec.use_case,
        "tags": spec.tags, "connectors": spec.connectors, "author": spec.author, "setup_notes": spec.setup_notes,
        "recipe": spec.definition, "self_test": spec.self_test,
    }  # fmt: skip
