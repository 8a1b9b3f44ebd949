"""Leaders' field visits (调研/走访基层) and care visits (走访慰问) with their yearly plans."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingying.care.choices import CareApproval, CareReason


class FieldVisit(models.Model):
    """A leader's visit to a grassroots unit: who went, when, whom they met, what they found."""

    scope_unit_path = "unit__path"

    unit = models.ForeignKey("org.Unit", verbose_name=_("走访单位"), on_delete=models.PROTECT,
                             related_name="field_visits")
    visit_date = models.DateField(_("走访日期"))
    topic = models.CharField(_("主题"), max_length=100)
    visitors = models.ManyToManyField("org.Person", verbose_name=_("走访人员"), blank=True,
                                      related_name="field_visits_made")
    visitors_text = models.CharField(_("其他走访人员"), max_length=200, blank=True)
    met_people = models.ManyToManyField("org.Person", verbose_name=_("座谈人员"), blank=True,
                                        related_name="field_visits_met")
    met_text = models.CharField(_("其他座谈对象"), max_length=300, blank=True)
    findings = models.TextField(_("发现的问题和情况"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("走访调研")
        verbose_name_plural = _("走访调研")
        ordering = ["-visit_date", "-id"]
        indexes = [models.Index(fields=["visit_date", "id"]), models.Index(fields=["unit", "visit_date"])]

    def __str__(self) -> str:
        return self.topic


class CareVisit(models.Model):
    """A visit to an officer or their family (illness, injury, bereavement, hardship, festival,
    campaign) and the support given; money above zero waits for a second person's approval."""

    scope_unit_path = "person__unit__path"
    scope_person = "person_id"

    person = models.ForeignKey("org.Person", verbose_name=_("慰问对象"), on_delete=models.PROTECT,
                               related_name="care_visits")
    dependent = models.ForeignKey("org.Dependent", verbose_name=_("家属"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="care_visits")
    visit_date = models.DateField(_("慰问日期"))
    reason = models.CharField(_("慰问事由"), max_length=16, choices=CareReason.choices)
    visitors = models.CharField(_("慰问人员"), max_length=200)
    money = models.DecimalField(_("慰问金（元）"), max_digits=10, decimal_places=2, default=Decimal("0.00"),
                                validators=[MinValueValidator(Decimal("0.00"))])
    goods = models.CharField(_("慰问品"), max_length=200, blank=True)
    help_given = models.CharField(_("帮扶措施"), max_length=300, blank=True)
    note = models.TextField(_("备注"), blank=True)
    approval = models.CharField(_("审批状态"), max_length=16, choices=CareApproval.choices,
                                default=CareApproval.NOT_REQUIRED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    approval_note = models.CharField(_("审批意见"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("走访慰问")
        verbose_name_plural = _("走访慰问")
        ordering = ["-visit_date", "-id"]
        indexes = [
            models.Index(fields=["visit_date", "id"]),
            models.Index(fields=["person", "visit_date"]),
            models.Index(fields=["approval"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(money__gte=0), name="carevisit_money_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.get_reason_display()} {self.visit_date:%Y-%m-%d}"


class CareVisitPlan(models.Model):
    """A unit's yearly list of people to visit (picked, or generated from criteria)."""

    scope_unit_path = "unit__path"

    unit = models.ForeignKey("org.Unit", verbose_name=_("单位"), on_delete=models.PROTECT,
                             related_name="care_visit_plans")
    year = models.PositiveSmallIntegerField(_("年度"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("年度走访慰问计划")
        verbose_name_plural = _("年度走访慰问计划")
        ordering = ["-year", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="carevisitplan_unit_year")]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}"


class CareVisitTarget(models.Model):
    """One person on a yearly plan, with why they are on it."""

    scope_unit_path = "plan__unit__path"
    scope_person = "person_id"

    plan = models.ForeignKey(CareVisitPlan, verbose_name=_("计划"), on_delete=models.CASCADE, related_name="targets")
    person = models.ForeignKey("org.Person", verbose_name=_("人员"), on_delete=models.CASCADE,
                               related_name="care_visit_targets")
    reason = models.CharField(_("列入原因"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("计划走访对象")
        verbose_name_plural = _("计划走访对象")
        ordering = ["plan", "person__name"]
        constraints = [models.UniqueConstraint(fields=["plan", "person"], name="carevisittarget_once")]

    def __str__(self) -> str:
        return str(self.person)
