"""The library pages' forms, read once at the edge: the list's search and filters, and Use
this template's workspace, slot choices and new connections. The publish form is in
publish_form.py."""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms

from builder.connections.forms import field_rows, submitted_values
from builder.library.models import CATEGORIES, UseCase
from builder.library.preview import ConnectorBadge
from builder.library.selectors import SORTS
from connectors.registry import registry
from connectors.sdk import Connector

SORT_LABELS = {"popular": "Most used", "new": "Newest", "name": "Name"}
LEAVE, NEW = "", "new"  # a slot's choices besides a connection's id


class LibraryFilters(forms.Form):
    q = forms.CharField(required=False, max_length=200, strip=True)
    category = forms.ChoiceField(required=False, choices=[("", "Any category")] + [(c, c) for c in CATEGORIES])
    use_case = forms.ChoiceField(required=False, choices=[("", "Any use case"), *UseCase.choices])
    connector = forms.ChoiceField(required=False)
    sort = forms.ChoiceField(required=False, choices=[(key, SORT_LABELS[key]) for key in SORTS])
    cursor = forms.CharField(required=False, max_length=200)

    def __init__(self, data):
        super().__init__(data)
        self.fields["connector"].choices = [("", "Any connector")] + [(n, c.title) for n, c in registry().items()]

    def filters(self) -> dict:
        """The valid filters (a bad one is left out, and its error shown by its field)."""
        self.is_valid()
        given = {name: self.cleaned_data.get(name) or "" for name in self.fields if name not in self.errors}
        return {**given, "sort": given.get("sort") or "popular"}

    def errors_by_field(self) -> dict[str, str]:
        return {name: " ".join(messages) for name, messages in self.errors.items()}


@dataclass
class SlotChoice:
    """What the form shows and took for one connection slot."""

    slot: str
    connector: Connector | None  # None: the connector is not installed here
    badge: ConnectorBadge
    note: str
    connections: list
    choice: str  # a connection's id, LEAVE or NEW
    name: str  # the new connection's name
    rows: list  # the new connection's fields (connections/_fields.html)
    errors: dict[str, str] = field(default_factory=dict)  # the new connection's, by field
    binding_error: str = ""

    @property
    def prefix(self) -> str:
        return f"new-{self.slot}-"


@dataclass
class UseForm:
    """Use this template: the workspace, then per slot a connection, later, or a new one."""

    slots: list[SlotChoice]
    workspace_id: int | None
    errors: dict[str, str] = field(default_factory=dict)
    bindings: dict = field(default_factory=dict)
    new_connections: dict = field(default_factory=dict)

    @classmethod
    def blank(cls, template, slots: list[dict], workspace_id: int | None) -> UseForm:
        return cls([_slot(s, choice=str(s["only"] or LEAVE), name=_new_name(s, template)) for s in slots], workspace_id)

    @classmethod
    def read(cls, post, template, slots: list[dict], workspace_id: int | None) -> UseForm:
        """The posted choices: ids as numbers, later as None, new connections' typed fields."""
        form = cls([], workspace_id)
        if workspace_id is None:
            form.errors["workspace"] = "Choose a workspace you build in (as a builder or an owner)."
        for s in slots:
            slot = _slot(s, choice=post.get(f"slot-{s['slot']}", LEAVE),
                         name=post.get(f"new-{s['slot']}-name", _new_name(s, template)))  # fmt: skip
            form.slots.append(slot)
            if slot.choice == NEW and slot.connector is not None:
                values = submitted_values(slot.connector, post, editing=False, prefix=slot.prefix)
                form.new_connections[slot.slot] = {"name": post.get(f"{slot.prefix}name", ""), "fields": values}
                slot.rows = field_rows(slot.connector, _shown(slot.connector, values), {}, {})
            elif slot.choice.isdigit():
                form.bindings[slot.slot] = int(slot.choice)
            elif slot.choice in (LEAVE, NEW):
                form.bindings[slot.slot] = None
            else:
                slot.binding_error = "Choose a connection, Leave for later, or a new connection."
                form.errors[f"bindings.{slot.slot}"] = slot.binding_error
        return form

    def refused(self, message_dict: dict) -> None:
        """A service's refusal shown by the fields it names: a slot's binding, a new
        connection's name or fields, the workspace; anything else at the top."""
        by_slot = {s.slot: s for s in self.slots}
        for key, messages in message_dict.items():
            text = " ".join(messages)
            head, _, rest = key.partition(".")
            slot_name, _, field_name = rest.partition(".")
            if head == "new" and slot_name in by_slot and field_name:
                by_slot[slot_name].errors[field_name] = text
                self.errors[key] = text
            elif head == "bindings" and slot_name in by_slot:
                by_slot[slot_name].binding_error = text
                self.errors[key] = text
            else:
                self.errors[key if key == "workspace" else "top"] = text
        for slot in self.slots:
            if slot.errors and slot.connector is not None:
                values = {row["field"].name: row["value"] for row in slot.rows}
                slot.rows = field_rows(slot.connector, values, {}, slot.errors)


def workspace_choice(value, allowed: list[int], *, current: int | None = None, posted: bool = False) -> int | None:
    """The workspace asked for when the user builds in it. Else, for a post, none (it must name
    one); for a page, the current workspace if they build in it, else the first they build in."""
    text = str(value or "")
    if text.isdigit() and int(text) in allowed:
        return int(text)
    if posted:
        return None
    return current if current in allowed else next(iter(allowed), None)


def _slot(s: dict, *, choice: str, name: str) -> SlotChoice:
    connector = s["connector"]
    return SlotChoice(slot=s["slot"], connector=connector, badge=s["badge"], note=s["note"],
                      connections=s["connections"], choice=choice, name=name,
                      rows=field_rows(connector, {}, {}, {}) if connector else [])  # fmt: skip


def _shown(connector, values: dict) -> dict:
    """Typed values to show again: never a secret (a password field is typed again)."""
    return {name: value for name, value in values.items() if name not in connector.secret_fields}


def _new_name(slot: dict, template) -> str:
    title = slot["connector"].title if slot["connector"] else slot["slot"]
    return f"{title} for {template.title}"[:100]
