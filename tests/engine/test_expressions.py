"""Pills: types kept, text rendered, sandbox enforced."""

import pytest

from builder.engine.expressions import ExpressionError, pills, render

SCOPE = {"trigger": {"body": {"name": "Ada", "tags": ["a", "b"], "n": 3, "ok": True, "none": None,
                              "items": {"k": 1}, "email": "ada@example.com"}},
         "steps": {"s": {"rows": [{"name": "x"}]}}, "vars": {}}  # fmt: skip


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("{{ trigger.body.tags }}", ["a", "b"]),
        ("{{ trigger.body.n }}", 3),
        ("{{ trigger.body.ok }}", True),
        ("{{ trigger.body.none }}", None),
        ("{{ trigger.body.items }}", {"k": 1}),
        ("{{ steps.s.rows[0].name }}", "x"),
        ("  {{ trigger.body.n * 2 }}  ", 6),
        ("Hi {{ trigger.body.name }}, {{ trigger.body.n }} new", "Hi Ada, 3 new"),
        ("{{ trigger.body.email.endswith('@example.com') }}", True),
        ("{{ trigger.body.tags | join('+') | upper }}", "A+B"),
        ("{{ trigger.body.missing | default('none') }}", "none"),
        (
            "{{ trigger.body | json }}",
            '{"email": "ada@example.com", "items": {"k": 1}, "n": 3, "name": "Ada", '
            '"none": null, "ok": true, "tags": ["a", "b"]}',
        ),
        ("{{ 0 | date('%Y-%m-%d') }}", "1970-01-01"),
        ({"a": ["{{ trigger.body.n }}", "plain"]}, {"a": [3, "plain"]}),
        ("no pills at all", "no pills at all"),
    ],
)
def test_values(value, expected):
    assert render(value, SCOPE) == expected


@pytest.mark.parametrize(
    "value",
    [
        "{{ trigger.body.name.__class__.__mro__ }}",
        "{{ ''.__class__ }}",
        "{{ trigger.body.items.keys() }}",
        "{{ range.__self__ }}",
        "{{ cycler }}",
        "{{ 'a' * 1000001 }}",
        "{{ [1] * 1000001 }}",
        "{{ 2 ** 100000 }}",
    ],
)
def test_the_sandbox_refuses(value):
    with pytest.raises(ExpressionError):
        render(value, SCOPE)


def test_a_long_rendered_text_is_refused():
    with pytest.raises(ExpressionError, match="longer than"):
        render(" ".join(["{{ 'x' * 99999 }}"] * 11), SCOPE)


def test_template_statements_are_plain_text():
    assert (
        render("{% for i in range(3) %}{{ trigger.body.n }}{% endfor %}", SCOPE)
        == "{% for i in range(3) %}3{% endfor %}"
    )


def test_values_inside_text():
    text = "{{ trigger.body.ok }} {{ trigger.body.none }} {{ trigger.body.tags }} {{ trigger.body.items }}"
    assert render(text, SCOPE) == 'true  ["a", "b"] {"k": 1}'


def test_pills_lists_the_expressions():
    assert pills({"a": "x {{ trigger.body.n }} {{ steps.s }}", "b": ["{{vars.x}}"]}) == [
        "trigger.body.n", "steps.s", "vars.x"]  # fmt: skip


def test_fromjson_reads_json_text():
    assert render("{{ '{\"a\": [1, 2]}' | fromjson }}", SCOPE) == {"a": [1, 2]}


@pytest.mark.parametrize("text", ["NaN", "[1e999]", "[" * 500 + "]" * 500, "{"])
def test_fromjson_refuses_what_a_job_cannot_store(text):
    with pytest.raises(ExpressionError, match="fromjson"):
        render("{{ text | fromjson }}", {**SCOPE, "text": text})
