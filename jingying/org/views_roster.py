"""Roster import/export screens (placeholder until the import slice lands)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path


def roster_import(request: HttpRequest) -> HttpResponse:
    return HttpResponse("import")


urlpatterns = [path("roster/import/", roster_import, name="roster_import")]
