"""Concerns (诉求): a difficulty an officer raises, handled by the responsible unit with a
recorded timeline, rated by the officer, escalated upward when overdue."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingying.care.choices import (
    ConcernCategory,
    ConcernEventKind,
    ConcernSource,
    ConcernStatus,
    ConcernUrgency,
)


class Concern(models.Model):
    """A difficulty of one officer or auxiliary (family, health, housing…) and how it was handled.

    Seen by the person themself and by leaders/political staff over the person's unit subtree;
    handled by whoever holds care.handle_concern over the responsible `unit` (by default the
    person's unit; escalated to the parent unit when the deadline passes).
    """

    scope_unit_path = "person__unit__path"
    scope_person = "person_id"

    person = models.ForeignKey("org.Person", verbose_name=_("提出人"), on_delete=models.PROTECT,
                               related_name="concerns")
    unit = models.ForeignKey("org.Unit", verbose_name=_("责任单位"), on_delete=models.PROTECT,
                             related_name="concerns")
    category = models.CharField(_("类别"), max_length=16, choices=ConcernCategory.choices)
    urgency = models.CharField(_("紧急程度"), max_length=8, choices=ConcernUrgency.choices,
                               default=ConcernUrgency.NORMAL)
    title = models.CharField(_("标题"), max_length=100)
    description = models.TextField(_("具体情况"), blank=True)
    source = models.CharField(_("来源"), max_length=16, choices=ConcernSource.choices, default=ConcernSource.SELF)
    source_ref = models.CharField(_("来源说明"), max_length=200, blank=True)
    field_visit = models.ForeignKey("care.FieldVisit", verbose_name=_("走访调研"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="concerns")
    status = models.CharField(_("状态"), max_length=16, choices=ConcernStatus.choices,
                              default=ConcernStatus.SUBMITTED)
    raised_at = models.DateTimeField(_("提出时间"))
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    deadline = models.DateField(_("办理期限"))
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    outcome = models.TextField(_("办理结果"), blank=True)
    escalations = models.PositiveSmallIntegerField(_("上报次数"), default=0)
    rating = models.PositiveSmallIntegerField(_("满意度"), null=True, blank=True,
                                              validators=[MinValueValidator(1), MaxValueValidator(5)])
    rating_comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        ordering = ["-raised_at", "-id"]
        indexes = [
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["person", "raised_at"]),
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["raised_at", "id"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                                   name="concern_rating_1_5"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in (ConcernStatus.SUBMITTED, ConcernStatus.ACCEPTED, ConcernStatus.IN_PROGRESS)


class ConcernEvent(models.Model):
    """One step of a concern's timeline: who did what, when, with which note."""

    scope_unit_path = "concern__person__unit__path"
    scope_person = "concern__person_id"

    concern = models.ForeignKey(Concern, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("环节"), max_length=16, choices=ConcernEventKind.choices)
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(_("操作人姓名"), max_length=150, blank=True)
    unit = models.ForeignKey("org.Unit", verbose_name=_("责任单位"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("诉求办理记录")
        verbose_name_plural = _("诉求办理记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"
