"""Pills cannot ask for more memory than their bounds: each amplifier is refused, naming its
bound, before it allocates; ordinary uses of the same functions still work."""

import resource

import pytest

from builder.engine import expression_bounds, expressions
from builder.engine.expressions import MAX_REPEAT, MAX_RESULT_CHARS, ExpressionError, render

PEOPLE = [{"name": "Ada", "admin": True}, {"name": "Grace", "admin": False}]
BODY = {"items": ["a", "b", "c"], "x": 7, "big": "x" * 100_000, "people": PEOPLE, "large": list(range(100_000))}
SCOPE = {"trigger": {"body": BODY}, "steps": {}, "vars": {}}
CHARS, ITEMS = f"{MAX_RESULT_CHARS} characters", f"{MAX_REPEAT} items"


@pytest.mark.parametrize(
    ("expression", "bound"),
    [
        ("range(3000000000) | list", ITEMS),
        ("range(3000000000) | join", ITEMS),
        ("(1,) * 3000000000", ITEMS),
        ("[('x' * 100000)] * 100000", CHARS),
        ("[range(100000)] * 100000", CHARS),
        ('"{:>10000000000}".format(1)', f"{MAX_RESULT_CHARS}"),
        ('"{:.10000000}".format(1.5)', f"{MAX_RESULT_CHARS}"),
        ('"{:>{}}".format(1, 10000000000)', "taken from the arguments"),
        ('("{0}" * 30000).format(trigger.body.big)', CHARS),
        ('("x" * 100000).replace("x", "y" * 100000)', CHARS),
        ('("x" * 100000) | replace("x", "y" * 100000)', CHARS),
        ('("a" * 99999).replace("", "yyyyyyyyyyy")', CHARS),
        ('("y" * 100000).join("x" * 100000)', CHARS),
        ('range(100000) | join("y" * 100000)', CHARS),
        ("'x' | center(3000000000)", CHARS),
        ("'x' | indent(3000000000, true)", CHARS),
        ("('a\\n' * 50000) | indent('y' * 100000)", CHARS),
        ("trigger.body.big | wordwrap(1, wrapstring='y' * 100000)", CHARS),
        ("'%999999999s' | format(1)", f"{MAX_RESULT_CHARS}"),
        ("'%999999999s' % 1", f"{MAX_RESULT_CHARS}"),
        ("'%*s' | format(999999999, 1)", "taken from the arguments"),
        ("('%(a)s' * 20000) % {'a': trigger.body.big}", CHARS),
        ("[1] | batch(3000000000, 0) | list", ITEMS),
        ("[1] | batch(100000, trigger.body.big) | list", CHARS),
        ("[1] | slice(3000000000) | list", ITEMS),
        ("(((9 ** 64) ** 64) ** 64) % 7", "100000 bits"),
        ("((2 ** 60000) * (2 ** 60000)) % 7", "100000 bits"),
        ("(" + " ~ ".join(["('x' * 100000)"] * 9) + ") | wordwrap(10)", "words too long to wrap"),
    ],
)
def test_an_amplifier_is_refused_naming_its_bound(expression, bound):
    with pytest.raises(ExpressionError, match="not allowed: .*" + bound):
        render("{{ " + expression + " }}", SCOPE)


@pytest.fixture
def memory_ceiling():
    # Where the bound is missing these would ask for ~100 GB: with a ceiling 512 MB above
    # what the process holds, they fail with a MemoryError instead of taking the machine.
    with open("/proc/self/statm") as statm:
        held = int(statm.read().split()[0]) * resource.getpagesize()
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    ceiling = held + 512 * 1024**2
    resource.setrlimit(resource.RLIMIT_AS, (ceiling if hard < 0 else min(ceiling, hard), hard))
    yield
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@pytest.mark.parametrize(
    "expression",
    [
        "range(100000) | map('center', 999999) | list | length",
        "range(100000) | map('center', 999999) | join | length",
        "range(100000) | map('center', 999999) | unique | list | length",
        "range(100000) | map('string') | map('replace', '', 'x' * 99990) | list | length",
        "', '.join(range(100000) | map('center', 999999)) | length",
    ],
)
def test_a_filter_mapped_over_a_range_stops_at_the_bound(memory_ceiling, expression):
    with pytest.raises(ExpressionError, match=f"not allowed: the mapped list would be longer than {CHARS}"):
        render("{{ " + expression + " }}", SCOPE)


@pytest.mark.parametrize(
    "expression",
    [
        "range(10000) | select('in', range(10000) | list) | list | length",
        "range(10000) | reject('in', range(10000) | list) | list | length",
        "range(100000) | batch(1) | sum(start=[]) | length",
    ],
)
def test_work_that_grows_with_a_product_of_sizes_runs_out_of_time(monkeypatch, expression):
    monkeypatch.setattr(expression_bounds, "MAX_SECONDS", 0.05, raising=False)
    with pytest.raises(ExpressionError, match="not allowed: the expression took longer than 0.05 s"):
        render("{{ " + expression + " }}", SCOPE)


