"""The main menu: one entry per module, shown when the user holds its permission.

Domain apps add their entries here as they land, in programme order.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavEntry:
    url_name: str
    label: str | Promise
    icon: str
    perm: str | None  # None: every signed-in user
    prefix: str  # active when the path starts with it
    # Shown to holders of `perm` over their own records only (officer self-service). Off by
    # default: the people list is no menu entry for an officer who can only see themselves.
    self_service: bool = False


NAV: list[NavEntry] = [
    NavEntry("core:home", _("首页"), "home", None, "/$"),
    NavEntry("org:unit_tree", _("单位"), "sitemap", "org.view_unit", "/org/units"),
    NavEntry("org:person_list", _("人员"), "users", "org.view_person", "/org/people"),
    NavEntry("org:roster_import", _("花名册导入"), "file-import", "org.import_person", "/org/roster"),
    NavEntry("surveys:mine", _("我的问卷"), "checklist", "surveys.answer_campaign", "/surveys/$", self_service=True),
    NavEntry("surveys:campaign_list", _("问卷调查"), "clipboard-list", "surveys.view_campaign", "/surveys/campaigns"),
    NavEntry("surveys:questionnaire_list", _("问卷库"), "forms", "surveys.view_questionnaire", "/surveys/questionnaires"),
    NavEntry("accounts:user_list", _("账号与授权"), "key", "accounts.manage_users", "/accounts/users"),
    NavEntry("core:audit_list", _("审计记录"), "list-search", "core.view_audit", "/audit"),
    # --- care-fund (issue 5, parts 8 and 10) ---
    NavEntry("care:fund_home", _("抚恤基金"), "coin-yuan", "care.view_fund", "/care/fund"),
    NavEntry("care:equipment_list", _("防护装备"), "shield-check", "care.view_equipment", "/care/equipment"),
    NavEntry("care:scorecard", _("六个保障"), "chart-bar", "care.view_scorecard", "/care/scorecard"),
]
