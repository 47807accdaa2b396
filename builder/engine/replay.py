"""Resuming a run: the recorded outcomes of the steps that already finished, handed back
in place of running them again, and the idempotency key of each step.

A run that stopped half-way (its worker died) is resumed by running the definition again
with `replay`: each path's recorded outcomes, in the order they happened. A step whose
path has an outcome left takes it instead of calling its app; the first step without one
(the step that was in flight) runs for real, and so does everything after it. Paths carry
loop indexes and branches (`loop[2].b`, `x.then.y`), so a loop resumes at its iteration;
retried attempts of one path follow each other in its list.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import deque
from collections.abc import Mapping


class Replay:
    """The outcomes still to hand back, per path: {"status": "succeeded"|"failed", "output"?, "error"?}."""

    def __init__(self, outcomes: Mapping[str, list[dict]] | None = None):
        self.left = {path: deque(items) for path, items in (outcomes or {}).items() if items}

    def take(self, path: str) -> dict | None:
        """The next recorded outcome of `path`, or None when the step is to run."""
        queue = self.left.get(path)
        if not queue:
            return None
        outcome = queue.popleft()
        if not queue:
            del self.left[path]
        return outcome


def new_run_key() -> str:
    """A key for a run that nothing will resume (a test run, a sync call): its own, unguessable."""
    return secrets.token_hex(16)


def idempotency_key(run_key: str, path: str) -> str:
    """The same for every attempt of one step in one run, and in that run's resumption, so
    that an app that honours idempotency keys does a repeated call once."""
    return hashlib.sha256(f"{run_key}\n{path}".encode()).hexdigest()[:32]
