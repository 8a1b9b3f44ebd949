"""Roles and what each may do, as data.

A grant gives a user one role over one unit subtree (and, for the sensitive domains, the
domains it names). `restrict()` in jingying.core.scoping turns grants into query filters using
this table. Permissions are "<app>.<action>_<entity>" strings so a view or API route names the
one it needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OFFICER = "officer", _("民警/辅警")
    LEADER = "leader", _("单位领导")
    POLITICAL = "political", _("政工干部")
    COUNSELLOR = "counsellor", _("心理咨询师")
    MEDICAL = "medical", _("医疗联络员")
    INSPECTOR = "inspector", _("督察/纪检")
    PUBLICITY = "publicity", _("宣传干部")
    SYSADMIN = "sysadmin", _("系统管理员")
    SECADMIN = "secadmin", _("安全管理员")
    AUDITOR = "auditor", _("安全审计员")


class Domain(models.TextChoices):
    """Sensitive data domains a grant must name explicitly (architecture §4)."""

    PSYCH = "psych", _("心理")
    HEALTH = "health", _("健康")
    INTEGRITY = "integrity", _("廉政")
    FUND = "fund", _("抚恤基金")


ADMIN_ROLES = frozenset({Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR})

ORG_READ = frozenset({"org.view_unit", "org.view_person", "org.view_dependent"})
ORG_WRITE = frozenset(
    {
        "org.change_person",
        "org.add_person",
        "org.delete_person",
        "org.change_dependent",
        "org.import_person",
        "org.export_person",
    }
)
# Surveys (issue 4): political staff run questionnaires and campaigns; leaders follow their
# units' campaigns and (k-suppressed) results; everyone with a person answers their own.
SURVEYS_RUN = frozenset({
    "surveys.view_questionnaire", "surveys.manage_questionnaire", "surveys.view_campaign",
    "surveys.manage_campaign", "surveys.view_results", "surveys.export_results",
})
SURVEYS_FOLLOW = frozenset({"surveys.view_campaign", "surveys.view_results", "surveys.export_results"})
SURVEYS_ANSWER = frozenset({"surveys.answer_campaign"})

# Domain modules add their permissions per role in their own section below (one dict per
# section, role -> permissions), so modules built side by side never edit the same lines.
# `permissions` hold over the grant's subtree; `self` only over the holder's own records.
Section = dict[str, frozenset[str]]

# --- care: concerns, field visits, care visits (issue 5, parts 1-3) ---
_CARE_CASES_LEADER = frozenset({
    "care.view_concern", "care.add_concern", "care.handle_concern", "care.export_concern",
    "care.view_fieldvisit", "care.manage_fieldvisit", "care.export_fieldvisit",
    "care.view_carevisit", "care.manage_carevisit", "care.export_carevisit",
})
CARE_CASES: Section = {
    Role.LEADER: _CARE_CASES_LEADER,
    Role.POLITICAL: _CARE_CASES_LEADER | {"care.approve_carevisit"},
}
# Officers raise, follow and rate their own concerns.
CARE_CASES_SELF: Section = {
    Role.OFFICER: frozenset({"care.view_concern", "care.add_concern", "care.rate_concern"}),
}
# --- care: rights protection, campaign measures, childcare, insurance (issue 5, parts 4-7) ---
_SUPPORT_READ = frozenset({
    "care.view_rightscase", "care.export_rightscase", "care.view_carecampaign", "care.export_carecampaign",
    "care.view_childcare", "care.export_childcare", "care.view_insurance", "care.export_insurance",
})
_SUPPORT_RUN = _SUPPORT_READ | {
    "care.add_rightscase", "care.change_rightscase", "care.delete_rightscase",
    "care.add_carecampaign", "care.change_carecampaign", "care.delete_carecampaign", "care.mark_carecampaign",
    "care.add_childcare", "care.change_childcare", "care.delete_childcare", "care.mark_childcare",
    "care.add_insurance", "care.change_insurance", "care.delete_insurance",
}
# Political staff run all four; leaders follow them in their subtree, tick their units' campaign
# checklists and get the "not yet visited" reminders (follow_carecampaign is theirs alone).
CARE_SUPPORT: Section = {
    Role.POLITICAL: _SUPPORT_RUN,
    Role.LEADER: _SUPPORT_READ | {"care.mark_carecampaign", "care.follow_carecampaign"},
}
# Everyone with a person sees their own rights cases (and answers the support offer), their own
# insurance, and enrols their own children.
_SUPPORT_OWN = frozenset({"care.view_rightscase", "care.respond_rightscase", "care.view_insurance",
                          "care.enrol_childcare"})
CARE_SUPPORT_SELF: Section = {Role.OFFICER: _SUPPORT_OWN, Role.LEADER: _SUPPORT_OWN - {"care.view_rightscase", "care.view_insurance"},
                              Role.POLITICAL: frozenset({"care.respond_rightscase", "care.enrol_childcare"})}
# --- care: relief fund, hospital cooperation, six guarantees and equipment (issue 5, parts 8-10) ---
# Fund permissions hold only with a grant naming the "fund" domain (the services and selectors
# pass domain="fund"); requesting and approving are separate so a department can split them.
_FUND_ALL = frozenset({
    "care.view_fund", "care.manage_fund", "care.add_donation", "care.request_grant", "care.approve_grant",
    "care.pay_grant", "care.reverse_entry", "care.export_fund",
})
_EQUIPMENT_MANAGE = frozenset({
    "care.view_equipment", "care.manage_equipment", "care.import_equipment", "care.export_equipment",
})
CARE_FUND: Section = {
    Role.POLITICAL: _FUND_ALL | _EQUIPMENT_MANAGE | {
        "care.manage_equipment_type", "care.view_scorecard", "care.manage_scorecard", "care.export_scorecard",
    },
    Role.LEADER: _EQUIPMENT_MANAGE | {"care.view_scorecard", "care.export_scorecard"},
}
CARE_FUND_SELF: Section = {
    Role.OFFICER: frozenset({"care.view_equipment"}),
}
# --- health: checkups and the officer's own health page (issue 6, parts 1 and 5) ---
# Hospitals (警医协作) are directory data every signed-in role may read; referrals, checkup records,
# findings and follow-ups need a grant naming the "health" domain as well; leaders and political
# staff see the k-safe aggregate page only.
_HOSPITALS_READ = frozenset({"care.view_hospital"})
_CHECKUP_STATS = frozenset({"health.view_checkup_stats"})
HEALTH_CHECKUPS: Section = {
    Role.MEDICAL: _HOSPITALS_READ | _CHECKUP_STATS | {
        "care.manage_hospital", "care.view_referral", "care.manage_referral", "care.export_referral",
        "health.view_checkup_plan", "health.manage_checkup_plan", "health.view_checkup",
        "health.manage_checkup", "health.import_checkup", "health.export_checkup",
    },
    Role.POLITICAL: _HOSPITALS_READ | _CHECKUP_STATS | {"health.view_checkup_plan"},
    Role.LEADER: _HOSPITALS_READ | _CHECKUP_STATS,
    Role.OFFICER: _HOSPITALS_READ,
    Role.COUNSELLOR: _HOSPITALS_READ,
    Role.INSPECTOR: _HOSPITALS_READ,
    Role.PUBLICITY: _HOSPITALS_READ,
}
# Everyone with a person record sees their own checkups, follow-ups and referrals (/health/me/).
HEALTH_CHECKUPS_SELF: Section = {
    role: frozenset({"health.view_own_health"})
    for role in (Role.OFFICER, Role.LEADER, Role.POLITICAL, Role.COUNSELLOR, Role.MEDICAL, Role.INSPECTOR,
                 Role.PUBLICITY)
}
# --- health: screening, crisis escalation, counselling (issue 6, parts 2-4) ---
# Counsellors (psych domain) read results, handle alerts, hold sessions and answer anonymous
# questions; political staff run rounds and see k-safe aggregates; leaders see aggregates only.
_PSYCH_STATS = frozenset({"health.view_round", "health.view_psych_stats", "health.export_psych_stats"})
HEALTH_PSYCH: Section = {
    Role.COUNSELLOR: _PSYCH_STATS | {
        "health.counsel", "health.view_screening", "health.view_alert", "health.change_alert",
        "health.view_session", "health.change_session", "health.answer_question", "health.manage_availability",
    },
    Role.POLITICAL: _PSYCH_STATS | {"health.manage_round", "health.manage_counsellor"},
    Role.LEADER: _PSYCH_STATS,
}
# Everyone with a person record: consent, own results, book a session, ask anonymously.
_PSYCH_SELF = frozenset({"health.take_screening", "health.book_session", "health.ask_question"})
HEALTH_PSYCH_SELF: Section = dict.fromkeys(
    (Role.OFFICER, Role.LEADER, Role.POLITICAL, Role.COUNSELLOR, Role.MEDICAL, Role.INSPECTOR, Role.PUBLICITY),
    _PSYCH_SELF)

_SECTIONS: list[Section] = [CARE_CASES, CARE_SUPPORT, CARE_FUND, HEALTH_CHECKUPS, HEALTH_PSYCH]
_SELF_SECTIONS: list[Section] = [
    CARE_CASES_SELF, CARE_SUPPORT_SELF, CARE_FUND_SELF, HEALTH_CHECKUPS_SELF, HEALTH_PSYCH_SELF,
]

# Officer self-service (decision 0014): everything an officer may do on their own records, in
# every module, defined once. Every business role holds it, because every leader, clerk,
# counsellor, doctor, inspector and publicity officer is also an officer with their own concerns,
# children, insurance, health, equipment and surveys. The 三员 hold none of it: an administrator
# account never reaches personal-data features, not even its holder's own.
ORG_SELF = frozenset({"org.view_person", "org.view_dependent"})
SELF_SERVICE: frozenset[str] = ORG_SELF | SURVEYS_ANSWER | frozenset().union(
    *(perms for section in _SELF_SECTIONS for perms in section.values()))
BUSINESS_ROLES = frozenset(Role) - ADMIN_ROLES


@dataclass(frozen=True)
class RoleSpec:
    """What a role may do inside the subtree its grant names."""

    permissions: frozenset[str]
    # Permissions the role holds only over the holder's own records (officer self-service).
    self_permissions: frozenset[str] = field(default_factory=frozenset)
    # Sees units (structure, head counts) everywhere in the subtree but no personal data.
    units_only: bool = False


ROLE_SPECS: dict[str, RoleSpec] = {
    Role.OFFICER: RoleSpec(permissions=frozenset({"org.view_unit"})),
    Role.LEADER: RoleSpec(permissions=ORG_READ | {"org.export_person"} | SURVEYS_FOLLOW),
    Role.POLITICAL: RoleSpec(permissions=ORG_READ | ORG_WRITE | SURVEYS_RUN),
    Role.COUNSELLOR: RoleSpec(permissions=ORG_READ),
    Role.MEDICAL: RoleSpec(permissions=ORG_READ),
    Role.INSPECTOR: RoleSpec(permissions=ORG_READ),
    Role.PUBLICITY: RoleSpec(permissions=frozenset({"org.view_unit", "org.view_person"})),
    # 三员: the system administrator runs units and settings but reads no personal data.
    Role.SYSADMIN: RoleSpec(
        permissions=frozenset({"org.view_unit", "org.change_unit", "core.manage_system"}),
        units_only=True,
    ),
    Role.SECADMIN: RoleSpec(
        permissions=frozenset({"org.view_unit", "accounts.manage_grants", "accounts.manage_users"}),
        units_only=True,
    ),
    Role.AUDITOR: RoleSpec(permissions=frozenset({"core.view_audit"})),
}


def _widen(specs: dict[str, RoleSpec]) -> dict[str, RoleSpec]:
    """Each role's spec with the domain modules' sections and (business roles) self-service added.

    A self-service permission the role also holds over a subtree stays in `self_permissions`: the
    holder's own unit need not lie inside the granted subtree (a city clerk granted one county),
    and `scope_q` adds the own-person clause to the subtree's.
    """
    out = {}
    for role, spec in specs.items():
        extra = frozenset().union(*(section.get(role, frozenset()) for section in _SECTIONS))
        permissions = spec.permissions | extra
        own = SELF_SERVICE if role in BUSINESS_ROLES else frozenset()
        out[role] = RoleSpec(permissions=permissions, self_permissions=spec.self_permissions | own,
                             units_only=spec.units_only)
    return out


ROLE_SPECS = _widen(ROLE_SPECS)


def role_permissions(role: str) -> frozenset[str]:
    spec = ROLE_SPECS[role]
    return spec.permissions | spec.self_permissions
