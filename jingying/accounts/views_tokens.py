"""A user's own API tokens: list, create (the secret shown once), revoke (decision 0013).

Creating one from here is what the second-factor rule allows for accounts that need it: the
login middleware has already made such a session complete TOTP, and the service is told so from
the session itself, never from the form.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from jingying.accounts import login_rules, selectors
from jingying.accounts.forms import ApiTokenForm
from jingying.accounts.models import ApiToken
from jingying.accounts.services import api_token_create, api_token_revoke

# Longest life a user may give their own token when their grants do not need the second factor.
SELF_SERVICE_MAX_DAYS = 365


@never_cache
@require_http_methods(["GET", "POST"])
def token_list_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    needs_second_factor = login_rules.totp_required(user)
    max_days = settings.JINGYING_API_TOKEN_MAX_DAYS_2FA if needs_second_factor else SELF_SERVICE_MAX_DAYS
    form = ApiTokenForm(request.POST or None, max_days=max_days)
    created: tuple[ApiToken, str] | None = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                created = api_token_create(
                    actor=user, user=user, name=form.cleaned_data["name"],
                    expires_at=timezone.now() + dt.timedelta(days=form.cleaned_data["days"]),
                    second_factor_verified=bool(request.session.get(login_rules.SESSION_SECOND_FACTOR)),
                )
                form = ApiTokenForm(max_days=max_days)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
                status = 400
        else:
            status = 400
    context = {
        "form": form, "tokens": selectors.api_token_list(actor=user), "now": timezone.now(),
        "new_token": created[0] if created else None, "secret": created[1] if created else "",
        "needs_second_factor": needs_second_factor, "max_days": max_days,
    }
    return render(request, "accounts/token_list.html", context, status=status)


@require_POST
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    # Someone else's token is indistinguishable from none.
    token = get_object_or_404(ApiToken, pk=pk, user_id=request.user.pk)
    try:
        api_token_revoke(actor=request.user, token=token, reason=_("本人撤销"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("令牌 %(p)s… 已撤销，立即失效。") % {"p": token.prefix})
    return redirect("accounts:token_list")
