"""The project's URLs plus views that fail on purpose, for the error-handling tests."""

from django.db import OperationalError
from django.http import HttpRequest
from django.urls import path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny

from config.urls import handler500  # noqa: F401  (error handlers come from the root URLconf)
from config.urls import urlpatterns as project_urlpatterns


def boom(request: HttpRequest):
    raise RuntimeError("secret detail: the token table is corrupt")


def database_gone(request: HttpRequest):
    raise OperationalError("server closed the connection unexpectedly")


@api_view(["GET"])
@permission_classes([AllowAny])
def api_boom(request):
    """A DRF view: its exception handler passes unexpected errors on to Django."""
    raise RuntimeError("secret detail: the token table is corrupt")


urlpatterns = [
    path("api/v1/boom/", api_boom),
    path("boom/", boom),
    path("boom-db/", database_gone),
    path("api/boom/", boom),
    path("api/boom-db/", database_gone),
    *project_urlpatterns,
]
