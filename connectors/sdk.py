"""How a connector is declared, and how an action is run.

A connector is plain data: a name, connection fields, actions and triggers. An
action's `run(ctx, input)` reads only its context (the decrypted connection fields,
a logger, a deadline, an HTTP session, the step's idempotency key) and its validated
input, and returns output that must match its output schema. Connectors import this
module and nothing of Django; see docs/connectors.md.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, Literal, TypeVar

import requests
from jsonschema import Draft202012Validator, FormatChecker

from connectors import strict_json
from connectors.errors import (
    ConnectorError,
    InvalidInputError,
    OutputMismatchError,
    PermanentError,
    RetryableError,
    clip,
    error_for_status,
)
from connectors.net import BlockedDestinationError, NetworkPolicy, guarded_session
from connectors.redaction import REDACTED, Redactor, redacting
from connectors.strict_json import JSONBodyError

__all__ = [
    "Action",
    "BlockedDestinationError",
    "Connector",
    "ConnectorError",
    "Context",
    "Field",
    "IncomingRequest",
    "InvalidInputError",
    "JSONBodyError",
    "Item",
    "NetworkPolicy",
    "OutputMismatchError",
    "PermanentError",
    "PollResult",
    "REDACTED",
    "Redactor",
    "RetryableError",
    "Trigger",
    "clip",
    "error_for_status",
    "connection_redactor",
    "read_json",
    "run_action",
    "run_guarded",
    "validate",
]

T = TypeVar("T")
FieldType = Literal["string", "text", "url", "email", "integer", "boolean", "select", "password"]
DEFAULT_CALL_SECONDS = 30.0


@dataclass(frozen=True)
class Field:
    """One field of a connection form. A secret field is encrypted at rest and never shown again."""

    name: str
    label: str
    type: FieldType = "string"
    help: str = ""
    required: bool = False
    secret: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()

    def describe(self) -> dict:
        data = {k: v for k, v in self.__dict__.items() if v not in (None, (), "")}
        data.update(required=self.required, secret=self.secret)
        if self.choices:
            data["choices"] = list(self.choices)
        return data


@dataclass
class Context:
    """What a run function may use: connection fields, a deadline, a logger, an HTTP session,
    and the step's idempotency key."""

    connection: Mapping[str, Any]
    deadline: float
    logger: logging.Logger
    # Which addresses this deployment lets recipes reach; ctx.http enforces it, and a
    # connector opening its own sockets (SMTP, say) checks with network.check_host().
    network: NetworkPolicy = field(default_factory=NetworkPolicy)
    # The same for every attempt of this step in this job, also when a job resumes after
    # its worker died: a connector whose service takes an idempotency key sends it, so
    # that a repeated call is done once. None when the caller gave none.
    idempotency_key: str | None = None
    _http: requests.Session | None = field(default=None, repr=False)

    @property
    def http(self) -> requests.Session:
        """A session whose every new connection is checked against `network`, made when first
        used: most steps of most recipes (data.log, say) never call out."""
        if self._http is None:
            self._http = guarded_session(self.network, self.connection)
        return self._http

    def close(self) -> None:
        if self._http is not None:
            self._http.close()

    def time_left(self) -> float:
        return self.deadline - time.monotonic()

    def timeout(self, cap: float = DEFAULT_CALL_SECONDS) -> float:
        """Seconds the next outbound call may take: the time left, at most `cap`."""
        left = self.time_left()
        if left <= 0:
            raise RetryableError("The step ran out of time before calling the service.")
        return min(cap, left)


@dataclass(frozen=True)
class Action:
    key: str
    title: str
    description: str
    input_schema: dict
    output_schema: dict
    run: Callable[[Context, dict], dict]
    # Pick lists fed by the connection: input field name -> function(ctx) -> [{"value", "label"}].
    pick_lists: Mapping[str, Callable[[Context], list[dict]]] = field(default_factory=dict)
    # True when running it again does nothing outside the run that matters (it computes its
    # output from its input; a log line at most): a job may write its record later, with the
    # next step that calls out, and a job resumed after its worker died may run it again.
    repeatable: bool = False

    @cached_property
    def validators(self) -> tuple[Draft202012Validator, Draft202012Validator]:
        """Of its input and its output schema, made once (the schemas are the action's own)."""
        return schema_validator(self.input_schema), schema_validator(self.output_schema)

    def describe(self, connector: str) -> dict:
        return {
            "key": self.key,
            "name": f"{connector}.{self.key}",
            "title": self.title,
            "description": self.description,
            "input_schema": self.input_schema,
            "output_schema": self.output_schema,
            "pick_lists": sorted(self.pick_lists),
        }


@dataclass(frozen=True)
class Item:
    """One event found by a trigger; `id` de-duplicates it."""

    id: str
    data: dict


