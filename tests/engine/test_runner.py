"""The engine, step kind by step kind."""

import time

import pytest

from builder.engine.recorder import ListRecorder
from builder.engine.runner import run


def go(registry, steps, trigger=None, **kwargs):
    recorder = kwargs.pop("recorder", ListRecorder())
    result = run({"steps": steps}, trigger=trigger or {"body": {}}, registry=registry, recorder=recorder, **kwargs)
    return result, recorder


def test_action_output_feeds_later_pills_and_keeps_types(registry):
    steps = [
        {"id": "a", "action": "test.echo", "input": {"names": "{{ trigger.body.names }}", "n": "{{ 1 + 2 }}"}},
        {"id": "b", "action": "test.echo", "input": {"text": "{{ steps.a.names | join(', ') }} ({{ steps.a.n }})"}},
    ]
    result, recorder = go(registry, steps, {"body": {"names": ["Ada", "Grace"]}})
    assert result.status == "succeeded"
    assert result.outputs["a"] == {"names": ["Ada", "Grace"], "n": 3}
    assert result.outputs["b"] == {"text": "Ada, Grace (3)"}
    assert recorder.finished() == [("a", "succeeded"), ("b", "succeeded")]


@pytest.mark.parametrize(
    ("body", "branch"), [({"tier": "vip"}, "then"), ({"tier": "gold"}, "else_if.0"), ({"tier": "x"}, "else")]
)
def test_if_with_else_if_chain(registry, body, branch):
    steps = [{"id": "c", "if": "{{ trigger.body.tier == 'vip' }}",
              "then": [{"id": "t", "set": {"b": "then"}}],
              "else_if": [{"if": "trigger.body.tier == 'gold'", "then": [{"id": "g", "set": {"b": "else_if.0"}}]}],
              "else": [{"id": "e", "set": {"b": "else"}}]}]  # fmt: skip
    result, recorder = go(registry, steps, {"body": body})
    assert result.variables == {"b": branch}
    assert recorder.events[1]["output"] == {"branch": branch}


def test_foreach_inside_if_inside_foreach(registry):
    steps = [{"id": "teams", "foreach": "{{ trigger.body.teams }}", "as": "team", "do": [
        {"id": "big", "if": "{{ team.members | length > 1 }}", "then": [
            {"id": "people", "foreach": "{{ team.members }}", "as": "person", "do": [
                {"id": "hello", "action": "test.echo",
                 "input": {"text": "{{ team.name }}/{{ person }} #{{ loop.index }}"}}]}]}]}]  # fmt: skip
    trigger = {"body": {"teams": [{"name": "IT", "members": ["ada", "bob"]}, {"name": "HR", "members": ["cy"]}]}}
    result, recorder = go(registry, steps, trigger)
    hellos = [e for e in recorder.events if e["event"] == "finished" and e["step"] == "hello"]
    assert [e["output"]["text"] for e in hellos] == ["IT/ada #0", "IT/bob #1"]
    assert [e["path"] for e in hellos] == ["teams[0].big.then.people[0].hello", "teams[0].big.then.people[1].hello"]
    assert "team" not in result.variables


def test_foreach_over_an_object_and_its_bound(registry):
    steps = [{"id": "each", "foreach": "{{ trigger.body.m }}", "do": [{"id": "s", "set": {"last": "{{ item.key }}"}}]}]
    result, _ = go(registry, steps, {"body": {"m": {"a": 1, "b": 2}}})
    assert result.variables == {"last": "b"}
    too_many = [{"id": "each", "foreach": "{{ range(11) | list }}", "max": 10, "do": []}]
    result, _ = go(registry, too_many)
    assert result.status == "failed"
    assert result.error["type"] == "too_many_items"


def test_set_and_vars(registry):
    steps = [{"id": "s1", "set": {"count": 1}}, {"id": "s2", "set": {"count": "{{ vars.count + 1 }}"}}]
    assert go(registry, steps)[0].variables == {"count": 2}


def test_respond_and_carry_on(registry):
    steps = [{"id": "reply", "respond": {"status": 201, "headers": {"X-Id": "{{ trigger.body.id }}"},
                                         "body": {"ok": True, "id": "{{ trigger.body.id }}"}}},
             {"id": "after", "set": {"done": True}}]  # fmt: skip
    result, _ = go(registry, steps, {"body": {"id": 7}})
    assert result.response == {"status": 201, "headers": {"X-Id": "7"}, "body": {"ok": True, "id": 7}}
    assert result.variables == {"done": True}


