"""Every write to concerns (style rule 2): raise, the handling steps, reassignment, the
officer's rating and the periodic escalation of overdue concerns. Each step is one service,
records a timeline entry and an audit entry in the same transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jingying.care.choices import (
    CONCERN_DEADLINE_DAYS,
    ConcernEventKind,
    ConcernSource,
    ConcernStatus,
)
from jingying.care.models import Concern, ConcernEvent, FieldVisit
from jingying.core import audit
from jingying.core.notifications import notify, users_covering
from jingying.core.scoping import SYSTEM, covers, has_perm, require
from jingying.org.models import Person, Unit

CONCERN_FIELDS = ["person_id", "unit_id", "category", "urgency", "title", "source", "source_ref", "status",
                  "deadline", "outcome", "escalations", "rating", "rating_comment"]

# Which step may follow which status (accepted → in progress → resolved, or referred / cannot
# be solved from any open status).
_STEPS: dict[str, tuple[tuple[str, ...], str, str]] = {
    # step: (allowed from, new status, timeline kind)
    "accept": ((ConcernStatus.SUBMITTED,), ConcernStatus.ACCEPTED, ConcernEventKind.ACCEPTED),
    "start": ((ConcernStatus.SUBMITTED, ConcernStatus.ACCEPTED), ConcernStatus.IN_PROGRESS, ConcernEventKind.STARTED),
    "resolve": ((ConcernStatus.SUBMITTED, ConcernStatus.ACCEPTED, ConcernStatus.IN_PROGRESS), ConcernStatus.RESOLVED,
                ConcernEventKind.RESOLVED),
    "refer": ((ConcernStatus.SUBMITTED, ConcernStatus.ACCEPTED, ConcernStatus.IN_PROGRESS), ConcernStatus.REFERRED,
              ConcernEventKind.REFERRED),
    "unsolvable": ((ConcernStatus.SUBMITTED, ConcernStatus.ACCEPTED, ConcernStatus.IN_PROGRESS),
                   ConcernStatus.UNSOLVABLE, ConcernEventKind.UNSOLVABLE),
}
STEPS = tuple(_STEPS)
# Steps that close the concern need a note saying what was done or why not.
_NOTE_REQUIRED = {"resolve", "refer", "unsolvable"}


def deadline_for(urgency: str, start: dt.date) -> dt.date:
    return start + dt.timedelta(days=CONCERN_DEADLINE_DAYS[urgency])


def _today() -> dt.date:
    return timezone.localdate()


def _actor_name(actor: Any) -> str:
    person = getattr(actor, "person", None) if getattr(actor, "person_id", None) else None
    return (person.name if person is not None else "") or getattr(actor, "username", "") or ""


def _event(concern: Concern, *, actor: Any, kind: str, note: str = "", unit: Unit | None = None,
           at: dt.datetime | None = None) -> ConcernEvent:
    return ConcernEvent.objects.create(
        concern=concern, kind=kind, at=at or timezone.now(), note=note,
        actor=actor if getattr(actor, "pk", None) else None, actor_name=_actor_name(actor),
        unit=unit or concern.unit,
    )


def _is_own(actor: Any, person: Person) -> bool:
    return getattr(actor, "person_id", None) is not None and actor.person_id == person.pk


def _not_own(actor: Any, concern: Concern) -> None:
    """A leader or clerk raises their own concern like any officer (decision 0014) but never
    handles it: the other handlers of the unit, or the units above, do."""
    if _is_own(actor, concern.person):
        raise PermissionDenied(_("不能办理本人提出的诉求"))


def _tell_person(concern: Concern, title: str, body: str = "") -> None:
    """The officer hears of every step of their own concern."""
    from jingying.accounts.models import User

    users = list(User.objects.filter(person_id=concern.person_id, is_active=True))
    if users:
        notify(users=users, kind="care.concern", title=title, body=body,
               url=reverse("care:concern_detail", args=[concern.pk]))


@transaction.atomic
def concern_raise(*, actor: Any, person: Person, category: str, title: str, description: str = "",
                  urgency: str = "normal", source: str | None = None, source_ref: str = "",
                  field_visit: FieldVisit | None = None, unit: Unit | None = None,
                  raised_at: dt.datetime | None = None) -> Concern:
    """An officer raises their own concern, or staff record one for a person in their scope."""
    own = _is_own(actor, person) and has_perm(actor, "care.add_concern")
    if not own:
        require(actor, "care.add_concern", person.unit.path)
    unit = unit or person.unit
    if unit.pk != person.unit_id:
        require(actor, "care.handle_concern", unit.path)
    if field_visit is not None:
        source = source or ConcernSource.FIELD_VISIT
    source = source or (ConcernSource.SELF if own else ConcernSource.RECORDED)
    now = raised_at or timezone.now()
    concern = Concern(
        person=person, unit=unit, category=category, urgency=urgency, title=title.strip(),
        description=description.strip(), source=source, source_ref=source_ref.strip(), field_visit=field_visit,
        status=ConcernStatus.SUBMITTED, raised_at=now,
        raised_by=actor if getattr(actor, "pk", None) else None,
        deadline=deadline_for(urgency, timezone.localtime(now).date()) if urgency in CONCERN_DEADLINE_DAYS
        else _today(),
    )
    concern.full_clean()
    concern.save()
    _event(concern, actor=actor, kind=ConcernEventKind.RAISED, note=concern.get_source_display(), at=now)
    audit.record(actor=actor, action="care.concern.raise", obj=concern, person_id=person.pk,
                 after=audit.snapshot(concern, CONCERN_FIELDS))
    handlers = users_covering("care.handle_concern", unit.path)[:5]
    if handlers:
        notify(users=handlers, kind="care.concern", title=_("新诉求：%(title)s") % {"title": concern.title},
               body=_("%(unit)s 收到一条新诉求，请在 %(date)s 前办理。") % {
                   "unit": unit.name, "date": concern.deadline.isoformat()},
               url=reverse("care:concern_detail", args=[concern.pk]), urgent=urgency == "urgent")
    return concern


@transaction.atomic
def concern_step(*, actor: Any, concern: Concern, step: str, note: str = "") -> Concern:
    """One handling step (accept, start, resolve, refer, unsolvable) by the responsible unit."""
    if step not in _STEPS:
        raise ValueError(f"unknown step {step}")
    require(actor, "care.handle_concern", concern.unit.path)
    _not_own(actor, concern)
    allowed, new_status, kind = _STEPS[step]
    if concern.status not in allowed:
        raise ValidationError(_("诉求当前为“%(status)s”，不能执行此操作") % {"status": concern.get_status_display()})
    note = note.strip()
    if step in _NOTE_REQUIRED and not note:
        raise ValidationError({"note": [_("请填写办理结果或原因")]})
    before = audit.snapshot(concern, CONCERN_FIELDS)
    concern.status = new_status
    if step in _NOTE_REQUIRED:
        concern.outcome = note
        concern.closed_at = timezone.now()
    concern.save(update_fields=["status", "outcome", "closed_at"])
    _event(concern, actor=actor, kind=kind, note=note)
    audit.record(actor=actor, action=f"care.concern.{step}", obj=concern, person_id=concern.person_id,
                 before=before, after=audit.snapshot(concern, CONCERN_FIELDS), reason=note[:200])
    _tell_person(concern, _("您的诉求“%(title)s”：%(status)s") % {
        "title": concern.title, "status": concern.get_status_display()}, note)
    return concern


def concern_accept(*, actor: Any, concern: Concern, note: str = "") -> Concern:
    return concern_step(actor=actor, concern=concern, step="accept", note=note)


def concern_start(*, actor: Any, concern: Concern, note: str = "") -> Concern:
    return concern_step(actor=actor, concern=concern, step="start", note=note)


def concern_resolve(*, actor: Any, concern: Concern, note: str) -> Concern:
    return concern_step(actor=actor, concern=concern, step="resolve", note=note)


def concern_refer(*, actor: Any, concern: Concern, note: str) -> Concern:
    return concern_step(actor=actor, concern=concern, step="refer", note=note)


def concern_unsolvable(*, actor: Any, concern: Concern, note: str) -> Concern:
    return concern_step(actor=actor, concern=concern, step="unsolvable", note=note)


@transaction.atomic
def concern_reassign(*, actor: Any, concern: Concern, unit: Unit, note: str = "") -> Concern:
    """Hand the concern to a unit above or below the responsible one, within the actor's scope."""
    require(actor, "care.handle_concern", concern.unit.path)
    _not_own(actor, concern)
    if not concern.is_open:
        raise ValidationError(_("诉求已办结，不能改派"))
    if unit.pk == concern.unit_id:
        raise ValidationError({"unit": [_("已是该单位负责")]})
    if not (unit.path.startswith(concern.unit.path) or concern.unit.path.startswith(unit.path)):
        raise ValidationError({"unit": [_("只能改派给上级或下级单位")]})
    if not covers(actor, "care.handle_concern", unit.path):
        raise ValidationError({"unit": [_("不能改派到您管辖范围以外的单位")]})
    before = audit.snapshot(concern, CONCERN_FIELDS)
    concern.unit = unit
    concern.save(update_fields=["unit"])
    _event(concern, actor=actor, kind=ConcernEventKind.REASSIGNED, note=note.strip(), unit=unit)
    audit.record(actor=actor, action="care.concern.reassign", obj=concern, person_id=concern.person_id,
                 before=before, after=audit.snapshot(concern, CONCERN_FIELDS))
    notify(users=users_covering("care.handle_concern", unit.path)[:5], kind="care.concern",
           title=_("改派诉求：%(title)s") % {"title": concern.title},
           url=reverse("care:concern_detail", args=[concern.pk]))
    return concern


