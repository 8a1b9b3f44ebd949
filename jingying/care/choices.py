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
