"""A run resumed from the recorded outcomes of the steps that finished: only the step that
was in flight, and the steps after it, call their apps again."""

import pytest

from builder.engine.recorder import ListRecorder
from builder.engine.runner import run
from connectors.sdk import Action, Connector, RetryableError

ANY = {"type": "object"}


def _send(ctx, input):
    log, busy = ctx.connection["log"], ctx.connection["busy"]
    log.append({"step": input["step"], "value": input.get("value"), "key": ctx.idempotency_key})
    if input["step"] in busy:
        busy.discard(input["step"])
        raise RetryableError("busy, try later", status=503)
    return {"step": input["step"], "n": len(log)}


APP = Connector(name="app", title="App", description="Remembers every call.", category="test",
                actions=(Action("send", "send", "send", ANY, ANY, _send),))  # fmt: skip


class WorkerDied(BaseException):
    """What a SIGKILL looks like from inside: nothing after it runs, not even the recorder."""


class DiesAt(ListRecorder):
    """Records like a job does, and dies when the given attempt of `path` ends, before its outcome is kept."""

    def __init__(self, path: str, occurrence: int = 1):
        super().__init__()
        self.path, self.occurrence, self.seen = path, occurrence, 0

    def step_finished(self, step_id, path, status, output=None, error=None):
        if path == self.path:
            self.seen += 1
            if self.seen == self.occurrence:
                raise WorkerDied()
        super().step_finished(step_id, path, status, output, error)


def recorded(recorder: ListRecorder) -> dict[str, list[dict]]:
    """The replay map a job builds from its JobSteps: each path's finished outcomes, in order."""
    replay: dict[str, list[dict]] = {}
    for event in recorder.events:
        if event["event"] == "finished":
            outcome = {key: event[key] for key in ("status", "output", "error") if key in event}
            replay.setdefault(event["path"], []).append(outcome)
    return replay


@pytest.fixture
def apps(registry):
    return {**registry, "app": APP}


@pytest.fixture
def app():
    """The app's connection: the calls it saw, and the steps whose next call it answers 503."""
    return {"log": [], "busy": set()}


def send(step_id, value=None, **input):
    return {"id": step_id, "action": "app.send", "connection": "app",
            "input": {"step": step_id, **({"value": value} if value is not None else {}), **input}}  # fmt: skip


def first_attempt(apps, app, steps, dies_at, occurrence=1, trigger=None, **kwargs) -> dict[str, list[dict]]:
    recorder = DiesAt(dies_at, occurrence)
    with pytest.raises(WorkerDied):
        run({"steps": steps}, trigger=trigger or {"body": {}}, registry=apps, connections={"app": app},
            recorder=recorder, run_key="job-1", **kwargs)  # fmt: skip
    return recorded(recorder)


def resume(apps, app, steps, replay, trigger=None, **kwargs):
    """Runs again with the same run key, as a job's next attempt does; the app's log starts empty."""
    app["log"].clear()
    recorder = ListRecorder()
    result = run({"steps": steps}, trigger=trigger or {"body": {}}, registry=apps, connections={"app": app},
                 recorder=recorder, replay=replay, run_key="job-1", **kwargs)  # fmt: skip
    return result, recorder


def test_only_the_step_in_flight_and_the_ones_after_call_their_apps(apps, app):
    steps = [send("a"), send("b"), send("c"), send("d", value="{{ steps.a.n }},{{ steps.b.n }}")]
    replay = first_attempt(apps, app, steps, dies_at="c")
    in_flight_key = app["log"][-1]["key"]
    result, recorder = resume(apps, app, steps, replay)
    assert result.status == "succeeded"
    assert [call["step"] for call in app["log"]] == ["c", "d"]
    # Later steps read the recorded outputs: a and b were calls 1 and 2 of the first attempt.
    assert app["log"][1]["value"] == "1,2"
    assert result.outputs["a"] == {"step": "a", "n": 1}
    # Replayed steps are not reported again: their JobSteps are already there.
    assert recorder.finished() == [("c", "succeeded"), ("d", "succeeded")]
    assert app["log"][0]["key"] == in_flight_key


def test_each_step_has_its_own_key_stable_for_the_run_key(apps, app):
    steps = [send("a"), send("b")]
    run({"steps": steps}, trigger={}, registry=apps, connections={"app": app}, run_key="job-1")
    run({"steps": steps}, trigger={}, registry=apps, connections={"app": app}, run_key="job-1")
    run({"steps": steps}, trigger={}, registry=apps, connections={"app": app}, run_key="job-2")
    run({"steps": steps}, trigger={}, registry=apps, connections={"app": app})
    run({"steps": steps}, trigger={}, registry=apps, connections={"app": app})
    keys = [call["key"] for call in app["log"]]
    assert all(isinstance(key, str) and len(key) == 32 for key in keys)
    assert keys[0:2] == keys[2:4]
    assert len(set(keys[0:2] + keys[4:])) == 8  # other paths, run keys, and unkeyed runs: all different