def test_running_out_of_memory_is_the_expressions_error(monkeypatch):
    def exhausted(value):
        raise MemoryError

    monkeypatch.setitem(expressions.ENV.filters, "exhausting", exhausted)
    with pytest.raises(ExpressionError, match="the expression needs too much memory"):
        render("{{ 1 | exhausting }}", SCOPE)


def test_urlize_is_not_a_filter():
    with pytest.raises(ExpressionError, match="urlize"):
        render("{{ 'see a.co' | urlize(target='x' * 100000) }}", SCOPE)


def test_a_whole_pill_that_makes_a_long_text_is_refused():
    long_text = " ~ ".join(["('x' * 100000)"] * 11)
    with pytest.raises(ExpressionError, match=f"longer than {MAX_RESULT_CHARS} characters"):
        render("{{ " + long_text + " }}", SCOPE)


def test_a_whole_pill_that_makes_a_long_list_is_refused():
    with pytest.raises(ExpressionError, match=f"longer than {MAX_REPEAT} items"):
        render("{{ (range(100000) | list) + (range(100000) | list) }}", SCOPE)


def test_a_plain_path_passes_its_data_through_whatever_its_size():
    assert render("{{ trigger.body.big }}", {**SCOPE, "trigger": {"body": {"big": "x" * 2_000_000}}}) == "x" * 2_000_000


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('"{:>5}".format(trigger.body.x)', "    7"),
        ('"{:.2f} {}".format(1.5, "kg")', "1.50 kg"),
        ('"{0}-{0}".format("a")', "a-a"),
        ('"{:0>3}|{:%}".format(7, 0.5)', "007|50.000000%"),
        ('"a,b".replace(",", ";")', "a;b"),
        ('"a,b,c".replace(",", ";", 1)', "a;b,c"),
        ('"a,b" | replace(",", ";")', "a;b"),
        ("range(10) | list", list(range(10))),
        ("range(2, 10, 3) | list", [2, 5, 8]),
        ('trigger.body.items | join(", ")', "a, b, c"),
        ('", ".join(trigger.body.items)', "a, b, c"),
        ('"x" | center(5)', "  x  "),
        ("'a\\nb' | indent(2)", "a\n  b"),
        ("'a\\nb' | indent('> ', true)", "> a\n> b"),
        ("'aaa bbb' | wordwrap(3)", "aaa\nbbb"),
        ("'%05d|%-3s|' | format(42, 'a')", "00042|a  |"),
        ("'%s-%s' % (1, 2)", "1-2"),
        ("'%(a)s!' % {'a': 1}", "1!"),
        ("7 % 3", 1),
        ("[1, 2, 3] | batch(2, 0) | list", [[1, 2], [3, 0]]),
        ("[1, 2, 3] | slice(2) | list", [[1, 2], [3]]),
        ("[0] * 3", [0, 0, 0]),
        ("'ab' * 3", "ababab"),
        ("'long text here' | truncate(9, true, '…', 0)", "long tex…"),
        ("1500000 | filesizeformat", "1.5 MB"),
        ("trigger.body.items | tojson", '["a", "b", "c"]'),
        ("trigger.body.people | map(attribute='name') | join(', ')", "Ada, Grace"),
        ("trigger.body.people | selectattr('admin') | map(attribute='name') | list", ["Ada"]),
        ("trigger.body.people | rejectattr('admin') | map(attribute='name') | list", ["Grace"]),
        ("range(10) | select('odd') | list", [1, 3, 5, 7, 9]),
        ("range(5) | reject('odd') | map('string') | join", "024"),
        ("[[1], [2]] | sum(start=[])", [1, 2]),
        ("2 ** 10", 1024),
        ("10 ** 6", 1_000_000),
        ("2 ** 100", 2**100),
        ("2 ** -1", 0.5),
        ("trigger.body.x * 6", 42),
        ("trigger.body.items | sort(reverse=true)", ["c", "b", "a"]),
        ("[1, 2, 1] | unique | list", [1, 2]),
        ("trigger.body.large | select('even') | list | length", 50_000),
    ],
)
def test_ordinary_uses_still_work(expression, expected):
    assert render("{{ " + expression + " }}", SCOPE) == expected


def test_format_map_is_bounded_too():
    assert render('{{ "{a}!".format_map({"a": 1}) }}', SCOPE) == "1!"
    with pytest.raises(ExpressionError, match=CHARS):
        render('{{ ("{a}" * 30000).format_map({"a": trigger.body.big}) }}', SCOPE)
