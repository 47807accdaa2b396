"""How the engine reports a run: the caller implements Recorder (the jobs app writes
JobSteps and pushes live events; tests keep a list)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


class Recorder(Protocol):
    def step_started(self, step_id: str, path: str, kind: str, input: Any, pinned: bool = False,
                     repeatable: bool = False) -> None:  # fmt: skip
        """`pinned`: a test run's action step that answers its pinned output and calls no app.
        `repeatable`: the step does nothing outside the run (an if, a set, a respond, a pinned
        step, an action like data.log), so running it again is harmless; one that is not (an
        action that calls an app, a call) may have sent something by the time it finishes."""

    def step_finished(
        self, step_id: str, path: str, status: str, output: Any = None, error: dict | None = None
    ) -> None: ...

    def should_cancel(self) -> bool: ...


@dataclass
class ListRecorder:
    """Keeps every event in memory: for tests, and for runs nobody watches."""

    events: list[dict] = field(default_factory=list)
    cancel: bool = False

    def step_started(self, step_id, path, kind, input, pinned=False, repeatable=False):
        event = {"event": "started", "step": step_id, "path": path, "kind": kind, "input": input}
        if pinned:
            event["pinned"] = True
        if repeatable:
            event["repeatable"] = True
        self.events.append(event)

    def step_finished(self, step_id, path, status, output=None, error=None):
        event = {"event": "finished", "step": step_id, "path": path, "status": status}
        if output is not None:
            event["output"] = output
        if error is not None:
            event["error"] = error
        self.events.append(event)

    def should_cancel(self) -> bool:
        return self.cancel

    def finished(self) -> list[tuple[str, str]]:
        """(path, status) of every finished step, in order."""
        return [(e["path"], e["status"]) for e in self.events if e["event"] == "finished"]


class NullRecorder:
    def step_started(self, step_id, path, kind, input, pinned=False, repeatable=False):
        pass

    def step_finished(self, step_id, path, status, output=None, error=None):
        pass

    def should_cancel(self) -> bool:
        return False