def test_a_second_respond_fails(registry):
    steps = [{"id": "r1", "respond": {"body": 1}}, {"id": "r2", "respond": {"body": 2}}]
    result, _ = go(registry, steps)
    assert result.status == "failed"
    assert result.error["step"] == "r2"
    assert result.response["body"] == 1


@pytest.mark.parametrize(("status", "expected"), [("succeeded", "succeeded"), ("failed", "failed")])
def test_stop(registry, status, expected):
    steps = [{"id": "halt", "stop": {"status": status, "reason": "nothing to do for {{ trigger.body.who }}"}},
             {"id": "never", "set": {"x": 1}}]  # fmt: skip
    result, recorder = go(registry, steps, {"body": {"who": "bob"}})
    assert result.status == expected
    assert result.variables == {}
    if expected == "failed":
        assert result.error == {"type": "stopped", "message": "nothing to do for bob"}


def test_retry_with_backoff_then_success(registry):
    waits = []
    counter = {"calls": 0}
    steps = [{"id": "f", "action": "test.flaky", "connection": "c", "input": {"fail_times": 2},
              "retry": {"count": 3, "backoff": 0.5, "factor": 2}}]  # fmt: skip
    result, recorder = go(registry, steps, connections={"c": {"counter": counter}}, sleep=waits.append)
    assert result.status == "succeeded"
    assert waits == [0.5, 1.0]
    assert result.outputs["f"] == {"calls": 3}
    assert recorder.finished() == [("f", "failed"), ("f", "failed"), ("f", "succeeded")]


def test_retry_honours_retry_after_and_gives_up(registry):
    waits = []
    steps = [{"id": "f", "action": "test.flaky", "connection": "c", "input": {"fail_times": 9, "retry_after": 3},
              "retry": {"count": 2, "backoff": 1}}]  # fmt: skip
    result, _ = go(registry, steps, connections={"c": {"counter": {"calls": 0}}}, sleep=waits.append)
    assert waits == [3.0, 3.0]
    assert result.status == "failed"
    assert result.error["retryable"] is True


def test_permanent_errors_are_not_retried(registry):
    waits = []
    steps = [{"id": "f", "action": "test.fail", "retry": {"count": 3}}]
    result, _ = go(registry, steps, sleep=waits.append)
    assert waits == []
    assert result.error["step"] == "f"
    assert "refused" in result.error["message"]


def test_on_error_runs_instead_of_failing(registry):
    steps = [{"id": "f", "action": "test.fail", "input": {"message": "no such user"},
              "on_error": [{"id": "note", "set": {"handled": "{{ error.message }}"}}]},
             {"id": "next", "set": {"went_on": True}}]  # fmt: skip
    result, recorder = go(registry, steps)
    assert result.status == "succeeded"
    assert "no such user" in result.variables["handled"]
    assert result.variables["went_on"] is True
    assert ("f.on_error.note", "succeeded") in recorder.finished()


def test_call_another_recipe(registry):
    calls = []

    def call_recipe(target, input, deadline):
        calls.append((target, input))
        return {"greeting": f"hi {input['name']}"}

    steps = [{"id": "c", "call": "greeter", "input": {"name": "{{ trigger.body.name }}"}},
             {"id": "use", "set": {"g": "{{ steps.c.greeting }}"}}]  # fmt: skip
    result, _ = go(registry, steps, {"body": {"name": "Ada"}}, call_recipe=call_recipe)
    assert calls == [("greeter", {"name": "Ada"})]
    assert result.variables == {"g": "hi Ada"}


def test_the_deadline_stops_the_run_before_the_next_step(registry):
    steps = [{"id": "slow", "action": "test.slow", "input": {"seconds": 0.3}}, {"id": "late", "set": {"x": 1}}]
    result, _ = go(registry, steps, deadline=time.monotonic() + 0.1)
    assert result.status == "failed"
    assert result.error["type"] == "deadline"
    assert result.error["step"] == "late"


