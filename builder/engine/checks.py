"""Checks a recipe definition before it may start: the schema, then what a schema cannot
say. Every problem comes back with the JSON pointer of its place and a sentence."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from builder.engine.expressions import pills
from builder.engine.schema import RECIPE_SCHEMA
from connectors.sdk import FORMATS, Connector, json_pointer

NAME = re.compile(r"^\s*([A-Za-z_]\w*)(?:\.([A-Za-z_]\w*))?")
# What may come before an expression's first name: `not`, an opening parenthesis, a sign.
PREFIX = re.compile(r"^\s*(?:not\s+|\(\s*|-\s*)*")
BUILTIN_NAMES = {"range", "now", "true", "false", "none", "loop", "True", "False", "None"}
_VALIDATOR = Draft202012Validator(RECIPE_SCHEMA, format_checker=FORMATS)


def problem(pointer: str, message: str) -> dict:
    return {"pointer": pointer, "message": message}


def check_definition(definition: Any, registry: Mapping[str, Connector]) -> list[dict]:
    """Every problem of `definition`; an empty list means it can start."""
    errors = sorted(_VALIDATOR.iter_errors(definition), key=lambda e: list(e.absolute_path))
    if errors:
        return [problem(json_pointer(e.absolute_path), _schema_message(e)) for e in errors]
    schema_problems = _trigger_schema_problems(definition["trigger"])
    if schema_problems:
        return schema_problems
    walker = _Walker(definition, registry)
    walker.check_trigger(definition["trigger"])
    walker.walk(definition["steps"], "/steps", known={"trigger", "vars"}, done=set())
    return walker.problems


TRIGGER_SCHEMAS = ("request_schema", "query_schema", "params_schema", "response_schema", "input_schema",
                   "output_schema")  # fmt: skip


def _trigger_schema_problems(trigger: dict) -> list[dict]:
    """The trigger's own JSON Schemas must be valid schemas, or no call could be checked."""
    places = [(f"/trigger/{name}", trigger[name]) for name in TRIGGER_SCHEMAS if name in trigger]
    places += [(f"/trigger/responses/{status}/schema", spec["schema"])
               for status, spec in trigger.get("responses", {}).items() if "schema" in spec]  # fmt: skip
    found = []
    for pointer, schema in places:
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as exc:
            found.append(problem(pointer + json_pointer(exc.absolute_path), f"Not a valid JSON Schema: {exc.message}"))
    return found


def _schema_message(error) -> str:
    if error.validator == "oneOf" and isinstance(error.instance, dict) and "id" in error.instance:
        return "A step needs exactly one of: action, if, foreach, set, respond, stop, call."
    return error.message


