"""Every write to care campaigns (战时从优待警): the campaign and its units, the per-unit
checklist of the six measures, and the officers each measure has reached."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jingying.care.choices import CareMeasure
from jingying.care.models.campaigns import CampaignChecklistItem, CampaignReach, CampaignUnit, CareCampaign
from jingying.care.services.support_common import IdRow, people_for_id_rows
from jingying.core import audit
from jingying.core.notifications import notify, users_covering
from jingying.core.scoping import SYSTEM, covers, require, subtree_q
from jingying.org.choices import SERVING_STATUSES
from jingying.org.models import Person, Unit

CAMPAIGN_FIELDS = ["name", "unit_id", "start", "end", "measures", "category", "notes"]


def _check_campaign(campaign: CareCampaign, units: list[Unit]) -> None:
    errors: dict[str, list[str]] = {}
    if campaign.start and campaign.end and campaign.end < campaign.start:
        errors["end"] = [_("结束日期不能早于开始日期")]
    measures = list(campaign.measures or [])
    if not measures:
        errors["measures"] = [_("请至少启用一项措施")]
    elif any(m not in CareMeasure.values for m in measures):
        errors["measures"] = [_("不是有效的措施")]
    if not units:
        errors["units"] = [_("请至少选择一个参与单位")]
    for unit in units:
        if campaign.unit_id and not unit.path.startswith(campaign.unit.path):
            errors.setdefault("units", []).append(
                _("%(unit)s 不在组织单位 %(owner)s 之下") % {"unit": unit.name, "owner": campaign.unit.name})
    try:
        campaign.full_clean(exclude=list(errors) or None)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _sync_units(campaign: CareCampaign, units: list[Unit]) -> None:
    """Participating units and one checklist row per unit × enabled measure."""
    wanted = {u.pk for u in units}
    CampaignUnit.objects.filter(campaign=campaign).exclude(unit_id__in=wanted).delete()
    have = set(CampaignUnit.objects.filter(campaign=campaign).values_list("unit_id", flat=True))
    CampaignUnit.objects.bulk_create([CampaignUnit(campaign=campaign, unit_id=pk) for pk in sorted(wanted - have)])
    CampaignChecklistItem.objects.filter(campaign_unit__campaign=campaign).exclude(
        measure__in=campaign.measures).delete()
    existing = set(CampaignChecklistItem.objects.filter(campaign_unit__campaign=campaign)
                   .values_list("campaign_unit_id", "measure"))
    rows = [CampaignChecklistItem(campaign_unit=cu, measure=m)
            for cu in CampaignUnit.objects.filter(campaign=campaign) for m in campaign.measures
            if (cu.pk, m) not in existing]
    CampaignChecklistItem.objects.bulk_create(rows)


@transaction.atomic
def care_campaign_create(*, actor: Any, unit: Unit, name: str, start: dt.date, end: dt.date, units: list[Unit],
                         measures: list[str] | None = None, category: str = "", notes: str = "") -> CareCampaign:
    require(actor, "care.add_carecampaign", unit.path)
    campaign = CareCampaign(unit=unit, name=name, start=start, end=end, category=category, notes=notes,
                            measures=list(measures) if measures is not None else list(CareMeasure.values),
                            created_by=actor if getattr(actor, "pk", None) else None)
    _check_campaign(campaign, units)
    campaign.save()
    _sync_units(campaign, units)
    audit.record(actor=actor, action="care.campaign.create", obj=campaign,
                 after={**audit.snapshot(campaign, CAMPAIGN_FIELDS), "units": sorted(u.pk for u in units)})
    return campaign


@transaction.atomic
def care_campaign_update(*, actor: Any, campaign: CareCampaign, units: list[Unit] | None = None,
                         **changes: Any) -> CareCampaign:
    require(actor, "care.change_carecampaign", campaign.unit.path)
    allowed = {"name", "start", "end", "measures", "category", "notes"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"care_campaign_update: unknown fields {sorted(unknown)}")
    before = audit.snapshot(campaign, CAMPAIGN_FIELDS)
    before["units"] = sorted(campaign.units.values_list("unit_id", flat=True))
    for key, value in changes.items():
        setattr(campaign, key, value)
    if units is None:
        units = [cu.unit for cu in campaign.units.select_related("unit")]
    _check_campaign(campaign, units)
    campaign.save()
    _sync_units(campaign, units)
    after = {**audit.snapshot(campaign, CAMPAIGN_FIELDS), "units": sorted(u.pk for u in units)}
    audit.record(actor=actor, action="care.campaign.update", obj=campaign, before=before, after=after)
    return campaign


@transaction.atomic
def care_campaign_delete(*, actor: Any, campaign: CareCampaign) -> None:
    require(actor, "care.delete_carecampaign", campaign.unit.path)
    audit.record(actor=actor, action="care.campaign.delete", obj=campaign,
                 before=audit.snapshot(campaign, CAMPAIGN_FIELDS))
    campaign.delete()


@transaction.atomic
def campaign_checklist_mark(*, actor: Any, item: CampaignChecklistItem, done: bool, done_on: dt.date | None = None,
                            note: str = "") -> CampaignChecklistItem:
    """Tick (or untick) one measure at one unit."""
    require(actor, "care.mark_carecampaign", item.campaign_unit.unit.path)
    before = audit.snapshot(item, ["done", "done_on", "note", "done_by_id"])
    item.done = done
    item.done_on = (done_on or timezone.localdate()) if done else None
    item.note = note[:300]
    item.done_by = actor if done and getattr(actor, "pk", None) else None
    item.save()
    audit.record(actor=actor, action="care.campaign.checklist", obj=item.campaign_unit.campaign, before=before,
                 after=audit.snapshot(item, ["done", "done_on", "note", "done_by_id"]))
    return item


def campaign_people(campaign: CareCampaign) -> QuerySet[Person]:
    """The campaign's officers: serving people in its units' subtrees (of its category)."""
    paths = list(campaign.units.values_list("unit__path", flat=True))
    if not paths:
        return Person.objects.none()
    q = Q()
    for path in paths:
        q |= subtree_q("unit__path", path)
    qs = Person.objects.filter(q, status__in=SERVING_STATUSES)
    if campaign.category:
        qs = qs.filter(category=campaign.category)
    return qs


def _check_measure(campaign: CareCampaign, measure: str) -> None:
    if measure not in campaign.measures:
        raise ValidationError({"measure": [_("本次活动没有启用这项措施")]})


def _reach(actor: Any, campaign: CareCampaign, measure: str, people: list[Person], day: dt.date | None) -> int:
    _check_measure(campaign, measure)
    day = day or timezone.localdate()
    have = set(CampaignReach.objects.filter(campaign=campaign, measure=measure, person__in=people)
               .values_list("person_id", flat=True))
    rows = [CampaignReach(campaign=campaign, person=p, measure=measure, reached_on=day,
                          recorded_by=actor if getattr(actor, "pk", None) else None)
            for p in people if p.pk not in have]
    CampaignReach.objects.bulk_create(rows, batch_size=1000)
    audit.record(actor=actor, action="care.campaign.reach", obj=campaign,
                 after={"measure": measure, "day": day, "added": len(rows), "people": [r.person_id for r in rows][:500]})
    return len(rows)


@transaction.atomic
def campaign_reach_unit(*, actor: Any, campaign: CareCampaign, measure: str, unit: Unit,
                        day: dt.date | None = None) -> int:
    """Mark everybody of the campaign in `unit`'s subtree as reached by `measure`; returns how many were new."""
    require(actor, "care.mark_carecampaign", unit.path)
    people = list(campaign_people(campaign).filter(subtree_q("unit__path", unit.path)))
    if not people:
        raise ValidationError({"unit": [_("该单位没有本次活动的人员")]})
    return _reach(actor, campaign, measure, people, day)


