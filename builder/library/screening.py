"""What a sample offered to the library must not carry, found before anything is stored:
secrets (the workspace's own connection secrets in any encoding redaction knows, a redacted
placeholder, fields named like a credential, text shaped like a token or a key), which stop
a publish, and personal data (email addresses outside the example domains, phone numbers),
which the owner must confirm."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from builder.connections.models import Connection
from builder.connections.services import connection_values
from connectors.redaction import REDACTED, Redactor
from connectors.registry import registry
from connectors.sdk import json_pointer

SECRET = "secret"  # noqa: S105 (a kind of flag, not a password)
PERSONAL = "personal"

CREDENTIAL_KEY = re.compile(
    r"(pass(word|wd)?|secret|token|api[_-]?key|apikey|authori[sz]ation|cookie|session[_-]?id|private[_-]?key|"
    r"signature|credential|bearer)",
    re.IGNORECASE,
)
TOKEN_SHAPES = [
    ("a JSON web token", re.compile(r"\beyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}")),
    ("a bearer credential", re.compile(r"\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{12,}")),
    ("a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("a GitHub token", re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})")),
    ("an API secret key", re.compile(r"\b(sk|rk)[-_](live|test|proj)?[-_]?[A-Za-z0-9]{16,}")),
    ("an AWS access key", re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
    ("a URL with a password", re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@")),
    (
        "a credential in a URL's query",
        re.compile(
            r"[?&](access_token|token|api_key|apikey|key|secret|signature|sig|password|client_secret)"
            r"""=[^&\s#"'<>{}]{8,}""",
            re.IGNORECASE,
        ),
    ),
    (
        "a Slack incoming webhook URL",
        re.compile(r"hooks\.slack\.com/(services|workflows|triggers)/[A-Za-z0-9]{6,}/\S+"),
    ),
]
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@([A-Za-z0-9-]+\.)+[A-Za-z]{2,}")
EXAMPLE_DOMAINS = re.compile(r"@(.+\.)?(example\.(com|org|net)|example|test|invalid|localhost)$", re.IGNORECASE)
# International (+...) or North American ((415) 555-0100) forms: dates, times and ids are
# digits and dashes too, and a looser shape flags every timestamp.
PHONE = re.compile(r"(?<![\w+])(\+\d[\d ().-]{7,}\d|\(\d{3}\)\s?\d{3}[ .-]\d{4})(?!\w)")
PLACEHOLDER_VALUES = {"", REDACTED, "xxx", "changeme", "example", "<secret>", "***"}


def workspace_secrets(workspace_id: int) -> list[str]:
    """The decrypted secret fields of every connection of the workspace: what to look for."""
    secrets = []
    for connection in Connection.objects.filter(workspace_id=workspace_id):
        connector = registry().get(connection.connector)
        if connector is None:
            continue
        values = connection_values(connection)
        secrets += [str(values[name]) for name in connector.secret_fields if values.get(name)]
    return secrets


def _text_flags(text: str, known: Redactor) -> list[tuple[str, str]]:
    found = []
    if known and known.pattern.search(text):
        found.append((SECRET, "This is one of the workspace's connection secrets."))
    if REDACTED in text:
        found.append((SECRET, "A secret was redacted here: replace it with a made-up value."))
    for name, shape in TOKEN_SHAPES:
        if shape.search(text):
            found.append((SECRET, f"This looks like {name}."))
    for match in EMAIL.finditer(text):
        if not EXAMPLE_DOMAINS.search(match.group(0)):
            found.append((PERSONAL, f"An email address ({match.group(0)}): use one at example.com."))
            break
    if PHONE.search(EMAIL.sub(" ", text)):  # an address's digits are not a phone number
        found.append((PERSONAL, "This looks like a phone number."))
    return found


def _credential(key, value) -> bool:
    """A value under a credential's name: text that is not a placeholder, or a long number
    (a PIN, an account key); a pill (`{{ ... }}`) is where a value comes from, not one."""
    if not CREDENTIAL_KEY.search(str(key)) or isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return len(str(value)) >= 6
    if not isinstance(value, str):
        return False
    stripped = value.strip()
    return stripped.lower() not in PLACEHOLDER_VALUES and not (stripped.startswith("{{") and stripped.endswith("}}"))


def screen(value: Any, *, secrets: Iterable[str] = (), names: bool = True, at: tuple = ()) -> list[dict]:
    """Every flag in `value`, each {"pointer", "kind", "message"} (kind: secret or personal),
    pointers starting at `at`. `names`: a value named like a credential is one (not where keys
    are names of the builder's own, such as the connection slots of setup notes)."""
    known = Redactor(secrets)
    flags: list[dict] = []

    def text(value: str, parts: tuple) -> None:
        for kind, message in _text_flags(value, known):
            flags.append({"pointer": json_pointer(parts), "kind": kind, "message": message})

    def visit(item: Any, parts: tuple) -> None:
        if isinstance(item, dict):
            for key, child in item.items():
                text(str(key), (*parts, key))  # a key is data too
                if names and _credential(key, child):
                    flags.append({"pointer": json_pointer((*parts, key)), "kind": SECRET,
                                  "message": f"A value named {key!r} is likely a credential."})  # fmt: skip
                visit(child, (*parts, key))
        elif isinstance(item, list):
            for n, child in enumerate(item):
                visit(child, (*parts, n))
        elif isinstance(item, str):
            text(item, parts)

    visit(value, at)
    return flags
