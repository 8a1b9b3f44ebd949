"""Writes of police-hospital cooperation (警医协作): partner hospitals, their green-channel
services and police windows, and referrals (health data, domain "health")."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingying.care.choices_hospitals import ReferralSource, ReferralStatus
from jingying.care.models import GreenChannelService, PartnerHospital, PoliceWindow, Referral
from jingying.core import audit
from jingying.core.scoping import require
from jingying.org.models import Person, Unit

HOSPITAL_FIELDS = ["unit_id", "name", "level", "address", "contact_name", "contact_phone", "contract_start",
                   "contract_end", "note"]
REFERRAL_FIELDS = ["person_id", "hospital_id", "service_id", "reason", "source", "source_ref", "referred_on",
                   "status", "seen_on", "outcome"]
MANAGE_HOSPITAL = "care.manage_hospital"
MANAGE_REFERRAL = "care.manage_referral"
HEALTH = "health"


def _validate_hospital(hospital: PartnerHospital) -> None:
    if hospital.contract_start and hospital.contract_end and hospital.contract_end < hospital.contract_start:
        raise ValidationError({"contract_end": [_("协议截止日期不能早于开始日期")]})
    hospital.full_clean()


@transaction.atomic
def hospital_create(*, actor: Any, unit: Unit, name: str, **fields: Any) -> PartnerHospital:
    require(actor, MANAGE_HOSPITAL, unit.path)
    hospital = PartnerHospital(unit=unit, name=name, **fields)
    _validate_hospital(hospital)
    hospital.save()
    audit.record(actor=actor, action="care.hospital.create", obj=hospital,
                 after=audit.snapshot(hospital, HOSPITAL_FIELDS))
    return hospital


@transaction.atomic
def hospital_update(*, actor: Any, hospital: PartnerHospital, **changes: Any) -> PartnerHospital:
    require(actor, MANAGE_HOSPITAL, hospital.unit.path)
    if "unit" in changes:
        require(actor, MANAGE_HOSPITAL, changes["unit"].path)
    before = audit.snapshot(hospital, HOSPITAL_FIELDS)
    for key, value in changes.items():
        setattr(hospital, key, value)
    _validate_hospital(hospital)
    hospital.save()
    after = audit.snapshot(hospital, HOSPITAL_FIELDS)
    changed = {k: v for k, v in after.items() if before[k] != v}
    if changed:
        audit.record(actor=actor, action="care.hospital.update", obj=hospital,
                     before={k: before[k] for k in changed}, after=changed)
    return hospital


@transaction.atomic
def hospital_delete(*, actor: Any, hospital: PartnerHospital) -> None:
    """Delete a hospital nobody was referred to or planned at (otherwise keep it: history)."""
    require(actor, MANAGE_HOSPITAL, hospital.unit.path)
    from jingying.health.models import CheckupPlan

    if Referral.objects.filter(hospital=hospital).exists() or CheckupPlan.objects.filter(hospital=hospital).exists():
        raise ValidationError(_("该医院已有转介或体检计划记录，不能删除；协议到期后可修改协议截止日期。"))
    audit.record(actor=actor, action="care.hospital.delete", obj=hospital,
                 before=audit.snapshot(hospital, HOSPITAL_FIELDS))
    hospital.delete()


@transaction.atomic
def hospital_service_add(*, actor: Any, hospital: PartnerHospital, kind: str, description: str = "",
                         contact: str = "") -> GreenChannelService:
    require(actor, MANAGE_HOSPITAL, hospital.unit.path)
    service = GreenChannelService(hospital=hospital, kind=kind, description=description, contact=contact)
    service.full_clean()
    service.save()
    audit.record(actor=actor, action="care.hospital_service.create", obj=service,
                 after={"hospital_id": hospital.pk, "kind": kind, "description": description, "contact": contact})
    return service


@transaction.atomic
def hospital_service_remove(*, actor: Any, service: GreenChannelService) -> None:
    require(actor, MANAGE_HOSPITAL, service.hospital.unit.path)
    audit.record(actor=actor, action="care.hospital_service.delete", obj=service,
                 before={"hospital_id": service.hospital_id, "kind": service.kind})
    service.delete()


@transaction.atomic
def police_window_add(*, actor: Any, hospital: PartnerHospital, location: str, hours: str = "",
                      contact: str = "") -> PoliceWindow:
    require(actor, MANAGE_HOSPITAL, hospital.unit.path)
    window = PoliceWindow(hospital=hospital, location=location, hours=hours, contact=contact)
    window.full_clean()
    window.save()
    audit.record(actor=actor, action="care.police_window.create", obj=window,
                 after={"hospital_id": hospital.pk, "location": location, "hours": hours, "contact": contact})
    return window


@transaction.atomic
def police_window_remove(*, actor: Any, window: PoliceWindow) -> None:
    require(actor, MANAGE_HOSPITAL, window.hospital.unit.path)
    audit.record(actor=actor, action="care.police_window.delete", obj=window,
                 before={"hospital_id": window.hospital_id, "location": window.location})
    window.delete()


# --- referrals -----------------------------------------------------------------------------


@transaction.atomic
def referral_create(*, actor: Any, person: Person, hospital: PartnerHospital,
                    service: GreenChannelService | None = None, reason: str, source: str = ReferralSource.MANUAL,
                    source_ref: str = "", referred_on: dt.date | None = None) -> Referral:
    """Refer an officer to a partner hospital's green channel (health data: domain "health")."""
    require(actor, MANAGE_REFERRAL, person.unit.path, domain=HEALTH)
    if service is not None and service.hospital_id != hospital.pk:
        raise ValidationError({"service": [_("所选服务不属于该医院")]})
    referral = Referral(person=person, hospital=hospital, service=service, reason=reason, source=source,
                        source_ref=source_ref, referred_on=referred_on or timezone.localdate(),
                        created_by=actor if getattr(actor, "pk", None) else None)
    referral.full_clean(exclude=["created_by"])
    if hospital.contract_end and referral.referred_on > hospital.contract_end:
        raise ValidationError({"hospital": [_("该医院的协作协议已于 %(d)s 到期") % {"d": hospital.contract_end}]})
    referral.save()
    audit.record(actor=actor, action="care.referral.create", obj=referral, person_id=person.pk,
                 after=audit.snapshot(referral, REFERRAL_FIELDS))
    return referral