@transaction.atomic
def campaign_reach_ids(*, actor: Any, campaign: CareCampaign, measure: str, rows: list[IdRow],
                       day: dt.date | None = None) -> int:
    """Mark the people of a list of ID numbers, all or none: every number must be one of the
    campaign's officers inside the actor's units."""
    _check_measure(campaign, measure)
    allowed = campaign_people(campaign)
    if actor is not SYSTEM:
        people_ok = [p for p in allowed.select_related("unit").filter(id_number__in={r.id_number for r in rows})
                     if covers(actor, "care.mark_carecampaign", p.unit.path)]
        allowed = Person.objects.filter(pk__in=[p.pk for p in people_ok])
    people = people_for_id_rows(rows, allowed, outside_message=_("不是本次活动您所管理单位的人员"))
    return _reach(actor, campaign, measure, people, day)


@transaction.atomic
def campaign_reach_remove(*, actor: Any, reach: CampaignReach) -> None:
    require(actor, "care.mark_carecampaign", reach.person.unit.path)
    audit.record(actor=actor, action="care.campaign.reach_remove", obj=reach.campaign, person_id=reach.person_id,
                 before={"measure": reach.measure, "reached_on": reach.reached_on})
    reach.delete()


def care_campaign_remind(*, today: dt.date | None = None) -> int:
    """Tell the leaders of each running campaign's units how many of their people are not yet
    visited (走访慰问). Returns the number of messages. Run daily or weekly (`jingying care remind`)."""
    today = today or timezone.localdate()
    sent = 0
    campaigns = CareCampaign.objects.filter(start__lte=today, end__gte=today)
    for campaign in campaigns:
        if CareMeasure.VISITS not in campaign.measures:
            continue
        visited = set(CampaignReach.objects.filter(campaign=campaign, measure=CareMeasure.VISITS)
                      .values_list("person_id", flat=True))
        people = list(campaign_people(campaign).values_list("pk", "unit__path"))
        for cu in campaign.units.select_related("unit"):
            missing = sum(1 for pk, path in people if path.startswith(cu.unit.path) and pk not in visited)
            if not missing:
                continue
            rows = notify(users=users_covering("care.follow_carecampaign", cu.unit.path),
                          kind="care.campaign.remind",
                          title=_("%(campaign)s：%(unit)s 还有 %(n)d 人未走访慰问")
                          % {"campaign": campaign.name, "unit": cu.unit.name, "n": missing},
                          body=_("活动期间 %(start)s 至 %(end)s，请尽快安排走访慰问并在系统中登记。")
                          % {"start": campaign.start, "end": campaign.end},
                          url=reverse("care:campaign_detail", args=[campaign.pk]))
            sent += len(rows)
    return sent
