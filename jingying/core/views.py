from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jingying.core.scoping import active_grants


def home(request: HttpRequest) -> HttpResponse:
    """The landing page: who you are and what you may do; modules add their cards."""
    return render(request, "core/home.html", {"grants": active_grants(request.user)})
