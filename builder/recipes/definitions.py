"""Reading a recipe definition (the exchange JSON) before it is known to be valid: its
trigger, its summary for the recipes list, its digest, and whether a document is one at all."""

from __future__ import annotations

import hashlib
import json

from django.core.exceptions import ValidationError

FORMAT = "stepwise.recipe/1"
MAX_DEFINITION_CHARS = 2_000_000


def trigger_of(definition) -> dict:
    """The trigger object of a definition; {} for a draft that has none (or not an object)."""
    trigger = definition.get("trigger") if isinstance(definition, dict) else None
    return trigger if isinstance(trigger, dict) else {}


STEP_LISTS = ("steps", "then", "else", "do", "on_error")


def walk_steps(steps):
    """Every step (an object) of a list of steps, in order, in blocks and error branches too."""
    for step in steps if isinstance(steps, list) else []:
        if not isinstance(step, dict):
            continue
        yield step
        for key in STEP_LISTS:
            yield from walk_steps(step.get(key))
        for branch in step.get("else_if") if isinstance(step.get("else_if"), list) else []:
            yield from walk_steps(branch.get("then") if isinstance(branch, dict) else None)


def action_steps(definition) -> dict[str, str]:
    """Each action step's id -> its action (`moveworks.send_message`), in order; steps whose id
    or action is not text (a draft may have them) are left out."""
    steps = definition.get("steps") if isinstance(definition, dict) else None
    return {s["id"]: s["action"] for s in walk_steps(steps)
            if isinstance(s.get("id"), str) and isinstance(s.get("action"), str)}  # fmt: skip


def action_step_ids(steps: list) -> set[str]:
    """The ids of every action step, in blocks and error branches too."""
    return {s["id"] for s in walk_steps(steps) if "action" in s and isinstance(s.get("id"), str)}


def slot_users(definition: dict) -> dict[str, set[str]]:
    """Which steps use each connection slot (the trigger counts as "trigger"), in blocks too."""
    users: dict[str, set[str]] = {}
    trigger = definition.get("trigger")
    if isinstance(trigger, dict) and isinstance(trigger.get("connection"), str):
        users.setdefault(trigger["connection"], set()).add("trigger")

    for step in walk_steps(definition.get("steps")):
        if isinstance(step.get("connection"), str):
            users.setdefault(step["connection"], set()).add(step.get("id"))
    return users


def _text(definition: dict, key: str) -> str:
    value = definition.get(key)
    return value if isinstance(value, str) else ""


def summary(definition: dict) -> tuple[str, str, str]:
    """(name, trigger kind, description), as the recipe row keeps them."""
    kind = trigger_of(definition).get("kind")
    name = _text(definition, "name").strip() or "Untitled recipe"
    return name[:200], (kind if isinstance(kind, str) else "")[:20], _text(definition, "description")


def digest(definition) -> str:
    """Equal for equal documents whatever their key order: tells a save that changes nothing,
    and a draft that is the live version, without comparing two documents."""
    canonical = json.dumps(definition, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


NEW_TRIGGERS = {
    "api_request": ("An API request", {"kind": "api_request", "mode": "sync", "request_schema": {"type": "object"},
                                       "response_schema": {"type": "object"}}),
    "webhook": ("An app's push (webhook)", {"kind": "webhook"}),
    "schedule": ("A schedule", {"kind": "schedule", "every_seconds": 3600}),
    "manual": ("By hand", {"kind": "manual"}),
    "function": ("Called by other recipes", {"kind": "function", "input_schema": {"type": "object"},
                                             "output_schema": {"type": "object"}}),
}  # fmt: skip


def blank_definition(name: str, trigger_kind: str) -> dict:
    """A new recipe's first draft: a name, a trigger of the kind chosen, no steps yet."""
    if trigger_kind not in NEW_TRIGGERS:
        raise ValidationError({"trigger_kind": "Choose what starts the recipe."})
    if not isinstance(name, str) or not name.strip():
        raise ValidationError({"name": "Give the recipe a name."})
    trigger = dict(NEW_TRIGGERS[trigger_kind][1])
    return {"format": FORMAT, "name": name.strip()[:200], "trigger": trigger, "steps": []}


def check_storable(definition) -> None:
    """What a draft must be to be kept at all: an object of at most 2 MB. Anything else a
    draft may get wrong is a problem listed on it (engine.checks), not a refusal."""
    if not isinstance(definition, dict):
        raise ValidationError({"definition": "A recipe definition is a JSON object."})
    if len(json.dumps(definition, ensure_ascii=False)) > MAX_DEFINITION_CHARS:
        raise ValidationError({"definition": "The definition is larger than 2 MB."})


def check_document(document) -> None:
    """What import takes: a stepwise.recipe/1 document. A document of another kind is refused
    whole; a recipe document with problems is kept as a draft, its problems listed."""
    if not isinstance(document, dict):
        raise ValidationError({"definition": "A recipe document is a JSON object."})
    found = document.get("format")
    if found != FORMAT:
        said = "has no format" if "format" not in document else f"has the format {json.dumps(found)[:100]}"
        raise ValidationError(
            {"definition.format": f'This document {said}; Stepwise imports recipes of format "{FORMAT}".'}
        )
    check_storable(document)
