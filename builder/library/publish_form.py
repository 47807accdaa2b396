"""The publish form of a recipe (/recipes/<id>/library/): the catalog fields, a setup note per
connection slot, and the offered self-test as JSON text areas, one per part of each case (its
trigger payload, each pinned output, each step's expected calls, the expected response).
Screening's flags and every refusal are placed beside the part or field they point at."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from builder.library.models import CATEGORIES
from connectors import strict_json

CATALOG_FIELDS = ("title", "summary", "category", "tags", "description", "setup_notes")


def _pointer(*parts) -> str:
    return "".join(f"/{str(p).replace('~', '~0').replace('/', '~1')}" for p in parts)


def _json(value) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


@dataclass
class Part:
    """One JSON text area: a part of a case, where it sits in the self-test, what it says."""

    name: str  # the form field
    label: str
    where: tuple  # its path in a case: ("trigger",), ("pins", step), ("expect", "calls", step)
    text: str
    pointer: str  # its JSON pointer in the publish request: /self_test/cases/0/trigger
    error: str = ""
    flags: list = field(default_factory=list)  # each {"pointer" (inside the part), "kind", "message"}
    problems: list = field(default_factory=list)  # the self-test's, each {"pointer", "message", ...}
    value: object = None

    @property
    def rows(self) -> int:
        return max(3, min(16, self.text.count("\n") + 1))

    @property
    def marked(self) -> bool:
        return bool(self.error or self.flags or self.problems)


@dataclass
class Case:
    number: int
    name: str
    status: str
    parts: list[Part]
    problems: list = field(default_factory=list)  # the case's own: its status, a missing pin

    @property
    def prefix(self) -> str:
        return f"case-{self.number - 1}"


def _parts(n: int, case: dict) -> list[Part]:
    expect = case.get("expect") or {}
    wheres = [(("trigger",), "Trigger payload", "trigger", case.get("trigger"))]
    wheres += [(("pins", step), f"Pinned output of step {step}", f"pin-{step}", output)
               for step, output in (case.get("pins") or {}).items()]  # fmt: skip
    wheres += [(("expect", "calls", step), f"Expected calls of step {step}: the inputs it sends, in order",
                f"calls-{step}", inputs) for step, inputs in (expect.get("calls") or {}).items()]  # fmt: skip
    if "response" in expect:
        wheres.append((("expect", "response"), "Expected response", "response", expect["response"]))
    return [Part(name=f"case-{n}-{key}", label=label, where=where, text=_json(value), value=value,
                 pointer=_pointer("self_test", "cases", n, *where)) for where, label, key, value in wheres]  # fmt: skip


class PublishForm:
    """The form from the offer (template_offer), and what was posted back to it."""

    categories = CATEGORIES

    def __init__(self, offer: dict, post=None):
        self.offer = offer
        self.errors: dict[str, str] = {}
        self.top: list[str] = []  # what no field of the form holds (the recipe's own problems)
        self.placed: list[dict] = []  # every flag, wherever it shows
        self.values = {"title": offer["title"], "summary": offer["summary"], "category": offer["category"],
                       "tags": ", ".join(offer["tags"]), "description": offer["description"]}  # fmt: skip
        self.notes = dict(offer["setup_notes"])
        self.accept = False
        cases = (offer["self_test"] or {}).get("cases") or []
        self.cases = [Case(n + 1, c.get("name", ""), (c.get("expect") or {}).get("status", "succeeded"), _parts(n, c))
                      for n, c in enumerate(cases)]  # fmt: skip
        if post is not None:
            self._read(post)
        self.place_flags(offer["flags"] if post is None else [])

    @property
    def ready(self) -> bool:
        """A self-test to offer: the recipe has had a test run (or was published before)."""
        return bool(self.cases)

    def _read(self, post) -> None:
        self.values = {name: post.get(name, "").strip() for name in self.values}
        self.notes = {slot: post.get(f"note-{slot}", "") for slot in self.notes}
        self.accept = post.get("accept_personal_data") == "on"
        for case in self.cases:
            n = case.number - 1
            case.name = post.get(f"case-{n}-name", "").strip()
            case.status = post.get(f"case-{n}-status", "succeeded")
            for part in case.parts:
                part.text = post.get(part.name, "")
                try:
                    part.value = strict_json.parse(part.text, part.label)
                except strict_json.JSONBodyError as exc:
                    part.error = exc.message
                    self.errors[part.name] = exc.message

    def publish_arguments(self) -> dict:
        """template_publish's keyword arguments, typed."""
        cases = []
        for case in self.cases:
            built = {"name": case.name, "trigger": None, "pins": {}, "expect": {"status": case.status, "calls": {}}}
            for part in case.parts:
                holder = built
                for key in part.where[:-1]:
                    holder = holder[key]
                holder[part.where[-1]] = part.value
            cases.append(built)
        tags = [tag.strip() for tag in self.values["tags"].split(",") if tag.strip()]
        return {"title": self.values["title"], "summary": self.values["summary"], "category": self.values["category"],
                "description": self.values["description"], "tags": tags, "setup_notes": self.notes,
                "self_test": {"cases": cases}, "accept_personal_data": self.accept}  # fmt: skip

    def _part_at(self, pointer: str) -> tuple[Case | None, Part | None]:
        for case in self.cases:
            for part in case.parts:
                if pointer == part.pointer or pointer.startswith(f"{part.pointer}/"):
                    return case, part
            if pointer.startswith(_pointer("self_test", "cases", case.number - 1)):
                return case, None
        return None, None

    def place_flags(self, flags: list[dict]) -> None:
        self.placed += flags
        for flag in flags:
            case, part = self._part_at(flag["pointer"])
            if part is not None:
                part.flags.append({**flag, "inside": flag["pointer"][len(part.pointer) :] or "/"})
            elif case is not None:
                case.problems.append(flag)
            else:  # in the recipe, the catalog fields or what the run sent: say where
                where = flag["pointer"].lstrip("/").replace("/", " › ")
                self.top.append(f"{'Secret' if flag['kind'] == 'secret' else 'Personal data'} in {where}: "
                                f"{flag['message']}")  # fmt: skip

    @property
    def flags(self) -> list[dict]:
        return [flag for case in self.cases for part in case.parts for flag in part.flags]

    @property
    def personal(self) -> bool:
        """The checkbox to store personal data as it is shows once any is flagged (or it was ticked)."""
        return self.accept or any(flag["kind"] == "personal" for flag in self.placed)

    def refused(self, exc: ValidationError) -> None:
        """template_publish's refusal, each message by what it names: flagged samples (their
        flags), a self-test that fails (its problems), a catalog field, a case's part."""
        details = getattr(exc, "details", {}) or {}
        if "flags" in details:
            self.place_flags(details["flags"])
            return
        if "result" in details:
            for n, result in enumerate(details["result"]["cases"]):
                for problem in result["problems"]:
                    inner = problem["pointer"]
                    inner = f"/expect{inner}" if inner.startswith(("/calls", "/response", "/status")) else inner
                    self._place_problem({**problem, "pointer": _pointer("self_test", "cases", n) + inner})
            return
        for key, messages in exc.message_dict.items():
            text = " ".join(messages)
            name = key.partition(".")[0]
            if name in CATALOG_FIELDS:
                self.errors[name] = text
            elif name == "self_test" and key.count(".") >= 2:
                self._place_problem({"pointer": "/" + key.replace(".", "/"), "message": text})
            elif name == "recipe":
                self.top.append(f"The recipe's draft: {text}")
            else:
                self.top.append(text)

    def _place_problem(self, problem: dict) -> None:
        for key in ("expected", "actual"):
            if key in problem:
                problem = {**problem, f"{key}_json": json.dumps(problem[key], ensure_ascii=False)}
        case, part = self._part_at(problem["pointer"])
        if part is not None:
            part.problems.append({**problem, "inside": problem["pointer"][len(part.pointer) :] or "/"})
        elif case is not None:
            case.problems.append(problem)
        else:
            self.top.append(problem["message"])

    @property
    def has_errors(self) -> bool:
        return bool(self.errors or self.top or self.flags or any(c.problems or any(p.problems for p in c.parts)
                                                                 for c in self.cases))  # fmt: skip
