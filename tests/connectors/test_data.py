import logging

import pytest

from connectors.data import connector
from connectors.sdk import InvalidInputError, PermanentError
from connectors.testkit import run


def data(action, **input):
    return run(connector, action, connection={}, input=input)


def test_json_round_trip():
    value = {"name": "Zoë", "tags": ["a", "b"], "n": 1.5}
    text = data("json_stringify", value=value, sort_keys=True)["text"]
    assert text == '{"n": 1.5, "name": "Zoë", "tags": ["a", "b"]}'
    assert data("json_parse", text=text)["value"] == value


def test_json_parse_error_is_clear():
    with pytest.raises(PermanentError, match="not valid JSON"):
        data("json_parse", text="{nope")


def test_csv_round_trip_with_header():
    parsed = data("csv_parse", text='name,team\nAda,"R&D, labs"\nGrace,Navy\n')
    assert parsed == {"columns": ["name", "team"], "rows": [{"name": "Ada", "team": "R&D, labs"},
                                                              {"name": "Grace", "team": "Navy"}]}  # fmt: skip
    text = data("csv_generate", rows=parsed["rows"])["text"]
    assert text.splitlines() == ["name,team", 'Ada,"R&D, labs"', "Grace,Navy"]


def test_csv_without_header_and_other_delimiter():
    assert data("csv_parse", text="a;b\nc;d", delimiter=";", has_header=False)["rows"] == [["a", "b"], ["c", "d"]]


def test_csv_generate_fills_missing_columns():
    output = data("csv_generate", rows=[{"a": 1}, {"b": None, "c": "x"}], columns=["a", "c"])
    assert output == {"text": "a,c\r\n1,\r\n,x\r\n", "row_count": 2}


def test_pick_and_rename():
    output = data("pick_fields", object={"id": 1, "email": "a@b.c", "secret": "x"}, fields=["id", "email"],
                  rename={"email": "mail"})  # fmt: skip
    assert output == {"object": {"id": 1, "mail": "a@b.c"}}


def test_lookup_in_a_map_and_in_rows():
    assert data("lookup", table={"IT": "it@acme.com"}, key="IT") == {"found": True, "value": "it@acme.com"}
    assert data("lookup", table={"IT": "x"}, key="HR", default="hr@acme.com") == {
        "found": False,
        "value": "hr@acme.com",
    }
    rows = [{"code": "7", "name": "Paris"}, {"code": "8", "name": "Lyon"}]
    assert data("lookup", table=rows, key="8", key_column="code")["value"] == {"code": "8", "name": "Lyon"}


def test_log_writes_to_the_job_logger(caplog):
    with caplog.at_level(logging.INFO, logger="stepwise.connectors"):
        assert data("log", message="branch taken", level="warning") == {"message": "branch taken", "level": "warning"}
    assert "branch taken" in caplog.text


def test_format_datetime():
    output = data("format_datetime", value="2026-07-14T10:00:00Z", timezone="America/New_York", format="%H:%M %Z")
    assert output["text"] == "06:00 EDT"
    assert data("format_datetime", value=0)["iso"] == "1970-01-01T00:00:00+00:00"


@pytest.mark.parametrize(
    ("action", "input", "pointer"),
    [
        ("json_parse", {}, ""),
        ("csv_parse", {"text": "a", "delimiter": ";;"}, "/delimiter"),
        ("pick_fields", {"object": []}, "/object"),
        ("log", {"message": "x", "level": "loud"}, "/level"),
        ("format_datetime", {"value": "2026-01-01", "timezone": "Nowhere/City"}, "/timezone"),
    ],
)
def test_bad_input(action, input, pointer):
    with pytest.raises(InvalidInputError) as caught:
        run(connector, action, connection={}, input=input)
    assert caught.value.errors[0]["pointer"] == pointer


def test_an_unparseable_date_is_clear():
    with pytest.raises(PermanentError, match="ISO 8601"):
        data("format_datetime", value="next tuesday")
