from connectors.sdk import Action, Context


def pick(ctx: Context, input: dict) -> dict:
    source, rename = input["object"], input.get("rename", {})
    keys = input.get("fields") or list(source)
    return {"object": {rename.get(key, key): source[key] for key in keys if key in source}}


def lookup(ctx: Context, input: dict) -> dict:
    table, key = input["table"], input["key"]
    if isinstance(table, dict):
        found = key in table
        value = table.get(key)
    else:
        column = input.get("key_column", "key")
        row = next((row for row in table if str(row.get(column)) == key), None)
        found, value = row is not None, row
    if not found:
        value = input.get("default")
    return {"found": found, "value": value}


pick_action = Action(
    key="pick_fields",
    title="Pick and rename fields",
    description="Keeps the named fields of an object (all when none are named), renaming some.",
    input_schema={
        "type": "object",
        "required": ["object"],
        "additionalProperties": False,
        "properties": {
            "object": {"type": "object"},
            "fields": {"type": "array", "items": {"type": "string"}},
            "rename": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    },
    output_schema={"type": "object", "required": ["object"], "properties": {"object": {"type": "object"}}},
    run=pick,
    repeatable=True,
)

lookup_action = Action(
    key="lookup",
    title="Look up a value",
    description="Finds a key in a table: an object of key to value, or a list of rows matched on a column.",
    input_schema={
        "type": "object",
        "required": ["table", "key"],
        "additionalProperties": False,
        "properties": {
            "table": {"oneOf": [{"type": "object"}, {"type": "array", "items": {"type": "object"}}]},
            "key": {"type": "string"},
            "key_column": {"type": "string", "description": "For a list of rows; default key."},
            "default": {"description": "The value when the key is missing."},
        },
    },
    output_schema={"type": "object", "required": ["found", "value"], "properties": {"found": {"type": "boolean"}}},
    run=lookup,
    repeatable=True,
)
