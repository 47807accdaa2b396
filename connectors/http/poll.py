"""http.new_items: polls a JSON API that pages its items by cursor.

The first poll sends `since=<the first start's time>`; each later one sends
`cursor=<the last page's next cursor>`. An API that gives no next cursor keeps the
previous one, so nothing is skipped; the runtime de-duplicates items by their id.

A page longer than `max_items` is handed over in slices: the cursor is then
`{"page": <the cursor that fetched the page>, "offset": n}`, so the next poll asks for
the same page again and takes the next slice (and a repeated poll the same slice)."""

from __future__ import annotations

from typing import Any

from connectors.http import request
from connectors.sdk import Context, Item, PermanentError, PollResult, Trigger, clip, read_json

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
        "has_more_path": {**DOTTED, "description": "e.g. has_more; without it, a page with items and a next "
                                                   "cursor means more."},
        "since_param": {"type": "string", "default": "since"},
        "query": {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean"]}},
        "headers": {"type": "object", "additionalProperties": {"type": "string"}},
        "max_items": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100,
                      "description": "At most this many items a poll; a longer page is taken in slices."},
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


def _fetch(ctx: Context, input: dict, page: Any) -> Any:
    """The answer to GET url with the page's cursor (or the first start's since), as JSON."""
    query = dict(input.get("query") or {})
    if isinstance(page, dict) and "since" in page:
        query[input.get("since_param", "since")] = page["since"]
    elif page is not None:
        query[input.get("cursor_param", "cursor")] = page
    # request.run gives credentials only to the connection's own site and classifies failures.
    answer = request.run(ctx, {"method": "GET", "url": input["url"], "query": query,
                               "headers": input.get("headers") or {},
                               "timeout_seconds": input.get("timeout_seconds", 30)})  # fmt: skip
    if answer["is_json"]:
        return answer["body"]
    try:  # some APIs label their JSON text/plain
        return read_json(answer["body"])
    except ValueError:
        kind = answer["headers"].get("Content-Type") or "no Content-Type"
        found = clip(answer["body"], 200) or "an empty body"
        raise PermanentError(f"GET {answer['url']} did not answer JSON ({kind}), so no items could be read: "
                             f"{found}") from None  # fmt: skip


def _items(body: Any, input: dict) -> list[Item]:
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
    return items


def _next_cursor(body: Any, input: dict) -> Any:
    path = input.get("next_cursor_path", "next_cursor")
    found = _dig(body, path) if isinstance(body, dict) else None
    if isinstance(found, dict | list):
        raise PermanentError(f"The next cursor at {path} of the answer is a {type(found).__name__}, not text or "
                             "a number to send back.")  # fmt: skip
    # Slack and others say "no next page" with an empty cursor; sending it back would start over.
    return None if found == "" else found


def poll(ctx: Context, input: dict, cursor: Any) -> PollResult:
    page, offset = cursor, 0
    if isinstance(cursor, dict) and "offset" in cursor:  # partway through a long page
        page, offset = cursor["page"], cursor["offset"]
    body = _fetch(ctx, input, page)
    items = _items(body, input)
    end = offset + input.get("max_items", 100)
    if end < len(items):
        return PollResult(items=items[offset:end], cursor={"page": page, "offset": end}, has_more=True)
    next_cursor = _next_cursor(body, input)
    if input.get("has_more_path"):
        more = str(_dig(body, input["has_more_path"])).lower() in ("true", "1")
    else:
        more = bool(items)
    # Without a new cursor, asking again at once would only bring the same page back.
    more = more and next_cursor is not None and next_cursor != page
    return PollResult(items=items[offset:], cursor=page if next_cursor is None else next_cursor, has_more=more)


trigger = Trigger(
    key="new_items",
    kind="poll",
    title="New items from a JSON API",
    description="Polls a URL that lists items by cursor (first with since=, then cursor=); each new item runs once.",
    input_schema=INPUT,
    item_schema={"type": "object"},
    poll=poll,
)
