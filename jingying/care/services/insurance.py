"""Every write to accident insurance: policies, the people they insure, claims and their
steps (submitted → reviewing → paid / rejected), and the expiry reminder."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jingying.care.choices import ClaimStatus
from jingying.care.models.insurance import InsuranceClaim, InsurancePolicy, InsuredPerson
from jingying.care.services.support_common import IdRow, people_for_id_rows
from jingying.core import audit
from jingying.core.notifications import notify, users_covering
from jingying.core.scoping import SYSTEM, covers, require, subtree_q
from jingying.org.choices import SERVING_STATUSES
from jingying.org.models import Person, Unit

POLICY_FIELDS = ["unit_id", "insurer", "policy_number", "name", "start", "end", "cover_per_person", "notes"]
CLAIM_FIELDS = ["policy_id", "person_id", "incident", "incident_date", "amount_claimed", "amount_paid", "status",
                "reject_reason", "submitted_on", "decided_on"]
REMIND_DAYS = 30


def _merge(errors: dict[str, list[str]], obj: Any) -> None:
    try:
        obj.full_clean(exclude=list(errors) or None)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _check_policy(policy: InsurancePolicy) -> None:
    errors: dict[str, list[str]] = {}
    if policy.start and policy.end and policy.end < policy.start:
        errors["end"] = [_("终止日期不能早于起保日期")]
    if policy.cover_per_person is not None and policy.cover_per_person <= 0:
        errors["cover_per_person"] = [_("保额必须大于 0")]
    _merge(errors, policy)


@transaction.atomic
def insurance_policy_create(*, actor: Any, unit: Unit, **fields: Any) -> InsurancePolicy:
    require(actor, "care.add_insurance", unit.path)
    policy = InsurancePolicy(unit=unit, **fields)
    _check_policy(policy)
    policy.save()
    audit.record(actor=actor, action="care.insurance.policy_create", obj=policy, after=audit.snapshot(policy, POLICY_FIELDS))
    return policy


@transaction.atomic
def insurance_policy_update(*, actor: Any, policy: InsurancePolicy, **changes: Any) -> InsurancePolicy:
    require(actor, "care.change_insurance", policy.unit.path)
    unknown = set(changes) - set(POLICY_FIELDS) - {"unit"}
    if unknown:
        raise ValueError(f"insurance_policy_update: unknown fields {sorted(unknown)}")
    if "unit" in changes:
        require(actor, "care.change_insurance", changes["unit"].path)
    before = audit.snapshot(policy, POLICY_FIELDS)
    for key, value in changes.items():
        setattr(policy, key, value)
    if "end" in changes and before["end"] != policy.end:
        policy.expiry_reminded_on = None  # a renewed end date deserves its own reminder
    _check_policy(policy)
    policy.save()
    audit.record(actor=actor, action="care.insurance.policy_update", obj=policy, before=before,
                 after=audit.snapshot(policy, POLICY_FIELDS))
    return policy


@transaction.atomic
def insurance_policy_delete(*, actor: Any, policy: InsurancePolicy) -> None:
    require(actor, "care.delete_insurance", policy.unit.path)
    if policy.claims.exists():
        raise ValidationError(_("该保单已有理赔记录，不能删除"))
    audit.record(actor=actor, action="care.insurance.policy_delete", obj=policy,
                 before=audit.snapshot(policy, POLICY_FIELDS))
    policy.delete()


def _insure(actor: Any, policy: InsurancePolicy, people: list[Person]) -> int:
    have = set(InsuredPerson.objects.filter(policy=policy, person__in=people).values_list("person_id", flat=True))
    rows = [InsuredPerson(policy=policy, person=p) for p in people if p.pk not in have]
    InsuredPerson.objects.bulk_create(rows, batch_size=1000)
    audit.record(actor=actor, action="care.insurance.insure", obj=policy,
                 after={"added": len(rows), "people": [r.person_id for r in rows][:500]})
    return len(rows)


@transaction.atomic
def insurance_insure_unit(*, actor: Any, policy: InsurancePolicy, unit: Unit, category: str = "") -> int:
    """Insure every serving person of `unit`'s subtree (optionally one category); returns how many were new."""
    require(actor, "care.change_insurance", policy.unit.path)
    require(actor, "care.change_insurance", unit.path)
    if not unit.path.startswith(policy.unit.path):
        raise ValidationError({"unit": [_("%(unit)s 不在投保单位之下") % {"unit": unit.name}]})
    qs = Person.objects.filter(subtree_q("unit__path", unit.path), status__in=SERVING_STATUSES)
    if category:
        qs = qs.filter(category=category)
    people = list(qs)
    if not people:
        raise ValidationError({"unit": [_("该单位没有在岗人员")]})
    return _insure(actor, policy, people)


