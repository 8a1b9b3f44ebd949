from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from jingying.core.navigation import NAV, NavEntry
from jingying.core.scoping import grant_roots, has_perm


def may_open(user: Any, entry: NavEntry) -> bool:
    """Whether the menu offers the entry: a subtree grant for its permission (or self-service)."""
    if entry.perm is None:
        return True
    if entry.self_service:
        return has_perm(user, entry.perm)
    return bool(grant_roots(user, entry.perm))


def shell(request: HttpRequest) -> dict[str, Any]:
    """Menu entries the signed-in user may open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for entry in NAV:
        if may_open(user, entry):
            url = reverse(entry.url_name)
            active = request.path == url if entry.prefix.endswith("$") else request.path.startswith(entry.prefix)
            items.append({"url": url, "label": entry.label, "icon": entry.icon, "active": active})
    return {"nav_items": items}
