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

# --- health-psych: screening, crisis escalation, counselling (issue 6 points 2-4) ---
NAV += [
    NavEntry("health:screening_mine", _("心理筛查"), "mood-heart", "health.take_screening", "/health/screening/$",
             self_service=True),
    NavEntry("health:counselling_home", _("心理咨询"), "heart-handshake", "health.book_session", "/health/counselling/$",
             self_service=True),
    NavEntry("health:alert_list", _("危机预警"), "alert-triangle", "health.view_alert", "/health/alerts"),
    NavEntry("health:session_list", _("咨询工作"), "notes", "health.view_session", "/health/sessions"),
    NavEntry("health:question_list", _("匿名提问"), "message-question", "health.answer_question",
             "/health/counselling/questions"),
    NavEntry("health:round_list", _("心理筛查轮次"), "report-medical", "health.view_round", "/health/screening/rounds"),
]
NAV += [NavEntry("health:counsellor_list", _("咨询师名录"), "address-book", "health.manage_counsellor",
                 "/health/counselling/counsellors")]
