import json

from django.http import JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from jsonschema import Draft202012Validator
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from connectors.sdk import FORMATS


class BareDrfView(APIView):
    """What every endpoint does at least: parse a small JSON body and answer JSON."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def post(self, request):
        return Response({"ok": True, "echo": request.data.get("name")})


def bare_django(request):
    return JsonResponse({"ok": True})


GREET_SCHEMA = {
    "type": "object",
    "required": ["name"],
    "properties": {"name": {"type": "string", "minLength": 1}, "email": {"type": "string", "format": "email"}},
}
GREET_VALIDATOR = Draft202012Validator(GREET_SCHEMA, format_checker=FORMATS)


@csrf_exempt
def bare_greet(request):
    """What the gateway's sync endpoint in bench/gateway.py does, without the platform:
    parse the JSON, check it against the same schema, answer the same greeting."""
    try:
        body = json.loads(request.body)
    except ValueError:
        return JsonResponse({"error": "invalid json"}, status=400)
    errors = [e.message for e in GREET_VALIDATOR.iter_errors(body)]
    if errors:
        return JsonResponse({"errors": errors}, status=400)
    return JsonResponse({"greeting": f"Hello {body['name']}"})


urlpatterns = [
    path("bench/bare/", BareDrfView.as_view()),
    path("bench/django/", bare_django),
    path("bench/bare-greet/", bare_greet),
    path("", include("builder.urls")),
]
