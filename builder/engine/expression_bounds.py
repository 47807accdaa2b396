"""Size and time bounds for pills. expressions.PillEnvironment installs them in place of
Jinja's own filters and operators.

By size, before allocating: each function or operator that can make a result much larger
than its inputs estimates that result first and raises SecurityError past a bound. An
estimate counts a shared item each time it appears (`[text] * n` is n texts once it is
turned into text or JSON), and stops counting past the bound, so checking costs at most
about MAX_RESULT_CHARS steps, and nothing for the small values pills usually make. An
integer `*` or `**` is refused past MAX_INT_BITS.

By size, while iterating: the filters that loop (`map`, `select`, `reject`, `selectattr`,
`rejectattr`, `join`) count what they give as they give it, so `range(100000) | map(...)`
stops at the bound instead of making 100,000 results and checking them after. What a
filter applied by `map` makes counts towards MAX_RESULT_CHARS; what the others pass on is
the data's own items, already in memory, so only their number counts (MAX_REPEAT).

By time: work that grows with a product of sizes (`select('in', a_list)` over a range,
`sum` of lists) is not worth estimating; instead each evaluation has MAX_SECONDS, checked
at each item those filters (and `sum`) take and at each intercepted operator.
"""

from __future__ import annotations

import re
import string
import time
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any

from jinja2 import filters, pass_context, pass_environment, pass_eval_context
from jinja2.sandbox import SecurityError

MAX_RESULT_CHARS = 1_000_000
MAX_REPEAT = 100_000
MAX_INT_BITS = 100_000
MAX_SECONDS = 1.0
MAX_WRAP_WORK = 20_000_000_000  # characters textwrap may copy cutting long words: about 0.7 s
# When the running evaluation must stop (time.monotonic()); none outside an evaluation.
_deadline: ContextVar[float] = ContextVar("pill_deadline", default=float("inf"))
_FIELD_NUMBER = re.compile(r"\d+")
_PRINTF_FIELD = re.compile(r"%(?:\(([^)]*)\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d*))?[hlL]?(.)", re.S)


def weight(value: Any, limit: int = MAX_RESULT_CHARS) -> int:
    """About how many characters `value` takes as text or JSON; past `limit`, some larger number."""
    total, pending = 0, [value]
    while pending and total <= limit:
        item = pending.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, list | tuple):
            total += len(item)
            pending.extend(item)
        elif isinstance(item, dict):
            total += 2 * len(item)
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, range):
            total += len(item)
        else:
            total += 1
    return total


def check_chars(size: int, what: str) -> None:
    if size > MAX_RESULT_CHARS:
        raise SecurityError(f"{what} would be longer than {MAX_RESULT_CHARS} characters")


def check_items(count: int, what: str) -> None:
    if count > MAX_REPEAT:
        raise SecurityError(f"{what} would be longer than {MAX_REPEAT} items")


def start_clock() -> Any:
    """Gives the evaluation about to run MAX_SECONDS; returns the token to stop_clock() with."""
    return _deadline.set(time.monotonic() + MAX_SECONDS)


def stop_clock(token: Any) -> None:
    _deadline.reset(token)


def check_time() -> None:
    if time.monotonic() > _deadline.get():
        raise SecurityError(f"the expression took longer than {MAX_SECONDS:g} s")


def check_int_size(operator: str, left: Any, right: Any) -> None:
    """Integer `**` and `*`: the result's bits, before Python spends seconds computing them."""
    if not (isinstance(left, int) and isinstance(right, int)):
        return  # a float overflows to an error by itself
    if operator == "**":
        bits = left.bit_length() * right if abs(left) > 1 and right > 0 else 0
    else:
        bits = left.bit_length() + right.bit_length()
    if bits > MAX_INT_BITS:
        raise SecurityError(f"the result would be larger than {MAX_INT_BITS} bits")


def ticking(items: Iterable) -> Iterator:
    """`items`, checking the clock at each one (what a looping filter takes)."""
    for item in items:
        check_time()
        yield item


