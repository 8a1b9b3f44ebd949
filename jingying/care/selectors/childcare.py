"""Reads of childcare: programmes in scope, enrolments (staff: their programmes; officers:
their own), the programmes open to an officer, and attendance."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from jingying.care.choices import EnrolmentStatus
from jingying.care.models.childcare import ChildcareAttendance, ChildcareEnrolment, ChildcareProgramme
from jingying.care.selectors.support_filters import ProgrammeFilterSet, apply
from jingying.core.scoping import restrict
from jingying.org.choices import Relation
from jingying.org.models import Dependent, Person

VIEW = "care.view_childcare"


def _counts(qs: QuerySet[ChildcareProgramme]) -> QuerySet[ChildcareProgramme]:
    return qs.annotate(
        enrolled_count=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.ENROLLED)),
        waiting_count=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.WAITING)),
    )


def childcare_programme_list(*, actor: Any, filters: dict[str, Any] | None = None,
                             perm: str = VIEW) -> tuple[QuerySet[ChildcareProgramme], ProgrammeFilterSet]:
    qs = _counts(restrict(ChildcareProgramme.objects.select_related("unit"), actor, perm))
    qs, filterset = apply(ProgrammeFilterSet, qs, filters)
    return qs.order_by("-start", "-id"), filterset


def access_childcare_programme(actor: Any, pk: Any, *, perm: str = VIEW) -> ChildcareProgramme:
    try:
        return _counts(restrict(ChildcareProgramme.objects.select_related("unit"), actor, perm)).get(pk=pk)
    except (ChildcareProgramme.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def programme_enrolments(programme: ChildcareProgramme) -> list[ChildcareEnrolment]:
    return list(programme.enrolments.select_related("child", "person__unit")
                .order_by("status", "requested_at", "id"))


def access_enrolment(actor: Any, pk: Any) -> ChildcareEnrolment:
    """An enrolment the actor may cancel: their own child's, or one in a programme they run."""
    qs = ChildcareEnrolment.objects.select_related("programme__unit", "child", "person")
    own = restrict(ChildcareEnrolment.objects.all(), actor, "care.enrol_childcare").values("id")
    staff = restrict(ChildcareEnrolment.objects.all(), actor, "care.change_childcare").values("id")
    try:
        return qs.filter(Q(id__in=own) | Q(id__in=staff)).get(pk=pk)
    except (ChildcareEnrolment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def programmes_open_to(person: Person) -> QuerySet[ChildcareProgramme]:
    """Programmes run by the officer's unit or any unit above it, still open and not over."""
    ancestors = [person.unit.path[:i] for i in range(len(person.unit.path), 0, -1) if person.unit.path[i - 1] == "/"]
    return _counts(ChildcareProgramme.objects.select_related("unit").filter(
        unit__path__in=ancestors, open=True, end__gte=timezone.localdate())).order_by("start", "id")


def childcare_parent(actor: Any, ref: str) -> Person | None:
    """The officer whose child staff enrol for them: by 警号 or 身份证号, among the people of the
    units where the staff member runs childcare (anyone else reads as not found)."""
    from jingying.org.idnumber import normalise

    ref = normalise(ref)
    if not ref:
        return None
    people = restrict(Person.objects.select_related("unit"), actor, "care.change_childcare")
    return people.filter(Q(police_number=ref) | Q(id_number=ref)).order_by("id").first()


def my_enrolments(person: Person) -> list[ChildcareEnrolment]:
    return list(ChildcareEnrolment.objects.filter(person=person).select_related("programme", "child")
                .order_by("-requested_at", "-id"))


def my_children(person: Person) -> list[Dependent]:
    return list(Dependent.objects.filter(person=person, relation=Relation.CHILD).order_by("birth_date", "id"))


def waiting_position(enrolment: ChildcareEnrolment) -> int | None:
    if enrolment.status != EnrolmentStatus.WAITING:
        return None
    ahead = ChildcareEnrolment.objects.filter(programme_id=enrolment.programme_id, status=EnrolmentStatus.WAITING).filter(
        Q(requested_at__lt=enrolment.requested_at) | Q(requested_at=enrolment.requested_at, id__lt=enrolment.id))
    return ahead.count() + 1


def attendance_grid(programme: ChildcareProgramme) -> tuple[list[Any], list[ChildcareEnrolment], dict[tuple[int, Any], bool]]:
    """Days with attendance recorded, the enrolled children, and present/absent per (enrolment, day)."""
    enrolments = [e for e in programme_enrolments(programme) if e.status == EnrolmentStatus.ENROLLED]
    marks = ChildcareAttendance.objects.filter(enrolment__programme=programme).values_list("enrolment_id", "day", "present")
    grid = {(e, d): p for e, d, p in marks}
    days = sorted({d for _e, d in grid})
    return days, enrolments, grid
