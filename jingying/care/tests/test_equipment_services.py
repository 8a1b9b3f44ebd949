"""Protective equipment: issuing, expiry, returns, the all-or-nothing import, the reminder."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jingying.accounts.roles import Role
from jingying.care.models import EquipmentIssue
from jingying.care.selectors import equipment as selectors
from jingying.care.services import equipment as services
from jingying.care.tests.factories_fund import make_issue, make_type
from jingying.core.models import AuditEntry, Notification
from jingying.core.scoping import SYSTEM
from jingying.org.tests.factories import PersonFactory, Tree, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def eq():
    tree = Tree()
    leader = make_user("eq_leader", role=Role.LEADER, unit=tree.county)
    political = make_user("eq_pol", role=Role.POLITICAL, unit=tree.region)
    person = PersonFactory(unit=tree.station, id_number="150102198001010011")
    officer = make_user("eq_officer", role=Role.OFFICER, unit=tree.station, person=person)
    return tree, leader, political, person, officer


def test_add_months_clamps_to_month_end():
    assert services.add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert services.add_months(dt.date(2023, 11, 15), 36) == dt.date(2026, 11, 15)


def test_issue_computes_expiry_and_is_audited(eq):
    _tree, leader, _pol, person, _officer = eq
    vest = make_type("防刺服", 36)
    issue = services.equipment_issue_create(actor=leader, person=person, kind=vest, issued_on=dt.date(2025, 3, 31))
    assert issue.expires_on == dt.date(2028, 3, 31)
    assert AuditEntry.objects.filter(action="care.equipment.issue", person_id=person.pk).exists()


def test_issue_refusals(eq):
    tree, leader, _pol, person, officer = eq
    vest = make_type("防刺服", 36)
    with pytest.raises(ValidationError) as exc:
        services.equipment_issue_create(actor=leader, person=person, kind=None, issued_on=dt.date(2999, 1, 1))
    assert set(exc.value.message_dict) == {"type", "issued_on"}
    with pytest.raises(PermissionDenied):
        services.equipment_issue_create(actor=officer, person=person, kind=vest, issued_on=dt.date(2025, 1, 1))
    with pytest.raises(PermissionDenied):
        services.equipment_issue_create(actor=leader, person=PersonFactory(unit=tree.other_station), kind=vest,
                                        issued_on=dt.date(2025, 1, 1))
    vest.active = False
    vest.save()
    with pytest.raises(ValidationError, match="停用"):
        services.equipment_issue_create(actor=leader, person=person, kind=vest, issued_on=dt.date(2025, 1, 1))


def test_return_replace_and_delete(eq):
    _tree, leader, _pol, person, _officer = eq
    helmet = make_type("头盔", 60)
    issue = services.equipment_issue_create(actor=leader, person=person, kind=helmet, issued_on=dt.date(2024, 1, 1))
    new = services.equipment_issue_replace(actor=leader, issue=issue, issued_on=dt.date(2025, 1, 1))
    issue.refresh_from_db()
    assert issue.status == EquipmentIssue.Status.REPLACED and issue.returned_on == dt.date(2025, 1, 1)
    assert new.status == EquipmentIssue.Status.ISSUED and new.expires_on == dt.date(2030, 1, 1)
    with pytest.raises(ValidationError):
        services.equipment_issue_return(actor=leader, issue=issue)
    with pytest.raises(ValidationError):
        services.equipment_issue_return(actor=leader, issue=new, returned_on=dt.date(2020, 1, 1))
    services.equipment_issue_return(actor=leader, issue=new, returned_on=dt.date(2025, 6, 1))
    services.equipment_issue_delete(actor=leader, issue=new)
    assert not EquipmentIssue.objects.filter(pk=new.pk).exists()


def test_types_need_their_permission(eq):
    _tree, leader, political, _person, _officer = eq
    with pytest.raises(PermissionDenied):
        services.equipment_type_create(actor=leader, name="盾牌", service_life_months=60)
    kind = services.equipment_type_create(actor=political, name="盾牌", service_life_months=60, required=False)
    services.equipment_type_update(actor=political, kind=kind, service_life_months=48)
    kind.refresh_from_db()
    assert kind.service_life_months == 48
    with pytest.raises(ValueError, match="unknown"):
        services.equipment_type_update(actor=political, kind=kind, bogus=1)
    with pytest.raises(ValidationError):
        services.equipment_type_create(actor=political, name="", service_life_months=0)


def test_scope_officer_sees_own_leader_sees_subtree(eq):
    tree, leader, _pol, person, officer = eq
    vest = make_type()
    mine = make_issue(person, vest, dt.date(2025, 1, 1))
    other = make_issue(PersonFactory(unit=tree.station), vest, dt.date(2025, 1, 1))
    outside = make_issue(PersonFactory(unit=tree.other_station), vest, dt.date(2025, 1, 1))
    assert set(selectors.issue_list(actor=officer)) == {mine}
    assert set(selectors.issue_list(actor=leader)) == {mine, other}
    assert outside not in selectors.issue_list(actor=leader)


def test_expiring_and_expired_lists(eq):
    tree, leader, _pol, person, _officer = eq
    today = dt.date(2026, 6, 1)
    vest = make_type()
    soon = make_issue(person, vest, dt.date(2023, 7, 1), expires_on=dt.date(2026, 7, 1))
    gone = make_issue(person, vest, dt.date(2023, 1, 1), expires_on=dt.date(2026, 1, 1))
    make_issue(person, vest, dt.date(2023, 1, 1), expires_on=dt.date(2026, 2, 1), status="returned",
               returned_on=dt.date(2024, 1, 1))
    fine = make_issue(person, vest, dt.date(2025, 1, 1), expires_on=dt.date(2028, 1, 1))
    assert list(selectors.issue_list(actor=leader, state="expiring", today=today)) == [soon]
    assert list(selectors.issue_list(actor=leader, state="expired", today=today)) == [gone]
    assert set(selectors.issue_list(actor=leader, state="held", today=today)) == {soon, gone, fine}
    assert selectors.issue_list(actor=leader, state="returned").count() == 1
    assert selectors.issue_list(actor=leader, unit=tree.other_county).count() == 0
    assert selectors.issue_list(actor=leader, q=person.name).count() == 4


def _xlsx(rows):
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        sheet.write_row(r, 0, row)
    book.close()
    return buffer.getvalue()


def test_import_validates_everything_then_writes_all(eq):
    tree, leader, _pol, person, _officer = eq
    make_type("防刺服", 36)
    make_type("头盔", 60)
    outsider = PersonFactory(unit=tree.other_station)
    bad = services.read_rows(_xlsx([services.IMPORT_HEADERS,
                                    [person.id_number, "防刺服", "2025-03-01", "A1", ""],
                                    [outsider.id_number, "防刺服", "2025-03-01", "", ""],
                                    [person.id_number, "飞行器", "2025/13/01", "", ""],
                                    ["", "头盔", "20250301", "", ""],
                                    [person.id_number, "防刺服", "2025-03-01", "", ""]]))
    result = services.equipment_import(actor=leader, rows=bad)
    assert not result.ok and result.created == 0 and EquipmentIssue.objects.count() == 0
    messages = dict(result.errors)
    assert 3 in messages and "管辖范围" in messages[3]
    assert {n for n, _m in result.errors} == {3, 4, 5, 6}
    assert any("不存在" in m for n, m in result.errors if n == 4)
    assert any("重复" in m for n, m in result.errors if n == 6)
    good = services.read_rows(_xlsx([services.IMPORT_HEADERS, [person.id_number, "防刺服", "2025-03-01", "A1", ""],
                                     [person.id_number.lower(), "头盔", "2025.03.02", "", "新配"]]))
    assert services.equipment_import(actor=leader, rows=good, commit=False).created == 0
    result = services.equipment_import(actor=leader, rows=good)
    assert result.ok and result.created == 2 and EquipmentIssue.objects.count() == 2
    assert AuditEntry.objects.filter(action="care.equipment.import").exists()


def test_import_file_problems(eq):
    _tree, _leader, _pol, _person, officer = eq
    with pytest.raises(ValidationError, match="无法读取"):
        services.read_rows(b"not excel")
    with pytest.raises(ValidationError, match="表头"):
        services.read_rows(_xlsx([["a", "b", "c"]]))
    with pytest.raises(PermissionDenied):
        services.equipment_import(actor=officer, rows=[])


def test_reminder_tells_the_nearest_leaders(eq):
    tree, leader, _pol, person, _officer = eq
    station_leader = make_user("eq_station", role=Role.LEADER, unit=tree.station)
    vest = make_type()
    make_issue(person, vest, dt.date(2023, 7, 1), expires_on=dt.date(2026, 7, 1))
    make_issue(person, vest, dt.date(2023, 1, 1), expires_on=dt.date(2026, 1, 1))
    make_issue(PersonFactory(unit=tree.county), vest, dt.date(2023, 1, 1), expires_on=dt.date(2026, 1, 1))
    written = services.equipment_remind_expiring(today=dt.date(2026, 6, 1))
    assert written == 2
    note = Notification.objects.get(user=station_leader)
    assert "已过期 1 件" in note.body and "到期 1 件" in note.body
    assert Notification.objects.get(user=leader).body.count("\n") == 0  # only the county's own people
    assert services.equipment_remind_expiring(today=dt.date(2020, 1, 1)) == 0


def test_person_panel_and_equipped_counts(eq):
    tree, leader, _pol, person, officer = eq
    vest, helmet = make_type("防刺服"), make_type("头盔", 60)
    make_type("手电", 24, required=False)
    make_issue(person, vest, dt.date(2025, 1, 1))
    make_issue(person, helmet, dt.date(2025, 1, 1))
    other = PersonFactory(unit=tree.station)
    make_issue(other, vest, dt.date(2025, 1, 1))
    PersonFactory(unit=tree.county)
    counts = selectors.equipped_counts(units=[tree.county, tree.station], asof=dt.date(2026, 1, 1))
    assert counts[tree.station.pk] == (1, 2) and counts[tree.county.pk] == (1, 3)
    assert selectors.equipped_counts(units=[tree.station], asof=dt.date(2024, 1, 1))[tree.station.pk] == (0, 2)
    make_issue(person, make_type("手电", 24, required=False), dt.date(2020, 1, 1))
    panel = selectors.person_panel_context(actor=officer, person=person)
    assert len(panel["issues"]) == 3 and not panel["can_manage"]
    assert [i.expired for i in panel["issues"] if i.type.name == "手电"] == [True]
    assert sum(i.expired for i in panel["issues"]) == 1
    assert selectors.person_panel_context(actor=leader, person=person)["can_manage"]
    assert SYSTEM  # the reminder runs as the system; nothing else here needs it


def test_reminder_command_and_task(eq):
    from django.core.management import call_command

    from jingying.care.tasks_fund import equipment_remind_task

    tree, _leader, _pol, person, _officer = eq
    make_user("eq_station2", role=Role.LEADER, unit=tree.station)
    make_issue(person, make_type(), dt.date(2020, 1, 1), expires_on=dt.date(2021, 1, 1))
    out = io.StringIO()
    call_command("equipment_remind", stdout=out)
    assert out.getvalue().strip() == "1 notifications"
    assert equipment_remind_task.enqueue().return_value == 1
