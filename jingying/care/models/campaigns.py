"""Campaign care measures (战时从优待警): during a crackdown or a major security operation the
six measures are switched on for the units in the campaign, checked off per unit, and every
officer reached by a measure is recorded so coverage can be shown."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingying.care.choices import CareMeasure
from jingying.org.choices import Category
from jingying.org.models import Person, Unit


def all_measures() -> list[str]:
    return [m.value for m in CareMeasure]


class CareCampaign(models.Model):
    """A care campaign run by a unit (usually a city bureau) for some of its unit subtrees."""

    scope_unit_path = "unit__path"

    name = models.CharField(_("活动名称"), max_length=100)
    unit = models.ForeignKey(Unit, verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="+")
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    measures = models.JSONField(_("启用措施"), default=all_measures)
    category = models.CharField(_("人员类别"), max_length=12, choices=Category.choices, blank=True,
                                help_text=_("留空表示全部类别"))
    notes = models.TextField(_("备注"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("从优待警活动")
        verbose_name_plural = _("从优待警活动")
        ordering = ["-start", "-id"]
        indexes = [models.Index(fields=["start", "end"]), models.Index(fields=["unit", "start"])]
        constraints = [models.CheckConstraint(condition=models.Q(end__gte=models.F("start")),
                                              name="care_campaign_end_after_start")]

    def __str__(self) -> str:
        return self.name


class CampaignUnit(models.Model):
    """A unit subtree taking part in a campaign; its people are the campaign's officers."""

    scope_unit_path = "unit__path"

    campaign = models.ForeignKey(CareCampaign, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="units")
    unit = models.ForeignKey(Unit, verbose_name=_("参与单位"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("参与单位")
        verbose_name_plural = _("参与单位")
        ordering = ["campaign", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["campaign", "unit"], name="care_campaign_unit_unique")]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.unit_id}"


class CampaignChecklistItem(models.Model):
    """One measure at one participating unit: done or not, when, by whom, with a note."""

    scope_unit_path = "campaign_unit__unit__path"

    campaign_unit = models.ForeignKey(CampaignUnit, verbose_name=_("参与单位"), on_delete=models.CASCADE,
                                      related_name="checklist")
    measure = models.CharField(_("措施"), max_length=16, choices=CareMeasure.choices)
    done = models.BooleanField(_("已落实"), default=False)
    done_on = models.DateField(_("落实日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("填报人"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("措施落实清单")
        verbose_name_plural = _("措施落实清单")
        ordering = ["campaign_unit", "measure"]
        constraints = [models.UniqueConstraint(fields=["campaign_unit", "measure"], name="care_checklist_unique")]

    def __str__(self) -> str:
        return f"{self.campaign_unit_id}:{self.measure}"


class CampaignReach(models.Model):
    """An officer reached by one measure of a campaign (visited, insured, counselled…)."""

    scope_unit_path = "person__unit__path"
    scope_person = "person_id"

    campaign = models.ForeignKey(CareCampaign, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="reach")
    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="+")
    measure = models.CharField(_("措施"), max_length=16, choices=CareMeasure.choices)
    reached_on = models.DateField(_("日期"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("措施覆盖人员")
        verbose_name_plural = _("措施覆盖人员")
        ordering = ["campaign", "measure", "person"]
        constraints = [models.UniqueConstraint(fields=["campaign", "person", "measure"], name="care_reach_unique")]
        indexes = [models.Index(fields=["campaign", "measure"])]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.person_id}:{self.measure}"
