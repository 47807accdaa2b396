"""The one JSON reader for every body the platform accepts."""

import pytest

from connectors.strict_json import MAX_DEPTH, JSONBodyError, parse


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b'{"a": NaN}', "NaN is not a JSON value"),
        (b'{"a": Infinity}', "Infinity is not a JSON value"),
        (b"[-Infinity]", "-Infinity is not a JSON value"),
        (b'{"a": 1e999}', "out of range"),
        (b"[" + b"9" * 400 + b"]", "out of range"),
        (b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), f"more than {MAX_DEPTH} levels"),
        (b"[" * 100_000, f"more than {MAX_DEPTH} levels"),
        (b'{"a": "\xff\xfe\xfa"}', "not valid UTF-8"),
        (b"{", "not valid JSON"),
    ],
)
def test_what_is_not_storable_json_is_refused(raw, problem):
    with pytest.raises(JSONBodyError, match=problem):
        parse(raw)


def test_ordinary_json_is_read():
    assert parse(b'{"a": [1, 2.5, "\xc3\xa9", null, true]}') == {"a": [1, 2.5, "é", None, True]}
    assert parse("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    assert parse('{"x": 1}'.encode("utf-16")) == {"x": 1}
