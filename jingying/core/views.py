"""The landing page (the 403/404/500 pages are templates Django renders itself)."""

from __future__ import annotations

import html
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from jingying.accounts.roles import Role
from jingying.core.context_processors import grants_key, visible_entries
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


# (grants key, language, the account's person) -> the cards as HTML
_CARDS_HTML: dict[tuple[Any, ...], SafeString] = {}


def _cards_html(user: Any, cards: list[dict[str, Any]]) -> SafeString:
    """The cards built here rather than by a template loop (thirty of them for the political
    department), once per set of grants, language and person."""
    key = (grants_key(user), get_language() or "", getattr(user, "person_id", None))
    found = _CARDS_HTML.get(key)
    if found is None:
        esc = html.escape
        found = mark_safe("\n".join(  # noqa: S308 - every URL, icon, label and hint is escaped
            f'<div class="col-12 col-sm-6 col-lg-3">\n'
            f'  <a class="card card-link card-link-pop h-100" href="{esc(c["url"])}">\n'
            f'    <div class="card-body d-flex align-items-center gap-3">\n'
            f'      <span class="avatar avatar-md bg-primary-lt"><i class="ti ti-{esc(c["icon"])} fs-2"></i></span>\n'
            f'      <div><div class="fw-bold">{esc(str(c["label"]))}</div>'
            + (f'<div class="text-secondary small">{esc(str(c["hint"]))}</div>' if c["hint"] else "")
            + "</div>\n    </div>\n  </a>\n</div>"
            for c in cards
        ))
        if len(_CARDS_HTML) >= 4096:
            _CARDS_HTML.clear()
        _CARDS_HTML[key] = found
    return found


@receiver(setting_changed)
def _forget_cards(**_kwargs: Any) -> None:
    _CARDS_HTML.clear()


def home(request: HttpRequest) -> HttpResponse:
    """Per-role landing: whom you act as and over which units, and a card per screen you may open."""
    from jingying.org import selectors

    user = request.user
    grants = active_grants(user)
    roots = selectors.unit_roots(actor=user) if has_perm(user, "org.view_unit") else []
    # Each grant's unit, if visible. Usually every one is a root of the visible tree (already
    # read, and visible by definition); only otherwise ask the database.
    wanted = {g.unit_id for g in grants}
    units = {u.pk: u for u in roots if u.pk in wanted}
    if wanted - units.keys():
        units = {u.pk: u for u in selectors.unit_list(actor=user).filter(pk__in=sorted(wanted))}
    roles = [{"role": Role(g.role).label, "unit": units.get(g.unit_id)} for g in grants]
    counts = selectors.unit_headcounts(actor=user, units=roots)
    cards = _cards(user)
    context = {
        "grants": grants,
        "roles": roles,
        "cards": cards,
        "cards_html": _cards_html(user, cards),
        "roots": [{"unit": u, "headcount": counts.get(u.pk, 0)} for u in roots],
    }
    return render(request, "core/home.html", context)
