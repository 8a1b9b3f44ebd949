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
    # A sensitive domain the grant must also name (e.g. "fund"): nobody is offered a page that
    # would refuse them.
    domain: str | None = None


# The menu groups entries by module so a political-department user with every module does not
# get thirty items in a row: (url-name prefix, group label, icon); the first match wins.
GROUPS: list[tuple[str, str | Promise, str]] = [
    ("surveys:", _("问卷调查"), "clipboard-list"),
    ("care:hospital", _("健康心理"), "heartbeat"),
    ("care:referral", _("健康心理"), "heartbeat"),
    ("care:", _("暖警惠警"), "heart-handshake"),
    ("health:", _("健康心理"), "heartbeat"),
]


def group_of(entry: NavEntry) -> tuple[str | Promise, str] | None:
    for prefix, label, icon in GROUPS:
        if entry.url_name.startswith(prefix):
            return label, icon
    return None


NAV: list[NavEntry] = [
    NavEntry("core:home", _("首页"), "home", None, "/$"),
    NavEntry("org:unit_tree", _("单位"), "sitemap", "org.view_unit", "/org/units"),
    NavEntry("org:person_list", _("人员"), "users", "org.view_person", "/org/people"),
    NavEntry("org:roster_import", _("花名册导入"), "file-import", "org.import_person", "/org/roster"),
    NavEntry("surveys:mine", _("我的问卷"), "checklist", "surveys.answer_campaign", "/surveys/$", self_service=True),
    NavEntry("surveys:campaign_list", _("问卷调查"), "clipboard-list", "surveys.view_campaign", "/surveys/campaigns"),
    NavEntry("surveys:questionnaire_list", _("问卷库"), "forms", "surveys.view_questionnaire", "/surveys/questionnaires"),
    NavEntry("care:concern_mine", _("我的诉求"), "message-heart", "care.rate_concern", "/care/concerns/mine",
             self_service=True),
    NavEntry("care:concern_list", _("诉求办理"), "messages", "care.view_concern", "/care/concerns"),
    NavEntry("care:field_visit_list", _("走访调研"), "route", "care.view_fieldvisit", "/care/field-visits"),
    NavEntry("care:care_visit_list", _("走访慰问"), "heart-handshake", "care.view_carevisit", "/care/care-visits"),
    # --- care-support ---
    NavEntry("care:rights_list", _("维权案件"), "shield-check", "care.view_rightscase", "/care/rights", self_service=True),
    NavEntry("care:campaign_list", _("从优待警"), "flag", "care.view_carecampaign", "/care/campaigns"),
    NavEntry("care:childcare_list", _("子女托管"), "horse-toy", "care.view_childcare", "/care/childcare/$"),
    NavEntry("care:childcare_mine", _("我的子女托管"), "horse-toy", "care.enrol_childcare", "/care/childcare/mine",
             self_service=True),
    NavEntry("care:policy_list", _("意外保险"), "umbrella", "care.view_insurance", "/care/insurance/policies"),
    NavEntry("care:claim_list", _("保险理赔"), "receipt", "care.change_insurance", "/care/insurance/claims"),
    NavEntry("care:insurance_mine", _("我的意外保险"), "umbrella", "care.view_insurance", "/care/insurance/mine",
             self_service=True),
    NavEntry("accounts:user_list", _("账号与授权"), "key", "accounts.manage_users", "/accounts/users"),
    NavEntry("core:audit_list", _("审计记录"), "list-search", "core.view_audit", "/audit"),
    # --- care-fund (issue 5, parts 8 and 10) ---
    NavEntry("care:fund_home", _("抚恤基金"), "coin-yuan", "care.view_fund", "/care/fund", domain="fund"),
    NavEntry("care:equipment_list", _("防护装备"), "shield-check", "care.view_equipment", "/care/equipment"),
    NavEntry("care:scorecard", _("六个保障"), "chart-bar", "care.view_scorecard", "/care/scorecard"),
]
# --- health-checkups: annual checkups, the officer's own health page, partner hospitals ---
NAV += [
    NavEntry("health:me", _("我的健康"), "heartbeat", "health.view_own_health", "/health/me", self_service=True),
    NavEntry("health:checkup_plan_list", _("年度体检"), "stethoscope", "health.view_checkup_plan", "/health/checkups"),
    NavEntry("health:checkup_stats", _("体检统计"), "chart-bar", "health.view_checkup_stats", "/health/checkups/stats"),
    NavEntry("care:hospital_list", _("协作医院"), "building-hospital", "care.view_hospital", "/care/hospitals"),
    NavEntry("care:referral_list", _("就医转介"), "arrow-forward-up", "care.view_referral", "/care/referrals"),
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
