"""The template file: what parse_template accepts, derives and refuses, field by field."""

import pytest
from django.core.exceptions import ValidationError

from builder.library.document import connectors_of, parse_template, template_document
from tests.library.conftest import greet_document


def errors_of(document) -> dict:
    with pytest.raises(ValidationError) as caught:
        parse_template(document)
    return caught.value.message_dict


def test_a_template_file_reads_back_to_an_equal_spec(greet):
    spec = parse_template(greet)
    assert spec.use_case == "query"
    assert spec.connectors == ["moveworks", "data"]
    assert spec.tags == ["onboarding", "chat"]
    assert parse_template(template_document(spec)) == spec


def test_the_connectors_are_derived_from_the_trigger_steps_and_slots():
    definition = {"trigger": {"kind": "poll", "poll": "http.new_items"},
                  "connections": {"s": {"connector": "slack"}},
                  "steps": [{"id": "a", "if": "1", "then": [{"id": "b", "action": "email.send_email"}]}]}  # fmt: skip
    assert connectors_of(definition) == ["http", "email", "slack"]
    assert connectors_of({"trigger": {"kind": "webhook"}}) == ["webhooks"]
    assert connectors_of({"trigger": {"kind": "schedule"}}) == ["scheduler"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"format": "stepwise.recipe/1"}, "format"),
        ({"slug": "Not A Slug"}, "slug"),
        ({"title": ""}, "title"),
        ({"title": "x" * 121}, "title"),
        ({"summary": 3}, "summary"),
        ({"category": "Gardening"}, "category"),
        ({"tags": "chat"}, "tags"),
        ({"tags": [f"t{n}" for n in range(13)]}, "tags"),
        ({"setup_notes": {"chat": 5}}, "setup_notes"),
        ({"setup_notes": {"nowhere": "x"}}, "setup_notes"),
        ({"version": 0}, "version"),
        ({"recipe": {"format": "n8n"}}, "recipe"),
        ({"self_test": {"cases": []}}, "self_test.cases"),
    ],
)
def test_a_bad_field_is_named(changes, field):
    assert field in errors_of(greet_document(**changes))


def test_a_recipe_with_problems_is_refused_at_its_pointer(greet):
    greet["recipe"]["steps"][0]["action"] = "moveworks.nope"
    assert any(key.startswith("recipe.steps.0") for key in errors_of(greet))


def test_a_manual_recipe_is_no_template(greet):
    greet["recipe"]["trigger"] = {"kind": "manual"}
    greet["recipe"]["steps"] = greet["recipe"]["steps"][:2]
    assert "recipe.trigger.kind" in errors_of(greet)


def test_an_app_step_must_be_pinned_in_every_case(greet):
    del greet["self_test"]["cases"][0]["pins"]["tell"]
    del greet["self_test"]["cases"][0]["expect"]["calls"]
    assert "calls an app" in errors_of(greet)["self_test.cases.0.pins.tell"][0]


@pytest.mark.parametrize(
    ("case_changes", "field"),
    [
        ({"trigger": "Ada"}, "self_test.cases.0.trigger"),
        ({"pins": {"tell": {}, "reply": {}}}, "self_test.cases.0.pins.reply"),
        ({"expect": "ok"}, "self_test.cases.0.expect"),
        ({"expect": {"status": "maybe", "calls": {}}}, "self_test.cases.0.expect.status"),
        ({"expect": {"calls": {"note": []}}}, "self_test.cases.0.expect.calls.note"),
        ({"expect": {"calls": {"tell": {"message": "x"}}}}, "self_test.cases.0.expect.calls.tell"),
        ({"expect": {}}, "self_test.cases.0.expect"),
    ],
)
def test_a_bad_case_is_named(greet, case_changes, field):
    greet["self_test"]["cases"][0].update(case_changes)
    assert field in errors_of(greet)
