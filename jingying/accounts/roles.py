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


@dataclass(frozen=True)
class RoleSpec:
    """What a role may do inside the subtree its grant names."""

    permissions: frozenset[str]
    # Permissions the role holds only over the holder's own records (officer self-service).
    self_permissions: frozenset[str] = field(default_factory=frozenset)
    # Sees units (structure, head counts) everywhere in the subtree but no personal data.
    units_only: bool = False


ROLE_SPECS: dict[str, RoleSpec] = {
    Role.OFFICER: RoleSpec(
        permissions=frozenset({"org.view_unit"}),
        self_permissions=frozenset({"org.view_person", "org.view_dependent"}) | SURVEYS_ANSWER,
    ),
    Role.LEADER: RoleSpec(permissions=ORG_READ | {"org.export_person"} | SURVEYS_FOLLOW,
                          self_permissions=SURVEYS_ANSWER),
    Role.POLITICAL: RoleSpec(permissions=ORG_READ | ORG_WRITE | SURVEYS_RUN, self_permissions=SURVEYS_ANSWER),
    Role.COUNSELLOR: RoleSpec(permissions=ORG_READ, self_permissions=SURVEYS_ANSWER),
    Role.MEDICAL: RoleSpec(permissions=ORG_READ, self_permissions=SURVEYS_ANSWER),
    Role.INSPECTOR: RoleSpec(permissions=ORG_READ, self_permissions=SURVEYS_ANSWER),
    Role.PUBLICITY: RoleSpec(permissions=frozenset({"org.view_unit", "org.view_person"}),
                             self_permissions=SURVEYS_ANSWER),
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


def role_permissions(role: str) -> frozenset[str]:
    spec = ROLE_SPECS[role]
    return spec.permissions | spec.self_permissions