@dataclass(frozen=True)
class PollResult:
    """What one poll found. `has_more`: more pages wait now, so the runtime commits this page
    and polls again at once with the new cursor."""

    items: list[Item]
    cursor: Any
    has_more: bool = False


@dataclass(frozen=True)
class IncomingRequest:
    """What a webhook trigger sees of a push: raw body, lower-cased headers, query."""

    body: bytes
    headers: Mapping[str, str]
    query: Mapping[str, str]
    content_type: str = ""


@dataclass(frozen=True)
class Trigger:
    """kind "poll": poll(ctx, input, cursor) -> PollResult. The first poll of a recipe gets
    cursor={"since": "<ISO 8601 UTC time>"} (its first start's "from now" or "from a date"), each
    later one the cursor the previous poll returned. A poll must be safe to repeat with the
    same cursor: a crash between a poll and its commit brings the same page again (items are
    de-duplicated by id).
    kind "webhook": parse(connection, config, request) -> list[Item] (PermanentError on a bad signature).
    kind "schedule": next_runs(config, after, count) -> list[datetime]."""

    key: str
    kind: Literal["poll", "webhook", "schedule"]
    title: str
    description: str
    input_schema: dict
    item_schema: dict = field(default_factory=lambda: {"type": "object"})
    poll: Callable[[Context, dict, Any], PollResult] | None = None
    parse: Callable[[Mapping[str, Any], dict, IncomingRequest], list[Item]] | None = None
    next_runs: Callable[[dict, datetime, int], list[datetime]] | None = None

    def describe(self, connector: str) -> dict:
        return {
            "key": self.key,
            "name": f"{connector}.{self.key}",
            "kind": self.kind,
            "title": self.title,
            "description": self.description,
            "input_schema": self.input_schema,
            "item_schema": self.item_schema,
        }


@dataclass(frozen=True)
class Connector:
    name: str
    title: str
    description: str
    category: str
    icon: str = ""
    fields: tuple[Field, ...] = ()
    actions: tuple[Action, ...] = ()
    triggers: tuple[Trigger, ...] = ()
    # Checks a connection (e.g. one cheap authenticated call); raises ConnectorError when it fails.
    test: Callable[[Context], None] | None = None

    def action(self, key: str) -> Action:
        action = self.find_action(key)
        if action is not None:
            return action
        raise PermanentError(f"The {self.title} connector has no action {key!r}.")

    def find_action(self, key: str) -> Action | None:
        return next((action for action in self.actions if action.key == key), None)

    def trigger(self, key: str) -> Trigger:
        for trigger in self.triggers:
            if trigger.key == key:
                return trigger
        raise PermanentError(f"The {self.title} connector has no trigger {key!r}.")

    @property
    def secret_fields(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields if f.secret)

    def describe(self) -> dict:
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "category": self.category,
            "icon": self.icon,
            "fields": [f.describe() for f in self.fields],
            "testable": self.test is not None,
            "actions": [a.describe(self.name) for a in self.actions],
            "triggers": [t.describe(self.name) for t in self.triggers],
        }


MAX_BODY_BYTES = 10 * 1024 * 1024


def read_body(ctx: Context, response: requests.Response, limit: int = MAX_BODY_BYTES) -> str:
    """The whole body of a streamed response as text, within the step's deadline and a size
    limit (requests' timeout bounds each read, not the whole answer)."""
    chunks, size = [], 0
    with response:
        for chunk in response.iter_content(64 * 1024):
            if ctx.time_left() <= 0:
                raise RetryableError("The service was still sending its answer when the step ran out of time.")
            size += len(chunk)
            if size > limit:
                raise PermanentError(f"The answer is larger than {limit // (1024 * 1024)} MB.")
            chunks.append(chunk)
    return b"".join(chunks).decode(response.encoding or "utf-8", errors="replace")


def read_json(text: str | bytes, what: str = "The text") -> Any:
    """JSON as the platform reads every body: what it returns, a job can store (no NaN or
    Infinity, no number out of range, at most strict_json.MAX_DEPTH levels). Raises
    JSONBodyError, a ValueError whose message names `what`."""
    return strict_json.parse(text, what)


def parse_json(text: str, service: str) -> Any:
    try:
        return read_json(text, f"{service}'s answer")
    except ValueError:
        raise PermanentError(f"{service} answered something that is not JSON: {clip(text, 200)}") from None


def json_pointer(path) -> str:
    """The JSON pointer (RFC 6901) of a path of keys and indexes: "" for the whole value."""
    return "/" + "/".join(str(part).replace("~", "~0").replace("/", "~1") for part in path) if path else ""


FORMATS = FormatChecker()
EMAIL = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")


@FORMATS.checks("email")
def _is_email(value: object) -> bool:
    # jsonschema's own check only looks for an "@"; recipients deserve better.
    return not isinstance(value, str) or bool(EMAIL.match(value))


