"""A structural diff of two definitions, as JSON-pointer operations the editor can show."""

from typing import Any


def _escape(part) -> str:
    return str(part).replace("~", "~0").replace("/", "~1")


def diff(old: Any, new: Any, pointer: str = "") -> list[dict]:
    if isinstance(old, dict) and isinstance(new, dict):
        changes = []
        for key in sorted(old.keys() | new.keys()):
            here = f"{pointer}/{_escape(key)}"
            if key not in new:
                changes.append({"op": "remove", "path": here, "old": old[key]})
            elif key not in old:
                changes.append({"op": "add", "path": here, "new": new[key]})
            else:
                changes += diff(old[key], new[key], here)
        return changes
    if isinstance(old, list) and isinstance(new, list):
        changes = []
        for index in range(max(len(old), len(new))):
            here = f"{pointer}/{index}"
            if index >= len(new):
                changes.append({"op": "remove", "path": here, "old": old[index]})
            elif index >= len(old):
                changes.append({"op": "add", "path": here, "new": new[index]})
            else:
                changes += diff(old[index], new[index], here)
        return changes
    if old == new and type(old) is type(new):
        return []
    return [{"op": "replace", "path": pointer, "old": old, "new": new}]
