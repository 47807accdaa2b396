"""The engine's own overhead per step: a 1,000-step data-mapping recipe run in process.

Each step is a `set` whose values are pills reading the trigger and earlier steps (no
connector I/O), so the time measured is the engine's: pill rendering, scope updates and
recorder calls. Prints microseconds per step for the best of several runs.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import figure  # noqa: E402
from builder.engine.recorder import ListRecorder, NullRecorder  # noqa: E402
from builder.engine.runner import run  # noqa: E402

STEPS = 1000
RUNS = 25


def definition() -> dict:
    steps = [{"id": "s0", "set": {"name": "{{ trigger.body.name }}", "n": 0}}]
    for i in range(1, STEPS):
        steps.append({"id": f"s{i}", "set": {
            "name": f"{{{{ steps.s{i - 1}.name }}}}",
            "n": f"{{{{ steps.s{i - 1}.n + 1 }}}}",
            "label": f"item {{{{ steps.s{i - 1}.n }}}} of {{{{ trigger.body.name | upper }}}}",
        }})  # fmt: skip
    return {"steps": steps}


def best(recorder_factory) -> float:
    recipe, timings = definition(), []
    for _ in range(RUNS):
        started = time.perf_counter()
        result = run(recipe, trigger={"body": {"name": "Ada"}}, registry={}, recorder=recorder_factory())
        timings.append(time.perf_counter() - started)
        if result.status != "succeeded" or result.variables["n"] != STEPS - 1:
            raise SystemExit(f"the benchmark recipe did not run as expected: {result.error}")
    return min(timings) / STEPS * 1e6


if __name__ == "__main__":
    print(f"{STEPS}-step data-mapping recipe, best of {RUNS} runs in process:")
    print(f"  engine overhead, no recorder:       {best(NullRecorder):7.1f} µs per step")
    recorded = best(ListRecorder)
    print(f"  engine overhead, in-memory recorder: {recorded:7.1f} µs per step")
    figure("engine overhead per step", recorded, "µs", "under 30", recorded < 30, digits=1)
