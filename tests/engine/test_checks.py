"""Definition checks: each problem comes with its JSON pointer."""

import copy
import json
from pathlib import Path

import pytest

from builder.engine.checks import check_definition
from connectors.registry import registry

EXAMPLE = json.loads((Path(__file__).parent / "golden" / "greet_new_hire.json").read_text())["definition"]


def problems(mutate):
    definition = copy.deepcopy(EXAMPLE)
    mutate(definition)
    return check_definition(definition, registry())


def test_the_example_is_valid():
    assert check_definition(EXAMPLE, registry()) == []


@pytest.mark.parametrize(
    ("mutate", "pointer", "fragment"),
    [
        (lambda d: d.update(format="stepwise.recipe/2"), "/format", "stepwise.recipe/1"),
        (lambda d: d["steps"][2].update(id="tell"), "/steps/2/id", "already used"),
        (lambda d: d["steps"][0]["input"].update(message="{{ steps.reply.body }}"), "/steps/0/input/message",
         "has not run"),
        (lambda d: d["steps"][0]["input"].update(message="{{ secrets.key }}"), "/steps/0/input/message", "'secrets'"),
        (lambda d: d["steps"][0].update(action="moveworks.fly"), "/steps/0/action", "no action 'fly'"),
        (lambda d: d["steps"][0].update(action="nope.fly"), "/steps/0/action", "no connector"),
        (lambda d: d["steps"][0].update(connection="other"), "/steps/0/connection", "not declared"),
        (lambda d: d["connections"].update(chat={"connector": "slack"}), "/steps/0/connection", "is for slack"),
        (lambda d: d["steps"][0]["input"].update(recipients=[]), "/steps/0/input/recipients", "should be non-empty"),
        (lambda d: d["steps"][0]["input"].pop("message"), "/steps/0/input", "'message' is a required property"),
        (lambda d: d["steps"][1]["then"][0].update(input={"message": "x", "level": "loud"}),
         "/steps/1/then/0/input/level", "is not one of"),
        (lambda d: d["steps"].append({"id": "odd"}), "/steps/3", "exactly one of"),
        (lambda d: d["trigger"].pop("mode"), "/trigger", "'mode' is a required property"),
        (lambda d: d["trigger"].update(kind="schedule", cron="61 * * * *"), "/trigger/cron", "cron"),
    ],
)  # fmt: skip
def test_each_problem_is_named_where_it_is(mutate, pointer, fragment):
    found = problems(mutate)
    assert any(p["pointer"] == pointer and fragment in p["message"] for p in found), found


@pytest.mark.parametrize(
    "condition",
    [
        "{{ not trigger.body.vip }}",
        "{{ (trigger.body.n > 1) }}",
        "{{ not (trigger.body.n > 1) }}",
        "{{ -trigger.body.n < 0 }}",
    ],
)
def test_a_condition_may_start_with_not_a_parenthesis_or_a_sign(condition):
    assert problems(lambda d: d["steps"][1].update({"if": condition})) == []


@pytest.mark.parametrize("condition", ["{{ not steps.reply.status }}", "{{ (secrets.key) }}"])
def test_what_follows_not_or_a_parenthesis_is_checked(condition):
    assert problems(lambda d: d["steps"][1].update({"if": condition}))


def test_pills_are_allowed_where_values_go():
    assert problems(lambda d: d["steps"][0]["input"].update(recipients="{{ trigger.body.team }}")) == []


def test_loop_names_are_known_inside_the_loop_only():
    def loop(d):
        d["steps"].insert(0, {"id": "each", "foreach": "{{ trigger.body.people }}", "as": "person",
                              "do": [{"id": "hi", "set": {"x": "{{ person.name }} {{ loop.index }}"}}]})  # fmt: skip
        d["steps"].append({"id": "after", "set": {"y": "{{ person.name }}"}})

    found = problems(loop)
    assert [p["pointer"] for p in found] == ["/steps/4/set/y"]


def test_else_if_conditions_are_checked_like_if_conditions():
    def branches(d):
        d["steps"][1]["else_if"] = [{"if": "steps.reply.ok", "then": []}, {"if": "{{ steps.gone.x }}", "then": []},
                                    {"if": "{{ steps.tell.status == 200 }}", "then": []}]  # fmt: skip

    found = problems(branches)
    assert [p["pointer"] for p in found] == ["/steps/1/else_if/0/if", "/steps/1/else_if/1/if"]
