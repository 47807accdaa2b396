"""Connections pages: list, pick a connector, a form built from its field declarations, test, delete."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from builder.connections import services
from builder.connections.access import access_connection
from builder.connections.forms import field_errors, field_rows, submitted_values
from builder.connections.selectors import connections_for_user, secret_state
from builder.workspaces.access import access_membership
from builder.workspaces.current import current_membership
from builder.workspaces.models import Role
from connectors.registry import get_connector, registry


@login_required
def connection_list(request):
    membership = current_membership(request)
    if membership is None:
        return redirect("workspace_new")
    connections = connections_for_user(request.user, workspace_id=membership.workspace_id)
    rows = [(c, get_connector(c.connector)) for c in connections]
    return render(request, "connections/list.html", {"rows": rows, "membership": membership,
                                                     "can_edit": membership.allows(Role.BUILDER)})  # fmt: skip


@login_required
def connection_pick(request):
    membership = current_membership(request)
    if membership is None:
        return redirect("workspace_new")
    return render(request, "connections/pick.html", {"connectors": registry().values()})


@login_required
def connection_new(request, connector_name):
    connector = get_connector(connector_name)
    membership = current_membership(request)
    if connector is None or membership is None:
        raise Http404("No such connector.")
    values, errors, name = {}, {}, connector.title
    if request.method == "POST":
        access_membership(request.user, membership.workspace_id, role=Role.BUILDER)
        name = request.POST.get("name", "")
        values = submitted_values(connector, request.POST, editing=False)
        try:
            connection = services.connection_create(workspace=membership.workspace, connector=connector.name,
                                                    name=name, fields=values, author=request.user)  # fmt: skip
        except ValidationError as exc:
            errors = field_errors(exc)
        else:
            messages.success(request, f"Connection {connection.name} saved.")
            return redirect("connection_detail", connection_id=connection.pk)
    context = {"connector": connector, "rows": field_rows(connector, values, {}, errors), "name": name,
               "name_error": errors.get("name", ""), "editing": False, "can_edit": True}  # fmt: skip
    return render(request, "connections/form.html", context, status=400 if errors else 200)


@login_required
def connection_detail(request, connection_id):
    connection = access_connection(request.user, connection_id)
    connector = get_connector(connection.connector)
    if connector is None:
        raise Http404("This connection's connector is no longer installed.")
    errors, values, name = {}, dict(connection.fields), connection.name
    if request.method == "POST":
        access_connection(request.user, connection_id, role=Role.BUILDER)
        name = request.POST.get("name", "")
        submitted = submitted_values(connector, request.POST, editing=True)
        try:
            services.connection_update(connection=connection, name=name, fields=submitted)
        except ValidationError as exc:
            errors = field_errors(exc)
            values.update({k: v for k, v in submitted.items() if v is not None})
        else:
            messages.success(request, "Saved.")
            return redirect("connection_detail", connection_id=connection.pk)
    membership = access_membership(request.user, connection.workspace_id)
    context = {"connection": connection, "connector": connector, "name": name, "editing": True,
               "rows": field_rows(connector, values, secret_state(connection, connector), errors),
               "name_error": errors.get("name", ""), "can_edit": membership.allows(Role.BUILDER)}  # fmt: skip
    return render(request, "connections/form.html", context, status=400 if errors else 200)


@login_required
@require_POST
def connection_test(request, connection_id):
    connection = access_connection(request.user, connection_id, role=Role.BUILDER)
    ok, message = services.connection_test(connection=connection)
    (messages.success if ok else messages.error)(request, f"{'Works' if ok else 'Failed'}: {message}")
    return redirect("connection_detail", connection_id=connection.pk)


@login_required
@require_POST
def connection_delete(request, connection_id):
    connection = access_connection(request.user, connection_id, role=Role.BUILDER)
    try:
        services.connection_delete(connection=connection)
    except ValidationError as exc:
        messages.error(request, " ".join(sum(exc.message_dict.values(), [])))
        return redirect("connection_detail", connection_id=connection.pk)
    messages.success(request, f"Connection {connection.name} deleted.")
    return redirect("connection_list")
