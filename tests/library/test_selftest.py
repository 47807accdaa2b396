"""The self-test runs the real engine with the app steps pinned, and compares."""

from builder.library.document import parse_template
from builder.library.selftest import run_self_test
from builder.version import VERSION


def result_of(document) -> dict:
    return run_self_test(parse_template(document))


def test_a_passing_self_test_says_the_version_and_what_the_app_got(greet):
    result = result_of(greet)
    assert result["passed"] is True
    assert result["stepwise_version"] == VERSION
    case = result["cases"][0]
    assert case["calls"] == {"tell": [{"recipients": ["ada@example.com"], "message": "Welcome, Ada!"}]}
    assert case["response"]["body"] == {"greeting": "Hello Ada"}


def test_a_different_message_fails_at_its_pointer(greet):
    greet["self_test"]["cases"][0]["expect"]["calls"]["tell"][0]["message"] = "Welcome!"
    case = result_of(greet)["cases"][0]
    assert case["passed"] is False
    assert case["problems"] == [{"pointer": "/calls/tell/0/message", "message": "differs", "expected": "Welcome!",
                                 "actual": "Welcome, Ada!"}]  # fmt: skip


def test_a_different_response_fails(greet):
    greet["self_test"]["cases"][0]["expect"]["response"]["body"] = {"greeting": "Hi"}
    assert result_of(greet)["cases"][0]["problems"][0]["pointer"] == "/response/body/greeting"


def test_a_pin_that_does_not_fit_the_actions_output_fails(greet):
    greet["self_test"]["cases"][0]["pins"]["tell"] = {"sent": True}
    problems = result_of(greet)["cases"][0]["problems"]
    assert any(p["pointer"] == "/pins/tell" and "output" in p["message"] for p in problems)


def test_an_input_the_action_would_refuse_fails(greet):
    greet["recipe"]["steps"][0]["input"]["recipients"] = "{{ trigger.body.email }}"  # a text, not a list
    greet["self_test"]["cases"][0]["expect"]["calls"]["tell"][0]["recipients"] = "ada@example.com"
    problems = result_of(greet)["cases"][0]["problems"]
    assert any(p["pointer"].startswith("/calls/tell/0") and "would refuse" in p["message"] for p in problems)


def test_a_sample_that_breaks_the_request_schema_fails(greet):
    greet["self_test"]["cases"][0]["trigger"]["body"] = {"name": "Ada", "email": "ada@example.com", "extra": 1}
    greet["recipe"]["trigger"]["request_schema"]["additionalProperties"] = False
    problems = result_of(greet)["cases"][0]["problems"]
    assert problems[0]["pointer"] == "/trigger/body"


def test_a_response_that_breaks_the_response_schema_fails(greet):
    greet["recipe"]["steps"][2]["respond"]["body"] = {"hello": "Ada"}
    greet["self_test"]["cases"][0]["expect"]["response"]["body"] = {"hello": "Ada"}
    problems = result_of(greet)["cases"][0]["problems"]
    assert any(p["pointer"] == "/response" and "breaks its schema" in p["message"] for p in problems)


def test_a_run_expected_to_fail_passes_when_it_fails(greet):
    greet["recipe"]["steps"].insert(0, {"id": "halt", "stop": {"status": "failed", "reason": "no"}})
    greet["self_test"]["cases"][0]["expect"] = {"status": "failed", "calls": {"tell": []}}
    assert result_of(greet)["passed"] is True


def test_a_run_out_of_time_fails_even_where_a_failure_is_expected(greet, monkeypatch):
    from builder.library import selftest

    monkeypatch.setattr(selftest, "SECONDS", 0.0)
    greet["self_test"]["cases"][0]["expect"] = {"status": "failed", "calls": {"tell": []}}
    case = result_of(greet)["cases"][0]
    assert (case["passed"], case["problems"][0]["pointer"]) == (False, "/status")
    assert "ran out of" in case["problems"][0]["message"]


def test_a_loop_keeps_the_first_calls_of_a_step_and_counts_the_rest(greet):
    greet["recipe"]["steps"][0] = {"id": "each", "foreach": "{{ range(60) | list }}", "as": "n", "max": 100,
                                   "do": [dict(greet["recipe"]["steps"][0], input={
                                       "recipients": ["ada@example.com"], "message": "Hi {{ n }}"})]}  # fmt: skip
    calls = [{"recipients": ["ada@example.com"], "message": f"Hi {n}"} for n in range(50)]
    greet["self_test"]["cases"][0]["expect"]["calls"] = {"tell": calls}
    case = result_of(greet)["cases"][0]
    assert case["passed"], case["problems"]
    assert (len(case["calls"]["tell"]), case["more_calls"]) == (50, {"tell": 10})
