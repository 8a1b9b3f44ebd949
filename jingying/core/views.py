"""The landing page (the 403/404/500 pages are templates Django renders itself)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingying.accounts.roles import Role
from jingying.core.context_processors import visible_entries
from jingying.core.scoping import active_grants, has_perm

# What each card says under its title on the landing page (by the nav entry's URL name).
CARD_HINTS: dict[str, str | Promise] = {
    "org:unit_tree": gettext_lazy("浏览单位树和在岗人数"),
    "org:person_list": gettext_lazy("按单位、类别、警衔、年龄筛选人员"),
    "org:roster_import": gettext_lazy("从 Excel 花名册批量导入人员"),
    "accounts:user_list": gettext_lazy("账号、角色与授权范围"),
    "core:audit_list": gettext_lazy("查阅和导出审计记录"),
}


def _cards(user: Any) -> list[dict[str, Any]]:
    cards: list[dict[str, Any]] = []
    if getattr(user, "person_id", None) and has_perm(user, "org.view_person"):
        cards.append({"url": reverse("org:person_detail", args=[user.person_id]), "label": _("我的档案"),
                      "icon": "id-badge-2", "hint": _("本人信息、家属和履历")})
    for entry, url in visible_entries(user):
        if entry.url_name == "core:home":
            continue
        cards.append({"url": url, "label": entry.label, "icon": entry.icon,
                      "hint": CARD_HINTS.get(entry.url_name, "")})
    return cards


def home(request: HttpRequest) -> HttpResponse:
    """Per-role landing: whom you act as and over which units, and a card per screen you may open."""
    from jingying.org import selectors

    user = request.user
    grants = active_grants(user)
    units = {u.pk: u for u in selectors.unit_list(actor=user).filter(pk__in=[g.unit_id for g in grants])}
    roles = [{"role": Role(g.role).label, "unit": units.get(g.unit_id)} for g in grants]
    roots = selectors.unit_roots(actor=user) if has_perm(user, "org.view_unit") else []
    counts = selectors.unit_headcounts(actor=user, units=roots)
    context = {
        "grants": grants,
        "roles": roles,
        "cards": _cards(user),
        "roots": [{"unit": u, "headcount": counts.get(u.pk, 0)} for u in roots],
    }
    return render(request, "core/home.html", context)
