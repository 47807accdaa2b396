"""What the editor shows beside a step field: the value its pills render to, in the data of one
of the recipe's jobs, by the engine's own `render` (its sandbox and its size bounds)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from builder.engine.expressions import ExpressionError, render
from builder.engine.loops import first_iteration
from builder.errors import NoSuchObject
from builder.jobs.models import Job
from builder.jobs.runtime import job_runnable
from builder.jobs.selectors import job_scope, latest_test_run
from builder.recipes.models import Recipe
from connectors import strict_json


@dataclass(frozen=True)
class Preview:
    value: Any
    job_id: int | None


def _job(recipe: Recipe, job_id: int | None) -> Job | None:
    if job_id is None:
        return latest_test_run(recipe.pk)
    # Only this recipe's jobs: another recipe's (another workspace's above all) is "no such job".
    job = Job.objects.select_related("recipe", "version").filter(pk=job_id, recipe=recipe).first()
    if job is None:
        raise NoSuchObject({"job": f"This recipe has no job {job_id}."})
    return job


def _as_json(value: Any) -> Any:
    # What a step would store: JSON the platform's reader takes back (no NaN, no Infinity).
    try:
        return strict_json.parse(json.dumps(value, ensure_ascii=False, allow_nan=False, default=str), "The result")
    except ValueError as exc:
        raise ValidationError({"value": f"The result is not JSON: {getattr(exc, 'message', exc)}"}) from None


def expression_preview(*, recipe: Recipe, value: Any, job_id: int | None = None, step: str | None = None) -> Preview:
    """`value` rendered as a step field would be, in the scope of the job `job_id` of this
    recipe (by default its latest test run; with none, an empty trigger, steps and vars). For a
    `step` inside a `for each`, the loop's name is its first item (engine.loops). A failing
    expression is a ValidationError naming `value` with the engine's message."""
    job = _job(recipe, job_id)
    scope = job_scope(job) if job else {"trigger": {}, "steps": {}, "vars": {}}
    if step is not None:
        # The definition the job ran (its version, or its draft), else the draft being edited.
        definition = job_runnable(job).definition if job else recipe.draft
        loop = first_iteration(definition.get("steps") or [], step, scope)
        if loop is None and job:  # a step added or renamed since that run: the draft's loops on its data
            loop = first_iteration(recipe.draft.get("steps") or [], step, scope)
        if loop is None:
            raise ValidationError({"step": f"The recipe has no step {step!r}."})
        scope.update(loop)
    try:
        rendered = render(value, scope)
    except ExpressionError as exc:
        raise ValidationError({"value": f"{exc.message} (in {exc.expression!r})."}) from None
    return Preview(_as_json(rendered), job.pk if job else None)
