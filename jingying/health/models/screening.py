"""Psychological screening (issue 6 point 2): a round, the officer's consent, their result.

A round sends one identified survey campaign per instrument (PHQ-9, GAD-7, …) to a unit
subtree; the survey engine stores and scores the answers and tells us after commit
(`jingying.surveys.signals.instrument_scored`). Here we keep only what the programme needs:
who consented (with the text version they saw), and per person the scores and the risk tier.
Results are in the psych domain: counsellors read them, audited; units see counts only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingying.health.choices_psych import Tier


class ScreeningRound(models.Model):
    """An annual (or ad-hoc) psychological screening of a unit subtree."""

    scope_unit_path = "unit__path"

    title = models.CharField(_("名称"), max_length=200)
    unit = models.ForeignKey("org.Unit", verbose_name=_("范围单位"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    instruments = models.JSONField(_("量表"), default=list)
    description = models.TextField(_("说明"), blank=True)
    opens_at = models.DateTimeField(_("开始时间"))
    closes_at = models.DateTimeField(_("截止时间"))
    consent_version = models.CharField(_("知情同意书版本"), max_length=20)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("心理筛查")
        verbose_name_plural = _("心理筛查")
        ordering = ["-opens_at", "-id"]
        indexes = [models.Index(fields=["unit", "opens_at"])]

    def __str__(self) -> str:
        return self.title

    def is_open(self, now: object | None = None) -> bool:
        from django.utils import timezone

        moment = now or timezone.now()
        return self.opens_at <= moment < self.closes_at  # type: ignore[operator]


class RoundCampaign(models.Model):
    """The survey campaign carrying one instrument of a round."""

    scope_unit_path = "round__unit__path"

    round = models.ForeignKey(ScreeningRound, verbose_name=_("心理筛查"), on_delete=models.CASCADE,
                              related_name="campaigns")
    campaign = models.OneToOneField("surveys.Campaign", verbose_name=_("问卷调查"), on_delete=models.PROTECT,
                                    related_name="screening_link")
    instrument_code = models.CharField(_("量表代码"), max_length=16)
    position = models.PositiveSmallIntegerField(_("顺序"), default=1)

    class Meta:
        verbose_name = _("筛查量表")
        verbose_name_plural = _("筛查量表")
        ordering = ["round", "position"]
        constraints = [models.UniqueConstraint(fields=["round", "instrument_code"], name="psych_round_instrument_unique")]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.instrument_code}"


class ScreeningConsent(models.Model):
    """The officer's informed consent to an identified screening, with the text version shown.
    Without it the officer's screening answers are refused."""

    scope_unit_path = "person__unit__path"
    scope_person = "person_id"

    round = models.ForeignKey(ScreeningRound, verbose_name=_("心理筛查"), on_delete=models.CASCADE,
                              related_name="consents")
    person = models.ForeignKey("org.Person", verbose_name=_("人员"), on_delete=models.CASCADE, related_name="+")
    consented_at = models.DateTimeField(_("同意时间"))
    text_version = models.CharField(_("知情同意书版本"), max_length=20)

    class Meta:
        verbose_name = _("筛查知情同意")
        verbose_name_plural = _("筛查知情同意")
        ordering = ["-consented_at"]
        constraints = [models.UniqueConstraint(fields=["round", "person"], name="psych_consent_unique")]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.person_id}"


class ScreeningResult(models.Model):
    """One person's scores in a round and the risk tier the tier rules give them.

    `scores`: {instrument code: the engine's result object}; `reasons`: the rule lines that
    decided the tier (e.g. "PHQ-9 ≥ 20"); `unit` is where the person served when they answered
    (unit figures stay stable when people move).
    """

    scope_unit_path = "person__unit__path"
    scope_person = "person_id"

    round = models.ForeignKey(ScreeningRound, verbose_name=_("心理筛查"), on_delete=models.CASCADE,
                              related_name="results")
    person = models.ForeignKey("org.Person", verbose_name=_("人员"), on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("org.Unit", verbose_name=_("作答时单位"), on_delete=models.PROTECT, related_name="+")
    scores = models.JSONField(_("量表结果"), default=dict)
    tier = models.CharField(_("风险分级"), max_length=8, choices=Tier.choices, default=Tier.LOW, db_index=True)
    reasons = models.JSONField(_("分级依据"), default=list)
    rules_version = models.CharField(_("分级规则版本"), max_length=20)
    safety = models.BooleanField(_("安全题阳性"), default=False)
    complete = models.BooleanField(_("已完成全部量表"), default=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("筛查结果")
        verbose_name_plural = _("筛查结果")
        ordering = ["round", "-updated_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["round", "person"], name="psych_result_unique")]
        indexes = [models.Index(fields=["round", "unit", "tier"]), models.Index(fields=["round", "tier", "id"])]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.person_id}"
