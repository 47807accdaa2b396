"""The recipe exchange format, version 1, as JSON Schema (served at /api/schemas/recipe.json)."""

STEP_ID = {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]{0,63}$"}
STEPS = {"type": "array", "items": {"$ref": "#/$defs/step"}}

RECIPE_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://stepwise.dev/schemas/recipe-1.json",
    "title": "Stepwise recipe",
    "type": "object",
    "required": ["format", "name", "trigger", "steps"],
    "additionalProperties": False,
    "properties": {
        "format": {"const": "stepwise.recipe/1"},
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "description": {"type": "string", "maxLength": 5000},
        "connections": {
            "type": "object",
            "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_]{0,63}$"},
            "additionalProperties": {
                "type": "object",
                "required": ["connector"],
                "additionalProperties": False,
                "properties": {"connector": {"type": "string", "minLength": 1}},
            },
        },
        "trigger": {"$ref": "#/$defs/trigger"},
        "steps": STEPS,
    },
    "$defs": {
        "trigger": {
            "type": "object",
            "required": ["kind"],
            "properties": {
                "kind": {"enum": ["api_request", "webhook", "schedule", "poll", "manual", "function"]},
                "mode": {"enum": ["sync", "async"]},
                "request_schema": {"type": "object"},
                "query_schema": {"type": "object"},
                "params_schema": {"type": "object"},
                "response_schema": {"type": "object"},
                "responses": {
                    "type": "object",
                    "propertyNames": {"pattern": "^[1-5][0-9][0-9]$"},
                    "additionalProperties": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {
                            "description": {"type": "string"},
                            "schema": {"type": "object"},
                            "headers": {
                                "type": "object",
                                "additionalProperties": {
                                    "type": "object",
                                    "properties": {"required": {"type": "boolean"}, "schema": {"type": "object"}},
                                },
                            },
                        },
                    },
                },
                "input_schema": {"type": "object"},
                "output_schema": {"type": "object"},
                "cron": {"type": "string", "format": "cron"},
                "timezone": {"type": "string", "format": "timezone"},
                "every_seconds": {"type": "integer", "minimum": 10},
                "connection": {"type": "string"},
                "poll": {"type": "string"},
                "input": {"type": "object"},
            },
            "allOf": [
                {"if": {"properties": {"kind": {"const": "api_request"}}}, "then": {"required": ["mode"]}},
                {
                    "if": {"properties": {"kind": {"const": "schedule"}}},
                    "then": {"oneOf": [{"required": ["cron"]}, {"required": ["every_seconds"]}]},
                },
                {"if": {"properties": {"kind": {"const": "poll"}}}, "then": {"required": ["poll"]}},
            ],  # fmt: skip
        },
        "common": {
            "type": "object",
            "required": ["id"],
            "properties": {
                "id": STEP_ID,
                "title": {"type": "string"},
                "on_error": STEPS,
                "retry": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "count": {"type": "integer", "minimum": 0, "maximum": 10},
                        "backoff": {"type": "number", "minimum": 0, "maximum": 600},
                        "factor": {"type": "number", "minimum": 1, "maximum": 10},
                        "max_backoff": {"type": "number", "minimum": 0, "maximum": 3600},
                    },
                },
            },
        },
        "step": {
            "allOf": [{"$ref": "#/$defs/common"}],
            "oneOf": [
                {
                    "required": ["action"],
                    "properties": {
                        "action": {"type": "string", "pattern": "^[a-z0-9_]+\\.[a-z0-9_]+$"},
                        "connection": {"type": "string"},
                        "input": {"type": "object"},
                    },
                },
                {
                    "required": ["if"],
                    "properties": {
                        "if": {"type": ["string", "boolean"]},
                        "then": STEPS,
                        "else": STEPS,
                        "else_if": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["if"],
                                "properties": {"if": {"type": ["string", "boolean"]}, "then": STEPS},
                            },
                        },
                    },
                },
                {
                    "required": ["foreach"],
                    "properties": {
                        "foreach": {"type": ["string", "array"]},
                        "as": STEP_ID,
                        "do": STEPS,
                        "max": {"type": "integer", "minimum": 1, "maximum": 100000},
                    },
                },
                {"required": ["set"], "properties": {"set": {"type": "object"}}},
                {
                    "required": ["respond"],
                    "properties": {
                        "respond": {
                            "type": "object",
                            "additionalProperties": False,
                            "properties": {
                                "status": {"type": ["integer", "string"]},
                                "headers": {"type": "object"},
                                "body": {},
                            },
                        }
                    },
                },
                {
                    "required": ["stop"],
                    "properties": {
                        "stop": {
                            "type": "object",
                            "additionalProperties": False,
                            "properties": {"status": {"enum": ["succeeded", "failed"]}, "reason": {"type": "string"}},
                        }
                    },
                },
                {
                    "required": ["call"],
                    "properties": {"call": {"type": "string", "minLength": 1}, "input": {"type": "object"}},
                },
            ],  # fmt: skip
        },
    },
}
