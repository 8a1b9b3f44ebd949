"""Public evaluation screens: the form residents open from the QR code (/p/<token>/, no
account), the printable QR poster and the review of held submissions for political staff."""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jingying.core.middleware import client_ip
from jingying.core.views_generic import render_page
from jingying.surveys import logic, public, selectors
from jingying.surveys.views import _prepare

# --- residents -----------------------------------------------------------------------------


def _render_form(request: HttpRequest, campaign: Any, questions: list[Any], *, values: dict[str, Any] | None = None,
                 errors: dict[str, str] | None = None, key: str = "", stamp: str = "",
                 status: int = 200) -> HttpResponse:
    values, errors = values or {}, errors or {}
    items = [{"q": q, "spec": logic.Spec.of(q)} for q in questions]
    for item in items:
        _prepare(item, values.get(item["q"].code), errors.get(item["q"].code, ""))
    context = {"campaign": campaign, "items": items, "errors": errors, "form_error": errors.get("__all__", ""),
               "key": key or public.new_key(),
               # A corrected form keeps its first render time: the speed check measures the whole visit.
               "stamp": stamp if public.elapsed_since(campaign, stamp) is not None else public.render_stamp(campaign)}
    return render(request, "surveys/public_form.html", context, status=status)


def _message(request: HttpRequest, campaign: Any, text: str, *, status: int, title: str = "") -> HttpResponse:
    return render(request, "surveys/public_message.html",
                  {"campaign": campaign, "text": text, "title": title or _("群众评价")}, status=status)


def _with_device(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    if not request.COOKIES.get(public.DEVICE_COOKIE):
        response.set_cookie(public.DEVICE_COOKIE, public.new_device(), max_age=public.DEVICE_MAX_AGE,
                            httponly=True, samesite="Lax", secure=request.is_secure())
    return response


@login_not_required
@require_http_methods(["GET", "POST"])
def public_form(request: HttpRequest, token: str) -> HttpResponse:
    campaign, questions = public.public_form(token)
    if request.method == "GET":
        if not campaign.is_open():
            return _message(request, campaign, _("本次评价不在开放时间内，感谢您的关注。"), status=200)
        return _with_device(request, _render_form(request, campaign, questions))
    raw = logic.parse_form([logic.Spec.of(q) for q in questions], request.POST)
    key = request.POST.get("submission_key", "")
    try:
        public.public_submit(campaign=campaign, raw=raw, key=key, device=request.COOKIES.get(public.DEVICE_COOKIE, ""),
                             stamp=request.POST.get("rendered"), questions=questions, address=client_ip(request))
    except public.RateLimitedError as exc:
        return _message(request, campaign, str(exc), status=429)
    except public.AlreadyTodayError as exc:
        return _message(request, campaign, " ".join(exc.messages), status=409)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
        else:
            errors = {"__all__": " ".join(exc.messages)}
        for name in ("key", "device"):
            if name in errors:
                errors["__all__"] = errors.pop(name)
        if not campaign.is_open():
            return _message(request, campaign, errors.get("__all__", ""), status=400)
        response = _render_form(request, campaign, questions, values=raw, errors=errors,
                                key=key if public.KEY_RE.match(key) else "",
                                stamp=request.POST.get("rendered", ""), status=400)
        return _with_device(request, response)
    # The same thank-you for a first submission, a retried one and a held one.
    return render(request, "surveys/public_thanks.html", {"campaign": campaign})


# --- political staff -----------------------------------------------------------------------


def _public_campaign(request: HttpRequest, pk: int, perm: str) -> Any:
    campaign = selectors.access_campaign(request.user, pk, perm=perm)
    link = public.link_of(campaign)
    if link is None:
        from django.http import Http404

        raise Http404
    return campaign, link


def public_url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("public:form", args=[token]))


def poster(request: HttpRequest, pk: int) -> HttpResponse:
    """An A4 poster: the unit, the question, the QR code (inline SVG) and the address."""
    campaign, link = _public_campaign(request, pk, "surveys.view_campaign")
    url = public_url(request, link.token)
    svg = segno.make(url, error="m").svg_inline(scale=10, border=2, omitsize=True, title=_("扫码评价"))
    return render(request, "surveys/poster.html", {"campaign": campaign, "url": url, "svg": svg})


def held(request: HttpRequest, pk: int) -> HttpResponse:
    campaign, link = _public_campaign(request, pk, "surveys.manage_campaign")
    context = {"campaign": campaign, "items": public.held_list(campaign), "counts": public.status_counts(campaign),
               "url": public_url(request, link.token)}
    return render_page(request, "surveys/public_held.html", context)


@require_POST
def held_review(request: HttpRequest, pk: int) -> HttpResponse:
    campaign, _link = _public_campaign(request, pk, "surveys.manage_campaign")
    action = request.POST.get("action")
    if action not in ("release", "reject"):
        messages.error(request, _("请选择放行或剔除"))
        return redirect("surveys:public_held", pk=pk)
    ids = request.POST.getlist("ids") or None
    try:
        n = public.public_review(actor=request.user, campaign=campaign, release=action == "release", ids=ids)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("surveys:public_held", pk=pk)
    if action == "release":
        messages.success(request, _("已放行 %(n)d 份答卷，计入结果") % {"n": n})
    else:
        messages.success(request, _("已剔除 %(n)d 份答卷") % {"n": n})
    return redirect("surveys:public_held", pk=pk)


# Mounted at /p/ (jingying/urls.py): the only pages that need no sign-in besides the login.
public_urlpatterns = [
    path("<str:token>/", public_form, name="form"),
]

# Added to the surveys namespace.
staff_urlpatterns = [
    path("campaigns/<int:pk>/poster/", poster, name="public_poster"),
    path("campaigns/<int:pk>/held/", held, name="public_held"),
    path("campaigns/<int:pk>/held/review/", held_review, name="public_held_review"),
]
