from django.http import Http404

from builder.connections.models import Connection
from builder.workspaces.access import access_membership, parse_id
from builder.workspaces.models import Role


def access_connection(user, connection_id, *, role: str = Role.VIEWER) -> Connection:
    """The connection if the user belongs to its workspace (404 otherwise), with `role` or 403."""
    connection = Connection.objects.filter(pk=parse_id(connection_id)).select_related("workspace").first()
    if connection is None:
        raise Http404("No such connection.")
    access_membership(user, connection.workspace_id, role=role)
    return connection
