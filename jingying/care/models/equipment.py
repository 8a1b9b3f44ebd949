"""Protective equipment (防护装备): the types the force issues and who holds what until when."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EquipmentType(models.Model):
    """A kind of protective equipment (防刺服, 防弹衣, 头盔…) with its service life; a required
    type counts towards the equipment guarantee."""

    name = models.CharField(_("装备名称"), max_length=50, unique=True)
    service_life_months = models.PositiveSmallIntegerField(_("使用年限（月）"))
    required = models.BooleanField(_("必配"), default=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("装备类型")
        verbose_name_plural = _("装备类型")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(service_life_months__gte=1), name="care_equipment_life_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class EquipmentIssue(models.Model):
    """One item issued to a person: in date until `expires_on` (issued date + service life)
    unless returned or replaced earlier."""

    scope_unit_path = "person__unit__path"
    scope_person = "person_id"

    class Status(models.TextChoices):
        ISSUED = "issued", _("在用")
        RETURNED = "returned", _("已交回")
        REPLACED = "replaced", _("已更换")

    person = models.ForeignKey("org.Person", verbose_name=_("人员"), on_delete=models.CASCADE,
                               related_name="equipment_issues")
    type = models.ForeignKey(EquipmentType, verbose_name=_("装备类型"), on_delete=models.PROTECT,
                             related_name="issues")
    issued_on = models.DateField(_("配发日期"))
    expires_on = models.DateField(_("到期日期"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.ISSUED)
    returned_on = models.DateField(_("交回/更换日期"), null=True, blank=True)
    serial = models.CharField(_("编号"), max_length=50, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("装备配发")
        verbose_name_plural = _("装备配发")
        ordering = ["expires_on", "id"]
        indexes = [
            models.Index(fields=["person", "type"]),
            models.Index(fields=["status", "expires_on"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(expires_on__gt=models.F("issued_on")),
                                   name="care_equipment_expiry_after_issue"),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.type}"
