"""Codes of the care app. Each part adds its own classes at the end (shared file)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# --- care-cases: concerns, field visits, care visits (issue 5, parts 1-3) ---


class ConcernCategory(models.TextChoices):
    FAMILY = "family", _("家庭")
    HEALTH = "health", _("健康")
    HOUSING = "housing", _("住房")
    SCHOOLING = "schooling", _("子女入学")
    WORKLOAD = "workload", _("工作负荷")
    FINANCES = "finances", _("经济困难")
    LEGAL = "legal", _("法律")
    OTHER = "other", _("其他")


class ConcernUrgency(models.TextChoices):
    URGENT = "urgent", _("紧急")
    NORMAL = "normal", _("一般")
    LOW = "low", _("不急")


# Days to resolve a concern by urgency: data, not code (change here, not in the services).
CONCERN_DEADLINE_DAYS: dict[str, int] = {
    ConcernUrgency.URGENT: 3,
    ConcernUrgency.NORMAL: 15,
    ConcernUrgency.LOW: 30,
}


class ConcernStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待受理")
    ACCEPTED = "accepted", _("已受理")
    IN_PROGRESS = "in_progress", _("办理中")
    RESOLVED = "resolved", _("已解决")
    REFERRED = "referred", _("已转办")
    UNSOLVABLE = "unsolvable", _("无法解决")


CONCERN_OPEN = (ConcernStatus.SUBMITTED, ConcernStatus.ACCEPTED, ConcernStatus.IN_PROGRESS)
CONCERN_CLOSED = (ConcernStatus.RESOLVED, ConcernStatus.REFERRED, ConcernStatus.UNSOLVABLE)


class ConcernSource(models.TextChoices):
    SELF = "self", _("本人提出")
    FIELD_VISIT = "field_visit", _("走访调研")
    SURVEY = "survey", _("问卷调查")
    RECORDED = "recorded", _("代为登记")


class ConcernEventKind(models.TextChoices):
    RAISED = "raised", _("提出")
    ACCEPTED = "accepted", _("受理")
    STARTED = "started", _("开始办理")
    RESOLVED = "resolved", _("办结")
    REFERRED = "referred", _("转办")
    UNSOLVABLE = "unsolvable", _("无法解决")
    REASSIGNED = "reassigned", _("改派")
    ESCALATED = "escalated", _("超期上报")
    RATED = "rated", _("评价")


class CareReason(models.TextChoices):
    ILLNESS = "illness", _("患病")
    INJURY = "injury", _("因公负伤")
    BEREAVEMENT = "bereavement", _("亲属亡故")
    HARDSHIP = "hardship", _("生活困难")
    FESTIVAL = "festival", _("节日慰问")
    CAMPAIGN = "campaign", _("战时慰问")
    OTHER = "other", _("其他")


class CareApproval(models.TextChoices):
    NOT_REQUIRED = "not_required", _("无需审批")
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未批准")
