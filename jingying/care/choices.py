"""Codes of the care app; each part adds its own classes at the end."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# --- care-fund: relief fund, six guarantees, protective equipment (issue 5, parts 8 and 10) ---


class EntryKind(models.TextChoices):
    """What moved money in the relief fund's ledger."""

    DONATION = "donation", _("捐赠收入")
    GRANT = "grant", _("抚恤支出")
    REVERSAL = "reversal", _("冲正")


class GrantReason(models.TextChoices):
    FALLEN = "fallen", _("因公牺牲")
    INJURED = "injured", _("因公负伤")
    DISABLED = "disabled", _("因公致残")
    ILLNESS = "illness", _("因病去世")


class GrantStatus(models.TextChoices):
    REQUESTED = "requested", _("待初审")
    FIRST_APPROVED = "first_approved", _("待复审")
    APPROVED = "approved", _("待拨付")
    PAID = "paid", _("已拨付")
    REJECTED = "rejected", _("已驳回")
    REVERSED = "reversed", _("拨付已冲正")


class Guarantee(models.TextChoices):
    """The six guarantees (六个保障), in the programme's order."""

    LIVING = "living", _("生活保障")
    HEALTH = "health", _("健康保障")
    INSTITUTIONAL = "institutional", _("制度保障")
    EQUIPMENT = "equipment", _("装备保障")
    SERVICE = "service", _("服务保障")
    ACTIVITY = "activity", _("活动保障")


class ScoreSource(models.TextChoices):
    COMPUTED = "computed", _("系统计算")
    ENTERED = "entered", _("人工录入")
    ROLLED_UP = "rolled_up", _("下级汇总")
    MISSING = "missing", _("暂无")
