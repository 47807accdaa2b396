"""One error shape for the whole management API:

    {"error": {"status": 400, "code": "invalid", "message": "...", "fields": {"name": ["..."]}}}

`fields` appears on validation errors and names every field (dotted, as bindings.chat) with
its problems: 400 for input that is wrong in itself, 404 for an object the input names that
does not exist (NoSuchObject), 409 for input the current state forbids (Conflict). A service's
Refusal brings its own code and may add members (`problems` of a recipe, with JSON pointers).
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.views.defaults import bad_request as default_bad_request
from django.views.defaults import page_not_found
from django.views.defaults import server_error as default_server_error
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from builder.errors import Refusal


def _flatten(detail) -> str:
    if isinstance(detail, list):
        return " ".join(_flatten(item) for item in detail)
    if isinstance(detail, dict):
        return " ".join(f"{key}: {_flatten(value)}" for key, value in detail.items())
    return str(detail)


def field_messages(detail, name: str = "") -> dict[str, list[str]]:
    """Each field's messages under its dotted name, as the services name them: DRF nests a
    dictionary's or a list's items ({"bindings": {"chat": [...]}} is "bindings.chat")."""
    if isinstance(detail, dict):
        found = {}
        for key, value in detail.items():
            found.update(field_messages(value, f"{name}.{key}" if name else str(key)))
        return found
    if isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        found = {}
        for index, item in enumerate(detail):
            found.update(field_messages(item, f"{name}.{index}") if isinstance(item, dict | list) else {})
        return found
    return {name: [str(item) for item in detail] if isinstance(detail, list) else [str(detail)]}


class Refused(exceptions.ValidationError):
    """A service's Refusal, carried through DRF with its own status, code and members."""

    def __init__(self, detail, *, refusal: Refusal):
        super().__init__(detail)
        self.status_code, self.refusal = refusal.status, refusal


def _from_django(exc: DjangoValidationError) -> exceptions.ValidationError:
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
    if isinstance(exc, Refusal):
        return Refused(detail, refusal=exc)
    return exceptions.ValidationError(detail)


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = _from_django(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    body = {"status": response.status_code, "code": _code(exc), "message": ""}
    if isinstance(exc, exceptions.ValidationError):
        body["fields"] = field_messages(
            exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        )
        if isinstance(exc, Refused):  # one thing in the way: say it
            body["message"] = exc.refusal.summary or _flatten(list(body["fields"].values()))
            body.update(exc.refusal.details)
        else:
            body["message"] = "Some fields are invalid: " + ", ".join(body["fields"]) + "."
    elif isinstance(exc, Http404):
        body["message"] = "Not found."
    else:
        body["message"] = _flatten(getattr(exc, "detail", str(exc)))
    response.data = {"error": body}
    return response


def _code(exc) -> str:
    if isinstance(exc, Refused):
        return exc.refusal.code
    if isinstance(exc, exceptions.ValidationError):
        return "invalid"
    if isinstance(exc, Http404):
        return "not_found"
    if isinstance(exc, PermissionDenied):
        return "permission_denied"
    if isinstance(exc, exceptions.APIException):
        return exc.default_code
    return "error"


def not_found(request, exception=None):
    """404 for URLs no view matched: JSON under /api/, the HTML page elsewhere."""
    if request.path.startswith("/api/"):
        body = {"error": {"status": 404, "code": "not_found", "message": "Not found."}}
        return JsonResponse(body, status=404)
    return page_not_found(request, exception)


def bad_request(request, exception=None):
    """400 for what Django refuses before any view (too many parameters, a suspicious request):
    JSON for programs (the management API, webhooks), the HTML page elsewhere."""
    if request.path.startswith(("/api/", "/hooks/", "/apim/")):
        if isinstance(exception, TooManyFieldsSent):
            code = "too_many_parameters"
            message = f"The request has more than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} parameters."
        else:
            code, message = "bad_request", "The request was refused as malformed."
        return JsonResponse({"error": {"status": 400, "code": code, "message": message}}, status=400)
    return default_bad_request(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        body = {"error": {"status": 500, "code": "server_error", "message": "Something went wrong on our side."}}
        return JsonResponse(body, status=500)
    return default_server_error(request)


def error_response(*, status_code: int, code: str, message: str) -> Response:
    return Response({"error": {"status": status_code, "code": code, "message": message}}, status=status_code)


__all__ = ["exception_handler", "error_response", "status"]