@transaction.atomic
def insurance_insure_ids(*, actor: Any, policy: InsurancePolicy, rows: list[IdRow]) -> int:
    """Insure the people of a list of ID numbers, all or none (each must belong under the policy's unit)."""
    require(actor, "care.change_insurance", policy.unit.path)
    allowed = Person.objects.filter(subtree_q("unit__path", policy.unit.path))
    if actor is not SYSTEM:
        ok = [p.pk for p in allowed.select_related("unit").filter(id_number__in={r.id_number for r in rows})
              if covers(actor, "care.change_insurance", p.unit.path)]
        allowed = Person.objects.filter(pk__in=ok)
    people = people_for_id_rows(rows, allowed, outside_message=_("不是投保单位的人员"))
    return _insure(actor, policy, people)


@transaction.atomic
def insurance_uninsure(*, actor: Any, insured: InsuredPerson) -> None:
    require(actor, "care.change_insurance", insured.policy.unit.path)
    if InsuranceClaim.objects.filter(policy_id=insured.policy_id, person_id=insured.person_id).exists():
        raise ValidationError(_("此人在该保单下有理赔记录，不能移出"))
    audit.record(actor=actor, action="care.insurance.uninsure", obj=insured.policy, person_id=insured.person_id)
    insured.delete()


# --- claims --------------------------------------------------------------------------------


def _check_claim(claim: InsuranceClaim) -> None:
    errors: dict[str, list[str]] = {}
    policy = claim.policy
    if claim.person_id and not InsuredPerson.objects.filter(policy=policy, person_id=claim.person_id).exists():
        errors["person"] = [_("%(name)s 不在该保单的被保险人中") % {"name": claim.person.name}]
    if claim.incident_date and not policy.start <= claim.incident_date <= policy.end:
        errors["incident_date"] = [_("出险日期不在保险期间（%(start)s 至 %(end)s）内")
                                   % {"start": policy.start, "end": policy.end}]
    if claim.incident_date and claim.incident_date > timezone.localdate():
        errors["incident_date"] = [_("出险日期不能晚于今天")]
    if claim.amount_claimed is not None:
        if claim.amount_claimed <= 0:
            errors["amount_claimed"] = [_("申请金额必须大于 0")]
        elif claim.amount_claimed > policy.cover_per_person:
            errors["amount_claimed"] = [_("申请金额不能超过每人保额 %(cover)s 元") % {"cover": policy.cover_per_person}]
    if claim.submitted_on and claim.incident_date and claim.submitted_on < claim.incident_date:
        errors["submitted_on"] = [_("报案日期不能早于出险日期")]
    _merge(errors, claim)


@transaction.atomic
def insurance_claim_create(*, actor: Any, policy: InsurancePolicy, person: Person, incident: str,
                           incident_date: dt.date, amount_claimed: Decimal,
                           submitted_on: dt.date | None = None) -> InsuranceClaim:
    require(actor, "care.change_insurance", person.unit.path)
    claim = InsuranceClaim(policy=policy, person=person, incident=incident, incident_date=incident_date,
                           amount_claimed=amount_claimed, submitted_on=submitted_on or timezone.localdate(),
                           created_by=actor if getattr(actor, "pk", None) else None)
    _check_claim(claim)
    claim.save()
    audit.record(actor=actor, action="care.insurance.claim_create", obj=claim, person_id=person.pk,
                 after=audit.snapshot(claim, CLAIM_FIELDS))
    return claim


@transaction.atomic
def insurance_claim_update(*, actor: Any, claim: InsuranceClaim, **changes: Any) -> InsuranceClaim:
    require(actor, "care.change_insurance", claim.person.unit.path)
    if claim.status in (ClaimStatus.PAID, ClaimStatus.REJECTED):
        raise ValidationError(_("理赔已结案，不能修改"))
    allowed = {"incident", "incident_date", "amount_claimed", "submitted_on"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"insurance_claim_update: unknown fields {sorted(unknown)}")
    before = audit.snapshot(claim, CLAIM_FIELDS)
    for key, value in changes.items():
        setattr(claim, key, value)
    _check_claim(claim)
    claim.save()
    audit.record(actor=actor, action="care.insurance.claim_update", obj=claim, person_id=claim.person_id,
                 before=before, after=audit.snapshot(claim, CLAIM_FIELDS))
    return claim


