"""Screens for units and people (placeholder until the UI slice lands)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path


def unit_tree(request: HttpRequest) -> HttpResponse:
    return HttpResponse("units")


def person_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("people")


def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse("person")


urlpatterns = [
    path("units/", unit_tree, name="unit_tree"),
    path("people/", person_list, name="person_list"),
    path("people/<int:pk>/", person_detail, name="person_detail"),
]
