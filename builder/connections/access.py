from builder.connections.models import Connection
from builder.workspaces.access import access_in_workspace
from builder.workspaces.models import Role


def access_connection(user, connection_id, *, role: str = Role.VIEWER) -> Connection:
    return access_in_workspace(user, Connection.objects.select_related("workspace"), connection_id, role=role,
                               name="connection")  # fmt: skip
