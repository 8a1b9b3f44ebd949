"""The six guarantees scorecard (六个保障): figures entered by hand where the system holds no data."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingying.care.choices import Guarantee


class ScorecardEntry(models.Model):
    """A score (0–100) for one guarantee of one unit in one year, entered with a note and by whom.

    Computed figures (equipment, health) are not stored: they are read from the data each time;
    an entered figure stands in when there is nothing to compute from."""

    scope_unit_path = "unit__path"

    unit = models.ForeignKey("org.Unit", verbose_name=_("单位"), on_delete=models.CASCADE,
                             related_name="scorecard_entries")
    year = models.PositiveSmallIntegerField(_("年度"))
    guarantee = models.CharField(_("保障项目"), max_length=16, choices=Guarantee.choices)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1)
    note = models.CharField(_("依据说明"), max_length=300, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    entered_at = models.DateTimeField(_("录入时间"), auto_now=True)

    class Meta:
        verbose_name = _("六个保障评分")
        verbose_name_plural = _("六个保障评分")
        ordering = ["unit__path", "year", "guarantee"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "guarantee"], name="care_scorecard_unique"),
            models.CheckConstraint(condition=models.Q(score__gte=0, score__lte=100), name="care_scorecard_range"),
        ]
        indexes = [models.Index(fields=["year", "guarantee"])]

    def __str__(self) -> str:
        return f"{self.unit} {self.year} {self.get_guarantee_display()} {self.score}"
