"""Crisis escalation (issue 6 point 3): an alert raised by a positive safety item or a high
risk tier, acknowledged by a responsible counsellor within JINGYING_CRISIS_ACK_MINUTES or
escalated to the head counsellor(s); the contact and the outcome are recorded before it closes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingying.health.choices_psych import AlertOutcome, AlertPriority, AlertReason, AlertStatus, ContactMethod


class CrisisAlert(models.Model):
    """An alert about one person, for counsellors only (psych domain).

    `summary` holds the minimum necessary (instruments.md §12.2): the safety item's value, the
    PHQ-9 total, the tier — never the answers.
    """

    scope_unit_path = "person__unit__path"

    person = models.ForeignKey("org.Person", verbose_name=_("人员"), on_delete=models.CASCADE, related_name="+")
    result = models.ForeignKey("health.ScreeningResult", verbose_name=_("筛查结果"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="alerts")
    reason = models.CharField(_("原因"), max_length=12, choices=AlertReason.choices)
    priority = models.CharField(_("优先级"), max_length=10, choices=AlertPriority.choices)
    status = models.CharField(_("状态"), max_length=14, choices=AlertStatus.choices, default=AlertStatus.OPEN,
                              db_index=True)
    summary = models.JSONField(_("摘要"), default=dict)
    created_at = models.DateTimeField(_("报警时间"))
    ack_due_at = models.DateTimeField(_("确认期限"), db_index=True)
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("确认人"), null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")
    escalated_at = models.DateTimeField(_("升级时间"), null=True, blank=True)
    contact_at = models.DateTimeField(_("联系时间"), null=True, blank=True)
    contact_method = models.CharField(_("联系方式"), max_length=10, choices=ContactMethod.choices, blank=True)
    contact_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("联系人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(_("处置结果"), max_length=12, choices=AlertOutcome.choices, blank=True)
    outcome_note = models.TextField(_("处置说明"), blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("结案人"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("危机预警")
        verbose_name_plural = _("危机预警")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "ack_due_at"]), models.Index(fields=["-created_at", "-id"])]

    def __str__(self) -> str:
        return str(_("危机预警 #%(pk)s") % {"pk": self.pk})

    @property
    def is_closed(self) -> bool:
        return self.status == AlertStatus.CLOSED
