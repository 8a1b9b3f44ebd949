"""Reads of care campaigns: the list, one campaign, its checklist and the coverage table
(people reached by each measure, per participating unit), aggregated in the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from jingying.care.choices import CareMeasure
from jingying.care.models.campaigns import CampaignChecklistItem, CampaignReach, CampaignUnit, CareCampaign
from jingying.care.selectors.support_filters import CampaignFilterSet, apply
from jingying.care.services.campaigns import campaign_people
from jingying.core.scoping import restrict

VIEW = "care.view_carecampaign"


def _visible_ids(actor: Any, perm: str) -> Q:
    """Campaigns run by a unit in scope, or with a participating unit in scope (a station leader
    follows the city's campaign for their station)."""
    own = restrict(CareCampaign.objects.all(), actor, perm).values("id")
    taking_part = restrict(CampaignUnit.objects.all(), actor, perm).values("campaign_id")
    return Q(id__in=own) | Q(id__in=taking_part)


def care_campaign_list(*, actor: Any, filters: dict[str, Any] | None = None,
                       perm: str = VIEW) -> tuple[QuerySet[CareCampaign], CampaignFilterSet]:
    qs = CareCampaign.objects.filter(_visible_ids(actor, perm)).select_related("unit").annotate(
        unit_count=Count("units", distinct=True))
    qs, filterset = apply(CampaignFilterSet, qs, filters)
    return qs.order_by("-start", "-id"), filterset


def access_care_campaign(actor: Any, pk: Any, *, perm: str = VIEW, owner: bool = False,
                         for_write: bool = False) -> CareCampaign:
    """One campaign, or 404. `owner`: only through its organising unit (to change the campaign
    itself); otherwise also through a participating unit. `for_write` locks it (inside a transaction)."""
    if owner or for_write:
        rows = restrict(CareCampaign.objects.select_related("unit"), actor, perm)
        if for_write:
            rows = rows.select_for_update(of=("self",))
    else:
        rows = CareCampaign.objects.select_related("unit").filter(_visible_ids(actor, perm))
    try:
        return rows.get(pk=pk)
    except (CareCampaign.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_checklist_item(actor: Any, pk: Any, *, perm: str) -> CampaignChecklistItem:
    rows = restrict(CampaignChecklistItem.objects.select_related("campaign_unit__unit", "campaign_unit__campaign"),
                    actor, perm)
    try:
        return rows.get(pk=pk)
    except (CampaignChecklistItem.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def campaign_units(actor: Any, campaign: CareCampaign, *, perm: str = VIEW) -> list[CampaignUnit]:
    """The participating units the actor may see (all of them for the organiser's staff)."""
    qs = campaign.units.select_related("unit").order_by("unit__path")
    return list(restrict(qs, actor, perm))


def campaign_checklist(units: list[CampaignUnit]) -> dict[int, dict[str, CampaignChecklistItem]]:
    rows = CampaignChecklistItem.objects.filter(campaign_unit__in=units).select_related("done_by")
    out: dict[int, dict[str, CampaignChecklistItem]] = {cu.pk: {} for cu in units}
    for item in rows:
        out[item.campaign_unit_id][item.measure] = item
    return out


@dataclass
class CoverageRow:
    unit: Any
    people: int
    reached: dict[str, int] = field(default_factory=dict)

    def percent(self, measure: str) -> int:
        return round(100 * self.reached.get(measure, 0) / self.people) if self.people else 0

    def cells(self, measures: list[str]) -> list[tuple[int, int]]:
        return [(self.reached.get(m, 0), self.percent(m)) for m in measures]


def campaign_coverage(campaign: CareCampaign, units: list[CampaignUnit]) -> tuple[list[CoverageRow], CoverageRow]:
    """Per participating unit: its campaign officers and how many each measure reached; plus the total.

    Two GROUP BYs (people by unit, reach by unit × measure), rolled up to the participating
    units in Python, whatever the number of people.
    """
    people = (campaign_people(campaign).values_list("unit__path").annotate(n=Count("id")).order_by())
    reached = (CampaignReach.objects.filter(campaign=campaign, person__in=campaign_people(campaign))
               .values_list("person__unit__path", "measure").annotate(n=Count("id")).order_by())
    rows = [CoverageRow(unit=cu.unit, people=0) for cu in units]
    for path, n in people:
        for row in rows:
            if path.startswith(row.unit.path):
                row.people += n
    for path, measure, n in reached:
        for row in rows:
            if path.startswith(row.unit.path):
                row.reached[measure] = row.reached.get(measure, 0) + n
    total = CoverageRow(unit=None, people=sum(r.people for r in rows))
    for row in rows:
        for measure, n in row.reached.items():
            total.reached[measure] = total.reached.get(measure, 0) + n
    return rows, total


def campaign_reach_list(actor: Any, campaign: CareCampaign, *, measure: str = "") -> QuerySet[CampaignReach]:
    qs = restrict(campaign.reach.select_related("person__unit", "recorded_by"), actor, VIEW)
    if measure:
        qs = qs.filter(measure=measure)
    return qs.order_by("measure", "person__name", "id")


def measure_labels(campaign: CareCampaign) -> list[tuple[str, str]]:
    return [(m.value, str(m.label)) for m in CareMeasure if m.value in campaign.measures]
