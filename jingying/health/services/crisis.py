"""Writes of crisis escalation (issue 6 point 3).

An alert goes at once (urgent: in-app and the pluggable channels) to the counsellors
responsible for the person's unit; unacknowledged after JINGYING_CRISIS_ACK_MINUTES it goes to
the head counsellor(s) (`crisis_escalate_overdue`, run by `jingying health escalate` and the
`crisis_escalate` task). Only counsellors are told — never leaders, command or colleagues
(instruments.md §12.2).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jingying.core import audit
from jingying.core.notifications import notify, users_covering
from jingying.core.scoping import SYSTEM, require
from jingying.health.choices_psych import AlertOutcome, AlertPriority, AlertStatus, ContactMethod
from jingying.health.models import Counsellor, CrisisAlert, ScreeningResult
from jingying.org.models import Person

PERM = "health.change_alert"
DOMAIN = "psych"


# instruments.md (PHQ-9 safety item): an emergent alert not acknowledged within 15 minutes goes
# to a backup clinician, whatever the general deadline is.
EMERGENT_ACK_MINUTES = 15


def ack_minutes(priority: str | None = None) -> int:
    minutes = max(1, int(getattr(settings, "JINGYING_CRISIS_ACK_MINUTES", 60)))
    return min(minutes, EMERGENT_ACK_MINUTES) if priority == AlertPriority.EMERGENT else minutes


def head_counsellors() -> list[Any]:
    return [c.user for c in Counsellor.objects.filter(is_head=True, active=True, user__is_active=True)
            .select_related("user").order_by("id")]


def _url(alert: CrisisAlert) -> str:
    return reverse("health:alert_detail", kwargs={"pk": alert.pk})


def _message(alert: CrisisAlert, person: Person) -> tuple[str, str]:
    title = _("心理危机预警（%(priority)s）：请在 %(minutes)d 分钟内确认") % {
        "priority": alert.get_priority_display(), "minutes": ack_minutes(alert.priority)}
    body = _("%(name)s（%(unit)s，电话 %(phone)s）：%(reason)s；PHQ-9 总分 %(total)s。请尽快联系本人并在系统中记录。") % {
        "name": person.name, "unit": person.unit.name, "phone": person.phone or "—",
        "reason": alert.get_reason_display(), "total": alert.summary.get("phq9_total", "—")}
    return title, body


@transaction.atomic
def alert_raise(*, person: Person, result: ScreeningResult | None, reason: str, priority: str,
                summary: dict[str, Any]) -> CrisisAlert:
    """Create the alert and tell the responsible counsellors at once."""
    now = timezone.now()
    alert = CrisisAlert(person=person, result=result, reason=reason, priority=priority, summary=summary,
                        created_at=now, ack_due_at=now + dt.timedelta(minutes=ack_minutes(priority)))
    alert.full_clean(exclude=["result"])
    alert.save()
    users = users_covering("health.counsel", person.unit.path, domain=DOMAIN) or head_counsellors()
    title, body = _message(alert, person)
    notify(users=users, kind="health.crisis", title=title, body=body, url=_url(alert), urgent=True)
    audit.record(actor=SYSTEM, action="health.crisis.raise", obj=alert, person_id=person.pk,
                 after={"reason": reason, "priority": priority, "notified": [u.pk for u in users]})
    return alert


def _lock(actor: Any, alert: CrisisAlert) -> CrisisAlert:
    locked = CrisisAlert.objects.select_for_update(of=("self",)).select_related("person__unit").get(pk=alert.pk)
    require(actor, PERM, locked.person.unit.path, domain=DOMAIN)
    return locked


@transaction.atomic
def alert_acknowledge(*, actor: Any, alert: CrisisAlert) -> CrisisAlert:
    """"I have it": stops the escalation clock."""
    alert = _lock(actor, alert)
    if alert.status not in (AlertStatus.OPEN, AlertStatus.ESCALATED):
        return alert
    before = {"status": alert.status}
    alert.status, alert.acknowledged_at, alert.acknowledged_by = AlertStatus.ACKNOWLEDGED, timezone.now(), actor
    alert.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
    audit.record(actor=actor, action="health.crisis.acknowledge", obj=alert, person_id=alert.person_id,
                 before=before, after={"status": alert.status})
    return alert


@transaction.atomic
def alert_contact(*, actor: Any, alert: CrisisAlert, at: dt.datetime, method: str, note: str = "") -> CrisisAlert:
    """Record when, how and by whom the person was contacted (acknowledges too)."""
    alert = _lock(actor, alert)
    errors: dict[str, list[str]] = {}
    if alert.status == AlertStatus.CLOSED:
        raise ValidationError(_("预警已结案，不能再修改"))
    if method not in ContactMethod.values:
        errors["method"] = [_("请选择联系方式")]
    if at > timezone.now() + dt.timedelta(minutes=5):
        errors["at"] = [_("联系时间不能晚于现在")]
    if at < alert.created_at - dt.timedelta(minutes=5):
        errors["at"] = [_("联系时间不能早于预警时间")]
    if errors:
        raise ValidationError(errors)
    before = {"status": alert.status}
    now = timezone.now()
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = now, actor
    alert.status, alert.contact_at, alert.contact_method, alert.contact_by = AlertStatus.CONTACTED, at, method, actor
    if note:
        alert.outcome_note = note.strip()
    alert.save()
    audit.record(actor=actor, action="health.crisis.contact", obj=alert, person_id=alert.person_id, before=before,
                 after={"status": alert.status, "contact_at": at, "method": method})
    return alert


@transaction.atomic
def alert_close(*, actor: Any, alert: CrisisAlert, outcome: str, note: str = "") -> CrisisAlert:
    """Close with the outcome; a contact must be recorded first (or the outcome says none was possible)."""
    alert = _lock(actor, alert)
    if alert.status == AlertStatus.CLOSED:
        return alert
    errors: dict[str, list[str]] = {}
    if outcome not in AlertOutcome.values:
        errors["outcome"] = [_("请选择处置结果")]
    elif alert.contact_at is None and outcome != AlertOutcome.UNREACHABLE:
        errors["outcome"] = [_("请先记录联系情况，再结案")]
    if errors:
        raise ValidationError(errors)
    before = {"status": alert.status}
    now = timezone.now()
    alert.status, alert.outcome, alert.closed_at, alert.closed_by = AlertStatus.CLOSED, outcome, now, actor
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = now, actor
    if note.strip():
        alert.outcome_note = "\n".join(x for x in (alert.outcome_note, note.strip()) if x)
    alert.save()
    audit.record(actor=actor, action="health.crisis.close", obj=alert, person_id=alert.person_id, before=before,
                 after={"status": alert.status, "outcome": outcome})
    return alert


@transaction.atomic
def crisis_escalate_overdue(*, now: dt.datetime | None = None) -> int:
    """Alerts nobody acknowledged in time go to the head counsellor(s); returns how many.
    Each alert escalates once (then waits for a head counsellor's acknowledgement)."""
    moment = now or timezone.now()
    overdue = list(CrisisAlert.objects.select_for_update(of=("self",)).select_related("person__unit")
                   .filter(status=AlertStatus.OPEN, ack_due_at__lte=moment, escalated_at__isnull=True))
    heads = head_counsellors()
    for alert in overdue:
        alert.status, alert.escalated_at = AlertStatus.ESCALATED, moment
        alert.save(update_fields=["status", "escalated_at"])
        title, body = _message(alert, alert.person)
        notify(users=heads, kind="health.crisis", url=_url(alert), urgent=True,
               title=_("【已升级】%(title)s") % {"title": title},
               body=_("超过 %(minutes)d 分钟无人确认，已升级给负责人。%(body)s") % {"minutes": ack_minutes(alert.priority), "body": body})
        audit.record(actor=SYSTEM, action="health.crisis.escalate", obj=alert, person_id=alert.person_id,
                     after={"status": alert.status, "notified": [u.pk for u in heads]})
    return len(overdue)