@transaction.atomic
def insurance_claim_delete(*, actor: Any, claim: InsuranceClaim) -> None:
    require(actor, "care.delete_insurance", claim.person.unit.path)
    if claim.status == ClaimStatus.PAID:
        raise ValidationError(_("已赔付的理赔不能删除"))
    audit.record(actor=actor, action="care.insurance.claim_delete", obj=claim, person_id=claim.person_id,
                 before=audit.snapshot(claim, CLAIM_FIELDS))
    claim.delete()


@transaction.atomic
def insurance_claim_review(*, actor: Any, claim: InsuranceClaim) -> InsuranceClaim:
    """submitted → reviewing (the insurer has the file)."""
    require(actor, "care.change_insurance", claim.person.unit.path)
    if claim.status != ClaimStatus.SUBMITTED:
        raise ValidationError({"status": [_("只有“已报案”的理赔可以转入审核")]})
    claim.status = ClaimStatus.REVIEWING
    claim.save(update_fields=["status"])
    audit.record(actor=actor, action="care.insurance.claim_review", obj=claim, person_id=claim.person_id,
                 before={"status": ClaimStatus.SUBMITTED}, after={"status": claim.status})
    return claim


@transaction.atomic
def insurance_claim_decide(*, actor: Any, claim: InsuranceClaim, paid: bool, amount_paid: Decimal | None = None,
                           reason: str = "", decided_on: dt.date | None = None) -> InsuranceClaim:
    """reviewing → paid (with the amount) or rejected (with the reason)."""
    require(actor, "care.change_insurance", claim.person.unit.path)
    if claim.status != ClaimStatus.REVIEWING:
        raise ValidationError({"status": [_("只有“审核中”的理赔可以结案")]})
    before = audit.snapshot(claim, ["status", "amount_paid", "reject_reason", "decided_on"])
    if paid:
        if amount_paid is None or amount_paid <= 0:
            raise ValidationError({"amount_paid": [_("请填写大于 0 的赔付金额")]})
        if amount_paid > claim.policy.cover_per_person:
            raise ValidationError({"amount_paid": [_("赔付金额不能超过每人保额 %(cover)s 元")
                                                   % {"cover": claim.policy.cover_per_person}]})
        claim.status, claim.amount_paid, claim.reject_reason = ClaimStatus.PAID, amount_paid, ""
    else:
        if not reason.strip():
            raise ValidationError({"reject_reason": [_("拒赔须填写原因")]})
        claim.status, claim.amount_paid, claim.reject_reason = ClaimStatus.REJECTED, None, reason.strip()[:300]
    claim.decided_on = decided_on or timezone.localdate()
    claim.full_clean()
    claim.save()
    audit.record(actor=actor, action="care.insurance.claim_decide", obj=claim, person_id=claim.person_id,
                 before=before, after=audit.snapshot(claim, ["status", "amount_paid", "reject_reason", "decided_on"]))
    return claim


def insurance_remind_expiring(*, today: dt.date | None = None) -> int:
    """Tell the political staff responsible for each policy ending within 30 days, once per end
    date. Returns the number of messages (`jingying care remind`)."""
    today = today or timezone.localdate()
    sent = 0
    due = InsurancePolicy.objects.filter(end__gte=today, end__lte=today + dt.timedelta(days=REMIND_DAYS),
                                         expiry_reminded_on__isnull=True).select_related("unit")
    for policy in due:
        with transaction.atomic():
            rows = notify(users=users_covering("care.change_insurance", policy.unit.path),
                          kind="care.insurance.expiring",
                          title=_("意外保险保单 %(number)s 将于 %(end)s 到期") % {"number": policy.policy_number,
                                                                              "end": policy.end},
                          body=_("%(unit)s 的 %(insurer)s %(name)s 还有 %(days)d 天到期，请及时续保。")
                          % {"unit": policy.unit.name, "insurer": policy.insurer, "name": policy.name,
                             "days": (policy.end - today).days},
                          url=reverse("care:policy_detail", args=[policy.pk]))
            InsurancePolicy.objects.filter(pk=policy.pk).update(expiry_reminded_on=today)
        sent += len(rows)
    return sent
