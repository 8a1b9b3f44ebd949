"""Sign-in (password, then a second factor where required), sign-out and password change."""

from __future__ import annotations

from typing import Any, cast

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from jingying.accounts import login_rules
from jingying.accounts.forms import JingyingPasswordChangeForm, LoginForm, TotpForm
from jingying.accounts.models import User
from jingying.core.middleware import client_ip

PREAUTH_KEY = "jy_preauth_user"
NEXT_KEY = "jy_next"


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, require_https=request.is_secure()):
        return candidate
    return str(settings.LOGIN_REDIRECT_URL) if "/" in str(settings.LOGIN_REDIRECT_URL) else "/"


def _complete_login(request: HttpRequest, user: User, *, second_factor: bool, next_url: str) -> HttpResponse:
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[login_rules.SESSION_SECOND_FACTOR] = second_factor
    request.session.save()
    login_rules.login_succeeded(user=user, username=user.username, session_key=request.session.session_key or "")
    return redirect(next_url)


@login_not_required
@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("/")
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.user_cache
        assert user is not None
        if login_rules.totp_required(user):
            request.session.cycle_key()
            request.session[PREAUTH_KEY] = user.pk
            request.session[NEXT_KEY] = next_url
            return redirect("accounts:totp")
        return _complete_login(request, user, second_factor=False, next_url=next_url)
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/login.html", {"form": form, "next": next_url}, status=status)


@login_not_required
@csrf_protect
@never_cache
def totp_view(request: HttpRequest) -> HttpResponse:
    """Second step: enrol an authenticator (first time) or enter its current code."""
    preauth = request.session.get(PREAUTH_KEY)
    user = User.objects.filter(pk=preauth, is_active=True).first() if preauth is not None else None
    if user is None:
        return redirect(settings.LOGIN_URL)
    enrolled = login_rules.totp_enrolled(user)
    context: dict[str, Any] = {"enrolled": enrolled}
    if not enrolled:
        secret, uri = login_rules.totp_provisioning(user)
        context |= {"secret": secret, "qr_svg": segno.make(uri, error="m").svg_inline(scale=4)}
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        address = client_ip(request)
        if login_rules.locked_until(user.username, address) is None and login_rules.totp_check(user, form.cleaned_data["code"]):
            next_url = request.session.pop(NEXT_KEY, "/")
            request.session.pop(PREAUTH_KEY, None)
            return _complete_login(request, user, second_factor=True, next_url=next_url)
        login_rules.login_failed(username=user.username, address=address, reason="totp")
        form.add_error("code", _("动态口令不正确或已使用，请输入验证器上的最新口令。"))
    context["form"] = form
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/totp.html", context, status=status)


@sensitive_post_parameters()
@never_cache
def password_change_view(request: HttpRequest) -> HttpResponse:
    form = JingyingPasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        user = cast(User, request.user)  # signed in: the login requirement guarantees it
        update_session_auth_hash(request, user)
        login_rules.session_bind(user=user, session_key=request.session.session_key or "")
        messages.success(request, _("密码已修改。"))
        return redirect("/")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/password_change.html", {"form": form}, status=status)
