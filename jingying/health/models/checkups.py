"""Annual checkups (年度体检, issue 6 part 1).

A CheckupPlan is one unit subtree's checkup for one year at a contracted partner hospital; it
lists everyone due as CheckupRecords (booked, done, missed). A done record holds the summary and
the coded abnormal findings; a finding that needs it gets a FollowUp tracked until closed.

Records, findings and follow-ups are health data (domain "health"): only grants naming that
domain see a name next to a result, and every read of a record is audited.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingying.health.checkup_codes import FINDING_CHOICES, FollowUpAction
from jingying.org.models import Person, Unit


class CheckupStatus(models.TextChoices):
    DUE = "due", _("待体检")
    BOOKED = "booked", _("已预约")
    DONE = "done", _("已体检")
    MISSED = "missed", _("未参加")


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("跟进中")
    REFERRED = "referred", _("已转介")
    CLOSED = "closed", _("已结束")


class CheckupPlan(models.Model):
    """One unit subtree's annual checkup: the year, the contracted hospital and the window."""

    scope_unit_path = "unit__path"

    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    hospital = models.ForeignKey("care.PartnerHospital", verbose_name=_("体检医院"), on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="+")
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("截止日期"))
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("体检计划")
        verbose_name_plural = _("体检计划")
        ordering = ["-year", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="checkup_plan_unit_year"),
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")),
                                   name="checkup_plan_window_ordered"),
        ]
        indexes = [models.Index(fields=["year"])]

    def __str__(self) -> str:
        return f"{self.year} {self.unit.label}"


class CheckupRecord(models.Model):
    """One person's checkup in one plan: due → booked → done (or missed), with the summary."""

    scope_unit_path = "person__unit__path"
    scope_person = "person_id"

    plan = models.ForeignKey(CheckupPlan, verbose_name=_("体检计划"), on_delete=models.CASCADE, related_name="records")
    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("状态"), max_length=8, choices=CheckupStatus.choices, default=CheckupStatus.DUE)
    booked_on = models.DateField(_("预约日期"), null=True, blank=True)
    done_on = models.DateField(_("体检日期"), null=True, blank=True)
    conclusion = models.TextField(_("总检结论"), blank=True)
    imported = models.BooleanField(_("由医院文件导入"), default=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("体检记录")
        verbose_name_plural = _("体检记录")
        ordering = ["plan", "person__name", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "person"], name="checkup_record_plan_person")]
        indexes = [models.Index(fields=["plan", "status"]), models.Index(fields=["person", "plan"])]

    def __str__(self) -> str:
        return f"{self.person} · {self.plan.year}"


class CheckupFinding(models.Model):
    """One coded abnormal finding of a checkup (e.g. HTN 高血压)."""

    scope_unit_path = "record__person__unit__path"
    scope_person = "record__person_id"

    record = models.ForeignKey(CheckupRecord, verbose_name=_("体检记录"), on_delete=models.CASCADE,
                               related_name="findings")
    code = models.CharField(_("异常项"), max_length=8, choices=FINDING_CHOICES)
    detail = models.CharField(_("具体情况"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("体检异常项")
        verbose_name_plural = _("体检异常项")
        ordering = ["record", "code"]
        constraints = [models.UniqueConstraint(fields=["record", "code"], name="checkup_finding_record_code")]
        indexes = [models.Index(fields=["code"])]

    def __str__(self) -> str:
        return self.get_code_display()


class FollowUp(models.Model):
    """What a finding needs next (recheck, specialist…), tracked until closed."""

    scope_unit_path = "person__unit__path"
    scope_person = "person_id"

    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="+")
    record = models.ForeignKey(CheckupRecord, verbose_name=_("体检记录"), on_delete=models.CASCADE,
                               related_name="followups")
    code = models.CharField(_("异常项"), max_length=8, choices=FINDING_CHOICES)
    action = models.CharField(_("随访方式"), max_length=12, choices=FollowUpAction.choices)
    due_date = models.DateField(_("随访期限"))
    status = models.CharField(_("状态"), max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN)
    note = models.TextField(_("随访记录"), blank=True)
    closed_on = models.DateField(_("结束日期"), null=True, blank=True)
    referral = models.ForeignKey("care.Referral", verbose_name=_("转介"), on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("随访")
        verbose_name_plural = _("随访")
        ordering = ["due_date", "id"]
        constraints = [models.UniqueConstraint(fields=["record", "code"], name="followup_record_code")]
        indexes = [models.Index(fields=["status", "due_date"]), models.Index(fields=["person", "due_date"])]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_code_display()}"


def _import_upload_path(instance: CheckupImport, filename: str) -> str:
    return f"checkup_imports/{instance.pk}.xlsx"


class CheckupImport(models.Model):
    """A hospital results workbook uploaded for a plan: validated in the background, shown to its
    uploader (matched rows, unmatched rows one by one), imported only when they confirm."""

    class Status(models.TextChoices):
        VALIDATING = "validating", _("校验中")
        INVALID = "invalid", _("无法导入")
        VALID = "valid", _("待确认")
        IMPORTING = "importing", _("导入中")
        DONE = "done", _("已导入")
        FAILED = "failed", _("处理失败")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(CheckupPlan, verbose_name=_("体检计划"), on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.CASCADE,
                                   related_name="+")
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    file = models.FileField(_("文件"), upload_to=_import_upload_path, max_length=200)
    file_name = models.CharField(_("文件名"), max_length=255)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.VALIDATING)
    summary = models.JSONField(_("结果摘要"), default=dict, blank=True)
    unmatched = models.JSONField(_("未匹配的行"), default=list, blank=True)
    preview = models.JSONField(_("预览"), default=list, blank=True)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("体检结果导入")
        verbose_name_plural = _("体检结果导入")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_by", "created_at"])]

    def __str__(self) -> str:
        return self.file_name

    @property
    def busy(self) -> bool:
        return self.status in (self.Status.VALIDATING, self.Status.IMPORTING)
