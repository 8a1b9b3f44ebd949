from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from jingying.core.navigation import NAV, NavEntry, group_of
from jingying.core.scoping import grant_roots, has_perm


def may_open(user: Any, entry: NavEntry) -> bool:
    """Whether the menu offers the entry: a subtree grant for its permission (or self-service)."""
    if entry.perm is None:
        return True
    if entry.self_service or entry.domain:
        return has_perm(user, entry.perm, domain=entry.domain)
    return bool(grant_roots(user, entry.perm))


def shell(request: HttpRequest) -> dict[str, Any]:
    """Menu entries the signed-in user may open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items: list[dict[str, Any]] = []
    groups: dict[str, dict[str, Any]] = {}
    for entry in NAV:
        if not may_open(user, entry):
            continue
        url = reverse(entry.url_name)
        active = request.path == url if entry.prefix.endswith("$") else request.path.startswith(entry.prefix)
        item = {"url": url, "label": entry.label, "icon": entry.icon, "active": active}
        group = group_of(entry)
        if group is None:
            items.append(item)
            continue
        key = str(group[0])
        if key not in groups:
            groups[key] = {"label": group[0], "icon": group[1], "children": [], "active": False}
            items.append(groups[key])
        groups[key]["children"].append(item)
        groups[key]["active"] = groups[key]["active"] or active
    # A group with a single entry is shown as that entry.
    return {"nav_items": [i["children"][0] if len(i.get("children", ())) == 1 else i for i in items]}
