from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as AuthLoginRequiredMiddleware
from django.http import HttpRequest, HttpResponse

from jingying.core.request_context import reset_credential, reset_source_ip, set_credential, set_source_ip


def client_ip(request: HttpRequest) -> str:
    # Behind the documented reverse proxy the real address is the last hop it appended.
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return str(request.META.get("REMOTE_ADDR", ""))


class RequestContextMiddleware:
    """Makes the source address (and, once the API has authenticated a token, the token's prefix)
    available to the audit trail for the request's duration."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = set_source_ip(client_ip(request))
        credential = set_credential("")
        try:
            return self.get_response(request)
        finally:
            reset_credential(credential)
            reset_source_ip(token)


class LoginRequiredMiddleware(AuthLoginRequiredMiddleware):
    """Django's site-wide login requirement, except for the JSON API.

    The API authenticates every request itself (bearer token or session) and answers 401 in
    JSON rather than redirecting to a login page.
    """

    def process_view(self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any) -> Any:
        if request.path.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


# No 'unsafe-inline' for scripts: every behaviour is in a static file (static/jingying/app.js).
# Styles allow inline attributes because Tabler and ECharts set element styles at run time.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    """Content-Security-Policy and related headers on every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response