@FORMATS.checks("cron", raises=(ValueError, KeyError))
def _is_cron(value: object) -> bool:
    if not isinstance(value, str):
        return True
    from croniter import croniter

    return len(value.split()) == 5 and croniter.is_valid(value)


@FORMATS.checks("timezone", raises=(ValueError,))
def _is_timezone(value: object) -> bool:
    if not isinstance(value, str):
        return True
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def validate(schema: dict, value: Any) -> list[dict]:
    """Every way `value` breaks `schema`, each with its JSON pointer and a message.

    Formats are checked, including "email", "date-time", and Stepwise's "cron" and "timezone".
    """
    return problems_of(schema_validator(schema), value)


def schema_validator(schema: dict) -> Draft202012Validator:
    return Draft202012Validator(schema, format_checker=FORMATS)


def problems_of(validator: Draft202012Validator, value: Any) -> list[dict]:
    """validate() with a validator made beforehand (an action's: Action.validators)."""
    errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
    return [{"pointer": json_pointer(e.absolute_path), "message": e.message} for e in errors]


def make_context(
    connection: Mapping[str, Any],
    *,
    deadline: float | None = None,
    network: NetworkPolicy | None = None,
    logger: logging.Logger | None = None,
    idempotency_key: str | None = None,
) -> Context:
    policy = network or NetworkPolicy()
    return Context(
        connection=dict(connection),
        deadline=deadline if deadline is not None else time.monotonic() + DEFAULT_CALL_SECONDS,
        logger=logger or logging.getLogger("stepwise.connectors"),
        network=policy,
        idempotency_key=idempotency_key,
    )


def connection_redactor(connector: Connector, connection: Mapping[str, Any]) -> Redactor:
    """Redacts the values of the connector's secret fields in this connection, in every form."""
    return Redactor(connection[name] for name in connector.secret_fields if connection.get(name))


def _classify(connector: Connector, exc: Exception) -> ConnectorError:
    if isinstance(exc, requests.Timeout):
        return RetryableError(f"{connector.title} did not answer in time.")
    if isinstance(exc, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError):
        return RetryableError(f"{connector.title}'s answer was cut off or garbled.")
    if isinstance(exc, requests.ConnectionError):
        return RetryableError(f"Could not reach {connector.title}.")
    if isinstance(exc, requests.TooManyRedirects):
        return PermanentError(f"{connector.title} redirected too many times.")
    if isinstance(exc, requests.RequestException):
        return PermanentError(f"The request to {connector.title} could not be made: {type(exc).__name__}.")
    return PermanentError(f"{connector.title} failed unexpectedly: {type(exc).__name__}: {clip(str(exc), 200)}")


def run_guarded(
    connector: Connector,
    connection: Mapping[str, Any],
    call: Callable[[Context], T],
    *,
    deadline: float | None = None,
    network: NetworkPolicy | None = None,
    logger: logging.Logger | None = None,
    idempotency_key: str | None = None,
) -> T:
    """Runs `call(ctx)` with this connection: what it returns, raises and logs is redacted of
    the connection's secrets, and an exception that is not a ConnectorError becomes one."""
    ctx = make_context(connection, deadline=deadline, network=network, logger=logger, idempotency_key=idempotency_key)
    with redacting(connection_redactor(connector, connection)) as redactor:
        try:
            return redactor(call(ctx))
        except ConnectorError as exc:
            # A service may echo a URL with a key in it, or a credential back: never pass it on.
            exc.message = redactor.text(exc.message)
            exc.args = (exc.message,)
            raise
        except Exception as exc:  # whatever a connector lets escape becomes a typed step error
            error = _classify(connector, exc)
            error.message = redactor.text(error.message)
            error.args = (error.message,)
            raise error from None
        finally:
            ctx.close()


def run_action(
    connector: Connector,
    action_key: str,
    *,
    connection: Mapping[str, Any],
    input: dict,
    deadline: float | None = None,
    network: NetworkPolicy | None = None,
    logger: logging.Logger | None = None,
    idempotency_key: str | None = None,
) -> dict:
    """Validates the input, runs the action, validates its output. Raises ConnectorError.
    `idempotency_key` reaches the action as ctx.idempotency_key."""
    action = connector.action(action_key)
    input_validator, output_validator = action.validators
    problems = problems_of(input_validator, input)
    if problems:
        where = ", ".join(p["pointer"] or "(the input)" for p in problems)
        raise InvalidInputError(f"The input of {connector.name}.{action_key} is invalid at {where}.", problems)
    output = run_guarded(connector, connection, lambda ctx: action.run(ctx, input), deadline=deadline,
                         network=network, logger=logger, idempotency_key=idempotency_key)  # fmt: skip
    problems = problems_of(output_validator, output)
    if problems:
        raise OutputMismatchError(
            f"{connector.name}.{action_key} returned output that does not match its output schema: "
            + "; ".join(f"{p['pointer'] or '/'}: {p['message']}" for p in problems[:5])
        )
    return output
