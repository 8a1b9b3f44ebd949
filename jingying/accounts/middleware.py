"""Enforce the login rules on every request of a signed-in user (one query)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from jingying.accounts import login_rules
from jingying.accounts.models import LoginSecurity
from jingying.core.prepared import Prepared

# The account's login state, read on every request: compiled once per connection (the user's
# primary key is the only parameter; -1 is no account's).
_SECURITY = Prepared("login_security", lambda user_id: LoginSecurity.objects.filter(user_id=user_id), -1)

# Paths a user who must change their password can still reach.
_OPEN_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/api/")


class LoginPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith("/api/"):
            return self.get_response(request)
        sec: LoginSecurity | None = _SECURITY.model(LoginSecurity, user.pk)  # one-to-one: at most one row
        if settings.JINGYING_SINGLE_SESSION and sec and sec.session_key and sec.session_key != request.session.session_key:
            logout(request)
            messages.warning(request, _("您的账号已在其他地方登录，本会话已退出。"))
            return redirect(settings.LOGIN_URL)
        if not request.session.get(login_rules.SESSION_SECOND_FACTOR) and login_rules.totp_required(user):
            # A grant needing a second factor arrived after this session began.
            logout(request)
            messages.warning(request, _("您的权限需要动态口令，请重新登录。"))
            return redirect(settings.LOGIN_URL)
        if not request.path.startswith(_OPEN_PREFIXES) and login_rules.password_change_required(user, sec):
            return redirect("accounts:password_change")
        touch_session(request)
        return self.get_response(request)


# The idle timeout (settings.SESSION_COOKIE_AGE) restarts whenever the session is saved. Saving on
# every request costs a write per page view; once a minute is enough for a 30-minute timeout.
TOUCH_EVERY_SECONDS = 60


def touch_session(request: HttpRequest) -> None:
    now = int(time.time())
    if now - int(request.session.get("jy_seen", 0)) >= TOUCH_EVERY_SECONDS:
        request.session["jy_seen"] = now
