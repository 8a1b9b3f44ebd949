"""Every write to childcare (子女托管): programmes, enrolments with a first-come-first-served
waiting list, cancellations that promote the next child, and daily attendance."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jingying.care.choices import EnrolmentStatus
from jingying.care.models.childcare import ChildcareAttendance, ChildcareEnrolment, ChildcareProgramme
from jingying.care.services.support_common import users_of
from jingying.core import audit
from jingying.core.notifications import notify
from jingying.core.scoping import covers, require
from jingying.org.choices import Relation
from jingying.org.models import Dependent, Unit
from jingying.org.tables import age_on

PROGRAMME_FIELDS = ["name", "unit_id", "centre", "period", "start", "end", "capacity", "min_age", "max_age",
                    "open", "contact", "notes"]


def _check_programme(programme: ChildcareProgramme) -> None:
    errors: dict[str, list[str]] = {}
    if programme.start and programme.end and programme.end < programme.start:
        errors["end"] = [_("结束日期不能早于开始日期")]
    if programme.min_age is not None and programme.max_age is not None and programme.max_age < programme.min_age:
        errors["max_age"] = [_("最大年龄不能小于最小年龄")]
    if programme.capacity is not None and programme.capacity < 1:
        errors["capacity"] = [_("名额至少为 1")]
    try:
        programme.full_clean(exclude=list(errors) or None)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def childcare_programme_create(*, actor: Any, unit: Unit, **fields: Any) -> ChildcareProgramme:
    require(actor, "care.add_childcare", unit.path)
    programme = ChildcareProgramme(unit=unit, **fields)
    _check_programme(programme)
    programme.save()
    audit.record(actor=actor, action="care.childcare.programme_create", obj=programme,
                 after=audit.snapshot(programme, PROGRAMME_FIELDS))
    return programme


@transaction.atomic
def childcare_programme_update(*, actor: Any, programme: ChildcareProgramme, **changes: Any) -> ChildcareProgramme:
    """Change a programme; extra places promote children from the waiting list."""
    require(actor, "care.change_childcare", programme.unit.path)
    unknown = set(changes) - set(PROGRAMME_FIELDS) - {"unit"}
    if unknown:
        raise ValueError(f"childcare_programme_update: unknown fields {sorted(unknown)}")
    if "unit" in changes:
        require(actor, "care.change_childcare", changes["unit"].path)
    before = audit.snapshot(programme, PROGRAMME_FIELDS)
    for key, value in changes.items():
        setattr(programme, key, value)
    _check_programme(programme)
    enrolled = programme.enrolments.filter(status=EnrolmentStatus.ENROLLED).count()
    if programme.capacity < enrolled:
        raise ValidationError({"capacity": [_("已录取 %(n)d 人，名额不能少于已录取人数") % {"n": enrolled}]})
    programme.save()
    _promote(programme)
    audit.record(actor=actor, action="care.childcare.programme_update", obj=programme, before=before,
                 after=audit.snapshot(programme, PROGRAMME_FIELDS))
    return programme


@transaction.atomic
def childcare_programme_delete(*, actor: Any, programme: ChildcareProgramme) -> None:
    require(actor, "care.delete_childcare", programme.unit.path)
    audit.record(actor=actor, action="care.childcare.programme_delete", obj=programme,
                 before=audit.snapshot(programme, PROGRAMME_FIELDS))
    programme.delete()


def _locked(programme: ChildcareProgramme) -> ChildcareProgramme:
    # One writer at a time per programme, so two parents cannot both take the last place.
    return ChildcareProgramme.objects.select_for_update(of=("self",)).select_related("unit").get(pk=programme.pk)


def _promote(programme: ChildcareProgramme) -> list[ChildcareEnrolment]:
    """Fill free places from the waiting list in the order people asked, and tell them."""
    free = programme.capacity - programme.enrolments.filter(status=EnrolmentStatus.ENROLLED).count()
    if free <= 0:
        return []
    promoted = list(programme.enrolments.filter(status=EnrolmentStatus.WAITING)
                    .select_related("child").order_by("requested_at", "id")[:free])
    now = timezone.now()
    for enrolment in promoted:
        enrolment.status = EnrolmentStatus.ENROLLED
        enrolment.promoted_at = now
        enrolment.save(update_fields=["status", "promoted_at"])
        notify(users=users_of([enrolment.person_id]), kind="care.childcare.promoted",
               title=_("%(child)s 已从候补转为录取") % {"child": enrolment.child.name},
               body=_("%(programme)s 有了空余名额，%(child)s 已被录取，%(start)s 开始。")
               % {"programme": str(programme), "child": enrolment.child.name, "start": programme.start},
               url=reverse("care:childcare_mine"))
    return promoted


@transaction.atomic
def childcare_enrol(*, actor: Any, programme: ChildcareProgramme, child: Dependent, notes: str = "") -> ChildcareEnrolment:
    """Enrol a child: a place if one is free, otherwise the waiting list (first come, first served).

    The parent enrols their own child; staff who run the programme may enrol for a parent.
    """
    own = getattr(actor, "person_id", None) == child.person_id
    if not own and not covers(actor, "care.change_childcare", programme.unit.path):
        raise PermissionDenied("care.enrol_childcare")
    programme = _locked(programme)
    person = child.person
    errors: list[str] = []
    if not programme.open:
        errors.append(_("该项目已停止报名"))
    if programme.end < timezone.localdate():
        errors.append(_("该项目已结束"))
    if not person.unit.path.startswith(programme.unit.path):
        errors.append(_("该项目不面向 %(unit)s 的人员") % {"unit": person.unit.name})
    if child.relation != Relation.CHILD:
        errors.append(_("只能为子女报名"))
    if child.birth_date is None:
        errors.append(_("家属信息中没有 %(child)s 的出生日期，请先补充") % {"child": child.name})
    else:
        age = age_on(child.birth_date, programme.start)
        if age is None or not programme.min_age <= age <= programme.max_age:
            errors.append(_("%(child)s 在开班时 %(age)s 岁，不在 %(low)d–%(high)d 岁范围内")
                          % {"child": child.name, "age": age, "low": programme.min_age, "high": programme.max_age})
    if ChildcareEnrolment.objects.filter(programme=programme, child=child).exclude(
            status=EnrolmentStatus.CANCELLED).exists():
        errors.append(_("%(child)s 已经报名了这个项目") % {"child": child.name})
    if errors:
        raise ValidationError({"child": errors})
    enrolled = programme.enrolments.filter(status=EnrolmentStatus.ENROLLED).count()
    status = EnrolmentStatus.ENROLLED if enrolled < programme.capacity else EnrolmentStatus.WAITING
    enrolment = ChildcareEnrolment.objects.create(programme=programme, person=person, child=child, status=status,
                                                  requested_at=timezone.now(), notes=notes[:200])
    audit.record(actor=actor, action="care.childcare.enrol", obj=programme, person_id=person.pk,
                 after={"enrolment": enrolment.pk, "child": child.pk, "status": status})
    return enrolment


@transaction.atomic
def childcare_cancel(*, actor: Any, enrolment: ChildcareEnrolment) -> list[ChildcareEnrolment]:
    """Cancel an enrolment; a freed place goes to the first child waiting, who is told. Returns the promoted."""
    own = getattr(actor, "person_id", None) == enrolment.person_id
    if not own and not covers(actor, "care.change_childcare", enrolment.programme.unit.path):
        raise PermissionDenied("care.enrol_childcare")
    programme = _locked(enrolment.programme)
    enrolment = ChildcareEnrolment.objects.select_for_update(of=("self",)).get(pk=enrolment.pk)
    if enrolment.status == EnrolmentStatus.CANCELLED:
        raise ValidationError(_("该报名已经取消"))
    before = enrolment.status
    enrolment.status = EnrolmentStatus.CANCELLED
    enrolment.cancelled_at = timezone.now()
    enrolment.save(update_fields=["status", "cancelled_at"])
    promoted = _promote(programme) if before == EnrolmentStatus.ENROLLED else []
    audit.record(actor=actor, action="care.childcare.cancel", obj=programme, person_id=enrolment.person_id,
                 before={"enrolment": enrolment.pk, "status": before},
                 after={"status": EnrolmentStatus.CANCELLED, "promoted": [e.pk for e in promoted]})
    return promoted


@transaction.atomic
def childcare_attendance_mark(*, actor: Any, programme: ChildcareProgramme, day: dt.date,
                              present_ids: set[int], note: str = "") -> int:
    """Mark one day for every enrolled child: those in `present_ids` present, the others absent."""
    require(actor, "care.mark_childcare", programme.unit.path)
    if not programme.start <= day <= programme.end:
        raise ValidationError({"day": [_("日期不在托管期间（%(start)s 至 %(end)s）内")
                                       % {"start": programme.start, "end": programme.end}]})
    if day > timezone.localdate():
        raise ValidationError({"day": [_("不能登记未来日期的出勤")]})
    enrolments = list(programme.enrolments.filter(status=EnrolmentStatus.ENROLLED))
    unknown = present_ids - {e.pk for e in enrolments}
    if unknown:
        raise ValidationError({"present": [_("出勤名单中有不属于本项目的报名")]})
    ChildcareAttendance.objects.filter(enrolment__in=enrolments, day=day).delete()
    user = actor if getattr(actor, "pk", None) else None
    ChildcareAttendance.objects.bulk_create([
        ChildcareAttendance(enrolment=e, day=day, present=e.pk in present_ids, note=note[:100], marked_by=user)
        for e in enrolments
    ])
    audit.record(actor=actor, action="care.childcare.attendance", obj=programme,
                 after={"day": day, "present": sorted(present_ids), "enrolled": len(enrolments)})
    return len(enrolments)
