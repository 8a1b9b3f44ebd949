"""Codes of the police-hospital cooperation part (警医协作).

Kept in their own module (rather than the shared care/choices.py) so the parts built side by side
never edit the same lines; choices.py may re-export them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class HospitalLevel(models.TextChoices):
    """医院等级 as the health commission grades them."""

    GRADE3A = "3a", _("三级甲等")
    GRADE3B = "3b", _("三级乙等")
    GRADE2A = "2a", _("二级甲等")
    GRADE2 = "2", _("二级")
    OTHER = "other", _("其他")


class ServiceKind(models.TextChoices):
    """What a green channel offers officers."""

    PRIORITY = "priority", _("优先挂号")
    CONSULT = "consult", _("专家会诊")
    INPATIENT = "inpatient", _("住院绿色通道")
    CHECKUP = "checkup", _("健康体检")
    EMERGENCY = "emergency", _("急诊优先")
    PSYCH = "psych", _("心理门诊")
    OTHER = "other", _("其他")


class ReferralSource(models.TextChoices):
    MANUAL = "manual", _("直接转介")
    CHECKUP = "checkup", _("体检随访")
    RIGHTS = "rights", _("维权案件")


class ReferralStatus(models.TextChoices):
    REFERRED = "referred", _("已转介")
    SEEN = "seen", _("已就诊")
    CLOSED = "closed", _("已结案")