@transaction.atomic
def concern_rate(*, actor: Any, concern: Concern, rating: int, comment: str = "") -> Concern:
    """The officer who raised the concern rates how it was handled (once, after it is closed)."""
    if not _is_own(actor, concern.person) or not has_perm(actor, "care.rate_concern"):
        raise PermissionDenied("care.rate_concern")
    if concern.is_open:
        raise ValidationError(_("诉求办结后才能评价"))
    if concern.rating is not None:
        raise ValidationError(_("已经评价过了"))
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": [_("评分应为 1 到 5 分")]})
    concern.rating = rating
    concern.rating_comment = comment.strip()[:500]
    concern.rated_at = timezone.now()
    concern.save(update_fields=["rating", "rating_comment", "rated_at"])
    _event(concern, actor=actor, kind=ConcernEventKind.RATED,
           note=f"{rating}/5" + (f" {concern.rating_comment}" if concern.rating_comment else ""))
    audit.record(actor=actor, action="care.concern.rate", obj=concern, person_id=concern.person_id,
                 after={"rating": rating, "rating_comment": concern.rating_comment})
    return concern


def concerns_escalate_overdue(*, today: dt.date | None = None) -> int:
    """Move every open concern past its deadline to the parent of its responsible unit, record
    it, give the new unit a fresh deadline and tell the people responsible for that unit.

    Run daily (management command `care_escalate_concerns`, or the task of the same name). A
    concern already at the top unit stays there; its handlers are reminded instead.
    """
    today = today or _today()
    moved = 0
    ids = list(Concern.objects.filter(status__in=[ConcernStatus.SUBMITTED, ConcernStatus.ACCEPTED,
                                                   ConcernStatus.IN_PROGRESS], deadline__lt=today)
               .values_list("id", flat=True))
    for pk in ids:
        if _escalate_one(pk, today):
            moved += 1
    return moved


