"""Counselling (issue 6 point 4): the counsellor directory with availability, sessions booked
by officers with notes encrypted at rest (docs/decisions: health-psych-notes-encryption),
break-glass reads, and anonymous questions followed with a one-time code.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingying.health.choices_psych import SessionMode, SessionStatus


class Counsellor(models.Model):
    """A counsellor in the directory (心理咨询师 / 心理健康服务骨干); `is_head` marks the head
    counsellors who receive escalations and may break the glass on notes."""

    scope_unit_path = "unit__path"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("账号"), on_delete=models.CASCADE,
                                related_name="counsellor_profile")
    unit = models.ForeignKey("org.Unit", verbose_name=_("所在单位"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("姓名"), max_length=50)
    qualifications = models.CharField(_("资质"), max_length=300, blank=True)
    languages = models.JSONField(_("语言"), default=list)
    bio = models.TextField(_("简介"), blank=True)
    is_head = models.BooleanField(_("负责人（值班主任）"), default=False)
    active = models.BooleanField(_("在岗"), default=True)

    class Meta:
        verbose_name = _("心理咨询师")
        verbose_name_plural = _("心理咨询师")
        ordering = ["-is_head", "name", "id"]

    def __str__(self) -> str:
        return self.name


class AvailabilitySlot(models.Model):
    """A time a counsellor offers; booking it makes a session."""

    scope_unit_path = "counsellor__unit__path"

    counsellor = models.ForeignKey(Counsellor, verbose_name=_("心理咨询师"), on_delete=models.CASCADE,
                                   related_name="slots")
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    mode = models.CharField(_("方式"), max_length=10, choices=SessionMode.choices, default=SessionMode.IN_PERSON)
    location = models.CharField(_("地点"), max_length=100, blank=True)
    booked = models.BooleanField(_("已约满"), default=False)

    class Meta:
        verbose_name = _("可预约时段")
        verbose_name_plural = _("可预约时段")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["booked", "starts_at"])]
        constraints = [models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="psych_slot_window")]

    def __str__(self) -> str:
        return f"{self.counsellor_id}@{self.starts_at:%Y-%m-%d %H:%M}"


class CounsellingSession(models.Model):
    """A counselling session with one officer. `notes` is ciphertext (AES-GCM, see
    jingying.health.crypto); only its author reads it, or the duty head counsellor on a
    recorded break-glass."""

    scope_unit_path = "person__unit__path"
    scope_person = "person_id"

    person = models.ForeignKey("org.Person", verbose_name=_("人员"), on_delete=models.CASCADE, related_name="+")
    counsellor = models.ForeignKey(Counsellor, verbose_name=_("心理咨询师"), on_delete=models.PROTECT,
                                   related_name="sessions")
    slot = models.OneToOneField(AvailabilitySlot, verbose_name=_("时段"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="session")
    unit = models.ForeignKey("org.Unit", verbose_name=_("预约时单位"), on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField(_("时间"), db_index=True)
    mode = models.CharField(_("方式"), max_length=10, choices=SessionMode.choices)
    status = models.CharField(_("状态"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.BOOKED)
    notes = models.TextField(_("咨询记录（加密）"), blank=True)
    notes_author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    referral = models.TextField(_("转介院外"), blank=True)
    created_at = models.DateTimeField(_("预约时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("心理咨询")
        verbose_name_plural = _("心理咨询")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["counsellor", "starts_at"]), models.Index(fields=["unit", "starts_at"])]

    def __str__(self) -> str:
        return str(_("心理咨询 #%(pk)s") % {"pk": self.pk})


class BreakGlass(models.Model):
    """A recorded emergency read of another counsellor's notes by the duty head counsellor."""

    scope_unit_path = "session__person__unit__path"

    session = models.ForeignKey(CounsellingSession, verbose_name=_("心理咨询"), on_delete=models.CASCADE,
                                related_name="break_glass")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("查阅人"), on_delete=models.PROTECT,
                              related_name="+")
    reason = models.CharField(_("理由"), max_length=500)
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("紧急查阅")
        verbose_name_plural = _("紧急查阅")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.session_id}:{self.actor_id}"


class AnonymousQuestion(models.Model):
    """A question asked without a name: no person, no account, only the day it was asked and a
    hash of the one-time code the asker was shown to read the answer."""

    text = models.TextField(_("问题"))
    asked_on = models.DateField(_("提问日期"))
    code_hash = models.CharField(_("查询码摘要"), max_length=64, unique=True)
    answer = models.TextField(_("答复"), blank=True)
    answered_by = models.ForeignKey(Counsellor, verbose_name=_("答复人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    answered_on = models.DateField(_("答复日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("匿名提问")
        verbose_name_plural = _("匿名提问")
        ordering = ["-asked_on", "-id"]

    def __str__(self) -> str:
        return str(_("匿名提问 #%(pk)s") % {"pk": self.pk})
