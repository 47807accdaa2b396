from django.http import JsonResponse
from django.urls import include, path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView


class BareDrfView(APIView):
    """What every endpoint does at least: parse a small JSON body and answer JSON."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def post(self, request):
        return Response({"ok": True, "echo": request.data.get("name")})


def bare_django(request):
    return JsonResponse({"ok": True})


urlpatterns = [
    path("bench/bare/", BareDrfView.as_view()),
    path("bench/django/", bare_django),
    path("", include("builder.urls")),
]
