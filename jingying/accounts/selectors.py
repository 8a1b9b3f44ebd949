"""Reads for the security administrator's screens."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet

from jingying.accounts.models import Grant, User
from jingying.core.scoping import has_perm


def user_list(*, actor: Any, q: str = "") -> QuerySet[User]:
    """Accounts with their grants; only for the holder of accounts.manage_users."""
    if not has_perm(actor, "accounts.manage_users"):
        raise PermissionDenied("accounts.manage_users")
    qs = User.objects.select_related("person", "security").prefetch_related(
        Prefetch("grants", queryset=Grant.objects.active().select_related("unit"))
    )
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(display_name__icontains=q) | Q(person__name__contains=q))
    return qs.order_by("username")


def access_user(actor: Any, pk: Any) -> User:
    from django.http import Http404

    try:
        return user_list(actor=actor).get(pk=pk)
    except (User.DoesNotExist, ValueError):
        raise Http404 from None


def grant_history(*, actor: Any, user: User) -> QuerySet[Grant]:
    if not has_perm(actor, "accounts.manage_grants"):
        raise PermissionDenied("accounts.manage_grants")
    return Grant.objects.filter(user=user).select_related("unit", "granted_by").order_by("-created_at")


def api_token_list(*, actor: Any) -> QuerySet[Any]:
    """The actor's own API tokens, newest first (revoked and expired ones too, as the record)."""
    from jingying.accounts.models import ApiToken

    pk = getattr(actor, "pk", None)
    if pk is None:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user_id=pk).order_by("-created_at")
