"""The security administrator's screens: accounts, grants, locks. Thin: one service per POST."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingying.accounts import login_rules, selectors, services
from jingying.accounts.forms_admin import GrantForm, PasswordResetForm, ReasonForm, UserCreateForm
from jingying.accounts.models import Grant
from jingying.core.scoping import has_perm


def _require(request: HttpRequest, perm: str) -> None:
    if not has_perm(request.user, perm):
        raise PermissionDenied(perm)


def _apply_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def user_list_view(request: HttpRequest) -> HttpResponse:
    _require(request, "accounts.manage_users")
    q = request.GET.get("q", "").strip()
    page = Paginator(selectors.user_list(actor=request.user, q=q), 50).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"page": page, "q": q, "locks": login_rules.current_locks()})


def user_create_view(request: HttpRequest) -> HttpResponse:
    _require(request, "accounts.manage_users")
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(actor=request.user, username=form.cleaned_data["username"],
                                        raw_password=form.cleaned_data["password"],
                                        display_name=form.cleaned_data["display_name"],
                                        person=form.cleaned_data["police_or_id"])
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("账号已创建，持有人首次登录时须修改密码。"))
            return redirect("accounts:user_detail", user.pk)
    return render(request, "accounts/user_form.html", {"form": form}, status=400 if form.errors else 200)


def user_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "accounts.manage_users")
    user = selectors.access_user(request.user, pk)
    grant_form = GrantForm(request.POST or None, prefix="grant") if request.method == "POST" else GrantForm(
        prefix="grant", initial={"expires_at": (timezone.localdate() + dt.timedelta(days=365)).isoformat()})
    if request.method == "POST" and grant_form.is_valid():
        data = grant_form.cleaned_data
        expires = dt.datetime.combine(data["expires_at"], dt.time(23, 59, 59), tzinfo=timezone.get_current_timezone())
        try:
            services.grant_create(actor=request.user, user=user, role=data["role"], unit=data["unit"],
                                  domains=data["domains"], reason=data["reason"], expires_at=expires)
        except ValidationError as exc:
            _apply_errors(grant_form, exc)
        else:
            messages.success(request, _("已授权。"))
            return redirect("accounts:user_detail", user.pk)
    context = {
        "account": user,
        "grant_form": grant_form,
        "grants": selectors.grant_history(actor=request.user, user=user),
        "now": timezone.now(),
        "live_tokens": [t for t in selectors.api_token_list(actor=user) if t.is_live],
        "totp_enrolled": login_rules.totp_enrolled(user),
        "reset_form": PasswordResetForm(),
        "reason_form": ReasonForm(),
    }
    return render(request, "accounts/user_detail.html", context, status=400 if grant_form.errors else 200)


@require_POST
def grant_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "accounts.manage_grants")
    grant = get_object_or_404(Grant.objects.select_related("unit"), pk=pk)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("请填写撤销原因"))
        services.grant_revoke(actor=request.user, grant=grant, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("授权已撤销。"))
    return redirect("accounts:user_detail", grant.user_id)


@require_POST
def user_action_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Deactivate/activate, reset password, reset the second factor, lift a lock, revoke tokens."""
    _require(request, "accounts.manage_users")
    user = selectors.access_user(request.user, pk)
    try:
        if action in ("deactivate", "activate"):
            form = ReasonForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("请填写原因"))
            services.user_set_active(actor=request.user, user=user, active=action == "activate",
                                     reason=form.cleaned_data["reason"])
        elif action == "password":
            reset = PasswordResetForm(request.POST)
            if not reset.is_valid():
                raise ValidationError(_("请填写新的临时密码"))
            services.user_reset_password(actor=request.user, user=user, raw_password=reset.cleaned_data["password"])
        elif action == "totp":
            login_rules.totp_reset(actor=request.user, user=user)
        elif action == "unlock":
            login_rules.unlock(actor=request.user, username=user.username)
        elif action == "tokens":  # end every live API token of the account now (decision 0013)
            form = ReasonForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("请填写原因"))
            for token in selectors.api_token_list(actor=user).filter(revoked_at__isnull=True):
                services.api_token_revoke(actor=request.user, token=token, reason=form.cleaned_data["reason"])
        else:
            return HttpResponse(status=404)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已完成。"))
    return redirect("accounts:user_detail", user.pk)
