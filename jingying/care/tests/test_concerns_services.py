"""Concern services: raising (own / for someone in scope), the handling steps and their rules,
reassignment within scope, the officer's rating, and the escalation of overdue concerns."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from jingying.accounts.roles import Role
from jingying.care.models import Concern
from jingying.care.services import concerns as svc
from jingying.care.tests.factories_cases import make_concern
from jingying.core.models import AuditEntry, Notification
from jingying.org.tests.factories import PersonFactory, Tree, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    t = Tree()
    person = PersonFactory(unit=t.station, name="张警官")
    return {
        "t": t, "person": person,
        "officer": make_user("officer", role=Role.OFFICER, unit=t.station, person=person),
        "station": make_user("station", role=Role.LEADER, unit=t.station),
        "county": make_user("county", role=Role.LEADER, unit=t.county),
        "other": make_user("other", role=Role.LEADER, unit=t.other_county),
        "city": make_user("city", role=Role.POLITICAL, unit=t.city),
    }


def test_officer_raises_own_concern_with_deadline_timeline_audit_and_notice(world: dict[str, Any]) -> None:
    c = svc.concern_raise(actor=world["officer"], person=world["person"], category="schooling", urgency="urgent",
                          title=" 孩子入学 ", description="需要协调")
    assert c.title == "孩子入学" and c.source == "self" and c.status == "submitted"
    assert c.unit == world["t"].station
    assert c.deadline == timezone.localtime(c.raised_at).date() + dt.timedelta(days=3)
    assert [e.kind for e in c.events.all()] == ["raised"]
    assert AuditEntry.objects.filter(action="care.concern.raise", object_id=str(c.pk)).exists()
    # The station's leader hears of it first.
    assert Notification.objects.filter(user=world["station"], kind="care.concern").exists()


def test_officer_cannot_raise_for_someone_else(world: dict[str, Any]) -> None:
    colleague = PersonFactory(unit=world["t"].station)
    with pytest.raises(PermissionDenied):
        svc.concern_raise(actor=world["officer"], person=colleague, category="family", title="x")


def test_leader_records_for_a_person_in_scope_only(world: dict[str, Any]) -> None:
    c = svc.concern_raise(actor=world["county"], person=world["person"], category="housing", title="周转房",
                          source="survey", source_ref="2026 年一季度摸排 第 12 份")
    assert c.source == "survey" and c.source_ref.startswith("2026")
    outsider = PersonFactory(unit=world["t"].other_station)
    with pytest.raises(PermissionDenied):
        svc.concern_raise(actor=world["county"], person=outsider, category="housing", title="周转房")
    recorded = svc.concern_raise(actor=world["county"], person=world["person"], category="other", title="食堂")
    assert recorded.source == "recorded"


def test_invalid_category_is_a_validation_error(world: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        svc.concern_raise(actor=world["officer"], person=world["person"], category="nonsense", title="x")


def test_steps_accept_start_resolve_with_timeline(world: dict[str, Any]) -> None:
    c = make_concern(world["person"])
    leader = world["station"]
    svc.concern_accept(actor=leader, concern=c, note="收到")
    svc.concern_start(actor=leader, concern=c)
    with pytest.raises(ValidationError) as exc:
        svc.concern_resolve(actor=leader, concern=c, note=" ")
    assert "note" in exc.value.message_dict
    svc.concern_resolve(actor=leader, concern=c, note="已协调学校")
    c.refresh_from_db()
    assert c.status == "resolved" and c.outcome == "已协调学校" and c.closed_at is not None
    assert [e.kind for e in c.events.order_by("at", "id")] == ["accepted", "started", "resolved"]
    # The officer is told at every step.
    assert Notification.objects.filter(user=world["officer"], kind="care.concern").count() == 3
    with pytest.raises(ValidationError):
        svc.concern_accept(actor=leader, concern=c)


def test_refer_and_unsolvable_need_reason(world: dict[str, Any]) -> None:
    a, b = make_concern(world["person"]), make_concern(world["person"])
    svc.concern_refer(actor=world["station"], concern=a, note="转市局政治部")
    svc.concern_unsolvable(actor=world["station"], concern=b, note="政策不允许")
    assert Concern.objects.get(pk=a.pk).status == "referred"
    assert Concern.objects.get(pk=b.pk).status == "unsolvable"
    with pytest.raises(ValueError, match="unknown step"):
        svc.concern_step(actor=world["station"], concern=a, step="bogus")


def test_handling_needs_the_responsible_unit(world: dict[str, Any]) -> None:
    c = make_concern(world["person"])
    for actor in (world["officer"], world["other"]):
        with pytest.raises(PermissionDenied):
            svc.concern_accept(actor=actor, concern=c)
    svc.concern_accept(actor=world["county"], concern=c)  # a county leader covers the station


def test_reassign_up_and_down_within_scope(world: dict[str, Any]) -> None:
    t = world["t"]
    c = make_concern(world["person"])
    svc.concern_reassign(actor=world["county"], concern=c, unit=t.county, note="分局统筹")
    assert c.unit == t.county and c.events.filter(kind="reassigned").exists()
    with pytest.raises(PermissionDenied):
        svc.concern_reassign(actor=world["station"], concern=c, unit=t.station)  # no longer theirs
    svc.concern_reassign(actor=world["county"], concern=c, unit=t.station)
    with pytest.raises(ValidationError):
        svc.concern_reassign(actor=world["county"], concern=c, unit=t.other_station)  # sideways
    with pytest.raises(ValidationError):
        svc.concern_reassign(actor=world["county"], concern=c, unit=t.city)  # above the county's grant
    with pytest.raises(ValidationError):
        svc.concern_reassign(actor=world["county"], concern=c, unit=t.station)  # already there
    svc.concern_resolve(actor=world["county"], concern=c, note="ok")
    with pytest.raises(ValidationError):
        svc.concern_reassign(actor=world["county"], concern=c, unit=t.county)


def test_rating_only_by_the_person_after_closing_once(world: dict[str, Any]) -> None:
    c = make_concern(world["person"])
    with pytest.raises(ValidationError):
        svc.concern_rate(actor=world["officer"], concern=c, rating=5)
    svc.concern_resolve(actor=world["station"], concern=svc.concern_accept(actor=world["station"], concern=c), note="ok")
    with pytest.raises(PermissionDenied):
        svc.concern_rate(actor=world["station"], concern=c, rating=5)
    with pytest.raises(ValidationError):
        svc.concern_rate(actor=world["officer"], concern=c, rating=6)
    svc.concern_rate(actor=world["officer"], concern=c, rating=4, comment="较满意")
    c.refresh_from_db()
    assert (c.rating, c.rating_comment) == (4, "较满意") and c.events.filter(kind="rated").exists()
    with pytest.raises(ValidationError):
        svc.concern_rate(actor=world["officer"], concern=c, rating=5)


def test_overdue_concern_escalates_to_parent_and_notifies_its_leaders(world: dict[str, Any]) -> None:
    t = world["t"]
    today = timezone.localdate()
    late = make_concern(world["person"], urgency="urgent", deadline=today - dt.timedelta(days=1))
    on_time = make_concern(world["person"], deadline=today + dt.timedelta(days=5))
    closed = make_concern(world["person"], status="resolved", deadline=today - dt.timedelta(days=9))
    assert svc.concerns_escalate_overdue(today=today) == 1
    late.refresh_from_db()
    assert late.unit == t.county and late.escalations == 1 and late.deadline == today + dt.timedelta(days=3)
    event = late.events.get(kind="escalated")
    assert "上报" in event.note and event.unit == t.county
    assert Notification.objects.filter(user=world["county"], kind="care.concern_overdue", urgent=True).exists()
    assert not Notification.objects.filter(user=world["station"], kind="care.concern_overdue").exists()
    assert AuditEntry.objects.filter(action="care.concern.escalate").count() == 1
    on_time.refresh_from_db()
    closed.refresh_from_db()
    assert on_time.unit == t.station and closed.unit == t.station
    # Nothing more to do the same day.
    assert svc.concerns_escalate_overdue(today=today) == 0


def test_escalation_stops_at_the_top_and_reminds(world: dict[str, Any]) -> None:
    t = world["t"]
    region_pd = make_user("region", role=Role.POLITICAL, unit=t.region)
    c = make_concern(world["person"], unit=t.region, deadline=timezone.localdate() - dt.timedelta(days=2))
    assert svc.concerns_escalate_overdue() == 0
    c.refresh_from_db()
    assert c.unit == t.region
    assert Notification.objects.filter(user=region_pd, kind="care.concern_overdue").exists()


def test_management_command_and_task_escalate(world: dict[str, Any], capsys: Any) -> None:
    make_concern(world["person"], deadline=timezone.localdate() - dt.timedelta(days=1))
    call_command("care_escalate_concerns")
    assert "escalated 1" in capsys.readouterr().out
    from jingying.care.tasks_concerns import concerns_escalate_overdue_task

    make_concern(world["person"], deadline=timezone.localdate() - dt.timedelta(days=1))
    result = concerns_escalate_overdue_task.enqueue()
    assert result.return_value == 1