_NEXT = {
    ReferralStatus.REFERRED: {ReferralStatus.REFERRED, ReferralStatus.SEEN, ReferralStatus.CLOSED},
    ReferralStatus.SEEN: {ReferralStatus.SEEN, ReferralStatus.CLOSED},
    ReferralStatus.CLOSED: {ReferralStatus.CLOSED},
}


@transaction.atomic
def referral_update(*, actor: Any, referral: Referral, status: str, seen_on: dt.date | None = None,
                    outcome: str = "") -> Referral:
    """Move a referral on (referred → seen → closed) and record the outcome."""
    require(actor, MANAGE_REFERRAL, referral.person.unit.path, domain=HEALTH)
    if status not in _NEXT[ReferralStatus(referral.status)]:
        raise ValidationError({"status": [_("转介已是“%(s)s”，不能改回") % {"s": referral.get_status_display()}]})
    before = audit.snapshot(referral, REFERRAL_FIELDS)
    referral.status = status
    if status in (ReferralStatus.SEEN, ReferralStatus.CLOSED) and seen_on is None and referral.seen_on is None \
            and status == ReferralStatus.SEEN:
        seen_on = timezone.localdate()
    if seen_on is not None:
        if seen_on < referral.referred_on:
            raise ValidationError({"seen_on": [_("就诊日期不能早于转介日期")]})
        referral.seen_on = seen_on
    referral.outcome = outcome if outcome else referral.outcome
    if status == ReferralStatus.CLOSED and not referral.outcome.strip():
        raise ValidationError({"outcome": [_("结案前请填写诊疗结果")]})
    referral.full_clean(exclude=["created_by"])
    referral.save()
    after = audit.snapshot(referral, REFERRAL_FIELDS)
    changed = {k: v for k, v in after.items() if before[k] != v}
    audit.record(actor=actor, action="care.referral.update", obj=referral, person_id=referral.person_id,
                 before={k: before[k] for k in changed}, after=changed)
    return referral
