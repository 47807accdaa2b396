"""http.new_items: polls a JSON API that pages its items by cursor.

The first poll sends `since=<the first start's time>`; each later one sends
`cursor=<the last page's next cursor>`. An API that gives no next cursor keeps the
previous one, so nothing is skipped; the runtime de-duplicates items by their id."""

from __future__ import annotations

from typing import Any

from connectors.http import request
from connectors.sdk import Context, Item, PermanentError, PollResult, Trigger

DOTTED = {"type": "string", "maxLength": 200}

INPUT = {
    "type": "object",
    "required": ["url"],
    "additionalProperties": False,
    "properties": {
        "url": {"type": "string", "minLength": 1, "description": "Absolute, or relative to the base URL."},
        "items_path": {**DOTTED, "default": "items", "description": "Where the list is in the answer; empty: the "
                                                                    "answer is the list."},
        "id_field": {**DOTTED, "default": "id", "description": "Each item's id, e.g. id or ticket.number."},
        "cursor_param": {"type": "string", "default": "cursor"},
        "next_cursor_path": {**DOTTED, "default": "next_cursor"},
        "has_more_path": {**DOTTED, "description": "e.g. has_more; without it, a full page with a next cursor "
                                                   "means more."},
        "since_param": {"type": "string", "default": "since"},
        "query": {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean"]}},
        "headers": {"type": "object", "additionalProperties": {"type": "string"}},
        "timeout_seconds": {"type": "number", "exclusiveMinimum": 0, "maximum": 120, "default": 30},
    },
}  # fmt: skip


def _dig(data: Any, path: str) -> Any:
    for part in [p for p in (path or "").split(".") if p]:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


def poll(ctx: Context, input: dict, cursor: Any) -> PollResult:
    query = dict(input.get("query") or {})
    if isinstance(cursor, dict) and "since" in cursor:
        query[input.get("since_param", "since")] = cursor["since"]
    elif cursor is not None:
        query[input.get("cursor_param", "cursor")] = cursor
    answer = request.run(ctx, {"method": "GET", "url": input["url"], "query": query,
                               "headers": input.get("headers") or {},
                               "timeout_seconds": input.get("timeout_seconds", 30)})  # fmt: skip
    if not answer["is_json"]:
        raise PermanentError(f"GET {answer['url']} did not answer JSON, so no items could be read.")
    body = answer["body"]
    items_path = input.get("items_path", "items")
    found = _dig(body, items_path) if items_path else body
    if not isinstance(found, list):
        kind = "nothing" if found is None else type(found).__name__
        raise PermanentError(f"Expected a list of items at {items_path or 'the top'} of the answer, found {kind}.")
    id_field = input.get("id_field", "id")
    items = []
    for index, item in enumerate(found):
        item_id = _dig(item, id_field)
        if item_id is None or isinstance(item_id, dict | list):
            raise PermanentError(f"Item {index} of the answer has no {id_field!r} to tell it apart by.")
        items.append(Item(id=str(item_id), data=item if isinstance(item, dict) else {"value": item}))
    next_cursor = _dig(body, input.get("next_cursor_path", "next_cursor")) if isinstance(body, dict) else None
    if input.get("has_more_path"):
        more = bool(_dig(body, input["has_more_path"]))
    else:
        more = next_cursor is not None and bool(items)
    return PollResult(items=items, cursor=next_cursor if next_cursor is not None else cursor, has_more=more)


trigger = Trigger(
    key="new_items",
    kind="poll",
    title="New items from a JSON API",
    description="Polls a URL that lists items by cursor (first with since=, then cursor=); each new item runs once.",
    input_schema=INPUT,
    item_schema={"type": "object"},
    poll=poll,
)
