"""Codes of the care app, one block per part (each part appends its own classes at the end)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# --- care-support: rights protection, campaign measures, childcare, insurance (issue 5, parts 4-7) ---


class RightsIncident(models.TextChoices):
    """What happened to the officer (维护民警执法权威)."""

    ASSAULT = "assault", _("暴力袭警")
    OBSTRUCTION = "obstruction", _("妨碍执行公务")
    THREAT = "threat", _("威胁恐吓")
    DEFAMATION = "defamation", _("网络诽谤")
    MALICIOUS_COMPLAINT = "complaint", _("恶意投诉")
    OTHER = "other", _("其他侵权")


class RightsStatus(models.TextChoices):
    REGISTERED = "registered", _("已登记")
    INVESTIGATING = "investigating", _("调查核实")
    ACTIONS = "actions", _("维权处置")
    CLOSED = "closed", _("已结案")


# The order a case moves through; a step may be skipped forward, never backward.
RIGHTS_FLOW = [RightsStatus.REGISTERED, RightsStatus.INVESTIGATING, RightsStatus.ACTIONS, RightsStatus.CLOSED]


class RightsActionKind(models.TextChoices):
    LEGAL_AID = "legal_aid", _("法律援助")
    CLARIFICATION = "clarification", _("澄清正名")
    PROSECUTION = "prosecution", _("移送追责")
    COMPENSATION = "compensation", _("经济赔偿")
    OTHER = "other", _("其他措施")


class OfferAnswer(models.TextChoices):
    """The officer's answer to the automatic offer of psychological support."""

    PENDING = "pending", _("未答复")
    ACCEPTED = "accepted", _("接受")
    DECLINED = "declined", _("婉拒")
    NO_ANSWER = "no_answer", _("无回应")


class CareMeasure(models.TextChoices):
    """The six wartime care measures (战时从优待警六项措施)."""

    COMMENDATION = "commendation", _("表彰奖励")
    VISITS = "visits", _("走访慰问")
    MEDICAL = "medical", _("送医到岗")
    CHILDCARE = "childcare", _("子女托管")
    COUNSELLING = "counselling", _("心理疏导")
    INSURANCE = "insurance", _("意外保险")


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("已录取")
    WAITING = "waiting", _("候补")
    CANCELLED = "cancelled", _("已取消")


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已报案")
    REVIEWING = "reviewing", _("审核中")
    PAID = "paid", _("已赔付")
    REJECTED = "rejected", _("拒赔")
