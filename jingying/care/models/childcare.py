"""Childcare (子女托管): programmes at a centre for a period, children enrolled by their parents,
a first-come-first-served waiting list when full, and daily attendance."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingying.care.choices import EnrolmentStatus
from jingying.org.models import Dependent, Person, Unit


class ChildcareProgramme(models.Model):
    """A childcare programme (e.g. the 2026 summer class at a centre), open to the people of its unit's subtree."""

    scope_unit_path = "unit__path"

    name = models.CharField(_("项目名称"), max_length=100)
    unit = models.ForeignKey(Unit, verbose_name=_("主办单位"), on_delete=models.PROTECT, related_name="+")
    centre = models.CharField(_("托管场所"), max_length=200)
    period = models.CharField(_("期次"), max_length=50, help_text=_("例如：2026年暑期"))
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    capacity = models.PositiveIntegerField(_("名额"))
    min_age = models.PositiveSmallIntegerField(_("最小年龄"))
    max_age = models.PositiveSmallIntegerField(_("最大年龄"))
    open = models.BooleanField(_("开放报名"), default=True)
    contact = models.CharField(_("联系人及电话"), max_length=100, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("子女托管项目")
        verbose_name_plural = _("子女托管项目")
        ordering = ["-start", "-id"]
        indexes = [models.Index(fields=["unit", "start"]), models.Index(fields=["start", "id"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="childcare_end_after_start"),
            models.CheckConstraint(condition=models.Q(max_age__gte=models.F("min_age")), name="childcare_age_range"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.period}）"


class ChildcareEnrolment(models.Model):
    """A child's place (or place on the waiting list) in a programme, requested by their parent."""

    scope_unit_path = "programme__unit__path"
    scope_person = "person_id"

    programme = models.ForeignKey(ChildcareProgramme, verbose_name=_("托管项目"), on_delete=models.CASCADE,
                                  related_name="enrolments")
    person = models.ForeignKey(Person, verbose_name=_("民警"), on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey(Dependent, verbose_name=_("子女"), on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("状态"), max_length=12, choices=EnrolmentStatus.choices)
    requested_at = models.DateTimeField(_("报名时间"))
    promoted_at = models.DateTimeField(_("递补时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    notes = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("托管报名")
        verbose_name_plural = _("托管报名")
        ordering = ["programme", "requested_at", "id"]
        indexes = [models.Index(fields=["programme", "status", "requested_at"])]
        constraints = [models.UniqueConstraint(fields=["programme", "child"],
                                               condition=~models.Q(status="cancelled"),
                                               name="childcare_one_live_enrolment")]

    def __str__(self) -> str:
        return f"{self.child.name} @ {self.programme_id}"


class ChildcareAttendance(models.Model):
    """Whether an enrolled child came on a day (marked by the centre's staff)."""

    scope_unit_path = "enrolment__programme__unit__path"
    scope_person = "enrolment__person_id"

    enrolment = models.ForeignKey(ChildcareEnrolment, verbose_name=_("托管报名"), on_delete=models.CASCADE,
                                  related_name="attendance")
    day = models.DateField(_("日期"))
    present = models.BooleanField(_("出勤"), default=True)
    note = models.CharField(_("备注"), max_length=100, blank=True)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("托管出勤")
        verbose_name_plural = _("托管出勤")
        ordering = ["day", "enrolment"]
        constraints = [models.UniqueConstraint(fields=["enrolment", "day"], name="childcare_attendance_unique")]

    def __str__(self) -> str:
        return f"{self.enrolment_id}:{self.day}"
