"""Police-hospital cooperation (警医协作, issue 5 part 9): partner hospitals, their green-channel
services and police windows, and referrals of officers through them.

Hospitals are directory data every officer may read; a referral is health data (domain
"health"): only grants naming that domain see it, and every read of one is audited.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingying.care.choices_hospitals import HospitalLevel, ReferralSource, ReferralStatus, ServiceKind
from jingying.org.models import Person, Unit


class PartnerHospital(models.Model):
    """A hospital a bureau has signed a cooperation agreement with (警医协作单位)."""

    scope_unit_path = "unit__path"

    unit = models.ForeignKey(Unit, verbose_name=_("签约单位"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("医院名称"), max_length=100)
    level = models.CharField(_("医院等级"), max_length=8, choices=HospitalLevel.choices, default=HospitalLevel.GRADE3A)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    contract_start = models.DateField(_("协议开始日期"), null=True, blank=True)
    contract_end = models.DateField(_("协议截止日期"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("协作医院")
        verbose_name_plural = _("协作医院")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["unit", "name"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(contract_end__isnull=True) | models.Q(contract_start__isnull=True)
                | models.Q(contract_end__gte=models.F("contract_start")),
                name="hospital_contract_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class GreenChannelService(models.Model):
    """One service a partner hospital offers officers through its green channel."""

    scope_unit_path = "hospital__unit__path"

    hospital = models.ForeignKey(PartnerHospital, verbose_name=_("医院"), on_delete=models.CASCADE,
                                 related_name="services")
    kind = models.CharField(_("服务类别"), max_length=12, choices=ServiceKind.choices)
    description = models.CharField(_("服务说明"), max_length=200, blank=True)
    contact = models.CharField(_("联系方式"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("绿色通道服务")
        verbose_name_plural = _("绿色通道服务")
        ordering = ["hospital", "kind", "id"]

    def __str__(self) -> str:
        return f"{self.hospital} · {self.get_kind_display()}"


class PoliceWindow(models.Model):
    """A service window for officers inside a partner hospital (警医服务窗口)."""

    scope_unit_path = "hospital__unit__path"

    hospital = models.ForeignKey(PartnerHospital, verbose_name=_("医院"), on_delete=models.CASCADE,
                                 related_name="windows")
    location = models.CharField(_("位置"), max_length=100)
    hours = models.CharField(_("服务时间"), max_length=100, blank=True)
    contact = models.CharField(_("联系方式"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("警医服务窗口")
        verbose_name_plural = _("警医服务窗口")
        ordering = ["hospital", "id"]

    def __str__(self) -> str:
        return f"{self.hospital} · {self.location}"


class Referral(models.Model):
    """An officer referred to a partner hospital through its green channel, with the outcome.

    Health data: domain "health".
    """

    scope_unit_path = "person__unit__path"
    scope_person = "person_id"

    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="+")
    hospital = models.ForeignKey(PartnerHospital, verbose_name=_("医院"), on_delete=models.PROTECT,
                                 related_name="referrals")
    service = models.ForeignKey(GreenChannelService, verbose_name=_("绿色通道服务"), on_delete=models.SET_NULL,
                                null=True, blank=True, related_name="+")
    reason = models.TextField(_("转介原因"))
    source = models.CharField(_("来源"), max_length=10, choices=ReferralSource.choices, default=ReferralSource.MANUAL)
    source_ref = models.CharField(_("来源编号"), max_length=50, blank=True)
    referred_on = models.DateField(_("转介日期"))
    status = models.CharField(_("状态"), max_length=10, choices=ReferralStatus.choices,
                              default=ReferralStatus.REFERRED)
    seen_on = models.DateField(_("就诊日期"), null=True, blank=True)
    outcome = models.TextField(_("诊疗结果"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("转介人"), on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("就医转介")
        verbose_name_plural = _("就医转介")
        ordering = ["-referred_on", "-id"]
        indexes = [
            models.Index(fields=["person", "referred_on"]),
            models.Index(fields=["status", "referred_on"]),
            models.Index(fields=["hospital", "referred_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.hospital}"