class _Walker:
    def __init__(self, definition: dict, registry: Mapping[str, Connector]):
        self.definition, self.registry = definition, registry
        self.slots = definition.get("connections", {})
        self.problems: list[dict] = []
        self.seen_ids: dict[str, str] = {}

    def add(self, pointer: str, message: str) -> None:
        self.problems.append(problem(pointer, message))

    def walk(self, steps: list, pointer: str, *, known: set[str], done: set[str]) -> None:
        for index, step in enumerate(steps):
            here = f"{pointer}/{index}"
            step_id = step["id"]
            if step_id in self.seen_ids:
                self.add(f"{here}/id", f"The step id {step_id!r} is already used at {self.seen_ids[step_id]}.")
            self.seen_ids.setdefault(step_id, here)
            self.check_pills(step, here, known, done)
            self.check_step(step, here, known, done)
            if "on_error" in step:
                self.walk(step["on_error"], f"{here}/on_error", known=known | {"error"}, done=set(done))
            done.add(step_id)

    def check_step(self, step: dict, here: str, known: set[str], done: set[str]) -> None:
        if "action" in step:
            self.check_action(step, here)
        elif "if" in step:
            self.walk(step.get("then", []), f"{here}/then", known=known, done=set(done))
            for n, branch in enumerate(step.get("else_if", [])):
                self.check_condition(branch.get("if"), f"{here}/else_if/{n}/if", known, done)
                self.walk(branch.get("then", []), f"{here}/else_if/{n}/then", known=known, done=set(done))
            self.walk(step.get("else", []), f"{here}/else", known=known, done=set(done))
        elif "foreach" in step:
            self.walk(step.get("do", []), f"{here}/do", known=known | {step.get("as", "item"), "loop"},
                      done=set(done))  # fmt: skip

    def check_pills(self, step: dict, here: str, known: set[str], done: set[str]) -> None:
        nested = {"then", "else", "else_if", "do", "on_error"}
        for key, value in step.items():
            if key in nested:
                continue
            if key == "if":
                self.check_condition(value, f"{here}/if", known, done)
                continue
            for pointer, expression in _pills_at(value, f"{here}/{key}"):
                self.check_expression(expression, pointer, known, done)

    def check_condition(self, value: Any, pointer: str, known: set[str], done: set[str]) -> None:
        """An `if` or `else if`: one bare expression, or text with pills."""
        if isinstance(value, str) and "{{" not in value:
            self.check_expression(value, pointer, known, done)
        for at, expression in _pills_at(value, pointer):
            self.check_expression(expression, at, known, done)

    def check_expression(self, expression: str, pointer: str, known: set[str], done: set[str]) -> None:
        match = NAME.match(PREFIX.sub("", expression))
        if not match:
            return
        name, attribute = match.groups()
        if name == "steps":
            if attribute and attribute not in done:
                self.add(pointer, f"{{{{ {expression} }}}} reads step {attribute!r}, which has not run at this point.")
        elif name not in known and name not in BUILTIN_NAMES:
            self.add(pointer, f"{{{{ {expression} }}}} uses {name!r}: pills may read trigger, steps, vars"
                              + (", and the loop's item" if "loop" in known else "") + ".")  # fmt: skip

    def check_trigger(self, trigger: dict) -> None:
        """A poll names a connector's poll trigger; a webhook may name a `webhooks` connection
        for its signature; either's input must fit that trigger's input schema."""
        kind = trigger["kind"]
        if kind not in ("poll", "webhook"):
            return
        name = trigger["poll"] if kind == "poll" else "webhooks.push"
        connector_name, _, key = name.partition(".")
        connector = self.registry.get(connector_name)
        found = next((t for t in connector.triggers if t.key == key and t.kind == kind), None) if connector else None
        if found is None:
            self.add("/trigger/poll", f"There is no poll trigger named {name!r}.")
            return
        slot = trigger.get("connection")
        if slot is None and kind == "poll" and connector.fields:
            self.add("/trigger/connection", f"{connector.title} polls need a connection slot.")
        if slot is not None:
            declared = self.slots.get(slot)
            if declared is None:
                self.add("/trigger/connection", f"The connection slot {slot!r} is not declared in /connections.")
            elif declared["connector"] != connector.name:
                self.add("/trigger/connection", f"The slot {slot!r} is for {declared['connector']}, not "
                                                f"{connector.name}.")  # fmt: skip
        validator = Draft202012Validator(found.input_schema, format_checker=FORMATS)
        for error in validator.iter_errors(trigger.get("input", {})):
            self.add(f"/trigger/input{json_pointer(error.absolute_path)}", error.message)

    def check_action(self, step: dict, here: str) -> None:
        connector_name, _, action_key = step["action"].partition(".")
        connector = self.registry.get(connector_name)
        if connector is None:
            self.add(f"{here}/action", f"There is no connector named {connector_name!r}.")
            return
        action = next((a for a in connector.actions if a.key == action_key), None)
        if action is None:
            self.add(f"{here}/action", f"The {connector.title} connector has no action {action_key!r}.")
            return
        slot = step.get("connection")
        if connector.fields and slot is None:
            self.add(f"{here}/connection", f"{connector.title} steps need a connection slot.")
        if slot is not None:
            declared = self.slots.get(slot)
            if declared is None:
                self.add(f"{here}/connection", f"The connection slot {slot!r} is not declared in /connections.")
            elif declared["connector"] != connector.name:
                self.add(f"{here}/connection",
                         f"The slot {slot!r} is for {declared['connector']}, not {connector.name}.")  # fmt: skip
        validator = Draft202012Validator(action.input_schema, format_checker=FORMATS)
        for error in validator.iter_errors(step.get("input", {})):
            if _holds_pill(error.instance) or _under_pill(step.get("input", {}), error.absolute_path):
                continue  # a pill fills this place at run time; its value is checked then
            self.add(f"{here}/input{json_pointer(error.absolute_path)}", error.message)


def _pills_at(value: Any, pointer: str):
    """Each pill inside `value` with the JSON pointer of the string that holds it."""
    if isinstance(value, str):
        for expression in pills(value):
            yield pointer, expression
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _pills_at(item, f"{pointer}/{json_pointer([key])[1:]}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _pills_at(item, f"{pointer}/{index}")


def _holds_pill(value: Any) -> bool:
    return isinstance(value, str) and bool(pills(value))


def _under_pill(root: Any, path) -> bool:
    value = root
    for part in path:
        if isinstance(value, str) and "{{" in value:
            return True
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return False
    return isinstance(value, str) and "{{" in value
