"""Accident insurance (意外伤害保险): policies bought for officers and the claims made on them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingying.care.choices import ClaimStatus
from jingying.org.models import Person, Unit


class InsurancePolicy(models.Model):
    """A group accident policy bought by a unit for its people for a period."""

    scope_unit_path = "unit__path"

    unit = models.ForeignKey(Unit, verbose_name=_("投保单位"), on_delete=models.PROTECT, related_name="+")
    insurer = models.CharField(_("保险公司"), max_length=100)
    policy_number = models.CharField(_("保单号"), max_length=50, unique=True)
    name = models.CharField(_("险种"), max_length=100, default="团体意外伤害保险")
    start = models.DateField(_("起保日期"))
    end = models.DateField(_("终止日期"))
    cover_per_person = models.DecimalField(_("每人保额（元）"), max_digits=12, decimal_places=2)
    notes = models.TextField(_("备注"), blank=True)
    expiry_reminded_on = models.DateField(_("到期提醒日期"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("意外保险保单")
        verbose_name_plural = _("意外保险保单")
        ordering = ["-start", "-id"]
        indexes = [models.Index(fields=["end"]), models.Index(fields=["unit", "start"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="insurance_end_after_start"),
            models.CheckConstraint(condition=models.Q(cover_per_person__gt=0), name="insurance_cover_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.insurer} {self.policy_number}"


class InsuredPerson(models.Model):
    """A person covered by a policy."""

    scope_unit_path = "person__unit__path"
    scope_person = "person_id"

    policy = models.ForeignKey(InsurancePolicy, verbose_name=_("保单"), on_delete=models.CASCADE, related_name="insured")
    person = models.ForeignKey(Person, verbose_name=_("被保险人"), on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(_("加入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("被保险人")
        verbose_name_plural = _("被保险人")
        ordering = ["policy", "person"]
        constraints = [models.UniqueConstraint(fields=["policy", "person"], name="insured_person_unique")]

    def __str__(self) -> str:
        return f"{self.policy_id}:{self.person_id}"


class InsuranceClaim(models.Model):
    """A claim for an accident to an insured person, from report to payment or rejection."""

    scope_unit_path = "person__unit__path"
    scope_person = "person_id"

    policy = models.ForeignKey(InsurancePolicy, verbose_name=_("保单"), on_delete=models.PROTECT, related_name="claims")
    person = models.ForeignKey(Person, verbose_name=_("出险人"), on_delete=models.PROTECT, related_name="+")
    incident = models.TextField(_("出险经过"))
    incident_date = models.DateField(_("出险日期"))
    amount_claimed = models.DecimalField(_("申请金额（元）"), max_digits=12, decimal_places=2)
    amount_paid = models.DecimalField(_("赔付金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=ClaimStatus.choices, default=ClaimStatus.SUBMITTED)
    reject_reason = models.CharField(_("拒赔原因"), max_length=300, blank=True)
    submitted_on = models.DateField(_("报案日期"))
    decided_on = models.DateField(_("结案日期"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("保险理赔")
        verbose_name_plural = _("保险理赔")
        ordering = ["-submitted_on", "-id"]
        indexes = [models.Index(fields=["status", "submitted_on"]), models.Index(fields=["submitted_on", "id"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_claimed__gt=0), name="claim_amount_positive"),
            models.CheckConstraint(condition=models.Q(amount_paid__isnull=True) | models.Q(amount_paid__gte=0),
                                   name="claim_paid_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.incident_date:%Y-%m-%d}"
