"""Codes of the psych part of the health app (screening, crisis escalation, counselling).

Kept apart from `choices.py` (the checkups part) so the two parts never edit the same lines.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Tier(models.TextChoices):
    LOW = "low", _("低风险")
    MEDIUM = "medium", _("中风险")
    HIGH = "high", _("高风险")


class AlertReason(models.TextChoices):
    SAFETY = "safety", _("安全题阳性")
    HIGH_TIER = "high_tier", _("高风险分级")


class AlertPriority(models.TextChoices):
    EMERGENT = "emergent", _("危急")
    URGENT = "urgent", _("紧急")
    HIGH = "high", _("高风险")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("待确认")
    ESCALATED = "escalated", _("已升级待确认")
    ACKNOWLEDGED = "acknowledged", _("已确认")
    CONTACTED = "contacted", _("已联系")
    CLOSED = "closed", _("已结案")


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("电话")
    IN_PERSON = "in_person", _("当面")
    VIDEO = "video", _("视频")
    OTHER = "other", _("其他")


class AlertOutcome(models.TextChoices):
    SAFE_PLAN = "safe_plan", _("已评估，制定安全计划并跟进")
    COUNSELLING = "counselling", _("安排心理咨询")
    REFERRED = "referred", _("转介专业医疗机构")
    EMERGENCY = "emergency", _("紧急处置（送医/报警）")
    NO_RISK = "no_risk", _("评估后未见风险")
    UNREACHABLE = "unreachable", _("多次联系未果，移交负责人")


class SessionMode(models.TextChoices):
    IN_PERSON = "in_person", _("面谈")
    PHONE = "phone", _("电话")
    VIDEO = "video", _("视频")


class SessionStatus(models.TextChoices):
    BOOKED = "booked", _("已预约")
    HELD = "held", _("已完成")
    CANCELLED = "cancelled", _("已取消")
    NO_SHOW = "no_show", _("未到")


class Language(models.TextChoices):
    ZH = "zh", _("汉语")
    MN = "mn", _("蒙古语")
    EN = "en", _("英语")
