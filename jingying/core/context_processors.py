from __future__ import annotations

import html
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.urls import get_script_prefix, reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from jingying.accounts.roles import ROLE_SPECS
from jingying.core.navigation import NAV, NavEntry, group_of
from jingying.core.scoping import active_grants, grant_roots, has_perm


def may_open(user: Any, entry: NavEntry) -> bool:
    """Whether the menu offers the entry: a subtree grant for its permission (or self-service)."""
    if entry.perm is None:
        return True
    if entry.self_service or entry.domain:
        return has_perm(user, entry.perm, domain=entry.domain)
    return bool(grant_roots(user, entry.perm))


def grants_key(user: Any) -> tuple[Any, ...]:
    """All `may_open` reads of a user: their grants' roles (with what each role holds) and domains
    (units only narrow what a page then shows), and whether the account is someone's
    (self-service); plus the URL prefix."""
    roles = sorted({(g.role, tuple(sorted(g.domains))) for g in active_grants(user)})
    return (tuple((role, domains, ROLE_SPECS.get(role)) for role, domains in roles),
            getattr(user, "person_id", None) is not None, get_script_prefix())


_VISIBLE: dict[tuple[Any, ...], tuple[tuple[NavEntry, str], ...]] = {}


def visible_entries(user: Any, key: tuple[Any, ...] | None = None) -> tuple[tuple[NavEntry, str], ...]:
    """The menu entries the user may open, with their URLs: worked out for the first user with a
    given set of grants, then reused, rather than a permission check and a reverse() per entry
    on every request."""
    key = key or grants_key(user)
    found = _VISIBLE.get(key)
    if found is None:
        found = tuple((entry, reverse(entry.url_name)) for entry in NAV if may_open(user, entry))
        if len(_VISIBLE) >= 1024:
            _VISIBLE.clear()
        _VISIBLE[key] = found
    return found


def _is_active(entry: NavEntry, url: str, path: str) -> bool:
    return path == url if entry.prefix.endswith("$") else path.startswith(entry.prefix)


def _items(entries: tuple[tuple[NavEntry, str], ...], active: tuple[bool, ...]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    groups: dict[str, dict[str, Any]] = {}
    for (entry, url), is_active in zip(entries, active, strict=True):
        item = {"url": url, "label": entry.label, "icon": entry.icon, "active": is_active}
        group = group_of(entry)
        if group is None:
            items.append(item)
            continue
        key = str(group[0])
        if key not in groups:
            groups[key] = {"label": group[0], "icon": group[1], "children": [], "active": False}
            items.append(groups[key])
        groups[key]["children"].append(item)
        groups[key]["active"] = groups[key]["active"] or is_active
    # A group with a single entry is shown as that entry.
    return [i["children"][0] if len(i.get("children", ())) == 1 else i for i in items]


def _menu_html(items: list[dict[str, Any]]) -> SafeString:
    """The menu's <li> elements, built here rather than by a template loop (the menu is on every
    page, and the loop cost more than the rest of the layout)."""
    esc = html.escape
    parts = []
    for i in items:
        if i.get("children"):
            children = "".join(
                f'<a class="dropdown-item{" active" if c["active"] else ""}" href="{esc(c["url"])}">'
                f'<i class="ti ti-{esc(c["icon"])} me-2"></i>{esc(str(c["label"]))}</a>'
                for c in i["children"]
            )
            parts.append(
                f'<li class="nav-item dropdown{" active" if i["active"] else ""}">\n'
                f'  <a class="nav-link dropdown-toggle" href="#" data-bs-toggle="dropdown" data-bs-auto-close="outside"'
                f' role="button" aria-expanded="false"><i class="ti ti-{esc(i["icon"])} me-1"></i>'
                f'<span class="nav-link-title">{esc(str(i["label"]))}</span></a>\n'
                f'  <div class="dropdown-menu">\n    {children}\n  </div>\n</li>'
            )
        else:
            parts.append(
                f'<li class="nav-item{" active" if i["active"] else ""}">\n'
                f'  <a class="nav-link" href="{esc(i["url"])}"><i class="ti ti-{esc(i["icon"])} me-1"></i>'
                f'<span class="nav-link-title">{esc(str(i["label"]))}</span></a>\n</li>'
            )
    return mark_safe("\n".join(parts))  # noqa: S308 - every URL, icon and label above is escaped


# The layout's fixed links (brand, language switch, account menu), reversed once per URL prefix.
_SHELL_URLS = {
    "home": "core:home", "set_language": "set_language", "notification_bell": "core:notification_bell",
    "notification_list": "core:notification_list", "my_access_log": "core:my_access_log",
    "password_change": "accounts:password_change", "token_list": "accounts:token_list", "logout": "accounts:logout",
}
_URLS: dict[str, dict[str, str]] = {}


def shell_urls() -> dict[str, str]:
    prefix = get_script_prefix()
    found = _URLS.get(prefix)
    if found is None:
        found = _URLS[prefix] = {key: reverse(name) for key, name in _SHELL_URLS.items()}
    return found


# (grants key, language, which entries are active) -> the menu's HTML
_MENUS: dict[tuple[Any, ...], SafeString] = {}


def shell(request: HttpRequest) -> dict[str, Any]:
    """Menu entries the signed-in user may open: as data (`nav_items`) and as HTML (`nav_menu`,
    made once per set of grants, language and active entry)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_menu": "", "shell_urls": shell_urls()}
    key = grants_key(user)
    entries = visible_entries(user, key)
    path = request.path
    active = tuple(_is_active(entry, url, path) for entry, url in entries)
    items = _items(entries, active)
    menu_key = (key, get_language() or "", active)
    menu = _MENUS.get(menu_key)
    if menu is None:
        menu = _menu_html(items)
        if len(_MENUS) >= 4096:
            _MENUS.clear()
        _MENUS[menu_key] = menu
    return {"nav_items": items, "nav_menu": menu, "shell_urls": shell_urls()}


@receiver(setting_changed)
def _forget_menus(**_kwargs: Any) -> None:
    """URLs and labels may differ under other settings (tests override ROOT_URLCONF, languages)."""
    _VISIBLE.clear()
    _MENUS.clear()
    _URLS.clear()
