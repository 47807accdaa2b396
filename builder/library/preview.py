"""What the library's pages show of templates, read from the models and the connector
registry: a result card's connectors, a template's connection slots with their setup notes,
an endpoint's schemas as tables of fields, and each self-test case beside its last result."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError

from builder.connections.models import Connection
from builder.library.models import Template, UseCase
from builder.library.selectors import facets, templates_listed, templates_page
from builder.recipes.definitions import action_steps, trigger_of
from builder.workspaces.models import Role
from builder.workspaces.selectors import memberships_for_user
from connectors.registry import registry

# An API request trigger's schemas, in the order a caller meets them.
SCHEMAS = (("request_schema", "Request body"), ("query_schema", "Query parameters"),
           ("params_schema", "Path parameters"), ("response_schema", "Response body"))  # fmt: skip
MAX_DEPTH = 6


@dataclass
class ConnectorBadge:
    name: str
    title: str
    icon: str


def connector_badges(names) -> list[ConnectorBadge]:
    """Each connector's title and Lucide icon name (static/css/icons.css draws it)."""
    found = registry()
    return [ConnectorBadge(name, found[name].title if name in found else name,
                           (found[name].icon if name in found else "") or "circle-help") for name in names]  # fmt: skip


def library_browse(*, q="", category="", use_case="", connector="", sort="popular", cursor="", size=24) -> dict:
    """One page of the library as cards, the cursor of the next, and what the filters offer. A
    cursor that is not one of this list's (edited, or of another sort) gives the first page and
    says so in `problems`."""
    templates = templates_listed(q=q, category=category, use_case=use_case, connector=connector)
    problems: dict[str, list[str]] = {}
    try:
        page = templates_page(templates, sort=sort, cursor=cursor, size=size)
    except ValidationError as exc:
        problems = exc.message_dict
        page = templates_page(templates, sort=sort, size=size)
    cards = [{"template": t, "connectors": connector_badges(t.connectors)} for t in page.templates]
    return {"cards": cards, "next_cursor": page.next_cursor, "problems": problems}


def filter_choices() -> dict:
    """The filters' options: the categories, use cases and connectors (name, title) of listed
    templates."""
    offered = facets()
    badges = sorted(connector_badges(offered["connectors"]), key=lambda badge: badge.title.lower())
    return {**offered, "use_cases": [(value, UseCase(value).label) for value in offered["use_cases"]],
            "connectors": [(badge.name, badge.title) for badge in badges]}  # fmt: skip


def _type_of(schema: dict) -> str:
    kind = schema.get("type", "any")
    if isinstance(kind, list):
        kind = " or ".join(map(str, kind))
    if kind == "array" and isinstance(schema.get("items"), dict):
        kind = f"list of {_type_of(schema['items'])}"
    if "enum" in schema and isinstance(schema["enum"], list):
        kind = f"one of {', '.join(json.dumps(v) for v in schema['enum'])}"
    if isinstance(schema.get("format"), str):
        kind = f"{kind} ({schema['format']})"
    return kind


def schema_rows(schema, depth: int = 0) -> list[dict]:
    """An object schema's fields as rows (name, type, required, description, depth), the fields
    of nested objects and of lists of objects under their parent, one level deeper."""
    if not isinstance(schema, dict) or depth > MAX_DEPTH:
        return []
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        schema = schema["items"]
    properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    required = set(schema.get("required") or [])
    rows = []
    for name, field in properties.items():
        field = field if isinstance(field, dict) else {}
        rows.append({"name": name, "type": _type_of(field), "required": name in required, "depth": depth,
                     "description": str(field.get("description") or field.get("title") or "")})  # fmt: skip
        rows += schema_rows(field, depth + 1)
    return rows


def _schemas(definition: dict) -> list[dict]:
    trigger = trigger_of(definition)
    if trigger.get("kind") != "api_request":
        return []
    shown = []
    for key, title in SCHEMAS:
        schema = trigger.get(key)
        if isinstance(schema, dict) and schema:
            raw = json.dumps(schema, indent=2, ensure_ascii=False)
            shown.append({"key": key, "title": title, "rows": schema_rows(schema), "raw": raw})
    return shown


def _json(value) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def _cases(version) -> list[dict]:
    """Each case with what it expects (the app calls, the response) and its last result."""
    actions = action_steps(version.definition)
    results = version.test_result.get("cases") or []
    cases = []
    for n, case in enumerate(version.self_test.get("cases") or []):
        expect = case.get("expect") or {}
        result = results[n] if n < len(results) else {}
        calls = [{"step": step, "action": actions.get(step, ""), "count": len(inputs), "json": _json(inputs)}
                 for step, inputs in (expect.get("calls") or {}).items()]  # fmt: skip
        problems = [{**p, "expected_json": json.dumps(p["expected"], ensure_ascii=False) if "expected" in p else None,
                     "actual_json": json.dumps(p["actual"], ensure_ascii=False) if "actual" in p else None}
                    for p in result.get("problems") or []]  # fmt: skip
        cases.append({
            "number": n + 1, "name": case.get("name") or f"Case {n + 1}", "passed": result.get("passed"),
            "status": result.get("status", ""), "expected_status": expect.get("status", "succeeded"),
            "problems": problems, "calls": calls, "trigger_json": _json(case.get("trigger")),
            "pinned": sorted(case.get("pins") or {}),
            "response_json": _json(expect["response"]) if "response" in expect else "",
        })  # fmt: skip
    return cases


def _moment(text) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None


def template_preview(template: Template) -> dict:
    """What the preview page shows beyond the template's own fields."""
    version = template.latest
    definition = version.definition
    slots = definition.get("connections") or {}
    badges = {b.name: b for b in connector_badges([spec.get("connector", "") for spec in slots.values()])}
    return {
        "version": version,
        "connectors": connector_badges(template.connectors),
        "slots": [{"slot": slot, "connector": badges[spec.get("connector", "")],
                   "note": version.setup_notes.get(slot, "")} for slot, spec in slots.items()],
        "schemas": _schemas(definition),
        "cases": _cases(version),
        "result": version.test_result,
        "ran_at": _moment(version.test_result.get("ran_at")),
    }  # fmt: skip


def building_memberships(user) -> list:
    """The user's memberships that may build (builder or owner): where a template may go."""
    return [m for m in memberships_for_user(user) if m.allows(Role.BUILDER)]


def use_slots(template: Template, workspace_id: int | None) -> list[dict]:
    """Each connection slot of the template with the workspace's connections of its connector,
    the one chosen by itself (the only one that fits, as clone_bindings chooses) and the
    connector, whose fields a new connection is made of."""
    slots = template.latest.definition.get("connections") or {}
    found = registry()
    shown = []
    for slot, spec in slots.items():
        name = spec.get("connector", "")
        connections = list(Connection.objects.filter(workspace_id=workspace_id, connector=name).order_by("name"))
        shown.append({"slot": slot, "connector": found.get(name), "badge": connector_badges([name])[0],
                      "note": template.latest.setup_notes.get(slot, ""), "connections": connections,
                      "only": connections[0].pk if len(connections) == 1 else None})  # fmt: skip
    return shown
