"""Writes for connections. Secrets are split from the other fields and encrypted."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from builder.connections import crypto
from builder.connections.forms import clean_fields
from builder.connections.models import Connection
from builder.errors import Conflict, NoSuchObject
from builder.recipes.selectors import running_recipes_using
from builder.workspaces.models import Workspace
from connectors.errors import ConnectorError
from connectors.net import NetworkPolicy
from connectors.registry import get_connector
from connectors.sdk import Connector, run_guarded


def network_policy() -> NetworkPolicy:
    return NetworkPolicy.from_strings(
        allow_private=settings.ALLOW_PRIVATE_NETWORKS, allowlist=settings.OUTBOUND_ALLOWLIST
    )


def _connector(name: str) -> Connector:
    connector = get_connector(name) if isinstance(name, str) else None
    if connector is None:
        raise ValidationError({"connector": f"There is no connector named {name!r}."})
    return connector


def connection_values(connection: Connection) -> dict:
    """All fields, secrets decrypted: what a connector's context receives. Never serialize this."""
    return {**connection.fields, **crypto.decrypt(connection.secrets)}


def _store(connection: Connection, connector: Connector, values: dict) -> None:
    secret = connector.secret_fields
    connection.fields = {k: v for k, v in values.items() if k not in secret}
    connection.secrets = crypto.encrypt({k: v for k, v in values.items() if k in secret})


def _clean_name(name) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValidationError({"name": "A connection needs a name."})
    return name.strip()[:100]


def _save(connection: Connection) -> Connection:
    try:
        with transaction.atomic():
            connection.save()
    except IntegrityError:
        raise Conflict({"name": "Another connection in this workspace has that name."}) from None
    return connection


def _check_all(*checks) -> list:
    """Runs every check and reports all their problems at once, not only the first."""
    results, errors = [], {}
    for check in checks:
        try:
            results.append(check())
        except ValidationError as exc:
            errors.update(exc.message_dict)
            results.append(None)
    if errors:
        raise ValidationError(errors)
    return results


@transaction.atomic
def connection_create(*, workspace: Workspace, connector: str, name: str, fields: dict, author=None) -> Connection:
    found = _connector(connector)
    clean_name, values = _check_all(lambda: _clean_name(name), lambda: clean_fields(found, fields))
    connection = Connection(workspace=workspace, connector=found.name, name=clean_name, created_by=author)
    _store(connection, found, values)
    return _save(connection)


@transaction.atomic
def connection_update(*, connection: Connection, name: str | None = None, fields: dict | None = None) -> Connection:
    found = _connector(connection.connector)
    clean_name, values = _check_all(
        lambda: _clean_name(name) if name is not None else connection.name,
        lambda: clean_fields(found, fields, current=connection_values(connection)) if fields is not None else None,
    )
    connection.name = clean_name
    if values is not None:
        _store(connection, found, values)
    return _save(connection)


@transaction.atomic
def connection_delete(*, connection: Connection) -> None:
    users = running_recipes_using(connection)
    if users:
        names = ", ".join(recipe.name for recipe in users[:5])
        raise Conflict({"connection": f"Running recipes use this connection: {names}. Stop them first."})
    connection.delete()


def connection_test(*, connection: Connection) -> tuple[bool, str]:
    """Runs the connector's own check and records the outcome on the connection."""
    found = _connector(connection.connector)
    if found.test is None:
        return True, f"{found.title} has no check to run; its fields are saved."
    try:
        # A connector's bug comes back as a ConnectorError too: never a 500, and no secret in the message.
        ok, message = True, run_guarded(found, connection_values(connection), found.test, network=network_policy())
        message = message or "The connection works."
    except ConnectorError as exc:
        ok, message = False, exc.message
    Connection.objects.filter(pk=connection.pk).update(
        last_tested_at=timezone.now(), last_test_ok=ok, last_test_message=message.replace("\x00", "\ufffd")[:500]
    )
    return ok, message


def connection_pick_list(*, connection: Connection, action: str, field: str) -> list[dict]:
    """The options a connector offers for one input field of one of its actions."""
    found = _connector(connection.connector)
    key = action.removeprefix(f"{found.name}.")
    chosen = next((a for a in found.actions if a.key == key), None)
    if chosen is None or field not in chosen.pick_lists:
        raise NoSuchObject({"field": f"{found.title} offers no pick list for {action}.{field}."})
    return run_guarded(found, connection_values(connection), chosen.pick_lists[field], network=network_policy())


def connections_reencrypt() -> int:
    """Re-encrypts every connection's secrets with the newest key; returns how many changed."""
    count = 0
    for pk in Connection.objects.exclude(secrets="").values_list("pk", flat=True).iterator():
        with transaction.atomic():
            connection = Connection.objects.select_for_update().get(pk=pk)
            connection.secrets = crypto.rotate(connection.secrets)
            connection.save(update_fields=["secrets"])
            count += 1
    return count
