"""What a `foreach` walks and what its steps see: the runner's loop, and the editor's preview
of a field inside one (the loop's name bound to its first item)."""

from __future__ import annotations

from typing import Any

from builder.engine.expressions import ExpressionError, render

NESTED = ("then", "else", "do", "on_error")


def loop_items(value: Any) -> list | None:
    """A foreach's rendered value as the list it walks: an object's entries as {key, value},
    None when it is neither a list nor an object."""
    if isinstance(value, dict):
        return [{"key": key, "value": item} for key, item in value.items()]
    return value if isinstance(value, list) else None


def loop_state(index: int, length: int) -> dict:
    """`loop` inside an iteration."""
    return {"index": index, "first": index == 0, "last": index == length - 1, "length": length}


def _enclosing_loops(steps: list, step_id: str) -> list[dict] | None:
    """The foreach steps around the step `step_id`, outermost first; None when there is none."""
    for step in steps if isinstance(steps, list) else []:
        if not isinstance(step, dict):
            continue
        if step.get("id") == step_id:
            return []
        branches = [step.get(key) for key in NESTED] + [b.get("then") for b in step.get("else_if") or [] if
                                                       isinstance(b, dict)]  # fmt: skip
        for branch in branches:
            found = _enclosing_loops(branch or [], step_id)
            if found is not None:
                return ([step] if "foreach" in step and branch is step.get("do") else []) + found
    return None


def first_iteration(steps: list, step_id: str, scope: dict) -> dict | None:
    """What the step `step_id` sees besides `scope` in the first iteration of each loop around
    it: the loop's `as` name bound to its first item, and `loop`. Each list is rendered in
    `scope` as the runner renders it (inner loops with the outer items bound). None when no
    step has that id; {} for a step in no loop. A loop whose list is empty or does not render
    binds nothing, nor do the loops inside it."""
    loops = _enclosing_loops(steps, step_id)
    if loops is None:
        return None
    bound: dict = {}
    for loop in loops:
        try:
            items = loop_items(render(loop["foreach"], {**scope, **bound}))
        except ExpressionError:
            break
        if not items:
            break
        bound[loop.get("as", "item")] = items[0]
        bound["loop"] = loop_state(0, len(items))
    return bound
