"""The user's messages: the list page, the bell's unread count (loaded by htmx so it adds no
query to the page that shows it) and opening one message (marks it read, follows its link)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from jingying.core import notifications


def notification_list_view(request: HttpRequest) -> HttpResponse:
    page = Paginator(notifications.my_notifications(actor=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "core/notification_list.html", {"page": page})


def notification_bell_view(request: HttpRequest) -> HttpResponse:
    return render(request, "core/partials/notification_bell.html",
                  {"unread": notifications.unread_count(actor=request.user)})


def notification_open_view(request: HttpRequest, pk: int) -> HttpResponse:
    note = get_object_or_404(notifications.my_notifications(actor=request.user), pk=pk)
    notifications.notification_mark_read(actor=request.user, pk=note.pk)
    if note.url and url_has_allowed_host_and_scheme(note.url, allowed_hosts={request.get_host()}):
        return redirect(note.url)
    return redirect("core:notification_list")


@require_POST
def notification_read_all_view(request: HttpRequest) -> HttpResponse:
    notifications.notification_mark_read(actor=request.user)
    return redirect("core:notification_list")
