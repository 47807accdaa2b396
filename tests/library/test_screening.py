"""What screening flags in what a publish would store, and what it leaves alone."""

import base64
from urllib.parse import quote

import pytest

from builder.library.screening import screen

SECRET = "mw-live-key-8d1f0c77a2"


def kinds(value, **kwargs) -> list[tuple[str, str]]:
    return [(flag["pointer"], flag["kind"]) for flag in screen(value, **kwargs)]


@pytest.mark.parametrize(
    "value",
    [
        {"note": f"key {SECRET}"},
        {"note": base64.b64encode(f"user:{SECRET}".encode()).decode()},  # a Basic header's credentials
        {"note": quote(f"key={SECRET}!", safe="")},
        {SECRET: "the key is the name"},
    ],
)
def test_the_workspaces_own_secret_is_found_in_any_form(value):
    assert "secret" in {kind for _pointer, kind in kinds(value, secrets=[SECRET])}


@pytest.mark.parametrize(
    ("value", "pointer"),
    [
        ({"api_key": 12345678901234}, "/api_key"),
        ({"password": "hunter22"}, "/password"),
        ({"u": "https://sns.example.com/?Action=Confirm&Token=2336412f37fb687f5d51e6e2425c464d"}, "/u"),
        ({"u": "https://hooks.slack.com/services/T0123ABCD/B0123ABCD/abcdefghijklmnop"}, "/u"),
        ({"h": "Bearer abcdefghijklmnopqrstuvwxyz"}, "/h"),
        ({"k": "-----BEGIN RSA PRIVATE KEY-----"}, "/k"),
        ({"u": "postgres://app:s3cret@db.internal/app"}, "/u"),
    ],
)
def test_credentials_by_name_and_by_shape_are_secrets(value, pointer):
    assert (pointer, "secret") in kinds(value)


def test_personal_data_is_flagged_beside_an_example_address():
    assert kinds({"t": "Call +1 415 555 0100 or write to ada@example.com"}) == [("/t", "personal")]
    assert kinds({"t": "ada.lovelace@gmail.com"}) == [("/t", "personal")]


@pytest.mark.parametrize(
    "value",
    [
        {"email": "ada@example.com", "at": "2026-03-02T14:21:06Z", "order": "SO-100234"},
        {"token": "{{ steps.login.token }}", "password": "", "api_key": "example"},
        {"note": "Paste https://hooks.slack.com/services/... here"},
        {"count": 12345678},
    ],
)
def test_ordinary_sample_data_is_not_flagged(value):
    assert kinds(value) == []


def test_setup_notes_keys_are_slot_names_not_credentials():
    notes = {"signature": "A webhooks connection with the signing secret of the sender."}
    assert kinds(notes, names=False, at=("setup_notes",)) == []
    assert kinds(notes) == [("/signature", "secret")]
