"""How every bench states a figure: one line `name: value unit (target …) ok|MISS`, and the
same figure kept in bench/results.json (name -> value, unit, target, ok, when), so that one
`make bench` leaves every figure of its run in one file."""

import json
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results.json"


def figure(name: str, value: float, unit: str, target: str = "", ok: bool | None = None, digits: int = 2) -> bool:
    """Prints and keeps one figure; `ok` is None for a figure with no target (said as such)."""
    verdict = "" if ok is None else (" ok" if ok else " MISS")
    print(f"{name}: {value:.{digits}f} {unit}" + (f" (target {target})" if target else "") + verdict)
    kept = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    kept[name] = {"value": round(value, 4), "unit": unit, "target": target, "ok": ok,
                  "at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}  # fmt: skip
    RESULTS.write_text(json.dumps(kept, indent=2, sort_keys=True) + "\n")
    return bool(ok) if ok is not None else True
