"""Every write to rights-protection cases (维护民警执法权威): register, edit, move through the
steps, evidence, actions, and the automatic offer of psychological support."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingying.care.choices import RIGHTS_FLOW, OfferAnswer, RightsStatus
from jingying.care.models.rights import RightsAction, RightsCase, RightsCaseOfficer, RightsEvidence
from jingying.care.services.support_common import check_upload, users_of
from jingying.core import audit
from jingying.core.notifications import notify, users_covering
from jingying.core.scoping import covers, require
from jingying.org.models import Person, Unit

CASE_FIELDS = ["unit_id", "incident_kind", "incident_date", "place", "description", "status", "outcome", "closed_on"]
COUNSELLING_URL = "/health/counselling/"
# Who is responsible for an officer's psychological support: the counsellors covering their unit.
COUNSEL_PERM = "health.counsel"


def _check_officers(actor: Any, officers: list[Person]) -> None:
    if not officers:
        raise ValidationError({"officers": [_("请至少选择一名涉及民警")]})
    for person in officers:
        if not covers(actor, "org.view_person", person.unit.path):
            raise ValidationError({"officers": [_("%(name)s 不在您的管理范围内") % {"name": person.name}]})


def _check_case(case: RightsCase) -> None:
    errors: dict[str, list[str]] = {}
    if case.incident_date and case.incident_date > timezone.localdate():
        errors["incident_date"] = [_("发生日期不能晚于今天")]
    try:
        case.full_clean(exclude=list(errors) or None)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _offer_support(*, case: RightsCase, people: list[Person]) -> None:
    """Offer psychological support to each officer and tell the counsellors covering them."""
    now = timezone.now()
    RightsCaseOfficer.objects.filter(case=case, person__in=people).update(offer_at=now)
    kind = case.get_incident_kind_display()
    for person in people:
        notify(users=users_of([person.pk]), kind="care.rights.offer",
               title=_("组织为您提供心理支持"),
               body=_("您遭遇的“%(kind)s”事件已登记维权。如需心理疏导，可在心理辅导页面预约，也可以在维权案件中答复。")
               % {"kind": kind}, url=COUNSELLING_URL)
        notify(users=users_covering(COUNSEL_PERM, person.unit.path, domain="psych"), kind="care.rights.offer",
               title=_("请关注遭受侵权的民警：%(name)s") % {"name": person.name},
               body=_("%(unit)s %(name)s 遭遇“%(kind)s”，已向其提供心理支持。")
               % {"unit": person.unit.name, "name": person.name, "kind": kind}, url=COUNSELLING_URL)


@transaction.atomic
def rights_case_create(*, actor: Any, unit: Unit, officers: list[Person], incident_kind: str,
                       incident_date: dt.date, place: str, description: str) -> RightsCase:
    """Register a case; each officer concerned is offered psychological support at once."""
    require(actor, "care.add_rightscase", unit.path)
    _check_officers(actor, officers)
    case = RightsCase(unit=unit, incident_kind=incident_kind, incident_date=incident_date, place=place,
                      description=description, created_by=actor if getattr(actor, "pk", None) else None)
    _check_case(case)
    case.save()
    RightsCaseOfficer.objects.bulk_create([RightsCaseOfficer(case=case, person=p) for p in officers])
    _offer_support(case=case, people=officers)
    audit.record(actor=actor, action="care.rights.create", obj=case,
                 after={**audit.snapshot(case, CASE_FIELDS), "officers": [p.pk for p in officers]})
    return case


@transaction.atomic
def rights_case_update(*, actor: Any, case: RightsCase, officers: list[Person] | None = None,
                       **changes: Any) -> RightsCase:
    """Change what was recorded; officers added later are offered support too."""
    require(actor, "care.change_rightscase", case.unit.path)
    allowed = {"unit", "incident_kind", "incident_date", "place", "description"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"rights_case_update: unknown fields {sorted(unknown)}")
    if "unit" in changes:
        require(actor, "care.change_rightscase", changes["unit"].path)
    before = audit.snapshot(case, CASE_FIELDS)
    for key, value in changes.items():
        setattr(case, key, value)
    _check_case(case)
    case.save()
    after = audit.snapshot(case, CASE_FIELDS)
    if officers is not None:
        _check_officers(actor, officers)
        current = set(case.victims.values_list("person_id", flat=True))
        wanted = {p.pk for p in officers}
        added = [p for p in officers if p.pk not in current]
        RightsCaseOfficer.objects.filter(case=case, person_id__in=current - wanted).delete()
        RightsCaseOfficer.objects.bulk_create([RightsCaseOfficer(case=case, person=p) for p in added])
        _offer_support(case=case, people=added)
        before["officers"], after["officers"] = sorted(current), sorted(wanted)
    audit.record(actor=actor, action="care.rights.update", obj=case, before=before, after=after)
    return case


@transaction.atomic
def rights_case_advance(*, actor: Any, case: RightsCase, status: str, outcome: str = "") -> RightsCase:
    """Move a case forward (registered → investigating → actions → closed); closing needs the outcome."""
    require(actor, "care.change_rightscase", case.unit.path)
    if status not in RIGHTS_FLOW:
        raise ValidationError({"status": [_("不是有效的状态")]})
    if RIGHTS_FLOW.index(RightsStatus(status)) <= RIGHTS_FLOW.index(RightsStatus(case.status)):
        raise ValidationError({"status": [_("案件只能向后推进：当前为“%(now)s”") % {"now": case.get_status_display()}]})
    before = audit.snapshot(case, ["status", "outcome", "closed_on"])
    if status == RightsStatus.CLOSED:
        if not outcome.strip():
            raise ValidationError({"outcome": [_("结案须填写处理结果")]})
        case.outcome = outcome.strip()
        case.closed_on = timezone.localdate()
    elif outcome.strip():
        case.outcome = outcome.strip()
    case.status = status
    case.save(update_fields=["status", "outcome", "closed_on", "updated_at"])
    audit.record(actor=actor, action="care.rights.advance", obj=case, before=before,
                 after=audit.snapshot(case, ["status", "outcome", "closed_on"]))
    return case


@transaction.atomic
def rights_case_delete(*, actor: Any, case: RightsCase) -> None:
    require(actor, "care.delete_rightscase", case.unit.path)
    audit.record(actor=actor, action="care.rights.delete", obj=case, before=audit.snapshot(case, CASE_FIELDS))
    for evidence in case.evidence.all():
        # The files go only once the rows are gone for good (bound now: the loop moves on).
        transaction.on_commit(partial(evidence.file.storage.delete, evidence.file.name))
    case.delete()


def _open(case: RightsCase) -> None:
    if case.status == RightsStatus.CLOSED:
        raise ValidationError(_("案件已结案，不能再修改"))


@transaction.atomic
def rights_offer_answer(*, actor: Any, victim: RightsCaseOfficer, answer: str) -> RightsCaseOfficer:
    """The officer's answer to the support offer (or staff recording it for them)."""
    own = getattr(actor, "person_id", None) == victim.person_id
    if not own and not covers(actor, "care.change_rightscase", victim.case.unit.path):
        raise PermissionDenied("care.respond_rightscase")
    if answer not in (OfferAnswer.ACCEPTED, OfferAnswer.DECLINED, OfferAnswer.NO_ANSWER):
        raise ValidationError({"answer": [_("不是有效的答复")]})
    before = audit.snapshot(victim, ["offer_answer", "offer_answered_at"])
    victim.offer_answer = answer
    victim.offer_answered_at = timezone.now()
    victim.save(update_fields=["offer_answer", "offer_answered_at"])
    if answer == OfferAnswer.ACCEPTED:
        person = victim.person
        notify(users=users_covering(COUNSEL_PERM, person.unit.path, domain="psych"), kind="care.rights.offer",
               title=_("%(name)s 接受了心理支持，请尽快联系") % {"name": person.name},
               body=_("%(unit)s %(name)s（维权案件）已接受心理支持。") % {"unit": person.unit.name, "name": person.name},
               url=COUNSELLING_URL, urgent=True)
    audit.record(actor=actor, action="care.rights.offer_answer", obj=victim.case, person_id=victim.person_id,
                 before=before, after=audit.snapshot(victim, ["offer_answer", "offer_answered_at"]))
    return victim