def test_a_loop_resumes_at_its_iteration(apps, app):
    steps = [{"id": "each", "foreach": "{{ trigger.body.people }}", "as": "person",
              "do": [send("hello", value="{{ person }} #{{ loop.index }}")]}]  # fmt: skip
    trigger = {"body": {"people": ["ada", "bob", "cy"]}}
    replay = first_attempt(apps, app, steps, dies_at="each[1].hello", trigger=trigger)
    result, recorder = resume(apps, app, steps, replay, trigger=trigger)
    assert [call["value"] for call in app["log"]] == ["bob #1", "cy #2"]
    assert recorder.finished() == [("each[1].hello", "succeeded"), ("each[2].hello", "succeeded")]
    assert result.status == "succeeded"


def test_a_retried_step_replays_its_failed_attempts_without_waiting_again(apps, app):
    steps = [send("f") | {"retry": {"count": 2, "backoff": 5}}, send("after")]
    app["busy"].add("f")
    waits = []
    replay = first_attempt(apps, app, steps, dies_at="f", occurrence=2, sleep=waits.append)
    assert waits == [5.0]
    assert [outcome["status"] for outcome in replay["f"]] == ["failed"]
    first_key, second_key = (call["key"] for call in app["log"])
    waits.clear()
    result, recorder = resume(apps, app, steps, replay, sleep=waits.append)
    assert result.status == "succeeded"
    assert waits == []  # attempt 1's wait is over
    assert [call["step"] for call in app["log"]] == ["f", "after"]  # attempt 2, for real
    assert first_key == second_key == app["log"][0]["key"]  # every attempt of a step sends one key
    assert recorder.finished() == [("f", "succeeded"), ("after", "succeeded")]


def test_the_branch_taken_is_replayed_and_the_run_resumes_inside_it(apps, app):
    steps = [send("a"), {"id": "vip", "if": "{{ steps.a.n == 1 }}", "then": [send("t1"), send("t2")],
                         "else": [send("e")]}]  # fmt: skip
    replay = first_attempt(apps, app, steps, dies_at="vip.then.t2")
    result, recorder = resume(apps, app, steps, replay)
    assert [call["step"] for call in app["log"]] == ["t2"]
    assert recorder.finished() == [("vip.then.t2", "succeeded")]
    # The recorded decision is the one that counts, whatever the condition says now
    # (a condition on the time of day, say).
    forged = {"a": replay["a"], "vip": [{"status": "succeeded", "output": {"branch": "else"}}]}
    resume(apps, app, steps, forged)
    assert [call["step"] for call in app["log"]] == ["e"]


def test_set_and_respond_are_restored(apps, app):
    steps = [send("a"), {"id": "keep", "set": {"n": "{{ steps.a.n }}"}},
             {"id": "reply", "respond": {"status": 201, "body": {"n": "{{ vars.n }}"}}}, send("after")]  # fmt: skip
    replay = first_attempt(apps, app, steps, dies_at="after")
    result, _ = resume(apps, app, steps, replay)
    assert result.status == "succeeded"
    assert result.variables == {"n": 1}
    assert result.response == {"status": 201, "headers": {}, "body": {"n": 1}}
    assert result.outputs["keep"] == {"n": 1}
    assert [call["step"] for call in app["log"]] == ["after"]


def test_a_handled_failure_replays_with_its_handler(apps, app):
    steps = [{"id": "f", "action": "test.fail", "input": {"message": "no such user"},
              "on_error": [send("note", value="{{ error.message }}")]}, send("next")]  # fmt: skip
    replay = first_attempt(apps, app, steps, dies_at="next")
    result, _ = resume(apps, app, steps, replay)
    assert result.status == "succeeded"
    assert [call["step"] for call in app["log"]] == ["next"]


def test_an_error_handler_in_flight_runs_again_with_the_recorded_error(apps, app):
    steps = [{"id": "f", "action": "test.fail", "input": {"message": "no such user"},
              "on_error": [send("note", value="{{ error.type }}: {{ error.message }}")]}, send("next")]  # fmt: skip
    replay = first_attempt(apps, app, steps, dies_at="f.on_error.note")
    first_value = app["log"][-1]["value"]
    result, _ = resume(apps, app, steps, replay)
    assert [call["step"] for call in app["log"]] == ["note", "next"]
    assert app["log"][0]["value"] == first_value
    assert "no such user" in first_value


def test_a_stop_runs_again_rather_than_being_replayed(apps, app):
    steps = [send("a"), {"id": "halt", "stop": {"reason": "nothing to do"}}, send("never")]
    recorder = ListRecorder()
    run({"steps": steps}, trigger={}, registry=apps, connections={"app": app}, recorder=recorder)
    # As if the worker had died after the stop, before the job was marked finished.
    result, again = resume(apps, app, steps, recorded(recorder))
    assert result.status == "succeeded"
    assert app["log"] == []
    assert again.finished() == [("halt", "succeeded")]
