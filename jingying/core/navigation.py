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
]
# --- health-checkups: annual checkups, the officer's own health page, partner hospitals ---
NAV += [
    NavEntry("health:me", _("我的健康"), "heartbeat", "health.view_own_health", "/health/me", self_service=True),
    NavEntry("health:checkup_plan_list", _("年度体检"), "stethoscope", "health.view_checkup_plan", "/health/checkups"),
    NavEntry("health:checkup_stats", _("体检统计"), "chart-bar", "health.view_checkup_stats", "/health/checkups/stats"),
    NavEntry("care:hospital_list", _("协作医院"), "building-hospital", "care.view_hospital", "/care/hospitals"),
    NavEntry("care:referral_list", _("就医转介"), "arrow-forward-up", "care.view_referral", "/care/referrals"),
]