def counted(items: Iterable, what: str, *, weigh: bool) -> Iterator:
    """`items`, refused past MAX_REPEAT of them, or with `weigh` past MAX_RESULT_CHARS in all."""
    count = size = 0
    for item in items:
        count += 1
        check_items(count, what)
        if weigh:
            size += weight(item, MAX_RESULT_CHARS - size)
            check_chars(size, what)
        yield item


def join_items(separator: Any, value: Any) -> list:
    """The items `separator.join(value)` will join, counted and weighed as they are taken."""
    items, size, between = [], 0, weight(separator)
    for item in ticking(value):
        size += weight(item, MAX_RESULT_CHARS - size) + (between if items else 0)
        items.append(item)
        check_items(len(items), "the joined list")
        check_chars(size, "the joined text")
    return items


def check_repeat(sequence: Any, count: Any) -> None:
    """`sequence * count`: at most MAX_REPEAT items, and at most MAX_RESULT_CHARS as text."""
    if isinstance(sequence, str | list | tuple) and isinstance(count, int) and count > 1:
        check_items(len(sequence) * count, "the result")
        if not isinstance(sequence, str):
            check_chars(weight(sequence, MAX_RESULT_CHARS // count) * count, "the result")


def bounded_range(*args: int) -> range:
    numbers = range(*args)
    check_items(len(numbers), "range()")
    return numbers


def _format_number(spec: str) -> int:
    return sum(int(number) for number in _FIELD_NUMBER.findall(spec))


def check_format(text: str, args: tuple, kwargs: dict) -> None:
    """`text.format(*args, **kwargs)`: widths and precisions, and the arguments each field shows."""
    size, auto = len(text), 0
    for _literal, field, spec, _conversion in string.Formatter().parse(text):
        if field is None:
            continue
        if spec and "{" in spec:
            raise SecurityError("a format spec taken from the arguments ({:{}})")
        name = re.split(r"[.\[]", field, maxsplit=1)[0]
        if name == "":
            name, auto = str(auto), auto + 1
        if name.isdigit():
            argument = args[int(name)] if int(name) < len(args) else None
        else:
            argument = kwargs.get(name) if isinstance(kwargs, dict) else None
        size += _format_number(spec) + weight(argument)
        check_chars(size, "the formatted text")


def check_printf(text: Any, values: Any) -> None:
    """`text % values` (the `format` filter and the `%` operator on text)."""
    if not isinstance(text, str):
        return
    positional = values if isinstance(values, tuple) else (values,)
    size, index = len(text), 0
    for match in _PRINTF_FIELD.finditer(text):
        name, width, precision, kind = match.groups()
        if "*" in (width, precision):
            raise SecurityError("a printf width or precision taken from the arguments (%*s)")
        if kind == "%":
            continue
        if name is not None:
            argument = values.get(name) if isinstance(values, dict) else None
        else:
            argument = positional[index] if index < len(positional) else None
            index += 1
        size += int(width or 0) + int(precision or 0) + weight(argument)
        check_chars(size, "the formatted text")


def check_replace(text: str, old: str, new: str, count: int = -1) -> None:
    found = text.count(old)
    if count >= 0:
        found = min(found, count)
    check_chars(len(text) + found * (len(new) - len(old)), "the replaced text")


@pass_eval_context
def replace_filter(eval_ctx, s: Any, old: Any, new: Any, count: int | None = None) -> str:
    check_replace(str(s), str(old), str(new), -1 if count is None else count)
    return filters.do_replace(eval_ctx, s, old, new, count)


@pass_eval_context
def join_filter(eval_ctx, value: Any, d: Any = "", attribute: Any = None) -> str:
    return filters.sync_do_join(eval_ctx, join_items(d, value), d, attribute)


def center_filter(value: Any, width: int = 80) -> str:
    check_chars(width if isinstance(width, int) else 0, "the centred text")
    return filters.do_center(value, width)


def indent_filter(s: str, width: int | str = 4, first: bool = False, blank: bool = False) -> str:
    indention = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
    check_chars(len(str(s)) + (str(s).count("\n") + 1) * indention, "the indented text")
    return filters.do_indent(s, width, first, blank)


@pass_environment
def wordwrap_filter(
    environment,
    s: str,
    width: int = 79,
    break_long_words: bool = True,
    wrapstring: str | None = None,
    break_on_hyphens: bool = True,
) -> str:
    text = str(s)
    lines = len(text) // max(width, 1) if isinstance(width, int) else 0
    lines += sum(text.count(space) for space in " \t\n-") + 1  # each line ends at one of these
    check_chars(len(text) + lines * len(wrapstring or environment.newline_sequence), "the wrapped text")
    if break_long_words and isinstance(width, int) and width > 0:
        # textwrap cuts a long word one line at a time, copying the rest of it each time,
        # all inside one call the clock cannot stop.
        work = sum(len(word) ** 2 for word in text.split() if len(word) > width) // width
        if work > MAX_WRAP_WORK:
            raise SecurityError("the text has words too long to wrap at this width")
    return filters.do_wordwrap(environment, s, width, break_long_words, wrapstring, break_on_hyphens)


def format_filter(value: Any, *args: Any, **kwargs: Any) -> str:
    check_printf(str(value), kwargs or args)
    return filters.do_format(value, *args, **kwargs)


def batch_filter(value: Any, linecount: int, fill_with: Any = None) -> Any:
    if fill_with is not None and isinstance(linecount, int):
        check_items(linecount, "a batch")
        check_chars(weight(fill_with, MAX_RESULT_CHARS // max(linecount, 1)) * linecount, "a batch")
    return filters.do_batch(value, linecount, fill_with)


def slice_filter(value: Any, slices: int, fill_with: Any = None) -> Any:
    if isinstance(slices, int):
        check_items(slices, "the slices")
        if fill_with is not None:
            check_chars(weight(fill_with, MAX_RESULT_CHARS // max(slices, 1)) * slices, "the slices")
    return filters.sync_do_slice(value, slices, fill_with)


@pass_context
def map_filter(context, value: Any, *args: Any, **kwargs: Any) -> Iterator:
    # map(attribute=…) passes on the data's own values; map("a_filter") makes new ones.
    mapped = filters.sync_do_map(context, ticking(value), *args, **kwargs)
    return counted(mapped, "the mapped list", weigh=bool(args))


def _passing_on(jinja_filter, what: str):
    @pass_context
    def bounded(context, value: Any, *args: Any, **kwargs: Any) -> Iterator:
        return counted(jinja_filter(context, ticking(value), *args, **kwargs), what, weigh=False)

    return bounded


@pass_environment
def sum_filter(environment, iterable: Any, attribute: Any = None, start: Any = 0) -> Any:
    # sum(start=[]) of lists copies the total at each one: quadratic, so it runs on the clock.
    return filters.sync_do_sum(environment, ticking(iterable), attribute, start)


# Jinja's filters that can make more than their inputs, or loop, in place of its own. The
# others give at most about their input (or a few times it: escape, urlencode, upper), or a
# scalar: truncate only shortens (plus its `end`), filesizeformat gives a float's digits at
# most; groupby, unique, sort, batch… of a bounded map or select take a bounded input.
BOUNDED_FILTERS = {
    "replace": replace_filter,
    "join": join_filter,
    "center": center_filter,
    "indent": indent_filter,
    "wordwrap": wordwrap_filter,
    "format": format_filter,
    "batch": batch_filter,
    "slice": slice_filter,
    "map": map_filter,
    "select": _passing_on(filters.sync_do_select, "the selected list"),
    "reject": _passing_on(filters.sync_do_reject, "the selected list"),
    "selectattr": _passing_on(filters.sync_do_selectattr, "the selected list"),
    "rejectattr": _passing_on(filters.sync_do_rejectattr, "the selected list"),
    "sum": sum_filter,
}
# urlize makes HTML links, of no use in data mapping, and adds its `target`, `rel` and
# `extra_schemes` to each link, which multiplies a long argument by the number of links.
REMOVED_FILTERS = ("urlize",)
