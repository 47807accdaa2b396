import csv
import io

from connectors.sdk import Action, Context, PermanentError

MAX_ROWS = 100_000
DELIMITER = {"type": "string", "minLength": 1, "maxLength": 1, "default": ","}


def parse(ctx: Context, input: dict) -> dict:
    reader = csv.reader(io.StringIO(input["text"]), delimiter=input.get("delimiter", ","))
    try:
        rows = [row for _, row in zip(range(MAX_ROWS + 1), reader, strict=False)]
    except csv.Error as exc:
        raise PermanentError(f"The CSV text is malformed: {exc}.") from None
    if len(rows) > MAX_ROWS:
        raise PermanentError(f"The CSV has more than {MAX_ROWS} rows.")
    if not input.get("has_header", True):
        return {"rows": rows, "columns": []}
    header, body = (rows[0], rows[1:]) if rows else ([], [])
    return {"rows": [dict(zip(header, row, strict=False)) for row in body], "columns": header}


def generate(ctx: Context, input: dict) -> dict:
    rows = input["rows"]
    columns = input.get("columns") or list(dict.fromkeys(key for row in rows for key in row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, delimiter=input.get("delimiter", ","), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: "" if row.get(key) is None else row.get(key) for key in columns})
    return {"text": buffer.getvalue(), "row_count": len(rows)}


parse_action = Action(
    key="csv_parse",
    title="Parse CSV",
    description="Turns CSV text into rows: objects keyed by the header, or lists without one.",
    input_schema={
        "type": "object",
        "required": ["text"],
        "additionalProperties": False,
        "properties": {"text": {"type": "string"}, "delimiter": DELIMITER, "has_header": {"type": "boolean"}},
    },
    output_schema={
        "type": "object",
        "required": ["rows", "columns"],
        "properties": {"rows": {"type": "array"}, "columns": {"type": "array", "items": {"type": "string"}}},
    },
    run=parse,
    repeatable=True,
)

generate_action = Action(
    key="csv_generate",
    title="Write CSV",
    description="Turns a list of objects into CSV text with a header row.",
    input_schema={
        "type": "object",
        "required": ["rows"],
        "additionalProperties": False,
        "properties": {
            "rows": {"type": "array", "items": {"type": "object"}, "maxItems": MAX_ROWS},
            "columns": {"type": "array", "items": {"type": "string"}},
            "delimiter": DELIMITER,
        },
    },
    output_schema={
        "type": "object",
        "required": ["text", "row_count"],
        "properties": {"text": {"type": "string"}, "row_count": {"type": "integer"}},
    },
    run=generate,
    repeatable=True,
)
