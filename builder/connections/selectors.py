from django.db.models import QuerySet

from builder.connections.models import Connection


def connections_for_user(user, *, workspace_id: int | None = None) -> QuerySet[Connection]:
    connections = Connection.objects.filter(workspace__memberships__user=user).select_related("workspace")
    if workspace_id is not None:
        connections = connections.filter(workspace_id=workspace_id)
    return connections


def secret_state(connection: Connection, connector) -> dict[str, bool]:
    """Which secret fields are set, without decrypting them."""
    from builder.connections.crypto import decrypt

    stored = decrypt(connection.secrets) if connection.secrets else {}
    return {field.name: field.name in stored for field in connector.fields if field.secret}