def test_cancel_stops_before_the_next_step(registry):
    class CancelAfterFirst(ListRecorder):
        def should_cancel(self):
            return len(self.finished()) >= 1

    result, recorder = go(registry, [{"id": "a", "set": {}}, {"id": "b", "set": {}}], recorder=CancelAfterFirst())
    assert result.status == "cancelled"
    assert recorder.finished() == [("a", "succeeded")]


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("{{ trigger.body.missing.deeper }}", "has no attribute 'missing'"),
        ("{{ trigger.body.name.__class__ }}", "has no attribute '__class__'"),
        ("{{ 1 / 0 }}", "division by zero"),
        ("{{ trigger.body. }}", "expected name"),
        ("{{ 'x' * 10000000 }}", "not allowed"),
        ("{{ trigger.body.name | nosuchfilter }}", "nosuchfilter"),
    ],
)
def test_expression_errors_name_the_step_the_field_and_the_expression(registry, value, fragment):
    result, _ = go(
        registry, [{"id": "greet", "action": "test.echo", "input": {"text": value}}], {"body": {"name": "A"}}
    )
    assert result.status == "failed"
    assert result.error["type"] == "expression_error"
    assert result.error["step"] == "greet"
    assert result.error["field"] == "input"
    assert fragment in result.error["message"]
    assert value.strip("{} ") in result.error["message"]


def test_connector_output_that_breaks_its_schema_is_a_step_error(registry):
    result, _ = go(registry, [{"id": "b", "action": "test.bad_output", "input": {}}])
    assert result.error["type"] == "OutputMismatchError"


def test_unknown_action_and_unbound_connection(registry):
    assert go(registry, [{"id": "x", "action": "nope.do"}])[0].error["field"] == "action"
    unbound = go(registry, [{"id": "x", "action": "test.echo", "connection": "chat", "input": {}}])[0]
    assert unbound.error["type"] == "unbound_connection"


def test_a_real_connector_runs_through_the_sdk(registry):
    steps = [{"id": "csv", "action": "data.csv_parse", "input": {"text": "{{ trigger.body.csv }}"}},
             {"id": "first", "set": {"name": "{{ steps.csv.rows[0].name }}"}}]  # fmt: skip
    result, _ = go(registry, steps, {"body": {"csv": "name\nAda\n"}})
    assert result.variables == {"name": "Ada"}


def test_a_pinned_action_renders_its_input_calls_nothing_and_answers_its_pin(registry):
    steps = [
        {"id": "a", "action": "test.fail", "input": {"to": "{{ trigger.body.email }}"}},
        {"id": "b", "action": "test.echo", "input": {"id": "{{ steps.a.id }}"}},
    ]
    result, recorder = go(registry, steps, {"body": {"email": "ada@example.com"}}, pins={"a": {"id": 7}})
    assert result.status == "succeeded"  # test.fail would have failed: it was never called
    assert result.outputs == {"a": {"id": 7}, "b": {"id": 7}}
    started = [e for e in recorder.events if e["event"] == "started"]
    assert started[0] == {"event": "started", "step": "a", "path": "a", "kind": "action",
                          "input": {"to": "ada@example.com"}, "pinned": True, "repeatable": True}  # fmt: skip
    assert "pinned" not in started[1]


def test_only_steps_that_may_reach_outside_the_run_are_reported_as_not_repeatable(registry):
    steps = [
        {"id": "log", "action": "data.log", "input": {"message": "hi"}},
        {"id": "echo", "action": "test.echo", "input": {"id": 1}},
        {"id": "keep", "set": {"n": 1}},
        {"id": "check", "if": "{{ vars.n == 1 }}", "then": [{"id": "inner", "set": {"m": 2}}]},
        {"id": "each", "foreach": "{{ [1] }}", "do": []},
        {"id": "reply", "respond": {"status": 200}},
    ]
    _, recorder = go(registry, steps, {"body": {}})
    repeatable = {e["step"]: e.get("repeatable", False) for e in recorder.events if e["event"] == "started"}
    assert repeatable == {"log": True, "echo": False, "keep": True, "check": True, "inner": True, "each": True,
                          "reply": True}  # fmt: skip


def test_a_pin_is_a_copy_a_later_step_cannot_change(registry):
    pins = {"a": {"rows": [1]}}
    steps = [{"id": "a", "action": "test.fail", "input": {}},
             {"id": "v", "set": {"rows": "{{ steps.a.rows }}"}}]  # fmt: skip
    go(registry, steps, pins=pins)
    assert pins == {"a": {"rows": [1]}}