@transaction.atomic
def rights_evidence_add(*, actor: Any, case: RightsCase, upload: Any, description: str = "") -> RightsEvidence:
    """Store an evidence file after checking its size and that its content matches its type."""
    require(actor, "care.change_rightscase", case.unit.path)
    _open(case)
    checked = check_upload(upload)
    evidence = RightsEvidence(case=case, file_name=checked.name, content_type=checked.content_type,
                              size=checked.size, sha256=checked.sha256, description=description[:200],
                              uploaded_by=actor if getattr(actor, "pk", None) else None)
    evidence.file.save(f"{checked.sha256[:16]}.{checked.ext}", ContentFile(upload.read()), save=False)
    try:
        evidence.full_clean(exclude=["file"])
        evidence.save()
    except Exception:
        evidence.file.storage.delete(evidence.file.name)
        raise
    audit.record(actor=actor, action="care.rights.evidence_add", obj=case,
                 after={"evidence": evidence.pk, "file_name": evidence.file_name, "sha256": evidence.sha256})
    return evidence


@transaction.atomic
def rights_evidence_delete(*, actor: Any, evidence: RightsEvidence) -> None:
    require(actor, "care.change_rightscase", evidence.case.unit.path)
    _open(evidence.case)
    audit.record(actor=actor, action="care.rights.evidence_delete", obj=evidence.case,
                 before={"evidence": evidence.pk, "file_name": evidence.file_name, "sha256": evidence.sha256})
    name, storage = evidence.file.name, evidence.file.storage
    evidence.delete()
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def rights_action_add(*, actor: Any, case: RightsCase, kind: str, date: dt.date, handled_by: str,
                      result: str = "") -> RightsAction:
    """Record an action taken; a case still being registered or investigated moves to 维权处置."""
    require(actor, "care.change_rightscase", case.unit.path)
    _open(case)
    action = RightsAction(case=case, kind=kind, date=date, handled_by=handled_by, result=result,
                          created_by=actor if getattr(actor, "pk", None) else None)
    action.full_clean()
    if date < case.incident_date:
        raise ValidationError({"date": [_("措施日期不能早于事件发生日期")]})
    action.save()
    if RIGHTS_FLOW.index(RightsStatus(case.status)) < RIGHTS_FLOW.index(RightsStatus.ACTIONS):
        case.status = RightsStatus.ACTIONS
        case.save(update_fields=["status", "updated_at"])
    audit.record(actor=actor, action="care.rights.action_add", obj=case,
                 after={"action": action.pk, "kind": kind, "date": date, "handled_by": handled_by, "result": result})
    return action


@transaction.atomic
def rights_action_delete(*, actor: Any, action: RightsAction) -> None:
    require(actor, "care.change_rightscase", action.case.unit.path)
    _open(action.case)
    audit.record(actor=actor, action="care.rights.action_delete", obj=action.case,
                 before={"action": action.pk, "kind": action.kind, "date": action.date, "result": action.result})
    action.delete()
