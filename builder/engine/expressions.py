"""Data pills: `{{ expression }}` evaluated in Jinja2's sandbox.

A value that is one pill alone keeps the pill's type (a list stays a list); pills
inside text are rendered into the text. Only plain data is reachable: dict keys,
list items, and a short list of harmless str / list methods.

One expression cannot exhaust memory or a worker's time (expression_bounds):
- by size, before making it: `range`, `*`, `**`, `%`, str.format, replace, join, center,
  indent, wordwrap, the `format`, `batch` and `slice` filters check their result first;
  an integer `*` or `**` is at most MAX_INT_BITS; `urlize` is gone;
- by size, as it is made: `map`, `select`, `reject`, `selectattr`, `rejectattr` and `join`
  count their items (MAX_REPEAT) and what a mapped filter makes (MAX_RESULT_CHARS) as they
  loop, so a filter applied 100,000 times stops at the bound;
- by time: work that is a product of sizes (`select('in', a_list)` over a range, `sum` of
  lists) is not estimated; each evaluation has MAX_SECONDS, checked at each item those
  filters take and at each intercepted operator;
- a result is at most MAX_RESULT_CHARS characters or MAX_REPEAT items, and a MemoryError
  left over is the expression's error, not the worker's.
A plain path returns the job's data as it is. What is left unchecked (`~`, `+`, list and
dict literals) grows only with the expression's own length: there are no statements, and
no names to bind an intermediate result to; the loops are the filters above.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from builder.engine import expression_bounds as bounds
from builder.engine.expression_bounds import MAX_REPEAT, MAX_RESULT_CHARS
from connectors import strict_json

PILL = re.compile(r"{{(.*?)}}", re.S)
SOLE_PILL = re.compile(r"^\s*{{(.*?)}}\s*$", re.S)

SAFE_METHODS = {
    str: {"startswith", "endswith", "lower", "upper", "strip", "lstrip", "rstrip", "split", "replace", "title",
          "capitalize", "count", "find", "isdigit", "isalpha", "join", "format"},
    list: {"count", "index"},
}  # fmt: skip


class ExpressionError(Exception):
    """An expression failed; `expression` is its source."""

    def __init__(self, message: str, expression: str):
        super().__init__(message)
        self.message = message
        self.expression = expression


def _date(value: Any, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if isinstance(value, int | float):
        moment = datetime.fromtimestamp(value, UTC)
    elif isinstance(value, str):
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    elif isinstance(value, datetime):
        moment = value
    else:
        raise TypeError(f"cannot format {type(value).__name__} as a date")
    return moment.strftime(fmt)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _fromjson(text: Any) -> Any:
    # The platform's one reader: a job must be able to store what a pill makes.
    return strict_json.parse(text if isinstance(text, str | bytes) else str(text), "The text given to fromjson")


class PillEnvironment(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self):
        super().__init__(undefined=StrictUndefined, autoescape=False)
        for name in bounds.REMOVED_FILTERS:
            del self.filters[name]
        self.filters.update(bounds.BOUNDED_FILTERS)
        self.filters.update(json=_json, date=_date, fromjson=_fromjson)
        self.globals.clear()
        self.globals.update(range=bounds.bounded_range, now=lambda: datetime.now(UTC).isoformat())

    def getattr(self, obj: Any, attribute: str) -> Any:
        # Pills read data: on a dict, `a.items` is the key "items", never the method.
        if isinstance(obj, dict):
            if attribute in obj:
                return obj[attribute]
            return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        for kind, names in SAFE_METHODS.items():
            if isinstance(obj, kind):
                return attr in names
        return False

    def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
        bounds.check_time()
        if operator in ("*", "**"):
            bounds.check_int_size(operator, left, right)
        if operator == "*":
            bounds.check_repeat(left, right)
            bounds.check_repeat(right, left)
        if operator == "%":
            bounds.check_printf(left, right)
        return super().call_binop(context, operator, left, right)

    def call(self, context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        # str.replace and str.join, the two SAFE_METHODS that can outgrow their inputs
        # (format is bounded in wrap_str_format); a filter is not called through here.
        if isinstance(getattr(obj, "__self__", None), str):
            if obj.__name__ == "replace" and len(args) >= 2 and all(isinstance(a, str) for a in args[:2]):
                bounds.check_replace(obj.__self__, args[0], args[1], *args[2:3])
            elif obj.__name__ == "join" and len(args) == 1:
                args = (bounds.join_items(obj.__self__, args[0]),)
        return super().call(context, obj, *args, **kwargs)

    def wrap_str_format(self, value: Any):
        # Jinja's sandbox makes str.format and str.format_map safe to reach; this bounds
        # the widths, precisions and arguments their fields ask for before formatting.
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None

        def bounded(*args: Any, **kwargs: Any) -> str:
            if value.__name__ == "format_map":
                bounds.check_format(value.__self__, (), args[0] if len(args) == 1 else {})
            else:
                bounds.check_format(value.__self__, args, kwargs)
            return wrapped(*args, **kwargs)

        return bounded


ENV = PillEnvironment()
PILL_GLOBALS = dict(ENV.globals)  # a run's scope carries them, so each pill needs no copy


@lru_cache(maxsize=4096)
def _compiled_expression(source: str):
    return ENV.compile_expression(source, undefined_to_none=False)


def _call(expression, scope: dict) -> Any:
    # What TemplateExpression.__call__ does, minus copying the scope into a fresh context
    # each time: the scope is shared as the context's parent (it already holds the globals).
    if "range" not in scope:
        scope = {**ENV.globals, **scope}
    template = expression._template
    context = template.new_context(scope, shared=True)
    for _ in template.root_render_func(context):
        pass
    return context.vars["result"]


def _explain(exc: Exception) -> str:
    if isinstance(exc, UndefinedError):
        return exc.message or "a name is not defined"
    if isinstance(exc, SecurityError):
        return f"not allowed: {exc}"
    return f"{type(exc).__name__}: {exc}"


PATH = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[\d+\])*$")
PATH_PART = re.compile(r"\.?([A-Za-z_]\w*)|\[(\d+)\]")
_MISSING = object()


@lru_cache(maxsize=4096)
def _path(source: str) -> tuple | None:
    """`steps.lookup.rows[0].name` as keys and indexes, or None for anything else."""
    if not PATH.match(source):
        return None
    return tuple(name if name else int(index) for name, index in PATH_PART.findall(source))


def _walk(parts: tuple, scope: dict, source: str) -> Any:
    # The common pill is a plain path; reading it directly skips the template engine
    # (several times faster) and answers exactly as the sandbox would.
    value: Any = scope
    for depth, part in enumerate(parts):
        if isinstance(part, int):
            found = value[part] if isinstance(value, list) and -len(value) <= part < len(value) else _MISSING
        else:
            found = value.get(part, _MISSING) if isinstance(value, dict) else _MISSING
        if found is _MISSING:
            where = ".".join(str(p) for p in parts[:depth]) or "the data"
            if depth == 0:
                raise ExpressionError(f"'{part}' is not defined", source)
            raise ExpressionError(f"{where} has no attribute {part!r}", source)
        value = found
    return value


def evaluate(source: str, scope: dict) -> Any:
    """The native value of one expression (the text between `{{` and `}}`)."""
    parts = _path(source.strip())
    if parts is not None and not isinstance(parts[0], int):
        return _walk(parts, scope, source.strip())
    clock = bounds.start_clock()
    try:
        value = _call(_compiled_expression(source.strip()), scope)
    except (TemplateError, TypeError, ValueError, ArithmeticError, KeyError, IndexError, AttributeError) as exc:
        raise ExpressionError(_explain(exc), source.strip()) from None
    except MemoryError:
        raise ExpressionError("the expression needs too much memory", source.strip()) from None
    finally:
        bounds.stop_clock(clock)
    if hasattr(value, "_undefined_name") or type(value).__name__ == "StrictUndefined":
        raise ExpressionError("a name is not defined", source.strip())
    # What the sandbox made (not a plain path, whose data the job already holds); each step
    # on the way was bounded, so len() is enough here.
    if isinstance(value, str) and len(value) > MAX_RESULT_CHARS:
        raise ExpressionError(f"the result is longer than {MAX_RESULT_CHARS} characters", source.strip())
    if isinstance(value, list) and len(value) > MAX_REPEAT:
        raise ExpressionError(f"the result is longer than {MAX_REPEAT} items", source.strip())
    return value


def render(value: Any, scope: dict) -> Any:
    """Fills every pill in `value`, recursing through dicts and lists."""
    if isinstance(value, str):
        return _render_text(value, scope)
    if isinstance(value, dict):
        return {key: render(item, scope) for key, item in value.items()}
    if isinstance(value, list):
        return [render(item, scope) for item in value]
    return value


def _render_text(text: str, scope: dict) -> Any:
    if "{{" not in text:
        return text
    sole = SOLE_PILL.match(text)
    if sole and "{{" not in sole.group(1):
        return evaluate(sole.group(1), scope)
    # Pills only: text between them is literal, and there are no template statements
    # ({% for %} and the like), so the work an expression can ask for stays bounded.
    parts, size = [], 0
    for index, piece in enumerate(PILL.split(text)):
        value = piece if index % 2 == 0 else _as_text(evaluate(piece, scope))
        size += len(value)
        if size > MAX_RESULT_CHARS:
            raise ExpressionError(f"the result is longer than {MAX_RESULT_CHARS} characters", text)
        parts.append(value)
    return "".join(parts)


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def pills(value: Any) -> list[str]:
    """The expressions inside `value`, for checks before a run (which names they use)."""
    if isinstance(value, str):
        return [match.strip() for match in PILL.findall(value)]
    if isinstance(value, dict):
        return [p for item in value.values() for p in pills(item)]
    if isinstance(value, list):
        return [p for item in value for p in pills(item)]
    return []
