"""Annual checkups: plans, results and follow-ups, one-step referral, scope and audit, the k-safe
statistics, unit_checkup_completion, and the officer's own page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import override_settings
from django.urls import reverse

from jingying.care.models import Referral
from jingying.core.models import AuditEntry
from jingying.core.scoping import SYSTEM
from jingying.core.testing import DetailViewTests, ListViewTests, Scope, login_client
from jingying.health.checkup_codes import BY_CODE, lookup_table
from jingying.health.models import CheckupPlan, CheckupRecord, CheckupStatus, FollowUp
from jingying.health.selectors import checkups as selectors
from jingying.health.selectors.checkups import unit_checkup_completion
from jingying.health.services import checkups as services
from jingying.health.tests.factories_checkups import LAST_YEAR, World, bulk_people, make_plan, make_world
from jingying.org.tests.factories import make_unit

pytestmark = pytest.mark.django_db
DAY = dt.date(LAST_YEAR, 5, 12)


def _result(w: World, record: CheckupRecord, codes: list[str]) -> CheckupRecord:
    return services.checkup_record_result(actor=w.medical, record=record, done_on=DAY, conclusion="见异常项",
                                          findings=codes)


def test_finding_codes_are_data_with_their_follow_up() -> None:
    table = lookup_table()
    assert table["高血压"] == table["htn"] == table["血压偏高"] == "HTN"
    assert BY_CODE["DM"].action == "specialist"


def test_plan_lists_everyone_active_in_the_subtree_and_syncs_newcomers() -> None:
    w = make_world()
    bulk_people(w.tree.station, 3)
    bulk_people(w.tree.station, 2, start=100, status="retired")
    plan = services.checkup_plan_create(actor=w.medical_county, unit=w.tree.county, year=LAST_YEAR,
                                        start_date=dt.date(LAST_YEAR, 4, 1), end_date=dt.date(LAST_YEAR, 10, 31),
                                        hospital=w.hospital)
    assert plan.records.count() == 4
    assert AuditEntry.objects.filter(action="health.checkup_plan.create").exists()
    bulk_people(w.tree.station, 1, start=200)
    assert services.checkup_plan_sync(actor=w.medical_county, plan=plan) == 1
    with pytest.raises(ValidationError) as exc:
        services.checkup_plan_create(actor=w.medical_county, unit=w.tree.county, year=LAST_YEAR,
                                     start_date=dt.date(LAST_YEAR, 4, 1), end_date=dt.date(LAST_YEAR, 10, 31))
    assert "已有体检计划" in str(exc.value)
    with pytest.raises(ValidationError):
        services.checkup_plan_create(actor=w.medical_county, unit=w.tree.station, year=LAST_YEAR,
                                     start_date=dt.date(LAST_YEAR, 4, 1), end_date=dt.date(LAST_YEAR, 3, 1))
    with pytest.raises(PermissionDenied):
        services.checkup_plan_create(actor=w.medical_county, unit=w.tree.other_county, year=LAST_YEAR,
                                     start_date=dt.date(LAST_YEAR, 4, 1), end_date=dt.date(LAST_YEAR, 10, 31))
    with pytest.raises(PermissionDenied):  # political staff: no health domain
        services.checkup_plan_sync(actor=w.political, plan=plan)
    services.checkup_plan_update(actor=w.medical_county, plan=plan, note="分两批")
    with pytest.raises(ValidationError):
        services.checkup_plan_update(actor=w.medical_county, plan=plan, unit=w.tree.station)
    record = plan.records.first()
    services.checkup_record_book(actor=w.medical_county, record=record, booked_on=DAY)
    assert services.checkup_plan_close(actor=w.medical_county, plan=plan) == 5
    assert plan.records.filter(status=CheckupStatus.MISSED).count() == 5
    services.checkup_plan_delete(actor=w.medical_county, plan=plan)
    assert not CheckupPlan.objects.exists()


def test_close_waits_for_the_end_of_the_window_and_delete_keeps_results() -> None:
    w = make_world()
    year = dt.date.today().year
    plan = services.checkup_plan_create(actor=w.medical, unit=w.tree.county, year=year,
                                        start_date=dt.date(year, 1, 1), end_date=dt.date(year, 12, 31))
    with pytest.raises(ValidationError):
        services.checkup_plan_close(actor=w.medical, plan=plan)
    _result(w, plan.records.get(person=w.person), [])
    with pytest.raises(ValidationError):
        services.checkup_plan_delete(actor=w.medical, plan=plan)


def test_result_with_findings_creates_follow_ups_and_referral_in_one_step() -> None:
    w = make_world()
    plan = make_plan(w.tree.county, w.hospital)
    record = plan.records.get(person=w.person)
    _result(w, record, ["HTN", "DM", "FLD"])
    assert record.status == CheckupStatus.DONE
    followups = {f.code: f for f in FollowUp.objects.filter(record=record)}
    assert set(followups) == {"HTN", "DM", "FLD"}
    assert followups["HTN"].due_date == DAY + dt.timedelta(days=90)
    # Entering the result again replaces the findings but keeps the follow-ups already open.
    _result(w, record, [("HTN", "150/95"), ("ECG", "")])
    assert sorted(record.findings.values_list("code", flat=True)) == ["ECG", "HTN"]
    assert FollowUp.objects.filter(record=record).count() == 4
    with pytest.raises(ValidationError):
        _result(w, record, ["XXX"])
    with pytest.raises(ValidationError):
        services.checkup_record_result(actor=w.medical, record=record, done_on=dt.date.today() + dt.timedelta(1),
                                       conclusion="x", findings=[])
    with pytest.raises(ValidationError):
        services.checkup_record_result(actor=w.medical, record=record, done_on=DAY, conclusion=" ", findings=[])
    with pytest.raises(ValidationError):
        services.checkup_record_book(actor=w.medical, record=record, booked_on=DAY)
    with pytest.raises(ValidationError):
        services.checkup_record_missed(actor=w.medical, record=record)
    other = plan.records.exclude(pk=record.pk).first() or make_plan(w.tree.other_county).records.first()
    services.checkup_record_missed(actor=w.medical, record=other)

    dm = followups["DM"]
    referral = services.followup_refer(actor=w.medical, followup=dm, hospital=w.hospital,
                                       service=w.hospital.services.get(kind="consult"))
    dm.refresh_from_db()
    assert dm.status == "referred" and dm.referral == referral
    assert referral.source == "checkup" and referral.source_ref == f"FU{dm.pk}" and "糖尿病" in referral.reason
    with pytest.raises(ValidationError):
        services.followup_update(actor=w.medical, followup=followups["FLD"], status="closed")  # no note
    services.followup_update(actor=w.medical, followup=followups["FLD"], status="closed", note="已减重 5 公斤")
    with pytest.raises(ValidationError):
        services.followup_refer(actor=w.medical, followup=followups["FLD"], hospital=w.hospital)
    with pytest.raises(ValidationError):
        services.followup_update(actor=w.medical, followup=followups["HTN"], status="nope")
    with pytest.raises(PermissionDenied):
        services.followup_update(actor=w.political, followup=followups["HTN"], status="open", note="x")


def test_records_need_the_health_domain_and_every_read_is_audited() -> None:
    w = make_world()
    plan = make_plan(w.tree.county)
    record = plan.records.get(person=w.person)
    assert selectors.checkup_record_list(actor=w.political).count() == 0
    assert selectors.checkup_record_list(actor=w.leader).count() == 0
    assert selectors.checkup_record_list(actor=w.officer).count() == 0
    with pytest.raises(Http404):
        selectors.checkup_record_read(actor=w.political, pk=record.pk)
    selectors.checkup_record_read(actor=w.medical_county, pk=record.pk)
    entry = AuditEntry.objects.get(action="health.read")
    assert entry.person_id == w.person.pk and entry.actor_name == "doc_county"
    # A county sees its own only.
    out = make_plan(w.tree.other_county).records.get()
    with pytest.raises(Http404):
        selectors.checkup_record_read(actor=w.medical_county, pk=out.pk)
    assert set(selectors.checkup_record_list(actor=w.medical_county).values_list("pk", flat=True)) == {record.pk}
    assert selectors.checkup_plan_list(actor=w.medical_county).count() == 1
    assert selectors.checkup_record_list(actor=w.medical, filters={"year": LAST_YEAR, "status": "due", "q": "张",
                                                                    "finding": ""}).count() == 1


def test_unit_checkup_completion() -> None:
    w = make_world()
    bulk_people(w.tree.station, 4)
    plan = make_plan(w.tree.county)
    for record in plan.records.all()[:3]:
        _result(w, record, [])
    assert unit_checkup_completion(unit_path=w.tree.county.path, year=LAST_YEAR) == (3, 5)
    assert unit_checkup_completion(unit_path=w.tree.city.path, year=LAST_YEAR) == (3, 5)
    assert unit_checkup_completion(unit_path=w.tree.other_city.path, year=LAST_YEAR) == (0, 0)
    assert unit_checkup_completion(unit_path=w.tree.county.path, year=LAST_YEAR - 5) == (0, 0)


@override_settings(JINGYING_K_ANONYMITY=5)
def test_stats_are_k_safe_with_complementary_suppression() -> None:
    w = make_world()
    t = w.tree
    # Under the county: the station (1 + 11 people), a small station (2 people), another (6 people).
    small = make_unit(t.county, "150102002", "小站", short_name="小站")
    mid = make_unit(t.county, "150102003", "中站", short_name="中站")
    bulk_people(t.station, 11)
    bulk_people(small, 2, start=1000)
    bulk_people(mid, 6, start=2000)
    plan = make_plan(t.county)
    for i, record in enumerate(plan.records.select_related("person")):
        _result(w, record, ["HTN"] if i % 2 else [])
    stats = selectors.checkup_stats(actor=w.leader, unit=t.county, year=LAST_YEAR)
    shown = {r.label: r for r in stats.rows}
    assert not stats.exact
    assert shown["小站"].due is None  # 2 < k
    assert shown["中站"].due is None  # hidden too: otherwise county − station − 中站 = 小站
    assert shown[t.station.label].due == 12 and shown[t.station.label].rate == 100.0
    assert stats.total.due == 20 and stats.total.done == 20
    hypertension = [c.code for c in stats.codes].index("HTN")
    assert stats.total.prevalence[hypertension] == 50.0
    assert shown["小站"].prevalence[hypertension] is None
    # A health-domain holder sees every cell.
    exact = selectors.checkup_stats(actor=w.medical, unit=t.county, year=LAST_YEAR)
    assert exact.exact and {r.label: r for r in exact.rows}["小站"].due == 2
    # A unit below k as a whole shows nothing.
    tiny = selectors.checkup_stats(actor=w.leader, unit=small, year=LAST_YEAR)
    assert tiny.total.due is None
    with pytest.raises(PermissionDenied):
        selectors.checkup_stats(actor=w.leader, unit=t.other_county, year=LAST_YEAR)


def test_stats_pages_for_leaders_show_no_names() -> None:
    w = make_world()
    bulk_people(w.tree.station, 9)
    plan = make_plan(w.tree.county)
    for record in plan.records.all():
        _result(w, record, ["DLP"])
    leader = login_client(w.leader)
    body = leader.get(reverse("health:checkup_stats")).content.decode()
    assert "血脂异常" in body and "100.0%" in body and "张三" not in body
    assert leader.get(reverse("health:checkup_stats") + f"?unit={w.tree.station.pk}&year={LAST_YEAR}").status_code == 200
    assert leader.get(reverse("health:checkup_stats") + f"?unit={w.tree.other_station.pk}").status_code == 404
    assert leader.get(reverse("health:checkup_stats_export") + f"?year={LAST_YEAR}").status_code == 200
    political = login_client(w.political)
    detail = political.get(reverse("health:checkup_plan_detail", args=[plan.pk])).content.decode()
    assert "张三" not in detail and "健康" in detail
    assert political.get(reverse("health:checkup_plan_export", args=[plan.pk])).status_code == 403


def test_plan_and_record_screens_for_the_medical_liaison() -> None:
    w = make_world()
    doc = login_client(w.medical_county)
    assert doc.get(reverse("health:checkup_plan_create")).status_code == 200
    data = {"unit": w.tree.county.pk, "year": LAST_YEAR, "hospital": w.hospital.pk,
            "start_date": f"{LAST_YEAR}-04-01", "end_date": f"{LAST_YEAR}-10-31"}
    response = doc.post(reverse("health:checkup_plan_create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    plan = CheckupPlan.objects.get()
    assert doc.post(reverse("health:checkup_plan_create"), data).status_code == 400  # the same year again
    assert doc.get(reverse("health:checkup_plan_edit", args=[plan.pk])).status_code == 200
    assert doc.post(reverse("health:checkup_plan_edit", args=[plan.pk]),
                    {**data, "end_date": f"{LAST_YEAR}-03-01"}).status_code == 400
    assert doc.post(reverse("health:checkup_plan_edit", args=[plan.pk]), {**data, "note": "x"}).status_code == 302
    assert "张三" in doc.get(reverse("health:checkup_plan_detail", args=[plan.pk]) + "?status=due&q=张").content.decode()
    assert doc.post(reverse("health:checkup_plan_sync", args=[plan.pk])).status_code == 302
    assert doc.post(reverse("health:checkup_plan_close", args=[plan.pk])).status_code == 302
    record = plan.records.get(person=w.person)
    assert doc.get(reverse("health:checkup_record_result", args=[record.pk])).status_code == 200
    assert doc.post(reverse("health:checkup_record_result", args=[record.pk]),
                    {"done_on": f"{LAST_YEAR}-05-01", "conclusion": " "}).status_code == 400
    response = doc.post(reverse("health:checkup_record_result", args=[record.pk]),
                        {"done_on": f"{LAST_YEAR}-05-01", "conclusion": "血压偏高", "findings": ["HTN", "DM"]})
    assert response.status_code == 302
    body = doc.get(reverse("health:checkup_record_detail", args=[record.pk])).content.decode()
    assert "高血压" in body and "血压高于正常范围" in body
    assert doc.post(reverse("health:checkup_record_book", args=[record.pk]), {"booked_on": ""}).status_code == 302
    assert doc.post(reverse("health:checkup_record_book", args=[record.pk]), {"booked_on": "2026-01-01"}).status_code == 302
    export = doc.get(reverse("health:checkup_plan_export", args=[plan.pk]))
    assert export.status_code == 200 and AuditEntry.objects.filter(action="health.checkup_plan.export").exists()
    dm = FollowUp.objects.get(code="DM")
    assert "一键转介" in doc.get(reverse("health:followup_detail", args=[dm.pk])).content.decode()
    assert doc.post(reverse("health:followup_detail", args=[dm.pk]), {"status": "closed"}).status_code == 400
    assert doc.post(reverse("health:followup_detail", args=[dm.pk]), {"status": "open", "note": "已电话提醒"}
                    ).status_code == 302
    assert doc.post(reverse("health:followup_refer", args=[dm.pk]), {"hospital": ""}).status_code == 302
    response = doc.post(reverse("health:followup_refer", args=[dm.pk]), {"hospital": w.hospital.pk})
    assert response.status_code == 302 and Referral.objects.filter(source="checkup").count() == 1
    assert doc.post(reverse("health:followup_refer", args=[dm.pk]), {"hospital": w.hospital.pk}).status_code == 302
    assert doc.get(reverse("health:followup_list") + "?status=referred&overdue=&code=DM").status_code == 200
    export = doc.get(reverse("health:followup_export") + "?status=&overdue=1")
    assert export.status_code == 200 and AuditEntry.objects.filter(action="health.followup.export").exists()
    assert doc.get(reverse("health:checkup_plan_list") + f"?year={LAST_YEAR}").status_code == 200
    upload = doc.get(reverse("health:checkup_import", args=[plan.pk]))
    assert upload.status_code == 200
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("x.csv", b"a,b")
    assert doc.post(reverse("health:checkup_import", args=[plan.pk]), {"file": bad}).status_code == 400
    fake = SimpleUploadedFile("x.xlsx", b"not a zip")
    assert doc.post(reverse("health:checkup_import", args=[plan.pk]), {"file": fake}).status_code == 400


def test_officer_sees_own_health_page_with_explanations_and_who_looked() -> None:
    w = make_world()
    plan = make_plan(w.tree.county, w.hospital)
    record = plan.records.get(person=w.person)
    _result(w, record, ["HTN"])
    services.followup_refer(actor=w.medical, followup=record.followups.get(), hospital=w.hospital)
    selectors.checkup_record_read(actor=w.medical, pk=record.pk)
    body = login_client(w.officer).get(reverse("health:me")).content.decode()
    assert "高血压" in body and "少盐" in body  # the plain-language explanation
    assert "内蒙古医科大学附属医院" in body  # the referral
    assert "doc" in body and "健康记录" in body  # who looked
    assert selectors.my_checkups(person_id=None).count() == 0
    assert selectors.my_followups(person_id=None).count() == 0
    # Someone else's page shows nothing of 张三's.
    other = login_client(w.medical)
    assert "少盐" not in other.get(reverse("health:me")).content.decode()


class TestFollowUpViews(ListViewTests, DetailViewTests):
    model = FollowUp
    list_url = "health:followup_list"
    detail_url = "health:followup_detail"
    list_queries = 6

    def build(self) -> Scope:
        w = make_world()
        self.w = w
        inside = _result(w, make_plan(w.tree.county).records.get(person=w.person), ["HTN"]).followups.get()
        outside = _result(w, make_plan(w.tree.other_county).records.get(), ["HTN"]).followups.get()
        return Scope(inside=inside, outside=outside, user=w.medical_county, nobody=w.political)

    def label(self, obj: Any) -> str:
        return obj.person.name

    def make_rows(self, scope: Scope, n: int) -> None:
        people = bulk_people(self.w.tree.station, n, start=5000 + FollowUp.objects.count())
        plan = CheckupPlan.objects.get(unit=self.w.tree.county)
        records = CheckupRecord.objects.bulk_create([CheckupRecord(plan=plan, person=p) for p in people])
        FollowUp.objects.bulk_create([FollowUp(person=r.person, record=r, code="HTN", action="recheck",
                                               due_date=DAY) for r in records])

    def visible_rows(self, scope: Scope) -> int:
        return selectors.followup_list(actor=scope.user).count()

    def rows_on_page(self, response: Any) -> int:
        return response.content.decode().count('class="js-row"')


class TestRecordViews(DetailViewTests):
    model = CheckupRecord
    detail_url = "health:checkup_record_detail"

    def build(self) -> Scope:
        w = make_world()
        inside = make_plan(w.tree.county).records.get(person=w.person)
        outside = make_plan(w.tree.other_county).records.get()
        return Scope(inside=inside, outside=outside, user=w.medical_county, nobody=w.leader)

    def label(self, obj: Any) -> str:
        return obj.person.name


class TestPlanListView(ListViewTests):
    model = CheckupPlan
    list_url = "health:checkup_plan_list"
    list_queries = 7

    def build(self) -> Scope:
        w = make_world()
        self.w = w
        inside = make_plan(w.tree.county)
        outside = make_plan(w.tree.other_county)
        return Scope(inside=inside, outside=outside, user=w.medical_county, nobody=w.leader)

    def label(self, obj: Any) -> str:
        return obj.unit.name

    def make_rows(self, scope: Scope, n: int) -> None:
        start = CheckupPlan.objects.count()
        for i in range(start, start + n):
            CheckupPlan.objects.create(unit=self.w.tree.county, year=1900 + i, start_date=dt.date(1900 + i, 1, 1),
                                       end_date=dt.date(1900 + i, 2, 1))

    def visible_rows(self, scope: Scope) -> int:
        return selectors.checkup_plan_list(actor=scope.user).count()

    def rows_on_page(self, response: Any) -> int:
        return response.content.decode().count('class="js-row"')


def test_system_actor_builds_plans() -> None:
    w = make_world()
    plan = make_plan(w.tree.station)
    assert plan.records.count() == 1 and services.checkup_plan_sync(actor=SYSTEM, plan=plan) == 0


def fake_section_context(*, actor: Any) -> dict[str, Any]:
    return {"marker": f"psych-section-for-{actor.username}"}


def test_me_page_includes_the_sections_other_parts_add(monkeypatch: pytest.MonkeyPatch) -> None:
    from jingying.health import me_sections

    w = make_world()
    monkeypatch.setattr(me_sections, "ME_SECTIONS", [
        me_sections.MeSection("health/partials/test_section.html",
                              context="jingying.health.tests.test_checkups:fake_section_context",
                              perm="health.view_own_health"),
        me_sections.MeSection("health/partials/test_section.html", perm="core.view_audit"),
    ])
    sections = me_sections.health_me_sections(actor=w.officer)
    assert sections == [{"template": "health/partials/test_section.html", "context": {"marker": "psych-section-for-off"}}]


def test_import_task_records_a_failure() -> None:
    from jingying.health.models import CheckupImport
    from jingying.health.tasks_checkups import checkup_import_validate

    w = make_world()
    plan = make_plan(w.tree.county)
    job = CheckupImport.objects.create(plan=plan, created_by=w.medical, file="checkup_imports/missing.xlsx",
                                       file_name="missing.xlsx")
    checkup_import_validate.enqueue(str(job.pk))
    job.refresh_from_db()
    assert job.status == CheckupImport.Status.FAILED and "内部错误" in job.message


def test_person_profile_panel_for_the_medical_liaison_only() -> None:
    w = make_world()
    make_plan(w.tree.county, w.hospital)
    from jingying.care.services.hospitals import referral_create

    referral_create(actor=w.medical, person=w.person, hospital=w.hospital, reason="x")
    url = reverse("org:person_detail", args=[w.person.pk])
    body = login_client(w.medical).get(url).content.decode()
    assert "体检与就医转介" in body and "待体检" in body and w.hospital.name in body
    assert "体检与就医转介" not in login_client(w.leader).get(url).content.decode()


def test_followup_reminders_reach_the_officer_and_the_nearest_liaison() -> None:
    from django.core.management import call_command

    from jingying.core.models import Notification
    from jingying.health.tasks_checkups import checkup_followup_reminders

    w = make_world()
    record = make_plan(w.tree.county).records.get(person=w.person)
    _result(w, record, ["HTN", "DM"])
    htn, dm = record.followups.get(code="HTN"), record.followups.get(code="DM")
    today = dt.date(LAST_YEAR + 1, 3, 1)
    FollowUp.objects.filter(pk=htn.pk).update(due_date=today + dt.timedelta(days=7))
    FollowUp.objects.filter(pk=dm.pk).update(due_date=today - dt.timedelta(days=1))
    assert services.followup_reminders(today=today) == {"officers": 2, "liaisons": 1}
    assert Notification.objects.filter(user=w.officer).count() == 2
    digest = Notification.objects.get(kind="health.followup_overdue")
    assert digest.user == w.medical_county and "1 项" in digest.title  # the nearest liaison
    assert services.followup_reminders(today=today + dt.timedelta(days=2)) == {"officers": 0, "liaisons": 0}
    call_command("checkup_reminders")
    checkup_followup_reminders.enqueue()