@transaction.atomic
def _escalate_one(pk: int, today: dt.date) -> bool:
    concern = (Concern.objects.select_for_update(of=("self",)).select_related("unit__parent", "person")
               .filter(pk=pk, deadline__lt=today).first())
    if concern is None or not concern.is_open:
        return False
    url = reverse("care:concern_detail", args=[concern.pk])
    parent = concern.unit.parent
    if parent is None:
        notify(users=users_covering("care.handle_concern", concern.unit.path)[:5], kind="care.concern_overdue",
               title=_("诉求已超期：%(title)s") % {"title": concern.title}, url=url, urgent=True)
        return False
    before = audit.snapshot(concern, CONCERN_FIELDS)
    old_unit = concern.unit
    concern.unit = parent
    concern.escalations += 1
    concern.deadline = deadline_for(concern.urgency, today)
    concern.save(update_fields=["unit", "escalations", "deadline"])
    note = _("超过办理期限，由%(old)s上报至%(new)s") % {"old": old_unit.name, "new": parent.name}
    _event(concern, actor=SYSTEM, kind=ConcernEventKind.ESCALATED, note=note, unit=parent)
    audit.record(actor=SYSTEM, action="care.concern.escalate", obj=concern, person_id=concern.person_id,
                 before=before, after=audit.snapshot(concern, CONCERN_FIELDS), reason=note[:200])
    notify(users=users_covering("care.handle_concern", parent.path), kind="care.concern_overdue",
           title=_("超期诉求上报：%(title)s") % {"title": concern.title},
           body=note + _("。请在 %(date)s 前办理。") % {"date": concern.deadline.isoformat()}, url=url, urgent=True)
    return True
