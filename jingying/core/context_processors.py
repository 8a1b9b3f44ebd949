from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from jingying.core.navigation import NAV
from jingying.core.scoping import has_perm


def shell(request: HttpRequest) -> dict[str, Any]:
    """Menu entries the signed-in user may open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for entry in NAV:
        if entry.perm is None or has_perm(user, entry.perm):
            url = reverse(entry.url_name)
            active = request.path == url if entry.prefix.endswith("$") else request.path.startswith(entry.prefix)
            items.append({"url": url, "label": entry.label, "icon": entry.icon, "active": active})
    return {"nav_items": items}
